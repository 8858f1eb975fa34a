package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/seedtest"
)

// TestSessionOutageKeepsLogin: while the sessions cannot be read (here:
// their table is away, as in an outage), a request that needs the login
// gets 503 in the user's language (JSON on the API), one that does not is
// answered as to anyone, the cookie is kept, and the session works again
// when the database does. (cmd/directory's TestPostgresOutage stops a real
// server.)
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
	// What anyone may read still answers, as to anyone: no members-only
	// field. What needs the login is a 503, never "log in".
	if res, body := ed.get(t, "/contacts/"+contactA); res.StatusCode != http.StatusOK || strings.Contains(string(body), secretPhone) {
		t.Errorf("a contact page in the outage: %d (members-only phone shown: %v)", res.StatusCode, strings.Contains(string(body), secretPhone))
	}
	svc := s.service(t, svcA)
	svc.Description.FI = "Muutos katkon aikana"
	if res, body := ed.sendJSON(t, http.MethodPut, "/api/v1/services/"+svcA, svc, ifMatch(svc.Version)); res.StatusCode != http.StatusServiceUnavailable ||
		!strings.Contains(string(body), `"unavailable"`) || res.Header.Get("Retry-After") == "" {
		t.Errorf("an API write in the outage: %d %s", res.StatusCode, body)
	}
	if res, _ := ed.get(t, "/account/sessions"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a logged-in page in the outage: %d, want 503 (not a redirect to login)", res.StatusCode)
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
