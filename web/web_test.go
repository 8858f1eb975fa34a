package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/api"
	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/web"
	"github.com/serie-verkosto/directory/web/i18n"
)

// env is a web server over a freshly seeded SQLite store.
type env struct {
	db    *db.DB
	store *services.Store
	srv   *httptest.Server
	web   *web.Server
	log   *syncBuffer // everything the server logged, at debug level
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newEnv seeds a new database and serves it; read-only subtests share one.
func newEnv(t *testing.T) *env {
	t.Helper()
	d := seedtest.SQLite(t)
	st := services.NewStore(d)
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := web.New(web.Config{Store: st, API: api.New(st, nil, nil, log), Log: log})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &env{db: d, store: st, srv: srv, web: s, log: logs}
}

// do sends a request for path (which may carry a raw, escaped query) and
// returns the response with its body read. Redirects are not followed.
func (e *env) do(t *testing.T, method, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return res, body
}

func (e *env) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	return e.do(t, http.MethodGet, path)
}

// page fetches an HTML page, checks its status and parses it.
func (e *env) page(t *testing.T, path string, status int) (*http.Response, *goquery.Document, string) {
	t.Helper()
	res, body := e.get(t, path)
	if res.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d\n%s", path, res.StatusCode, status, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("GET %s: Content-Type %q, want text/html; charset=utf-8", path, ct)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("GET %s: parse HTML: %v", path, err)
	}
	return res, doc, string(body)
}

func (e *env) json(t *testing.T, path string, status int, v any) *http.Response {
	t.Helper()
	res, body := e.get(t, path)
	if res.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d\n%s", path, res.StatusCode, status, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("GET %s: Content-Type %q, want application/json; charset=utf-8", path, ct)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: decode JSON: %v\n%s", path, err, body)
	}
	return res
}

// withLang adds lang to a path's query ("" leaves it unchanged).
func withLang(path, lang string) string {
	if lang == "" {
		return path
	}
	if strings.Contains(path, "?") {
		return path + "&lang=" + lang
	}
	return path + "?lang=" + lang
}

// okPages are the pages that answer 200 with the seed data.
var okPages = []string{
	"/",
	"/services",
	"/services?municipality=Tampere",
	"/services?municipality=Tammerfors",
	"/services?municipality=837",
	"/services?municipality=Tampere&local=1&target_group=victim",
	"/services?network=paakaupunkiseutu&service_type=counselling",
	"/services?offset=20",
	"/services/serie-tukipalvelu",
	"/services/tays-lasten-oikeuspsykiatria",
	"/services/hus-seri-tukikeskus",
	"/networks",
	"/networks/paakaupunkiseutu",
	"/networks/pirkanmaa",
	"/contacts",
	"/contacts?network=pirkanmaa",
	"/contacts/riikka-juntunen",
	"/contacts/anne-saarinen",
}

// errorPages are HTML error pages and their statuses.
var errorPages = []struct {
	path   string
	status int
}{
	{"/nope", http.StatusNotFound},
	{"/services/no-such-id", http.StatusNotFound},
	{"/networks/nope", http.StatusNotFound},
	{"/contacts/nobody", http.StatusNotFound},
	{"/services/BAD_ID", http.StatusBadRequest},
	{"/services/%00x", http.StatusBadRequest},
	{"/networks/Not_A_Slug", http.StatusBadRequest},
	{"/contacts/-x", http.StatusBadRequest},
	{"/services?municipality=Xyz", http.StatusBadRequest},
	{"/services?offset=abc", http.StatusBadRequest},
	{"/services?offset=-1", http.StatusBadRequest},
	{"/services?network=nope", http.StatusBadRequest},
	{"/services?target_group=nope", http.StatusBadRequest},
	{"/contacts?offset=abc", http.StatusBadRequest},
	{"/contacts?network=nope", http.StatusBadRequest},
}

func TestStatusCodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	long := "/services?q=" + strings.Repeat("a", web.MaxQueryBytes)
	tests := []struct {
		method, path string
		status       int
		ctype        string // prefix
	}{
		{"GET", "/healthz", 200, "text/plain"},
		{"HEAD", "/healthz", 200, "text/plain"},
		{"GET", "/readyz", 200, "text/plain"},
		{"GET", "/metrics", 404, ""}, // on its own listener only (MetricsHandler)
		{"HEAD", "/", 200, "text/html"},
		{"GET", long, http.StatusBadRequest, ""},
		{"GET", "/api/v1/services?q=" + strings.Repeat("a", web.MaxQueryBytes), http.StatusBadRequest, ""},
		{"GET", "/services?q=" + strings.Repeat("a", web.MaxQueryBytes-2), 200, "text/html"}, // exactly at the limit
		{"GET", "/static/style.css", 404, ""},                                                // only hashed names are served
		{"GET", "/static/nope.0123456789ab.css", 404, ""},
		{"POST", "/services", http.StatusMethodNotAllowed, ""},
		{"DELETE", "/contacts/riikka-juntunen", http.StatusMethodNotAllowed, ""},
	}
	for _, p := range okPages {
		tests = append(tests, struct {
			method, path string
			status       int
			ctype        string
		}{"GET", p, 200, "text/html; charset=utf-8"})
	}
	for _, p := range errorPages {
		tests = append(tests, struct {
			method, path string
			status       int
			ctype        string
		}{"GET", p.path, p.status, "text/html; charset=utf-8"})
	}
	for _, tt := range tests {
		name := tt.method + " " + tt.path
		if len(name) > 80 {
			name = name[:80] + "..."
		}
		t.Run(name, func(t *testing.T) {
			res, body := e.do(t, tt.method, tt.path)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%.500s", res.StatusCode, tt.status, body)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("Content-Type %q, want prefix %q", ct, tt.ctype)
			}
			if tt.method == http.MethodHead && len(body) != 0 {
				t.Errorf("HEAD answered a body of %d bytes", len(body))
			}
		})
	}
}

func TestMunicipalityByCodeOrName(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// One municipality, three ways to name it: the same page.
	for _, tt := range []struct{ query, lang, h1 string }{
		{"Tampere", "", "Palvelut: Tampere"},
		{"Tammerfors", "", "Palvelut: Tampere"},
		{"837", "", "Palvelut: Tampere"},
		{"tampere", "", "Palvelut: Tampere"},
		{"Tampere", "sv", "Tjänster: Tammerfors"},
		{"837", "en", "Services: Tampere"},
	} {
		t.Run(tt.query+"/"+tt.lang, func(t *testing.T) {
			_, doc, _ := e.page(t, withLang("/services?municipality="+tt.query, tt.lang), 200)
			if got := strings.TrimSpace(doc.Find("h1").Text()); got != tt.h1 {
				t.Errorf("h1 = %q, want %q", got, tt.h1)
			}
			if v, _ := doc.Find("select#municipality option[selected]").Attr("value"); v != "837" {
				t.Errorf("selected municipality = %q, want 837", v)
			}
			// The Pirkanmaa network covers Tampere and is offered for consultation.
			if doc.Find(`aside.consult a[href^="/networks/pirkanmaa"]`).Length() != 1 {
				t.Errorf("no consultation panel linking the Pirkanmaa network")
			}
			if doc.Find(`aside.consult a[href^="/networks/paakaupunkiseutu"]`).Length() != 0 {
				t.Errorf("the capital-region network is offered for Tampere")
			}
			if doc.Find("ol.results li.result").Length() == 0 {
				t.Errorf("no services listed")
			}
		})
	}
}

// errorTexts are the error headings in each language (web/i18n).
var errorTexts = map[string]map[int]string{
	"fi": {404: "Sivua ei löytynyt", 400: "Pyynnössä on virhe"},
	"sv": {404: "Sidan hittades inte", 400: "Begäran innehåller ett fel"},
	"en": {404: "Page not found", 400: "Something in the request is not valid"},
}

func TestErrorPagesInUserLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, p := range errorPages {
		for _, tt := range []struct{ lang, want string }{
			{"", "fi"}, {"fi", "fi"}, {"sv", "sv"}, {"en", "en"}, {"de", "fi"}, {"SV", "sv"}, {"x%3Cy", "fi"},
		} {
			path := withLang(p.path, tt.lang)
			t.Run(path, func(t *testing.T) {
				res, doc, _ := e.page(t, path, p.status)
				if got, _ := doc.Find("html").Attr("lang"); got != tt.want {
					t.Errorf("<html lang=%q>, want %q", got, tt.want)
				}
				if got := res.Header.Get("Content-Language"); got != tt.want {
					t.Errorf("Content-Language %q, want %q", got, tt.want)
				}
				if got, want := strings.TrimSpace(doc.Find("main h1").Text()), errorTexts[tt.want][p.status]; got != want {
					t.Errorf("h1 = %q, want %q", got, want)
				}
				if got := res.Header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("Cache-Control %q, want no-store", got)
				}
				if doc.Find(`main a[href^="/"]`).Length() == 0 {
					t.Errorf("no link back to the directory")
				}
			})
		}
	}
}

func TestErrorPageDetails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tt := range []struct {
		path, lead string
		status     int
	}{
		{"/services/BAD_ID", "osoitteen tunniste ”BAD_ID” ei ole kelvollinen", 400},
		{"/services/BAD_ID?lang=sv", "identifieraren ”BAD_ID” i adressen är inte giltig", 400},
		{"/services/BAD_ID?lang=en", "the id “BAD_ID” in the address is not valid", 400},
		{"/services?offset=abc", "kentän offset arvon pitää olla kokonaisluku", 400},
		{"/services?municipality=Xyz&lang=sv", "okänd kommun ”Xyz”: ange det tresiffriga kommunnumret eller det finska eller svenska namnet", 400},
		{"/nope", "Hakemaasi sivua tai tietoa ei löytynyt. Se on ehkä poistettu, tai osoitteessa on virhe.", 404},
		{"/nope?lang=sv", "Sidan eller uppgiften hittades inte. Den kan ha tagits bort, eller så finns det ett fel i adressen.", 404},
		{"/services/no-such-id?lang=en", "not found", 404},
		{"/networks/nope?lang=sv", "uppgiften hittades inte", 404},
		{"/contacts/nobody", "tietoa ei löytynyt", 404},
	} {
		t.Run(tt.path, func(t *testing.T) {
			_, doc, body := e.page(t, tt.path, tt.status)
			if got := strings.TrimSpace(doc.Find("main p.lead").Text()); got != tt.lead {
				t.Errorf("lead = %q, want %q", got, tt.lead)
			}
			// A catalogue message formatted with the wrong arguments shows
			// Go's %!(EXTRA ...) or %!s(MISSING) to the user.
			if strings.Contains(body, "%!") {
				t.Errorf("page shows a formatting artefact")
			}
		})
	}
}

func TestInternalErrorHidesDetail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Tables gone make these pages fail with an internal error (a
	// database that does not answer is a 503: TestPagesInDatabaseOutage).
	for _, table := range []string{"services", "contacts"} {
		if _, err := e.db.Exec(`ALTER TABLE ` + table + ` RENAME TO ` + table + `_gone`); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ path, lang, h1 string }{
		{"/", "fi", "Jotain meni pieleen"},
		{"/services?lang=sv", "sv", "Något gick fel"},
		{"/contacts/riikka-juntunen?lang=en", "en", "Something went wrong"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			_, doc, body := e.page(t, tt.path, http.StatusInternalServerError)
			if got := strings.TrimSpace(doc.Find("h1").Text()); got != tt.h1 {
				t.Errorf("h1 = %q, want %q", got, tt.h1)
			}
			if got, _ := doc.Find("html").Attr("lang"); got != tt.lang {
				t.Errorf("lang = %q, want %q", got, tt.lang)
			}
			for _, leak := range []string{"sql", "closed", "database", ".go:", "goroutine"} {
				if strings.Contains(strings.ToLower(body), leak) {
					t.Errorf("500 page mentions %q:\n%s", leak, doc.Find("main").Text())
				}
			}
		})
	}
	// The detail goes to the log instead.
	if !strings.Contains(e.log.String(), "no such table") {
		t.Errorf("the log does not record the cause of the 500")
	}
}

// TestReadyzReportsNotReady: 503 with a reason anyone may read (the
// database's address stays in the log), one log line per change of state
// however often it is polled, and 200 again once ready.
func TestReadyzReportsNotReady(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	st := services.NewStore(d)
	var mu sync.Mutex
	var readyErr error = &apperr.Error{Code: apperr.Unavailable, Message: "database unreachable",
		Err: errors.New("dial tcp 10.0.0.7:5432: connection refused")}
	logs := &syncBuffer{}
	s, err := web.New(web.Config{Store: st, API: api.New(st, nil, nil, nil), Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Ready: func(context.Context) error { mu.Lock(); defer mu.Unlock(); return readyErr }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	e := &env{srv: srv}
	for range 3 {
		res, body := e.get(t, "/readyz")
		if res.StatusCode != http.StatusServiceUnavailable || string(body) != "not ready: database unreachable\n" {
			t.Errorf("/readyz = %d %q, want 503 and the reason without the address", res.StatusCode, body)
		}
	}
	if res, _ := e.get(t, "/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("/healthz = %d, want 200 while not ready", res.StatusCode)
	}
	mu.Lock()
	readyErr = nil
	mu.Unlock()
	if res, body := e.get(t, "/readyz"); res.StatusCode != http.StatusOK || string(body) != "ready\n" {
		t.Errorf("/readyz once ready = %d %q", res.StatusCode, body)
	}
	log := logs.String()
	if n := strings.Count(log, "level=WARN"); n != 1 || !strings.Contains(log, "10.0.0.7") {
		t.Errorf("three polls while not ready logged %d warnings (want one, with the cause):\n%s", n, log)
	}
	if !strings.Contains(log, "level=INFO msg=readiness state=ready") {
		t.Errorf("the return to ready was not logged:\n%s", log)
	}
}

// allPages is every HTML page to check for structure and headers, in
// every language.
func allPages() []string {
	var out []string
	for _, lang := range []string{"", "sv", "en"} {
		for _, p := range okPages {
			out = append(out, withLang(p, lang))
		}
		for _, p := range errorPages {
			out = append(out, withLang(p.path, lang))
		}
	}
	return out
}

func TestPageStructure(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, path := range allPages() {
		t.Run(path, func(t *testing.T) {
			res, body := e.get(t, path)
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("not HTML: %s", res.Header.Get("Content-Type"))
			}
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if n := doc.Find("h1").Length(); n != 1 {
				t.Errorf("%d h1 elements, want 1", n)
			}
			if strings.TrimSpace(doc.Find("h1").Text()) == "" {
				t.Errorf("empty h1")
			}
			if strings.TrimSpace(doc.Find("title").Text()) == "" {
				t.Errorf("empty title")
			}
			if href, _ := doc.Find("body a").First().Attr("href"); href != "#main" {
				t.Errorf("first link goes to %q, want the skip link to #main", href)
			}
			if n := doc.Find("main#main").Length(); n != 1 {
				t.Errorf("%d <main id=main>, want 1", n)
			}
			if doc.Find("main#main h1").Length() != 1 {
				t.Errorf("the h1 is not inside main")
			}
			// Every form control has a label.
			doc.Find("select, textarea, input").Each(func(_ int, s *goquery.Selection) {
				switch typ, _ := s.Attr("type"); typ {
				case "hidden", "submit", "button", "reset", "image":
					return
				}
				id, _ := s.Attr("id")
				name, _ := s.Attr("name")
				if id == "" {
					t.Errorf("%s name=%q has no id for a label", goquery.NodeName(s), name)
					return
				}
				if n := doc.Find(`label[for="` + id + `"]`).Length(); n != 1 {
					t.Errorf("%s #%s has %d labels, want 1", goquery.NodeName(s), id, n)
				}
			})
			checkIDs(t, doc)
			checkLangLinks(t, doc, path)
		})
	}
}

// checkIDs checks that ids are unique and that aria-labelledby names one:
// labels and landmarks depend on it.
func checkIDs(t *testing.T, doc *goquery.Document) {
	t.Helper()
	seen := map[string]bool{}
	doc.Find("[id]").Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("id")
		if seen[id] {
			t.Errorf("id %q repeats", id)
		}
		seen[id] = true
	})
	doc.Find("[aria-labelledby]").Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("aria-labelledby")
		if !seen[id] {
			t.Errorf("aria-labelledby=%q names no element", id)
		}
	})
}

func TestHomeWithTwoNetworksStatingGoals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	n := &services.Network{Slug: "lappi", Name: l10n.Text{FI: "Lapin SeriE-verkosto"},
		Counties: db.List[string]{"lapin-hyvinvointialue"},
		Goals:    l10n.Texts{{FI: "Lapin tavoite"}}}
	if err := e.store.CreateNetwork(context.Background(), n); err != nil {
		t.Fatalf("CreateNetwork: %v", err)
	}
	_, doc, _ := e.page(t, "/", 200)
	checkIDs(t, doc)
	text := doc.Find("main").Text()
	for _, goal := range []string{"Lapin tavoite", "Tuoda yhteen ammattilaisia"} {
		if !strings.Contains(text, goal) {
			t.Errorf("home page lacks the goal %q", goal)
		}
	}
}

// checkLangLinks checks that the language switch offers this same page,
// with the same query, in every language.
func checkLangLinks(t *testing.T, doc *goquery.Document, path string) {
	t.Helper()
	req, err := url.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	reqQuery := req.Query()
	current := l10n.Norm(reqQuery.Get("lang"))
	reqQuery.Del("lang")
	links := doc.Find("nav.langs a")
	var langs []string
	links.Each(func(_ int, s *goquery.Selection) {
		lang, _ := s.Attr("lang")
		langs = append(langs, lang)
		href, _ := s.Attr("href")
		u, err := url.Parse(href)
		if err != nil {
			t.Errorf("language link %q: %v", href, err)
			return
		}
		if u.IsAbs() || u.Host != "" {
			t.Errorf("language link %q is not relative", href)
		}
		if u.Path != req.Path {
			t.Errorf("%s link goes to path %q, want %q", lang, u.Path, req.Path)
		}
		q := u.Query()
		wantLang := lang
		if lang == "fi" {
			wantLang = "" // Finnish is the default and needs no parameter
		}
		if got := q.Get("lang"); got != wantLang {
			t.Errorf("%s link %q has lang=%q, want %q", lang, href, got, wantLang)
		}
		q.Del("lang")
		if diff := cmp.Diff(reqQuery, q); diff != "" {
			t.Errorf("%s link %q loses the query (-want +got):\n%s", lang, href, diff)
		}
		if _, cur := s.Attr("aria-current"); cur != (lang == current) {
			t.Errorf("%s link: aria-current is %v on a %s page", lang, cur, current)
		}
	})
	if diff := cmp.Diff(l10n.Languages, langs); diff != "" {
		t.Errorf("language links (-want +got):\n%s", diff)
	}
}

func TestSecurityAndPrivacyHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, doc, _ := e.page(t, "/", 200)
	css, ok := doc.Find(`link[rel="stylesheet"]`).Attr("href")
	if !ok {
		t.Fatal("no stylesheet link")
	}
	paths := append(allPages(), "/healthz", "/readyz", "/metrics", css,
		"/api/v1/services", "/api/v1/services/serie-tukipalvelu", "/api/v1/contacts", "/api/v1/networks/pirkanmaa",
		"/api/v1/services/no-such-id", "/api/v1/nope", "/static/nope.css")
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			res, _ := e.get(t, path)
			h := res.Header
			csp := h.Get("Content-Security-Policy")
			if csp == "" {
				t.Errorf("no Content-Security-Policy")
			}
			for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*", "http:", "https:", "data:"} {
				if strings.Contains(csp, bad) {
					t.Errorf("Content-Security-Policy allows %s: %q", bad, csp)
				}
			}
			for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy lacks %q: %q", want, csp)
				}
			}
			for name, want := range map[string]string{
				"Referrer-Policy":        "no-referrer",
				"X-Content-Type-Options": "nosniff",
				"X-Frame-Options":        "DENY",
			} {
				if got := h.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if c := h.Values("Set-Cookie"); len(c) > 0 {
				t.Errorf("anonymous response sets cookies: %q", c)
			}
		})
	}
}

func TestNoThirdPartyAssets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, path := range allPages() {
		t.Run(path, func(t *testing.T) {
			_, body := e.get(t, path)
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if n := doc.Find("iframe, object, embed, style").Length(); n > 0 {
				t.Errorf("page has %d iframe/object/embed/style elements", n)
			}
			// Scripts are files of our own (checked below), never inline:
			// the CSP would refuse inline code.
			doc.Find("script").Each(func(_ int, s *goquery.Selection) {
				if _, ok := s.Attr("src"); !ok || strings.TrimSpace(s.Text()) != "" {
					t.Errorf("inline script: %q", s.Text())
				}
			})
			if doc.Find("[style]").Length() > 0 {
				t.Errorf("inline style attributes break the CSP")
			}
			// What the browser loads by itself must be same-origin.
			for _, sel := range []struct{ elem, attr string }{
				{"link", "href"}, {"script", "src"}, {"img", "src"}, {"img", "srcset"}, {"source", "src"},
				{"video", "src"}, {"audio", "src"}, {"form", "action"}, {"meta[http-equiv]", "content"},
			} {
				doc.Find(sel.elem).Each(func(_ int, s *goquery.Selection) {
					v, ok := s.Attr(sel.attr)
					if !ok {
						return
					}
					if !sameOrigin(v) {
						t.Errorf("<%s %s=%q> loads from another origin", sel.elem, sel.attr, v)
					}
				})
			}
			// Links may leave the site (a service's own web page), or call
			// and write; an outgoing link never sends a referrer.
			doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
				href, _ := s.Attr("href")
				switch {
				case sameOrigin(href), strings.HasPrefix(href, "mailto:"), strings.HasPrefix(href, "tel:"):
				case strings.HasPrefix(href, "https://"), strings.HasPrefix(href, "http://"):
					if rel, _ := s.Attr("rel"); !strings.Contains(rel, "noreferrer") {
						t.Errorf("outgoing link %q lacks rel=noreferrer", href)
					}
				default:
					t.Errorf("link with unexpected scheme: %q", href)
				}
			})
			if v, _ := doc.Find(`meta[name="referrer"]`).Attr("content"); v != "no-referrer" {
				t.Errorf(`<meta name="referrer" content=%q>, want no-referrer`, v)
			}
		})
	}
}

// sameOrigin reports whether a URL stays on this site: a path, a fragment
// or a query, never a scheme or a host (not even //host).
func sameOrigin(ref string) bool {
	u, err := url.Parse(ref)
	if err != nil {
		return false
	}
	return u.Scheme == "" && u.Host == "" && !strings.HasPrefix(ref, "//")
}

func TestStaticFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seen := map[string]bool{}
	for _, path := range []string{"/", "/services?lang=sv", "/nope?lang=en"} {
		_, doc, _ := e.page(t, path, map[bool]int{true: 404, false: 200}[strings.HasPrefix(path, "/nope")])
		href, _ := doc.Find(`link[rel="stylesheet"]`).Attr("href")
		seen[href] = true
	}
	if len(seen) != 1 {
		t.Fatalf("pages link different stylesheets: %v", seen)
	}
	var css string
	for href := range seen {
		css = href
	}
	if !regexp.MustCompile(`^/static/style\.[0-9a-f]{12}\.css$`).MatchString(css) {
		t.Errorf("stylesheet %q is not at a content-hashed URL", css)
	}
	res, body := e.get(t, css)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", css, res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/css; charset=utf-8" {
		t.Errorf("Content-Type %q, want text/css; charset=utf-8", ct)
	}
	cc := res.Header.Get("Cache-Control")
	for _, want := range []string{"immutable", "max-age=31536000", "public"} {
		if !strings.Contains(cc, want) {
			t.Errorf("Cache-Control %q lacks %s", cc, want)
		}
	}
	want, err := os.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, want) {
		t.Errorf("served stylesheet differs from static/style.css")
	}
	if bytes.Contains(body, []byte("@import")) || regexp.MustCompile(`url\(\s*['"]?(https?:)?//`).Match(body) {
		t.Errorf("stylesheet loads from another origin")
	}
	// Pages themselves are revalidated, never cached blindly.
	res, _ = e.get(t, "/services")
	if got := res.Header.Get("Cache-Control"); got != "no-cache" {
		t.Errorf("page Cache-Control %q, want no-cache", got)
	}
}

// hostile is stored text that would run script if it were not escaped.
const (
	hostileName = `<script>alert(1)</script> "onmouseover=alert(2) x='y' & <b>bold</b>`
	hostileDesc = `</p><img src=x onerror=alert(3)><p onmouseover="alert(4)">hi</p><!-- <style>`
)

func TestStoredTextIsEscaped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	svc := &services.Service{
		ID:           "xss-probe",
		Name:         l10n.Text{FI: hostileName, SV: hostileName + " sv"},
		Description:  l10n.Text{FI: hostileDesc},
		HowToRefer:   l10n.Text{FI: hostileDesc},
		Alert:        l10n.Text{FI: `<script>alert(5)</script>`},
		TargetGroups: db.List[string]{"worried-about-own-thoughts"},
		ServiceTypes: db.List[string]{"counselling"},
		URL:          `https://example.org/?q="><script>alert(6)</script>`,
		Email:        "probe@example.org",
		Phones:       db.List[services.Phone]{{Number: "+358 40 000 0000", Description: l10n.Text{FI: hostileName}}},
		Area:         services.Area{National: true},
	}
	if err := e.store.Services.Create(ctx, users.System("test"), svc); err != nil {
		t.Fatalf("CreateService: %v", err)
	}
	c := &services.Contact{ID: "xss-person", Name: `<script>alert(7)</script> O"Brien`, Role: "regional-contact",
		NetworkSlug: "pirkanmaa", Title: l10n.Text{FI: hostileName}, Email: "xss.person@example.org"}
	if err := e.store.Contacts.Create(ctx, users.System("test"), c); err != nil {
		t.Fatalf("CreateContact: %v", err)
	}

	checkClean := func(t *testing.T, doc *goquery.Document, body string) {
		t.Helper()
		if n := doc.Find(`script:not([src^="/static/"]), style, img`).Length(); n > 0 {
			t.Errorf("page has %d script/style/img elements from stored text", n)
		}
		doc.Find("*").Each(func(_ int, s *goquery.Selection) {
			for _, a := range s.Nodes[0].Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					t.Errorf("<%s> has event handler attribute %s=%q", goquery.NodeName(s), a.Key, a.Val)
				}
			}
		})
		if doc.Find("b").Length() > 0 {
			t.Errorf("stored <b> became markup")
		}
		if !strings.Contains(body, "&lt;script&gt;alert(") {
			t.Errorf("escaped script text missing from page")
		}
	}

	for _, lang := range []string{"", "sv", "en"} {
		t.Run("service page "+lang, func(t *testing.T) {
			_, doc, body := e.page(t, withLang("/services/xss-probe", lang), 200)
			checkClean(t, doc, body)
			want := hostileName
			if lang == "sv" {
				want = hostileName + " sv"
			}
			// The text reads back exactly: it was escaped, not stripped. In
			// English it is the Finnish text, marked as a fallback.
			h1 := doc.Find("h1")
			if lang == "en" {
				h1 = h1.Find(`span[lang="fi"]`)
			}
			if got := h1.Text(); got != want {
				t.Errorf("h1 = %q, want %q", got, want)
			}
			if got := doc.Find("title").Text(); !strings.HasPrefix(got, want) {
				t.Errorf("title = %q, want it to start with %q", got, want)
			}
			lead := doc.Find("p.lead").First()
			if lang != "" {
				lead = lead.Find(`span[lang="fi"]`)
			}
			if got := lead.Text(); got != hostileDesc {
				t.Errorf("description = %q, want %q", got, hostileDesc)
			}
		})
	}
	for _, path := range []string{
		"/services", "/services?service_type=counselling&lang=sv", "/contacts", "/contacts/xss-person",
		"/networks", "/networks/pirkanmaa?lang=en", "/", "/services?municipality=Tampere",
	} {
		t.Run(path, func(t *testing.T) {
			_, doc, body := e.page(t, path, 200)
			checkClean(t, doc, body)
			if !strings.Contains(doc.Text(), "<script>alert(") {
				t.Errorf("the stored text does not appear on the page")
			}
		})
	}
	// Query and path values reflected on error pages are escaped too.
	for _, path := range []string{
		"/services?municipality=%3Cscript%3Ealert(8)%3C%2Fscript%3E",
		"/services/%3Cscript%3Ealert(9)%3C%2Fscript%3E",
		"/services?offset=%3Cscript%3E&lang=en",
		`/nope/%22%3E%3Cscript%3Ealert(10)%3C%2Fscript%3E?x=%22%3E%3Cscript%3E`,
	} {
		t.Run(path, func(t *testing.T) {
			res, body := e.get(t, path)
			if res.StatusCode < 400 {
				t.Fatalf("status %d", res.StatusCode)
			}
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			// Our own script files are expected; any other script element
			// is reflected input.
			if n := doc.Find(`script:not([src^="/static/"])`).Length(); n > 0 {
				t.Errorf("reflected input became %d script elements", n)
			}
		})
	}
	t.Run("API returns the raw text", func(t *testing.T) {
		var got services.Service
		e.json(t, "/api/v1/services/xss-probe", 200, &got)
		if diff := cmp.Diff(svc.Name, got.Name); diff != "" {
			t.Errorf("name (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(svc.Description, got.Description); diff != "" {
			t.Errorf("description (-want +got):\n%s", diff)
		}
		if got.URL != svc.URL {
			t.Errorf("url = %q, want %q", got.URL, svc.URL)
		}
		var gc services.Contact
		e.json(t, "/api/v1/contacts/xss-person", 200, &gc)
		if gc.Name != c.Name {
			t.Errorf("contact name = %q, want %q", gc.Name, c.Name)
		}
	})
}

func TestMembersOnlyFieldsHidden(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const (
		email = "hidden.person@example.org"
		phone = "+358 40 765 4321"
	)
	c := &services.Contact{ID: "hidden-person", Name: "Hilda Hidden", Role: "regional-contact",
		NetworkSlug: "pirkanmaa", Email: email, Phone: phone,
		Title:      l10n.Text{FI: "Alueellinen yhteyshenkilö"},
		Visibility: services.Visibility{"phone": services.Members, "email": services.Admins}}
	if err := e.store.Contacts.Create(ctx, users.System("test"), c); err != nil {
		t.Fatalf("CreateContact: %v", err)
	}
	// A second contact whose phone only is limited: the e-mail stays public.
	c2 := &services.Contact{ID: "half-hidden", Name: "Hanna Half", Role: "deputy", NetworkSlug: "turku",
		Email: "hanna.half@example.org", Phone: "+358 40 111 2222",
		Visibility: services.Visibility{"phone": services.Members}}
	if err := e.store.Contacts.Create(ctx, users.System("test"), c2); err != nil {
		t.Fatalf("CreateContact: %v", err)
	}
	secrets := []string{email, "hidden.person", phone, "765 4321", "7654321", "+358 40 111 2222", "111 2222"}

	pages := []string{"/", "/networks", "/networks/pirkanmaa", "/networks/turku", "/contacts", "/contacts?network=pirkanmaa",
		"/contacts/hidden-person", "/contacts/half-hidden", "/services?municipality=Tampere", "/services?municipality=Turku"}
	for _, lang := range []string{"", "sv", "en"} {
		for _, p := range pages {
			path := withLang(p, lang)
			t.Run(path, func(t *testing.T) {
				_, doc, body := e.page(t, path, 200)
				for _, s := range secrets {
					if strings.Contains(body, s) {
						t.Errorf("page reveals %q", s)
					}
				}
				if p != "/contacts/half-hidden" && p != "/networks/turku" && p != "/services?municipality=Turku" &&
					!strings.Contains(doc.Text(), "Hilda Hidden") {
					t.Errorf("the contact is not listed at all")
				}
			})
		}
	}
	t.Run("contact page notes the limit", func(t *testing.T) {
		_, doc, _ := e.page(t, "/contacts/hidden-person", 200)
		if doc.Find(`a[href^="mailto:"], a[href^="tel:"]`).Length() != 0 {
			t.Errorf("contact page links to a hidden e-mail or phone")
		}
		if got := doc.Find("main p.meta").Text(); !strings.Contains(got, "vain verkoston jäsenille") {
			t.Errorf("no members-only note; got %q", got)
		}
		_, doc, _ = e.page(t, "/contacts/half-hidden", 200)
		if href, _ := doc.Find(`a[href^="mailto:"]`).Attr("href"); href != "mailto:hanna.half@example.org" {
			t.Errorf("public e-mail link = %q", href)
		}
		// Public details of seeded contacts stay visible.
		_, doc, _ = e.page(t, "/contacts/riikka-juntunen", 200)
		if href, _ := doc.Find(`a[href^="tel:"]`).Attr("href"); href != "tel:+358%2050%20340%205329" && href != "tel:+358 50 340 5329" {
			t.Errorf("public phone link = %q", href)
		}
		if doc.Find("main p.meta").Length() != 0 {
			t.Errorf("members-only note on a fully public contact")
		}
	})
	for _, path := range []string{"/api/v1/contacts", "/api/v1/contacts?network=pirkanmaa", "/api/v1/contacts?municipality=Tampere",
		"/api/v1/contacts?role=regional-contact", "/api/v1/contacts/hidden-person", "/api/v1/contacts/half-hidden",
		"/api/v1/contacts?network=turku&limit=100"} {
		t.Run(path, func(t *testing.T) {
			res, body := e.get(t, path)
			if res.StatusCode != 200 {
				t.Fatalf("status %d: %s", res.StatusCode, body)
			}
			for _, s := range secrets {
				if strings.Contains(string(body), s) {
					t.Errorf("API reveals %q", s)
				}
			}
		})
	}
	t.Run("API single contact", func(t *testing.T) {
		var got map[string]any
		e.json(t, "/api/v1/contacts/hidden-person", 200, &got)
		if _, ok := got["email"]; ok {
			t.Errorf("email present: %v", got["email"])
		}
		if _, ok := got["phone"]; ok {
			t.Errorf("phone present: %v", got["phone"])
		}
		if got["name"] != "Hilda Hidden" {
			t.Errorf("name = %v", got["name"])
		}
		e.json(t, "/api/v1/contacts/half-hidden", 200, &got)
		if got["email"] != "hanna.half@example.org" {
			t.Errorf("public email = %v", got["email"])
		}
	})
}

func TestAccessLogKeepsNoQueries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, path := range []string{"/services?municipality=Kangasala&target_group=victim", "/api/v1/services?municipality=Kangasala",
		"/services/kangasala-probe", "/services?municipality=Kangasalaa"} {
		e.get(t, path)
	}
	logs := e.log.String()
	if !strings.Contains(logs, "route=services") {
		t.Fatalf("requests were not logged at debug level:\n%s", logs)
	}
	for _, s := range []string{"Kangasala", "kangasala", "victim", "127.0.0.1", "municipality="} {
		if strings.Contains(logs, s) {
			t.Errorf("log records %q:\n%s", s, logs)
		}
	}
	rec := httptest.NewRecorder()
	e.web.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.Bytes()
	if !strings.Contains(string(body), `directory_http_requests_total{code="200",route="services"}`) {
		t.Errorf("metrics do not count requests by route name")
	}
	if strings.Contains(string(body), "angasala") {
		t.Errorf("metrics record a query")
	}
}

// keyPattern finds catalogue keys used literally in templates and Go code.
var (
	tmplKey    = regexp.MustCompile(`\.T\s+"([^"]+)"`)
	tmplPrefix = regexp.MustCompile(`\.T\s+\(print\s+"([^"]+)"`)
	goKey      = regexp.MustCompile(`\.T\("([^"]+)"[,)]`)
	verb       = regexp.MustCompile(`%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z%]`)
)

func TestCatalogues(t *testing.T) {
	t.Parallel()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string][]string{}
	for _, lang := range l10n.Languages {
		keys[lang] = cat.Keys(lang)
		sort.Strings(keys[lang])
		if len(keys[lang]) == 0 {
			t.Fatalf("catalogue %s is empty", lang)
		}
	}
	for _, lang := range l10n.Languages[1:] {
		if diff := cmp.Diff(keys["fi"], keys[lang]); diff != "" {
			t.Errorf("keys of %s differ from fi (-fi +%s):\n%s", lang, lang, diff)
		}
	}
	// Every translation takes the same format arguments as the Finnish.
	for _, k := range keys["fi"] {
		want := verb.FindAllString(cat.T("fi", k), -1)
		for _, lang := range l10n.Languages[1:] {
			if !cat.Has(lang, k) {
				continue
			}
			if got := verb.FindAllString(cat.T(lang, k), -1); !slices.Equal(got, want) {
				t.Errorf("%s %q has verbs %q, fi has %q", lang, k, got, want)
			}
		}
	}

	// Keys used by templates and page code.
	used := map[string]string{} // key -> where
	files, err := filepath.Glob("templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates found: %v", err)
	}
	goFiles, _ := filepath.Glob("*.go")
	for _, f := range append(files, goFiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range []*regexp.Regexp{tmplKey, goKey} {
			for _, m := range re.FindAllSubmatch(b, -1) {
				used[string(m[1])] = f
			}
		}
		for _, m := range tmplPrefix.FindAllSubmatch(b, -1) {
			prefix := string(m[1])
			if !slices.ContainsFunc(keys["fi"], func(k string) bool { return strings.HasPrefix(k, prefix) }) {
				t.Errorf("%s: no catalogue key starts with %q", f, prefix)
			}
		}
	}
	if len(used) < 20 {
		t.Fatalf("found only %d keys in templates; is the pattern right?", len(used))
	}
	// Keys built at run time.
	for _, r := range services.ContactRoles {
		used["role."+r] = "contact roles"
	}
	for _, s := range []string{services.StatusInactive, services.StatusArchived} {
		used["service.status."+s] = "service statuses"
	}
	for _, c := range []apperr.Code{apperr.Invalid, apperr.NotFound, apperr.Conflict, apperr.Unauthorized,
		apperr.Forbidden, apperr.TooLarge, apperr.Unavailable, apperr.Internal} {
		used["error."+string(c)] = "error codes"
	}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		used["day."+d] = "weekdays"
	}
	for _, l := range l10n.Languages {
		used["langname."+l] = "languages"
		used["lang."+l+".self"] = "language switch"
	}
	for _, f := range []string{"target_group", "service_type", "delivery_mode"} {
		used["field."+f] = "filter menus"
	}
	// Messages of errors an anonymous visitor can cause.
	for _, k := range []string{"err.bad_id", "err.bad_number", "err.not_found", "err.unknown_municipality_ref",
		"err.unknown_network", "err.unknown_value", "err.datetime", "err.limit", "err.offset", "error.not_found.text", "error.internal.text"} {
		used[k] = "errors"
	}
	for k, where := range used {
		for _, lang := range l10n.Languages {
			if !cat.Has(lang, k) {
				t.Errorf("%s uses key %q, missing in %s.json", where, k, lang)
			}
		}
	}
}

// TestMetricsOnlyLocally: on the public handler the metrics answer a client
// on this machine when asked to (MetricsOnMain), never one a proxy
// forwarded, and nobody otherwise.
func TestMetricsOnlyLocally(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		onMain    bool
		forwarded bool
		want      int
	}{{true, false, 200}, {true, true, 404}, {false, false, 404}} {
		d := dbtest.SQLite(t)
		st := services.NewStore(d)
		s, err := web.New(web.Config{Store: st, API: api.New(st, nil, nil, nil), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MetricsOnMain: tt.onMain})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.RemoteAddr = "127.0.0.1:40000"
		if tt.forwarded {
			req.Header.Set("X-Forwarded-For", "203.0.113.5")
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != tt.want || tt.want == 200 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
			t.Errorf("on main %v, forwarded %v: %d, want %d\n%.300s", tt.onMain, tt.forwarded, rec.Code, tt.want, rec.Body.String())
		}
	}
	// And a visitor from elsewhere never gets them.
	d := dbtest.SQLite(t)
	st := services.NewStore(d)
	s, _ := web.New(web.Config{Store: st, API: api.New(st, nil, nil, nil), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MetricsOnMain: true})
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = "198.51.100.9:40000"
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != 404 {
		t.Errorf("a visitor from another machine: %d", rec.Code)
	}
}
