package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serie-verkosto/directory/internal/api"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/seed"
	"github.com/serie-verkosto/directory/web"
)

// searchServer is a seeded server with a built search index.
func searchServer(t *testing.T) (*httptest.Server, *services.Store, *search.Syncer) {
	t.Helper()
	ctx := context.Background()
	d := seedtest.SQLite(t)
	st := services.NewStore(d)
	sc, err := seed.SearchConfig(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	ix, _, err := search.Open(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	sy := &search.Syncer{Index: ix, DB: d, Store: st, Sources: search.ListingSources(st)}
	if _, err := sy.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{Store: st, Index: ix, API: api.New(st, ix, nil, nil)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, st, sy
}

func TestSearchAPIShape(t *testing.T) {
	ts, _, _ := searchServer(t)
	resp, err := http.Get(ts.URL + "/api/v1/search?q=lastensuojelu&municipality=Oulu&limit=3")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d, cache-control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	var body map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"total", "hits", "facets", "took_ms"} {
		if _, ok := body[k]; !ok {
			t.Errorf("response lacks %q", k)
		}
	}
	var hits []map[string]any
	json.Unmarshal(body["hits"], &hits)
	if len(hits) == 0 || len(hits) > 3 {
		t.Fatalf("%d hits", len(hits))
	}
	for _, h := range hits {
		for _, k := range []string{"type", "id", "title", "snippet", "url"} {
			if _, ok := h[k].(string); !ok {
				t.Errorf("hit lacks string %q: %v", k, h)
			}
		}
	}
	if hits[0]["id"] != "hva-lastensuojelu" || hits[0]["url"] != "/services/hva-lastensuojelu" {
		t.Errorf("first hit %v", hits[0])
	}
	var facets map[string][]struct {
		Value string `json:"value"`
		Count int    `json:"count"`
	}
	json.Unmarshal(body["facets"], &facets)
	for _, f := range []string{"type", "network", "municipality", "target_group", "service_type", "delivery_mode", "language", "fresh"} {
		if _, ok := facets[f]; !ok {
			t.Errorf("no facet %q", f)
		}
	}
	if len(facets["type"]) == 0 || facets["type"][0].Value != "service" {
		t.Errorf("type facet %v", facets["type"])
	}
}

// Whatever the query holds, the API answers 200 or 400 with a JSON error.
func TestSearchBadInput(t *testing.T) {
	ts, _, _ := searchServer(t)
	tests := []struct {
		raw    string
		status int
	}{
		{"q=" + url.QueryEscape(`"unbalanced`), 200},
		{"q=" + url.QueryEscape(`+title:x -y AND (z* OR w~2) ^3 {a TO b}`), 200},
		{"q=%FF%FE", 200},
		{"q=%FF%FE%00", 400}, // U+0000 is refused everywhere (issue 16)
		{"q=" + strings.Repeat("a", 3000), 400},
		{"q=" + strings.Repeat("a", 10000), 400},
		// 300 words in 4 KiB: past the query's 500 characters; 500
		// characters of words, relaxed: answered.
		{"q=" + url.QueryEscape(strings.Repeat("perheneuvola ", 300)), 400},
		{"q=" + url.QueryEscape(strings.Repeat("terapia vankila nuori ", 23)[:500]), 200},
		{"q=x&limit=0", 200},
		{"q=x&limit=101", 400},
		{"q=x&limit=-1", 400},
		{"q=x&offset=abc", 400},
		{"q=x&offset=20000", 400},
		{"q=x&municipality=Atlantis", 400},
		{"q=x&type=pizza", 400},
		{"q=x&bogus=1", 400},
		{"q=x&q=y", 400},
		{"q=%", 400},
	}
	for _, tt := range tests {
		t.Run(tt.raw[:min(len(tt.raw), 40)], func(t *testing.T) {
			resp, err := http.Get(ts.URL + "/api/v1/search?" + tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, b)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !json.Valid(b) {
				t.Errorf("not JSON: %s", b)
			}
			if tt.status == 400 && !strings.Contains(string(b), `"code":"invalid"`) {
				t.Errorf("error body %s", b)
			}
		})
	}
}

func TestSearchPage(t *testing.T) {
	ts, st, sy := searchServer(t)
	get := func(path string) (*goquery.Document, *http.Response) {
		t.Helper()
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		doc, err := goquery.NewDocumentFromReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return doc, resp
	}
	doc, resp := get("/search?q=nuorisopsykiatria+Tampereella")
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d cache %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if got := doc.Find("ol.results > li").Length(); got == 0 {
		t.Fatal("no results")
	}
	if doc.Find(".notice-info").Length() != 1 {
		t.Error("no note that the place restricts the results")
	}
	if doc.Find("ol.results mark").Length() == 0 {
		t.Error("no highlighted words")
	}
	// Facets are links that work without JavaScript.
	link, ok := doc.Find("nav.facets a").First().Attr("href")
	if !ok || !strings.HasPrefix(link, "/search?") {
		t.Fatalf("facet link %q", link)
	}
	doc, _ = get(link)
	if doc.Find(".active-filters a").Length() != 1 {
		t.Error("a followed facet is not shown as an active filter with a remove link")
	}
	// Nothing found: suggestions and whom to ask.
	doc, _ = get("/search?q=kvanttifysiikka+xyzzy")
	if doc.Find("section.empty").Length() != 1 {
		t.Fatal("no empty-result help")
	}
	doc, _ = get("/search?q=xyzzyx&municipality=Oulu")
	if got := doc.Find("section.empty").Text(); !strings.Contains(got, "Ulla Konttila") {
		t.Errorf("empty result in Oulu does not name Oulu's contact person: %q", got)
	}
	// Stored markup is shown as text, in titles and snippets.
	evil := &services.Service{ID: "test-evil", Name: l10n.T(`<script>alert(1)</script> Pahapalvelu`, "", ""),
		Description:  l10n.T(`Pahapalvelu <img src=x onerror=alert(1)> kuvaus`, "", ""),
		TargetGroups: []string{"suspected"}, ServiceTypes: []string{"counselling"}, Area: services.Area{National: true}}
	if err := st.Services.Create(context.Background(), users.System("test"), evil); err != nil {
		t.Fatal(err)
	}
	if _, err := sy.Sync(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	doc, _ = get("/search?q=pahapalvelu")
	if doc.Find("ol.results script, ol.results img").Length() != 0 {
		t.Error("stored markup became elements")
	}
	if !strings.Contains(doc.Find("ol.results").Text(), "<script>") {
		t.Error("stored markup not shown as text")
	}
	var marks []string
	doc.Find(".snippet *").Each(func(_ int, s *goquery.Selection) { marks = append(marks, goquery.NodeName(s)) })
	for _, m := range marks {
		if m != "mark" {
			t.Errorf("snippet holds a <%s> element", m)
		}
	}
	if !slices.Contains(marks, "mark") {
		t.Error("snippet has no highlight")
	}
}

// A search of several words that few listings have in full shows those
// first, then the listings with most of the words, each saying which it
// lacks.
func TestSearchPageRelaxed(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{search: true, pathways: true})
	doc := s.anon().page(t, "/search?q=sex+offender+treatment+prison&lang=en", http.StatusOK)
	if !strings.Contains(text(doc.Find("main")), "Few results contain every word") {
		t.Error("the page does not say the search was relaxed")
	}
	missing := doc.Find("li.result p.missing")
	if missing.Length() == 0 || !strings.HasPrefix(text(missing.First()), "Missing words:") {
		t.Errorf("no hit says which words it lacks")
	}
	if doc.Find("li.result").First().Find("p.missing").Length() != 0 {
		t.Error("the first hit, with every word, says it lacks some")
	}
}

// Service lists are ordered by fit and say so in one line: for a chosen
// client situation the specialised services come first (the SeriE
// support service for a worried person in Oulu); by name on request; an
// unknown order is a 400 naming the field.
func TestServicesOrderedByFit(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	c := s.anon()
	doc := c.page(t, "/services?municipality=564&target_group=worried-about-own-thoughts", http.StatusOK)
	if first := text(doc.Find("ol.results li.result h2").First()); first != "SeriE-tukipalvelu" {
		t.Errorf("first for a worried person in Oulu: %q", first)
	}
	if note := text(doc.Find("p.order-note")); !strings.Contains(note, "alueen omat palvelut ennen valtakunnallisia") {
		t.Errorf("order note %q", note)
	}
	doc = c.page(t, "/services?municipality=564&target_group=worried-about-own-thoughts&sort=name", http.StatusOK)
	var names []string
	doc.Find("ol.results li.result h2").Each(func(_ int, h *goquery.Selection) { names = append(names, strings.ToLower(text(h))) })
	if len(names) < 3 || !slices.IsSorted(names) {
		t.Errorf("by name: %q", names)
	}
	if note := text(doc.Find("p.order-note")); note != "Järjestys: nimen mukaan." {
		t.Errorf("order note %q", note)
	}
	res, body := c.get(t, "/api/v1/services?sort=newest")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"sort"`) {
		t.Errorf("unknown order: %d %s", res.StatusCode, body)
	}
	if res, _ := c.get(t, "/services?client_lang=de"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown client language: %d", res.StatusCode)
	}
}
