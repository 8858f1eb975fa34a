package hsds_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/serie-verkosto/directory/internal/api"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/hsds"
	"github.com/serie-verkosto/directory/internal/hsds/hsdstest"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/seed"
)

// emptyDirectory is a directory with its reference data (municipalities,
// vocabularies, networks) and no listings.
func emptyDirectory(t *testing.T) *services.Store { return emptyDirectoryB(t) }

func emptyDirectoryB(t testing.TB) *services.Store {
	t.Helper()
	d := dbtest.Open(t, filepath.Join(t.TempDir(), "empty.db"))
	data, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	ref := seed.Data{Municipalities: data.Municipalities, Vocabularies: data.Vocabularies, Networks: data.Networks}
	st := services.NewStore(d)
	if _, err := seed.Apply(db.WithActor(context.Background(), "seed"), st, &ref, seed.Options{}); err != nil {
		t.Fatal(err)
	}
	return st
}

// exportOf is the stream export of st, its services by HSDS id with
// last_modified (when this directory last wrote each) left out.
func exportOf(t *testing.T, st *services.Store) (map[string]json.RawMessage, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if _, err := (hsds.Export{Store: st}).To(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services []map[string]json.RawMessage `json:"services"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]json.RawMessage{}
	for _, s := range doc.Services {
		delete(s, "last_modified")
		b, _ := json.Marshal(s)
		var id string
		json.Unmarshal(s["id"], &id)
		out[id] = b
	}
	return out, buf.Bytes()
}

// Export → import into an empty directory → export gives the same
// documents; importing again changes nothing; the listings record their
// source.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	from := services.NewStore(seedtest.SQLite(t))
	first, raw := exportOf(t, from)
	to := emptyDirectory(t)
	ds := &hsds.Dataset{}
	if err := hsds.ReadJSON(bytes.NewReader(raw), "export.json", ds); err != nil {
		t.Fatal(err)
	}
	im := hsds.Import{Store: to}
	dry := im
	dry.DryRun = true
	if res, err := dry.Run(ctx, ds); err != nil || res.Services != len(first) {
		t.Fatalf("dry run: %v, %v", res, err)
	}
	if ids, _ := to.ServiceIDs(ctx); len(ids) != 0 {
		t.Fatalf("the dry run wrote %d services", len(ids))
	}
	res, err := im.Run(ctx, ds)
	if err != nil || res.Created != len(first) {
		t.Fatalf("import: %v, %v", res, err)
	}
	second, _ := exportOf(t, to)
	if len(second) != len(first) {
		t.Fatalf("%d services exported again, %d at first", len(second), len(first))
	}
	for id, doc := range first {
		if !bytes.Equal(doc, second[id]) {
			t.Errorf("service %s differs after the round trip:\n%s\n%s", id, doc, second[id])
		}
	}
	ids, _ := to.ServiceIDs(ctx)
	s, err := to.Service(ctx, ids[0])
	if err != nil || s.Source.Kind != hsds.SourceKind || s.Source.ID != hsds.ID(hsds.KindService, ids[0]) || s.Source.Fetched == nil {
		t.Errorf("source %+v %v", s.Source, err)
	}
	again, err := im.Run(ctx, ds)
	if err != nil || again.Created != 0 || again.Updated != 0 {
		t.Errorf("importing again: %v, %v", again, err)
	}
}

// The official HSDS examples import (their texts are English, their
// areas not Finnish), and the directory's own API can be read by URL.
func TestImportOfficialAndURL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, n := range []string{"service_full.json", "organization_full.json", "service_list.json", "service_at_location_full.json", "taxonomy_term.json"} {
		b, err := hsdstest.Official.ReadFile("official/examples/" + n)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, n), b, 0o644)
	}
	st := emptyDirectory(t)
	ds, err := hsds.Read(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (hsds.Import{Store: st, Lang: "en", DefaultArea: "network:atlantis"}).Run(ctx, ds); err == nil || !strings.Contains(err.Error(), "atlantis") {
		t.Fatalf("an unknown default area: %v", err)
	}
	res, err := (hsds.Import{Store: st, Lang: "en"}).Run(ctx, ds)
	if err != nil || res.Created == 0 || !strings.Contains(strings.Join(res.Dropped, "\n"), "given the area national") {
		t.Fatalf("official examples: %v, %v", res, err)
	}
	ids, _ := st.ServiceIDs(ctx)
	s, _ := st.Service(ctx, ids[0])
	if s.Name.EN == "" || s.Source.Kind != "hsds" || s.VerifiedAt != nil {
		t.Errorf("imported %+v", s)
	}

	// By URL, from another directory's HSDS API.
	from := services.NewStore(seedtest.SQLite(t))
	r := mux.NewRouter()
	(&hsds.Server{Store: from, API: api.New(from, nil, nil, nil)}).Routes(r.PathPrefix("/hsds/v3").Subrouter())
	srv := httptest.NewServer(r)
	defer srv.Close()
	for _, base := range []string{"/hsds/v3", "/hsds/v3/services?page=2"} {
		got, err := hsds.Read(ctx, srv.URL+base, srv.Client())
		if err != nil || len(got.Services) == 0 {
			t.Fatalf("%s: %d services, %v", base, len(got.Services), err)
		}
	}
	ds, err = hsds.Read(ctx, srv.URL+"/hsds/v3/", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := from.ServiceIDs(ctx)
	if len(ds.Services) != len(want) {
		t.Fatalf("read %d services by URL, want %d", len(ds.Services), len(want))
	}
	to := emptyDirectory(t)
	if res, err := (hsds.Import{Store: to}).Run(ctx, ds); err != nil || res.Created != len(want) {
		t.Fatalf("import by URL: %v %v", res, err)
	}
}

// Bad input: a clear error naming where, and nothing written.
func TestImportBadInput(t *testing.T) {
	ctx := context.Background()
	from := services.NewStore(seedtest.SQLite(t))
	_, raw := exportOf(t, from)
	var doc map[string]json.RawMessage
	json.Unmarshal(raw, &doc)
	var svcs []map[string]any
	json.Unmarshal(doc["services"], &svcs)
	withServices := func(list []map[string]any) []byte {
		b, _ := json.Marshal(list)
		out := map[string]json.RawMessage{"services": b, "organizations": doc["organizations"]}
		all, _ := json.Marshal(out)
		return all
	}
	dup := append([]map[string]any{svcs[0]}, svcs...)
	dangling := []map[string]any{{"id": "5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a11", "name": "Esimerkki", "status": "active",
		"organization_id": "5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a12",
		"service_areas":   []any{map[string]any{"id": "5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a13", "name": "Tampere"}}}}
	badAges := []map[string]any{{"id": "5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a11", "name": "Esimerkki", "status": "active",
		"minimum_age": 30, "maximum_age": 10, "service_areas": []any{map[string]any{"id": "5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a13", "name": "Tampere"}}}}
	latin1 := []byte(`[{"id":"x","name":"P` + "\xe4" + `iv` + "\xe4" + `","status":"active"}]`)
	utf16 := append([]byte{0xFF, 0xFE}, []byte(`[ ]`)...)
	bom := append([]byte{0xEF, 0xBB, 0xBF}, withServices(svcs[:1])...)
	for _, tt := range []struct {
		name, want string
		body       []byte
	}{
		{"duplicate ids", "is also at", withServices(dup)},
		{"dangling organization", "names no organization", withServices(dangling)},
		{"an invalid field", "age_max", withServices(badAges)},
		{"a fractional age", "minimum_age", withServices([]map[string]any{{"id": "5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a11",
			"name": "Esimerkki", "status": "active", "minimum_age": 12.5}})},
		{"not UTF-8", "not UTF-8", latin1},
		{"UTF-16", "UTF-16", utf16},
		{"not JSON", "not valid JSON", []byte(`{"services": [ {"id": `)},
		{"a number", "want a JSON object or array", []byte(`42`)},
		{"two values", "more than one JSON value", []byte(`[] []`)},
		{"UTF-8 with a byte order mark", "", bom},
	} {
		t.Run(tt.name, func(t *testing.T) {
			to := emptyDirectory(t)
			ds := &hsds.Dataset{}
			err := hsds.ReadJSON(bytes.NewReader(tt.body), "input.json", ds)
			if err == nil {
				_, err = (hsds.Import{Store: to}).Run(ctx, ds)
			}
			if tt.want == "" {
				if err != nil {
					t.Fatalf("%v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
			var ie *hsds.InputError
			var me *hsds.ImportError
			if !errors.As(err, &ie) && !errors.As(err, &me) {
				t.Errorf("%T is not an input error", err)
			}
			if ids, _ := to.ServiceIDs(ctx); len(ids) != 0 {
				t.Errorf("%d services written", len(ids))
			}
		})
	}
}

// A plain document's channel details the directory cannot take are left
// out and said; nothing is made up.
func TestImportDropsWhatItCannotTake(t *testing.T) {
	ctx := context.Background()
	body := []byte(`[{"id":"5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a11","name":"Esimerkkipalvelu","status":"active",
		"email":"ei-osoite","url":"https://palvelu.example.fi",
		"phones":[{"id":"5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a14","number":"soita meille"},{"id":"5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a15","number":"+358 40 000 0000"}],
		"service_areas":[{"id":"5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a13","name":"Tampere"}]}]`)
	ds := &hsds.Dataset{}
	if err := hsds.ReadJSON(bytes.NewReader(body), "input.json", ds); err != nil {
		t.Fatal(err)
	}
	st := emptyDirectory(t)
	res, err := (hsds.Import{Store: st}).Run(ctx, ds)
	if err != nil || res.Created != 1 || len(res.Dropped) != 2 {
		t.Fatalf("%v; %v", res, err)
	}
	s, err := st.Service(ctx, "hsds-5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a11")
	if err != nil || s.Email != "" || len(s.Phones) != 1 || s.Phones[0].Number != "+358 40 000 0000" ||
		s.URL != "https://palvelu.example.fi" || len(s.Area.Municipalities) != 1 || s.Area.Municipalities[0] != "837" {
		t.Errorf("stored %+v %v", s, err)
	}
}

// A service the source now calls inactive ends here (archived), and comes
// back when it is active again.
func TestImportEndsInactive(t *testing.T) {
	ctx := context.Background()
	doc := func(status string) *hsds.Dataset {
		ds := &hsds.Dataset{}
		body := `[{"id":"5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a21","name":"Esimerkkipalvelu","status":"` + status + `",
			"service_areas":[{"id":"5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a22","name":"Oulu"}]}]`
		if err := hsds.ReadJSON(strings.NewReader(body), "input.json", ds); err != nil {
			t.Fatal(err)
		}
		return ds
	}
	st := emptyDirectory(t)
	const id = "hsds-5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a21"
	if res, err := (hsds.Import{Store: st}).Run(ctx, doc("inactive")); err != nil || res.Created != 0 {
		t.Fatalf("never had it: %v %v", res, err)
	}
	if _, err := (hsds.Import{Store: st}).Run(ctx, doc("active")); err != nil {
		t.Fatal(err)
	}
	res, err := (hsds.Import{Store: st}).Run(ctx, doc("defunct"))
	if s, _ := st.Service(ctx, id); err != nil || res.Ended != 1 || s.Status != services.StatusArchived {
		t.Errorf("ended: %v %v, status %s", res, err, s.Status)
	}
	if _, err := (hsds.Import{Store: st}).Run(ctx, doc("active")); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.Service(ctx, id); s.Status != services.StatusActive {
		t.Errorf("published again: %s", s.Status)
	}
}

// A file beyond the bound is refused with a clear message, read no
// further, and nothing written.
func TestImportTooLarge(t *testing.T) {
	defer func(n int64) { hsds.MaxInputBytes = n }(hsds.MaxInputBytes)
	hsds.MaxInputBytes = 4096
	from := services.NewStore(seedtest.SQLite(t))
	_, raw := exportOf(t, from)
	ds := &hsds.Dataset{}
	err := hsds.ReadJSON(bytes.NewReader(raw), "export.json", ds)
	var ie *hsds.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "larger than 4096 bytes") || !strings.Contains(err.Error(), "export.json") {
		t.Fatalf("err %v", err)
	}
}
