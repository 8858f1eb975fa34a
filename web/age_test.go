package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/seedtest"
)

// A client's age leaves out the services whose age range excludes it, on
// the list, the search page and the API; a bad age is a 400 naming the
// field in the user's language.
func TestAgeFilter(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{search: true})
	c := s.anon()
	const adultsOnly = `"/services/seri-tukikeskukset"` // 16 and over
	for _, tt := range []struct {
		path string
		want bool
	}{
		{"/api/v1/services?limit=100", true},
		{"/api/v1/services?limit=100&age=30", true},
		{"/api/v1/services?limit=100&age=15", false},
		{"/search?q=seri", true},
		{"/search?q=seri&age=16", true},
		{"/search?q=seri&age=15", false},
		{"/api/v1/search?q=seri&age=15", false},
	} {
		res, body := c.get(t, tt.path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", tt.path, res.StatusCode)
			continue
		}
		found := strings.Contains(string(body), adultsOnly) || strings.Contains(string(body), `"id":"seri-tukikeskukset"`)
		if found != tt.want {
			t.Errorf("%s: the 16+ Seri centres found %v, want %v", tt.path, found, tt.want)
		}
	}
	doc := c.page(t, "/services?age=15", http.StatusOK)
	if v, _ := doc.Find(`form.filters input#age`).Attr("value"); v != "15" {
		t.Errorf("the list's age field holds %q", v)
	}
	if href, _ := doc.Find(`a[rel="next"]`).Attr("href"); href != "" && !strings.Contains(href, "age=15") {
		t.Errorf("the next page forgets the age: %s", href)
	}
	doc = c.page(t, "/search?q=seri&age=15", http.StatusOK)
	if v, _ := doc.Find(`input#age`).Attr("value"); v != "15" || !strings.Contains(doc.Find(".active-filters").Text(), "Asiakkaan ikä: 15") {
		t.Errorf("search page: age field %q, filters %q", v, doc.Find(".active-filters").Text())
	}
	for _, p := range []string{"/services?age=abc", "/services?age=121", "/search?q=seri&age=-1"} {
		doc := c.page(t, p, http.StatusBadRequest)
		if !strings.Contains(doc.Text(), "Asiakkaan ikä: pitää olla ikä väliltä 0–120") {
			t.Errorf("%s: the error does not name the field: %q", p, doc.Find("main").Text())
		}
	}
	if res, body := c.get(t, "/api/v1/services?age=200"); res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"field":"age"`) {
		t.Errorf("API age=200: %d %s", res.StatusCode, body)
	}
}
