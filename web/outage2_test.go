package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/seedtest"
)

// TestPagesInDatabaseOutage: with the database gone, what the index and
// the cached reference data can answer still works (the search page, the
// search API); everything else is a 503 that says so in the user's
// language, never a 500.
func TestPagesInDatabaseOutage(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{search: true, pathways: true})
	c := s.anon()
	c.get(t, "/search?q=terapia") // the reference data is cached
	s.db.Close()
	for _, p := range []string{"/search?q=terapia", "/search?q=terapia&lang=sv", "/api/v1/search?q=terapia"} {
		if res, body := c.get(t, p); res.StatusCode != http.StatusOK || !strings.Contains(string(body), "seksuaaliterapia") {
			t.Errorf("%s in the outage: %d\n%.300s", p, res.StatusCode, body)
		}
	}
	// The help page keeps its advice, without its list of services.
	if res, body := c.get(t, "/help"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "ei ole juuri nyt saatavilla") ||
		!strings.Contains(string(body), "help-privacy-h") {
		t.Errorf("/help in the outage: %d\n%.300s", res.StatusCode, body)
	}
	for _, p := range []string{"/", "/services", "/services/" + svcA, "/networks", "/pathways"} {
		if res, body := c.get(t, p); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "ei ole juuri nyt saatavilla") {
			t.Errorf("%s in the outage: %d\n%.300s", p, res.StatusCode, body)
		}
	}
	if res, body := c.get(t, "/api/v1/services"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"code":"unavailable"`) {
		t.Errorf("API list in the outage: %d %s", res.StatusCode, body)
	}
}
