package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/dbtest"
)

const testPassword = "correct horse battery staple"

// addEditor seeds the database at loc and adds an editor of the Oulu
// network.
func addEditor(t *testing.T, email string, loc ...string) {
	t.Helper()
	if code, _, errs := run(t, nil, "", append([]string{"seed"}, loc...)...); code != 0 {
		t.Fatalf("seed: %s", errs)
	}
	args := append([]string{"user", "add", "--email", email, "--name", "Testi Editori", "--role", "editor", "--network", "oulu"}, loc...)
	if code, _, errs := run(t, nil, testPassword+"\n", args...); code != 0 {
		t.Fatalf("user add: %s", errs)
	}
}

// TestPostgresOutage stops the real PostgreSQL server under the running
// program and starts it again: meanwhile the search answers from the
// index, other pages and writes answer 503 in the user's language (never
// 500, never a logout), /readyz says "database unreachable" without the
// address; afterwards the same session works again, with no restart.
func TestPostgresOutage(t *testing.T) {
	cl := dbtest.NewCluster(t)
	loc := []string{"--db", cl.DSN, "--data", t.TempDir()}
	addEditor(t, "outage@example.fi", loc...)
	p := startProc(t, append(loc, "--log-level", "debug")...) // the access log, to check no 500
	b := newBrowser(t, p.base)
	b.login(t, "outage@example.fi", testPassword)
	ctx := context.Background()
	get := func(path string) (int, string) {
		t.Helper()
		status, _, body, err := b.do(ctx, http.MethodGet, path, "", nil)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return status, body
	}
	if status, _ := get("/dashboard"); status != http.StatusOK {
		t.Fatalf("dashboard before the outage: %d", status)
	}
	newService := `{"id":"katkostesti","name":{"fi":"Katkostesti"},"target_groups":["worried-about-own-thoughts"],` +
		`"service_types":["counselling"],"area":{"networks":["oulu"]},"status":"active"}`

	cl.Stop(t)
	u, _ := url.Parse(cl.DSN)
	port := u.Port()
	if status, body := get("/readyz"); status != http.StatusServiceUnavailable || !strings.Contains(body, "database unreachable") || strings.Contains(body, port) {
		t.Errorf("/readyz in the outage: %d %q", status, body)
	}
	for _, path := range []string{"/search?q=seksuaaliterapia", "/api/v1/search?q=seksuaaliterapia"} {
		if status, body := get(path); status != http.StatusOK || !strings.Contains(strings.ToLower(body), "seksuaaliterap") {
			t.Errorf("%s in the outage: %d\n%.300s", path, status, body)
		}
	}
	for _, c := range []struct{ path, want string }{
		{"/services?lang=fi", "ei ole juuri nyt saatavilla"},
		{"/dashboard?lang=fi", "Olet yhä kirjautuneena"},
	} {
		if status, body := get(c.path); status != http.StatusServiceUnavailable || !strings.Contains(body, c.want) {
			t.Errorf("%s in the outage: %d\n%.500s", c.path, status, body)
		}
	}
	status, _, body, err := b.do(ctx, http.MethodPost, "/api/v1/services", newService, nil)
	if err != nil || status != http.StatusServiceUnavailable || !strings.Contains(body, `"unavailable"`) {
		t.Errorf("a write in the outage: %d %v %s", status, err, body)
	}
	other := newBrowser(t, p.base)
	form := "email=outage%40example.fi&password=x"
	if status, _, body, err := other.do(ctx, http.MethodPost, "/login", form, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}); err != nil || status != http.StatusServiceUnavailable {
		t.Errorf("a login in the outage: %d %v\n%.300s", status, err, body)
	}
	if len(b.cookies()) == 0 {
		t.Fatal("the outage cleared the session cookie")
	}

	cl.Start(t)
	p.waitReady(t, 30*time.Second)
	if status, _ := get("/dashboard"); status != http.StatusOK {
		t.Errorf("dashboard after the outage: %d", status)
	}
	status, _, body, err = b.do(ctx, http.MethodPost, "/api/v1/services", newService, nil)
	if err != nil || status != http.StatusCreated {
		t.Errorf("a write after the outage: %d %v %s", status, err, body)
	}
	p.stop(t)
	log := p.log.String()
	if !strings.Contains(log, "route=") {
		t.Fatalf("no access log:\n%s", log)
	}
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "status=500") || strings.Contains(line, "panic") {
			t.Errorf("a 500 or a panic: %s", line)
		}
	}
}
