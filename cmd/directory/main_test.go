package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/users"
)

// run calls Run like the shell would, with an environment of env only.
func run(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, strings.NewReader(stdin), &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

// dialects returns the --db values to test with: the SQLite default of the
// data dir, and a fresh PostgreSQL schema when one is configured.
func dialects(t *testing.T) map[string]func(t *testing.T) []string {
	return map[string]func(t *testing.T) []string{
		"sqlite":   func(t *testing.T) []string { return []string{"--data", t.TempDir()} },
		"postgres": func(t *testing.T) []string { return []string{"--db", dbtest.PostgresDSN(t), "--data", t.TempDir()} },
	}
}

func TestCommands(t *testing.T) {
	for name, where := range dialects(t) {
		t.Run(name, func(t *testing.T) {
			loc := where(t)
			code, out, errs := run(t, nil, "", append([]string{"migrate"}, loc...)...)
			if code != 0 || !strings.Contains(out, "at schema version ") {
				t.Fatalf("migrate: %d %q %q", code, out, errs)
			}
			code, out, errs = run(t, nil, "", append([]string{"seed"}, loc...)...)
			if code != 0 || !strings.Contains(out, "308 municipalities") {
				t.Fatalf("seed: %d %q %q", code, out, errs)
			}
			code, out, _ = run(t, nil, "", append([]string{"seed"}, loc...)...)
			if code != 0 || !strings.Contains(out, "0 municipalities added or changed; 0 listings created, 0 updated") {
				t.Errorf("second seed is not a no-op: %q", out)
			}
			code, out, errs = run(t, nil, "", append([]string{"seed", "--synthetic", "120"}, loc...)...)
			if code != 0 || !strings.Contains(out, "added 120 services") {
				t.Errorf("seed --synthetic: %d %q %q", code, out, errs)
			}
			code, out, _ = run(t, nil, "", append([]string{"reindex"}, loc...)...)
			if code != 0 || !strings.Contains(out, "reindex") {
				t.Errorf("reindex: %d %q", code, out)
			}

			add := append([]string{"user", "add", "--email", "Editor@Example.org", "--name", "Eeva Editor", "--role", "editor", "--network", "oulu,kajaani"}, loc...)
			code, out, errs = run(t, nil, "a long enough password\n", add...)
			if code != 0 || !strings.Contains(out, "editor@example.org") {
				t.Fatalf("user add: %d %q %q", code, out, errs)
			}
			code, _, errs = run(t, nil, "another long password\n", add...)
			if code != 1 || !strings.Contains(errs, "already exists") {
				t.Errorf("duplicate user: %d %q", code, errs)
			}
			code, _, errs = run(t, nil, "short\n", append([]string{"user", "add", "--email", "m@example.org", "--name", "M", "--role", "member"}, loc...)...)
			if code != 1 || !strings.Contains(errs, "password: must be at least 12 characters") {
				t.Errorf("short password: %d %q", code, errs)
			}
			code, _, errs = run(t, nil, "a long enough password\n", append([]string{"user", "add", "--email", "x@example.org", "--name", "X", "--role", "editor", "--network", "nowhere"}, loc...)...)
			if code != 1 || !strings.Contains(errs, `unknown network "nowhere"`) {
				t.Errorf("unknown network: %d %q", code, errs)
			}

			// An integration's token: printed once, alone on standard output.
			code, out, errs = run(t, nil, "", append([]string{"token", "add", "--name", "esimerkki-sync", "--role", "editor", "--network", "oulu"}, loc...)...)
			if secret := strings.TrimSpace(out); code != 0 || !strings.HasPrefix(secret, "srd_") || strings.Contains(secret, "\n") ||
				!strings.Contains(errs, "shown once") {
				t.Fatalf("token add: %d %q %q", code, out, errs)
			}
			code, _, errs = run(t, nil, "", append([]string{"token", "add", "--name", "esimerkki-sync", "--role", "admin"}, loc...)...)
			if code != 1 || !strings.Contains(errs, "exists") {
				t.Errorf("a taken token name: %d %q", code, errs)
			}
			code, _, errs = run(t, nil, "", append([]string{"token", "add", "--name", "x", "--role", "editor"}, loc...)...)
			if code != 1 || !strings.Contains(errs, "networks") {
				t.Errorf("an editor token without networks: %d %q", code, errs)
			}
			code, out, errs = run(t, nil, "", append([]string{"token", "revoke", "--name", "esimerkki-sync"}, loc...)...)
			if code != 0 || !strings.Contains(out, "revoked") {
				t.Errorf("token revoke: %d %q %q", code, out, errs)
			}
			code, _, errs = run(t, nil, "", append([]string{"token", "revoke", "--name", "ei-ole"}, loc...)...)
			if code != 1 || !strings.Contains(errs, "no token") {
				t.Errorf("revoking an unknown token: %d %q", code, errs)
			}
			if code, _, _ = run(t, nil, "", "token"); code != 2 {
				t.Errorf("token without a subcommand: %d", code)
			}

			// HSDS out and in.
			hsdsDir := filepath.Join(t.TempDir(), "hsds")
			code, _, errs = run(t, nil, "", append([]string{"export", "hsds", "--out", hsdsDir}, loc...)...)
			if code != 0 || !strings.Contains(errs, "exported ") {
				t.Fatalf("export hsds: %d %q", code, errs)
			}
			for _, f := range []string{"services.json", "organizations.json", "taxonomies.json", "taxonomy_terms.json"} {
				if _, err := os.Stat(filepath.Join(hsdsDir, f)); err != nil {
					t.Errorf("export hsds: %v", err)
				}
			}
			code, stream, _ := run(t, nil, "", append([]string{"export", "hsds"}, loc...)...)
			if code != 0 || !json.Valid([]byte(stream)) || !strings.Contains(stream, `"services"`) {
				t.Errorf("export hsds to standard output: %d, %d bytes", code, len(stream))
			}
			var out2 string
			code, out2, errs = run(t, nil, "", append([]string{"import", "hsds", hsdsDir, "--dry-run"}, loc...)...)
			if code != 0 || !strings.Contains(out2, "dry run") {
				t.Errorf("import hsds --dry-run: %d %q %q", code, out2, errs)
			}
			bad := filepath.Join(t.TempDir(), "bad.json")
			os.WriteFile(bad, []byte(`{"services": [{"id": `), 0o644)
			code, _, errs = run(t, nil, "", append([]string{"import", "hsds", bad}, loc...)...)
			if code != 1 || !strings.Contains(errs, "bad.json") || !strings.Contains(errs, "not valid JSON") {
				t.Errorf("import hsds of a broken file: %d %q", code, errs)
			}
			// A spreadsheet.
			sheet := filepath.Join(t.TempDir(), "palvelut.csv")
			os.WriteFile(sheet, []byte("id;name_fi;area;email\nesimerkki-csv;Esimerkkipalvelu;network:oulu;apu@esimerkki.example.fi\n"), 0o644)
			code, out2, errs = run(t, nil, "", append([]string{"import", "csv", sheet}, loc...)...)
			if code != 0 || !strings.Contains(out2, "1 created") {
				t.Errorf("import csv: %d %q %q", code, out2, errs)
			}
			code, out2, _ = run(t, nil, "", append([]string{"import", "csv", "--dry-run", sheet}, loc...)...)
			if code != 0 || !strings.Contains(out2, "dry run") {
				t.Errorf("import csv --dry-run: %d %q", code, out2)
			}
			os.WriteFile(sheet, []byte("id;name_fi;area;email\nesimerkki-csv;Esimerkkipalvelu;network:oulu;ei-osoite\n"), 0o644)
			code, _, errs = run(t, nil, "", append([]string{"import", "csv", sheet}, loc...)...)
			if code != 1 || !strings.Contains(errs, "row 2, column email") {
				t.Errorf("import csv of a bad row: %d %q", code, errs)
			}
			if code, _, _ = run(t, nil, "", "export"); code != 2 {
				t.Errorf("export without a format: %d", code)
			}
		})
	}
}

func TestUserPasswordIsHashed(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, nil, "correct horse battery staple\n", "user", "add", "--data", dir, "--email", "a@example.org", "--name", "A", "--role", "admin"); code != 0 {
		t.Fatal(errs)
	}
	m, err := open(context.Background(), Config{Data: dir, LogLevel: "error"}, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	u, err := users.NewStore(m.DB).ByEmail(context.Background(), "A@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$") || strings.Contains(u.PasswordHash, "horse") {
		t.Errorf("stored hash %q", u.PasswordHash)
	}
	if !users.CheckPassword(u.PasswordHash, "correct horse battery staple") || users.CheckPassword(u.PasswordHash, "wrong") {
		t.Error("password check is wrong")
	}
}

func TestBadInputGivesOneClearLine(t *testing.T) {
	broken := t.TempDir()
	for _, name := range []string{"vocabularies.yaml", "organizations.yaml", "networks.yaml", "contacts.yaml", "services.yaml", "municipalities.csv"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "seed", name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "contacts.yaml" {
			b = bytes.Replace(b, []byte("email: ulla.konttila@oetk.fi"), []byte("email: ulla.konttila(at)oetk.fi"), 1)
		}
		if err := os.WriteFile(filepath.Join(broken, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"unreachable database", nil, []string{"migrate", "--db", "postgres://u:pw@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"}, 1, "not reachable"},
		{"unreachable database from env", map[string]string{"DIRECTORY_DB": "postgres://u@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"}, []string{"serve"}, 1, "not reachable"},
		{"broken seed file", nil, []string{"seed", "--data", t.TempDir(), "--seed-dir", broken}, 1, `contacts.yaml:27: contact "ulla-konttila": email: is not a valid e-mail address`},
		{"unknown command", nil, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown flag", nil, []string{"seed", "--colour"}, 2, "flag provided but not defined"},
		{"bad env value", map[string]string{"DIRECTORY_SYNTHETIC": "many"}, []string{"seed", "--data", t.TempDir()}, 1, "DIRECTORY_SYNTHETIC"},
		{"bad log level", nil, []string{"migrate", "--data", t.TempDir(), "--log-level", "loud"}, 1, "log level"},
		{"unknown durability", nil, []string{"migrate", "--data", t.TempDir(), "--sqlite-sync", "fast"}, 1, `sqlite synchronous "fast": want full or normal`},
		{"unknown search engine", nil, []string{"serve", "--data", t.TempDir(), "--search-engine", "lucene"}, 1, `--search-engine "lucene": want fast or bleve`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := run(t, tt.env, "", tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, errs, tt.code, tt.want)
			}
			if strings.Contains(errs, "goroutine ") || strings.Contains(errs, "pw@") {
				t.Errorf("stderr has a stack trace or a password:\n%s", errs)
			}
		})
	}
}

// TestServe runs the real program on a free port: it migrates, seeds the
// empty database, answers, and shuts down cleanly when told to; with each
// search engine, which /metrics counts (on the public listener to this
// machine by default; with bleve here, on a listener of its own).
func TestServe(t *testing.T) {
	for _, engine := range search.Engines {
		t.Run(engine, func(t *testing.T) { testServe(t, engine) })
	}
}

func testServe(t *testing.T, engine string) {
	addr, metricsAddr := freeAddr(t), ""
	if engine == search.EngineBleve {
		metricsAddr = freeAddr(t)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var errb bytes.Buffer
	go func() {
		env := map[string]string{"DIRECTORY_ADDR": addr, "DIRECTORY_DATA": dir, "DIRECTORY_LOG_LEVEL": "debug",
			"DIRECTORY_SEARCH_ENGINE": engine, "DIRECTORY_METRICS_ADDR": metricsAddr}
		done <- Run(ctx, nil, strings.NewReader(""), io.Discard, &errb, func(k string) string { return env[k] })
	}()
	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become ready: %v\n%s", err, errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.Get(base + "/api/v1/networks")
	if err != nil {
		t.Fatal(err)
	}
	var nets struct {
		Total int `json:"total"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&nets); err != nil || nets.Total != 6 {
		t.Errorf("networks after first start: %d, %v", nets.Total, err)
	}
	resp.Body.Close()
	if _, err := os.Stat(filepath.Join(dir, "directory.db")); err != nil {
		t.Errorf("SQLite file not in the data dir: %v", err)
	}
	if resp, err := http.Get(base + "/api/v1/search?q=salaisuusxyz"); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	var found struct {
		Hits []struct{ ID string } `json:"hits"`
	}
	if resp, err := http.Get(base + "/api/v1/search?q=seksuaaliterapia"); err != nil {
		t.Fatal(err)
	} else {
		err := json.NewDecoder(resp.Body).Decode(&found)
		resp.Body.Close()
		if err != nil || len(found.Hits) == 0 {
			t.Errorf("search with the %s engine: %+v, %v", engine, found, err)
		}
	}
	metricsURL := base + "/metrics"
	if metricsAddr != "" {
		// Metrics on their own listener, not the public one.
		if resp, err := http.Get(base + "/metrics"); err != nil {
			t.Fatal(err)
		} else if resp.Body.Close(); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /metrics on the public listener: %s", resp.Status)
		}
		metricsURL = "http://" + metricsAddr + "/metrics"
	}
	metrics := get(t, metricsURL)
	chosen := `directory_search_plain_passes_total{reason="chosen"} 0`
	if engine == search.EngineBleve == strings.Contains(metrics, chosen) {
		t.Errorf("%s engine: /metrics says\n%s", engine, grepLines(metrics, "plain_passes"))
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d after shutdown:\n%s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not shut down")
	}
	// The access log (debug level here) names the route, never what was
	// searched nor who asked.
	log := errb.String()
	if !strings.Contains(log, "route=api.search") {
		t.Errorf("no access log line for the search:\n%s", log)
	}
	if strings.Contains(log, "salaisuusxyz") {
		t.Errorf("the log holds the search query:\n%s", log)
	}
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "route=") && strings.Contains(line, "127.0.0.1") {
			t.Errorf("an access log line holds the client address: %s", line)
		}
	}
}

func TestEnvName(t *testing.T) {
	for flag, want := range map[string]string{"db": "DIRECTORY_DB", "log-level": "DIRECTORY_LOG_LEVEL", "seed-dir": "DIRECTORY_SEED_DIR"} {
		if got := EnvName(flag); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", flag, got, want)
		}
	}
}

func TestAddrlessLog(t *testing.T) {
	for in, want := range map[string]string{
		"http: TLS handshake error from 192.0.2.1:5555: EOF": "http: TLS handshake error from [address]: EOF",
		"error from [2001:db8::1]:443":                       "error from [address]",
		"http: superfluous response.WriteHeader call":        "http: superfluous response.WriteHeader call",
	} {
		if got := addrPattern.ReplaceAllString(in, "[address]"); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// freeAddr is a loopback address with a port nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
