package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/seedtest"
)

// TestSessionOutageKeepsLogin: while the sessions cannot be read (here:
// their table is away, as in an outage), a logged-in request gets 503 in
// the user's language (JSON on the API), the cookie is kept, and the
// session works again when the database does.
func TestSessionOutageKeepsLogin(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	ed := s.as(t, "editorA")
	if res, _ := ed.get(t, "/dashboard"); res.StatusCode != http.StatusOK {
		t.Fatalf("dashboard before the outage: %d", res.StatusCode)
	}
	if _, err := s.db.Exec(`ALTER TABLE sessions RENAME TO sessions_away`); err != nil {
		t.Fatal(err)
	}
	res, body := ed.get(t, "/dashboard?lang=fi")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "Olet yhä kirjautuneena") {
		t.Errorf("dashboard in the outage: %d\n%.600s", res.StatusCode, body)
	}
	for _, c := range res.Cookies() {
		t.Errorf("the outage set a cookie: %s", c)
	}
	if res, body := ed.get(t, "/api/v1/services/"+svcA); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"unavailable"`) {
		t.Errorf("API in the outage: %d %s", res.StatusCode, body)
	}
	if ed.cookie == nil {
		t.Fatal("the client lost its cookie")
	}
	if _, err := s.db.Exec(`ALTER TABLE sessions_away RENAME TO sessions`); err != nil {
		t.Fatal(err)
	}
	if res, _ := ed.get(t, "/dashboard"); res.StatusCode != http.StatusOK {
		t.Errorf("dashboard after the outage: %d", res.StatusCode)
	}
	// Anonymous visitors were never asked for a session.
	if res, _ := s.anon().get(t, "/services"); res.StatusCode != http.StatusOK {
		t.Errorf("anonymous /services: %d", res.StatusCode)
	}
}
