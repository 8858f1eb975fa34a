package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/api"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/web"
)

// server is the whole HTTP handler (the API routes are registered by the
// web package) over a freshly seeded SQLite store.
type server struct {
	db  *db.DB
	srv *httptest.Server
}

func newServer(t *testing.T) *server {
	t.Helper()
	d := seedtest.SQLite(t)
	st := services.NewStore(d)
	s, err := web.New(web.Config{Store: st, API: api.New(st, nil, nil, nil), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &server{db: d, srv: srv}
}

// do sends a request and returns the response and its body.
func (s *server) do(t *testing.T, method, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return res, body
}

// get fetches path, checks the status and JSON content type, and decodes
// the body into v.
func (s *server) get(t *testing.T, path string, status int, v any) *http.Response {
	t.Helper()
	res, body := s.do(t, http.MethodGet, path)
	if res.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d\n%s", path, res.StatusCode, status, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("GET %s: Content-Type %q, want application/json; charset=utf-8", path, ct)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: decode: %v\n%s", path, err, body)
	}
	return res
}

// list is the list envelope, with items kept raw.
type list[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// service is the part of a service the filter tests look at.
type service struct {
	ID           string   `json:"id"`
	Version      int      `json:"version"`
	TargetGroups []string `json:"target_groups"`
	Area         struct {
		National       bool     `json:"national"`
		Counties       []string `json:"counties"`
		Networks       []string `json:"networks"`
		Municipalities []string `json:"municipalities"`
	} `json:"area"`
	Status string `json:"status"`
}

func ids(items []service) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = s.ID
	}
	return out
}

func keysOf(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestListEnvelope(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, tt := range []struct {
		path                       string
		total, limit, offset, size int
	}{
		{"/api/v1/services", 36, 20, 0, 20},
		{"/api/v1/services?limit=5&offset=3", 36, 5, 3, 5},
		{"/api/v1/services?limit=100", 36, 100, 0, 36},
		{"/api/v1/services?offset=30", 36, 20, 30, 6},
		{"/api/v1/services?offset=1000", 36, 20, 1000, 0},
		{"/api/v1/contacts", 6, 20, 0, 6},
		{"/api/v1/contacts?network=paakaupunkiseutu", 1, 20, 0, 1},
		{"/api/v1/networks", 6, 6, 0, 6},
		{"/api/v1/networks?municipality=Tampere", 1, 1, 0, 1},
		{"/api/v1/municipalities", -1, -1, 0, -1},
		{"/api/v1/vocabularies", -1, -1, 0, -1},
	} {
		t.Run(tt.path, func(t *testing.T) {
			var raw map[string]json.RawMessage
			s.get(t, tt.path, 200, &raw)
			if diff := cmp.Diff([]string{"items", "limit", "offset", "total"}, keysOf(raw)); diff != "" {
				t.Fatalf("envelope keys (-want +got):\n%s", diff)
			}
			var l list[json.RawMessage]
			s.get(t, tt.path, 200, &l)
			if l.Items == nil {
				t.Fatalf("items is null, want an array")
			}
			got := []int{l.Total, l.Limit, l.Offset, len(l.Items)}
			want := []int{tt.total, tt.limit, tt.offset, tt.size}
			for i := range want {
				if want[i] == -1 { // not fixed by the seed: only consistent
					want[i] = got[i]
				}
			}
			if tt.total == -1 && (l.Total != len(l.Items) || l.Limit != l.Total || l.Total == 0) {
				t.Errorf("total %d, limit %d, items %d: want a whole, non-empty list", l.Total, l.Limit, len(l.Items))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("[total limit offset len(items)] (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSingleResource(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, tt := range []struct{ path, key, want string }{
		{"/api/v1/services/serie-tukipalvelu", "id", "serie-tukipalvelu"},
		{"/api/v1/services/serie-tukipalvelu?lang=sv", "id", "serie-tukipalvelu"},
		{"/api/v1/contacts/riikka-juntunen", "id", "riikka-juntunen"},
		{"/api/v1/networks/paakaupunkiseutu", "slug", "paakaupunkiseutu"},
		{"/api/v1/networks/pirkanmaa", "slug", "pirkanmaa"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			var m map[string]any
			res := s.get(t, tt.path, 200, &m)
			if m[tt.key] != tt.want {
				t.Errorf("%s = %v, want %q", tt.key, m[tt.key], tt.want)
			}
			v, ok := m["version"].(float64)
			if !ok || v < 1 || v != float64(int(v)) {
				t.Fatalf("version = %v, want a positive integer", m["version"])
			}
			if got, want := res.Header.Get("ETag"), strconv.Quote(strconv.Itoa(int(v))); got != want {
				t.Errorf("ETag %s, want %s", got, want)
			}
		})
	}

	t.Run("contact", func(t *testing.T) {
		var c struct {
			ID, Name, Phone, Email, Role, Network string
		}
		s.get(t, "/api/v1/contacts/riikka-juntunen", 200, &c)
		want := struct{ ID, Name, Phone, Email, Role, Network string }{"riikka-juntunen", "Riikka Juntunen",
			"+358 50 340 5329", "riikka.juntunen@sexpo.fi", "communications", "paakaupunkiseutu"}
		if diff := cmp.Diff(want, c); diff != "" {
			t.Errorf("contact (-want +got):\n%s", diff)
		}
	})
	t.Run("capital-region coverage", func(t *testing.T) {
		var n struct{ Municipalities []string }
		s.get(t, "/api/v1/networks/paakaupunkiseutu", 200, &n)
		// Helsinki (its own county) plus Espoo, Vantaa and Kauniainen.
		if diff := cmp.Diff([]string{"049", "091", "092", "235"}, n.Municipalities); diff != "" {
			t.Errorf("municipalities (-want +got):\n%s", diff)
		}
	})
	t.Run("Pirkanmaa covers Tampere", func(t *testing.T) {
		var n struct{ Municipalities []string }
		s.get(t, "/api/v1/networks/pirkanmaa", 200, &n)
		if !slices.Contains(n.Municipalities, "837") {
			t.Errorf("municipalities %v lack Tampere (837)", n.Municipalities)
		}
		if slices.Contains(n.Municipalities, "091") {
			t.Errorf("municipalities %v include Helsinki", n.Municipalities)
		}
	})
	t.Run("networks", func(t *testing.T) {
		var l list[struct{ Slug string }]
		s.get(t, "/api/v1/networks", 200, &l)
		var got []string
		for _, n := range l.Items {
			got = append(got, n.Slug)
		}
		want := []string{"paakaupunkiseutu", "joensuu", "kajaani", "oulu", "pirkanmaa", "turku"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("networks in display order (-want +got):\n%s", diff)
		}
	})
	t.Run("contacts", func(t *testing.T) {
		var l list[struct{ ID, Role string }]
		s.get(t, "/api/v1/contacts", 200, &l)
		if len(l.Items) != 6 || l.Total != 6 {
			t.Fatalf("%d contacts (total %d), want 6", len(l.Items), l.Total)
		}
		// Regional contacts come first.
		if last := l.Items[len(l.Items)-1]; last.ID != "riikka-juntunen" {
			t.Errorf("last contact %q, want the communications contact riikka-juntunen", last.ID)
		}
		for _, c := range l.Items[:5] {
			if c.Role != "regional-contact" {
				t.Errorf("contact %s (%s) before the non-regional one", c.ID, c.Role)
			}
		}
	})
}

func TestErrors(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, tt := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/api/v1/services/no-such-id", 404, "not_found"},
		{"GET", "/api/v1/contacts/nobody", 404, "not_found"},
		{"GET", "/api/v1/networks/nope", 404, "not_found"},
		{"GET", "/api/v1/services/BAD_ID", 400, "invalid"},
		{"GET", "/api/v1/services/%00x", 400, "invalid"},
		{"GET", "/api/v1/contacts/Riikka", 400, "invalid"},
		{"GET", "/api/v1/networks/-nope", 400, "invalid"},
		{"GET", "/api/v1/services?foo=1", 400, "invalid"},
		{"GET", "/api/v1/services?q=x", 400, "invalid"},
		{"GET", "/api/v1/services?limit=abc", 400, "invalid"},
		{"GET", "/api/v1/services?limit=1.5", 400, "invalid"},
		{"GET", "/api/v1/services?limit=101", 400, "invalid"},
		{"GET", "/api/v1/services?limit=-1", 400, "invalid"},
		{"GET", "/api/v1/services?offset=-1", 400, "invalid"},
		{"GET", "/api/v1/services?offset=x", 400, "invalid"},
		{"GET", "/api/v1/services?limit=1&limit=2", 400, "invalid"},
		{"GET", "/api/v1/services?municipality=Xyz", 400, "invalid"},
		{"GET", "/api/v1/services?network=nope", 400, "invalid"},
		{"GET", "/api/v1/services?target_group=nope", 400, "invalid"},
		{"GET", "/api/v1/services?service_type=nope", 400, "invalid"},
		{"GET", "/api/v1/services?delivery_mode=nope", 400, "invalid"},
		{"GET", "/api/v1/services/serie-tukipalvelu?foo=1", 400, "invalid"},
		{"GET", "/api/v1/contacts?foo=1", 400, "invalid"},
		{"GET", "/api/v1/contacts?limit=1000", 400, "invalid"},
		{"GET", "/api/v1/contacts?network=nope", 400, "invalid"},
		{"GET", "/api/v1/contacts?municipality=Xyz", 400, "invalid"},
		{"GET", "/api/v1/contacts?role=boss", 400, "invalid"},
		{"GET", "/api/v1/contacts/riikka-juntunen?foo=1", 400, "invalid"},
		{"GET", "/api/v1/networks?municipality=Xyz", 400, "invalid"},
		{"GET", "/api/v1/networks?foo=1", 400, "invalid"},
		{"GET", "/api/v1/networks/pirkanmaa?foo=1", 400, "invalid"},
		{"GET", "/api/v1/municipalities?foo=1", 400, "invalid"},
		{"GET", "/api/v1/vocabularies?foo=1", 400, "invalid"},
		{"GET", "/api/v1/nope", 404, "not_found"},
		{"GET", "/api/v1/", 404, "not_found"},
		{"GET", "/api/v1/services/serie-tukipalvelu/extra", 404, "not_found"},
		{"GET", "/api/v1/search-nope?q=x", 404, "not_found"},
		{"PATCH", "/api/v1/services", 405, "method_not_allowed"},
		{"POST", "/api/v1/networks", 405, "method_not_allowed"},
		// Writes need a session (internal/api/write.go; tested in web).
		{"POST", "/api/v1/services", 401, "unauthorized"},
		{"PUT", "/api/v1/services/serie-tukipalvelu", 401, "unauthorized"},
		{"DELETE", "/api/v1/contacts/riikka-juntunen", 401, "unauthorized"},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			res, body := s.do(t, tt.method, tt.path)
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			var top map[string]json.RawMessage
			if err := json.Unmarshal(body, &top); err != nil {
				t.Fatalf("decode: %v\n%s", err, body)
			}
			if diff := cmp.Diff([]string{"error"}, keysOf(top)); diff != "" {
				t.Fatalf("top-level keys (-want +got):\n%s", diff)
			}
			var e struct {
				Code    string `json:"code"`
				Message string `json:"message"`
				Fields  []struct {
					Field   string `json:"field"`
					Message string `json:"message"`
				} `json:"fields"`
			}
			if err := json.Unmarshal(top["error"], &e); err != nil {
				t.Fatalf("decode error: %v\n%s", err, body)
			}
			if e.Code != tt.code {
				t.Errorf("code %q, want %q", e.Code, tt.code)
			}
			if strings.TrimSpace(e.Message) == "" {
				t.Errorf("empty message")
			}
			for _, f := range e.Fields {
				if f.Field == "" || f.Message == "" {
					t.Errorf("field error without field or message: %+v", f)
				}
			}
		})
	}
	t.Run("messages name the problem", func(t *testing.T) {
		for path, want := range map[string]string{
			"/api/v1/services?foo=1&bar=2":        "bar, foo",
			"/api/v1/services?municipality=Xyz":   `"Xyz"`,
			"/api/v1/services/BAD_ID":             `"BAD_ID"`,
			"/api/v1/services/no-such-id":         `"no-such-id"`,
			"/api/v1/services?target_group=nope":  `"nope"`,
			"/api/v1/services?limit=101":          "limit",
			"/api/v1/services?limit=abc&offset=x": "offset",
		} {
			var e struct{ Error struct{ Message string } }
			res, body := s.do(t, "GET", path)
			if err := json.Unmarshal(body, &e); err != nil || res.StatusCode < 400 {
				t.Fatalf("%s: %d %s", path, res.StatusCode, body)
			}
			if !strings.Contains(e.Error.Message, want) {
				t.Errorf("%s: message %q does not mention %s", path, e.Error.Message, want)
			}
		}
	})
}

func TestInternalErrorHidesDetail(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	// Tables gone: a query fails inside the database. (Networks and the
	// other reference data are served from the store's memory once
	// loaded, so they answer without it.)
	for _, table := range []string{"services", "contacts"} {
		if _, err := s.db.Exec(`ALTER TABLE ` + table + ` RENAME TO ` + table + `_gone`); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{"/api/v1/services", "/api/v1/services/serie-tukipalvelu", "/api/v1/contacts", "/api/v1/contacts/no-such-id"} {
		t.Run(path, func(t *testing.T) {
			var got map[string]map[string]string
			s.get(t, path, http.StatusInternalServerError, &got)
			want := map[string]map[string]string{"error": {"code": "internal", "message": "internal error"}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
	// A database that does not answer is a 503 that says only that.
	s.db.Close()
	var got map[string]map[string]string
	s.get(t, "/api/v1/services", http.StatusServiceUnavailable, &got)
	want := map[string]map[string]string{"error": {"code": "unavailable", "message": "the database is not answering; try again in a moment"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("body in an outage (-want +got):\n%s", diff)
	}
}

// covers reports whether a service's area covers Tampere (837), which lies
// in the Pirkanmaa county and network.
func coversTampere(s service) bool {
	return s.Area.National || slices.Contains(s.Area.Municipalities, "837") ||
		slices.Contains(s.Area.Counties, "pirkanmaan-hyvinvointialue") || slices.Contains(s.Area.Networks, "pirkanmaa")
}

func TestFilters(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	var all list[service]
	s.get(t, "/api/v1/services?limit=100", 200, &all)
	if all.Total != len(all.Items) || all.Total == 0 {
		t.Fatalf("total %d, items %d", all.Total, len(all.Items))
	}
	var national, tampere []string
	for _, x := range all.Items {
		if x.Area.National {
			national = append(national, x.ID)
		}
		if coversTampere(x) {
			tampere = append(tampere, x.ID)
		}
		if x.Status == services.StatusArchived {
			t.Errorf("archived service %s listed", x.ID)
		}
	}

	t.Run("municipality", func(t *testing.T) {
		var byName []string
		for _, m := range []string{"Tampere", "Tammerfors", "837", "TAMPERE"} {
			var l list[service]
			s.get(t, "/api/v1/services?limit=100&municipality="+m, 200, &l)
			if l.Total != len(l.Items) {
				t.Fatalf("%s: total %d, items %d", m, l.Total, len(l.Items))
			}
			local := 0
			for i, x := range l.Items {
				if !coversTampere(x) {
					t.Errorf("%s: service %s does not cover Tampere: %+v", m, x.ID, x.Area)
				}
				if x.Area.National {
					continue
				}
				local++
				if i > 0 && l.Items[i-1].Area.National {
					t.Errorf("%s: local service %s listed after a national one", m, x.ID)
				}
			}
			if local == 0 {
				t.Errorf("%s: no local service", m)
			}
			got := ids(l.Items)
			if diff := cmp.Diff(sorted(tampere), sorted(got)); diff != "" {
				t.Errorf("%s: services (-want +got):\n%s", m, diff)
			}
			if byName == nil {
				byName = got
			} else if diff := cmp.Diff(byName, got); diff != "" {
				t.Errorf("%s gives another list than Tampere (-Tampere +%s):\n%s", m, m, diff)
			}
		}
		if !slices.Contains(byName, "tays-lasten-oikeuspsykiatria") {
			t.Errorf("Tampere's own service missing: %v", byName)
		}
		if slices.Contains(byName, "hus-seri-tukikeskus") {
			t.Errorf("a Helsinki service is listed for Tampere")
		}
	})

	t.Run("network local", func(t *testing.T) {
		for _, local := range []string{"1", "true"} {
			var l list[service]
			s.get(t, "/api/v1/services?limit=100&network=pirkanmaa&local="+local, 200, &l)
			if len(l.Items) == 0 {
				t.Fatalf("local=%s: no services", local)
			}
			for _, x := range l.Items {
				if x.Area.National {
					t.Errorf("local=%s: national service %s listed", local, x.ID)
				}
				if !coversTampere(x) {
					t.Errorf("local=%s: service %s is outside Pirkanmaa: %+v", local, x.ID, x.Area)
				}
			}
		}
		// Without local, the national services come too, after the local ones.
		var l list[service]
		s.get(t, "/api/v1/services?limit=100&network=pirkanmaa", 200, &l)
		n := 0
		for _, x := range l.Items {
			if x.Area.National {
				n++
			}
		}
		if n != len(national) {
			t.Errorf("%d national services with network=pirkanmaa, want all %d", n, len(national))
		}
	})

	t.Run("target group", func(t *testing.T) {
		var l list[service]
		s.get(t, "/api/v1/services?limit=100&target_group=victim", 200, &l)
		var want []string
		for _, x := range all.Items {
			if slices.Contains(x.TargetGroups, "victim") {
				want = append(want, x.ID)
			}
		}
		for _, x := range l.Items {
			if !slices.Contains(x.TargetGroups, "victim") {
				t.Errorf("service %s has target groups %v, not victim", x.ID, x.TargetGroups)
			}
		}
		if diff := cmp.Diff(sorted(want), sorted(ids(l.Items))); diff != "" {
			t.Errorf("services for victims (-want +got):\n%s", diff)
		}
		if l.Total != len(want) {
			t.Errorf("total %d, want %d", l.Total, len(want))
		}
	})

	t.Run("filters combine", func(t *testing.T) {
		var l list[service]
		s.get(t, "/api/v1/services?limit=100&target_group=victim&municipality=Tampere&local=1", 200, &l)
		if len(l.Items) == 0 {
			t.Fatal("no local services for victims in Tampere")
		}
		for _, x := range l.Items {
			if x.Area.National || !coversTampere(x) || !slices.Contains(x.TargetGroups, "victim") {
				t.Errorf("service %s does not match every filter: %+v %v", x.ID, x.Area, x.TargetGroups)
			}
		}
	})

	t.Run("pagination", func(t *testing.T) {
		for _, q := range []string{"", "&municipality=Tampere", "&target_group=victim"} {
			var pages []string
			const limit = 7
			for offset := 0; ; offset += limit {
				var l list[service]
				s.get(t, "/api/v1/services?limit="+strconv.Itoa(limit)+"&offset="+strconv.Itoa(offset)+q, 200, &l)
				var full list[service]
				s.get(t, "/api/v1/services?limit=100"+q, 200, &full)
				if l.Total != full.Total {
					t.Fatalf("%s offset %d: total %d, want %d", q, offset, l.Total, full.Total)
				}
				if l.Limit != limit || l.Offset != offset {
					t.Errorf("%s: limit/offset echoed as %d/%d, want %d/%d", q, l.Limit, l.Offset, limit, offset)
				}
				if len(l.Items) > limit {
					t.Fatalf("%s: %d items on a page of %d", q, len(l.Items), limit)
				}
				pages = append(pages, ids(l.Items)...)
				if offset+limit >= l.Total {
					if len(l.Items) != l.Total-offset {
						t.Errorf("%s: last page has %d items, want %d", q, len(l.Items), l.Total-offset)
					}
					var full2 list[service]
					s.get(t, "/api/v1/services?limit=100"+q, 200, &full2)
					// The pages, joined, are the whole list in order: no
					// overlap and no gap.
					if diff := cmp.Diff(ids(full2.Items), pages); diff != "" {
						t.Errorf("%s: pages joined (-whole list +pages):\n%s", q, diff)
					}
					break
				}
				if len(l.Items) != limit {
					t.Errorf("%s offset %d: %d items, want a full page of %d", q, offset, len(l.Items), limit)
				}
			}
		}
	})

	t.Run("networks for a municipality", func(t *testing.T) {
		for m, want := range map[string][]string{
			"Tampere": {"pirkanmaa"}, "Helsingfors": {"paakaupunkiseutu"}, "049": {"paakaupunkiseutu"},
			"Turku": {"turku"}, "Åbo": {"turku"}, "Rovaniemi": nil,
		} {
			var l list[struct{ Slug string }]
			s.get(t, "/api/v1/networks?municipality="+m, 200, &l)
			var got []string
			for _, n := range l.Items {
				got = append(got, n.Slug)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: networks (-want +got):\n%s", m, diff)
			}
			if l.Total != len(want) {
				t.Errorf("%s: total %d, want %d", m, l.Total, len(want))
			}
		}
	})

	t.Run("contacts by network and municipality", func(t *testing.T) {
		for q, want := range map[string][]string{
			"network=pirkanmaa":         {"anne-saarinen"},
			"municipality=Tampere":      {"anne-saarinen"},
			"municipality=Esbo":         {"riikka-juntunen"},
			"role=communications":       {"riikka-juntunen"},
			"municipality=Rovaniemi":    nil,
			"network=turku&role=deputy": nil,
		} {
			var l list[struct{ ID string }]
			s.get(t, "/api/v1/contacts?"+q, 200, &l)
			var got []string
			for _, c := range l.Items {
				got = append(got, c.ID)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: contacts (-want +got):\n%s", q, diff)
			}
		}
	})
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	sort.Strings(out)
	return out
}
