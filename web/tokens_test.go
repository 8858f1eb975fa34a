package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/tokens"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/web"
)

// An integration writes with a bearer token: scoped like an editor of its
// networks, audited under its name, without cookies or CSRF defences;
// a bad or revoked token is a 401.
func TestBearerTokenWrites(t *testing.T) {
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	st := tokens.NewStore(s.db)
	tok := tokens.Token{Name: "esimerkki-integraatio", Role: users.RoleEditor, Networks: []string{netA}}
	secret, err := st.Add(context.Background(), users.System("test"), &tok)
	if err != nil {
		t.Fatal(err)
	}
	bearer := func(secret string) http.Header {
		// A cross-site Origin: a bearer request needs no CSRF defence.
		return http.Header{"Authorization": {"Bearer " + secret}, "Origin": {"https://muu.example.fi"}, "Sec-Fetch-Site": {"cross-site"}}
	}
	c := s.anon()
	svc := testService("token-palvelu", netA)
	res, body := c.sendJSON(t, http.MethodPost, "/api/v1/services", svc, bearer(secret))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create with a token: %d %s", res.StatusCode, body)
	}
	if c.cookie != nil {
		t.Error("a bearer request got a session cookie")
	}
	var actor string
	if err := s.db.GetContext(context.Background(), &actor, s.db.Rebind(`SELECT actor FROM audit_log WHERE entity_id = ? ORDER BY id DESC LIMIT 1`), "token-palvelu"); err != nil || actor != "token:esimerkki-integraatio" {
		t.Errorf("audit actor %q %v", actor, err)
	}
	// The history page names the token.
	admin := s.as(t, "admin")
	if doc := admin.page(t, "/services/token-palvelu/history", http.StatusOK); !strings.Contains(doc.Text(), "esimerkki-integraatio") {
		t.Errorf("history does not name the token")
	}
	// Scoped like an editor of its network.
	res, body = c.sendJSON(t, http.MethodPost, "/api/v1/services", testService("token-palvelu-b", netB), bearer(secret))
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("another network: %d %s", res.StatusCode, body)
	}
	// A session cookie beside the token changes nothing: the token alone
	// decides (here: refused), never the cookie.
	ed := s.as(t, "editorB")
	res, _ = ed.sendJSON(t, http.MethodPost, "/api/v1/services", testService("token-palvelu-c", netB), bearer("srd_vaara"))
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a bad token with a good cookie: %d", res.StatusCode)
	}
	for _, h := range []string{"Bearer srd_vaara", "Basic dXNlcjpwdw==", "Bearer", "srd_" + secret} {
		res, body := c.sendJSON(t, http.MethodPost, "/api/v1/services", testService("token-palvelu-d", netA), http.Header{"Authorization": {h}})
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Header.Get("WWW-Authenticate"), "Bearer") ||
			!strings.Contains(string(body), `"unauthorized"`) {
			t.Errorf("Authorization %q: %d %q %s", h, res.StatusCode, res.Header.Get("WWW-Authenticate"), body)
		}
	}
	// A token's requests are throttled: past its burst, 429 with Retry-After.
	throttledUse := false
	for range testTokenBurst + 5 {
		res, _ := c.do(t, http.MethodGet, "/api/v1/networks", nil, bearer(secret))
		if res.StatusCode == http.StatusTooManyRequests && res.Header.Get("Retry-After") != "" {
			throttledUse = true
			break
		}
	}
	if !throttledUse {
		t.Error("no 429 past the token's burst")
	}
	// Revoked: refused at once.
	if err := st.Revoke(context.Background(), users.System("test"), tok.Name); err != nil {
		t.Fatal(err)
	}
	res, _ = c.sendJSON(t, http.MethodPost, "/api/v1/services", testService("token-palvelu-e", netA), bearer(secret))
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d", res.StatusCode)
	}
	// Refused tokens are throttled per address.
	throttled := false
	for range web.TokenFailBurst + 2 {
		res, _ := c.do(t, http.MethodGet, "/api/v1/services", nil, http.Header{"Authorization": {"Bearer srd_vaara"}})
		if res.StatusCode == http.StatusTooManyRequests && res.Header.Get("Retry-After") != "" {
			throttled = true
		}
	}
	if !throttled {
		t.Error("no 429 after many refused tokens")
	}
	// Pages ignore the header: a token is for the API.
	if res, _ := c.do(t, http.MethodGet, "/services", nil, http.Header{"Authorization": {"Bearer srd_vaara"}}); res.StatusCode != http.StatusOK {
		t.Errorf("a page with an Authorization header: %d", res.StatusCode)
	}
}

// Admins make a token on the admin page (its secret shown once), see it
// listed and revoke it; others may not.
func TestTokenAdminPages(t *testing.T) {
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	if res, _ := s.as(t, "editorA").get(t, "/admin/tokens"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an editor: %d", res.StatusCode)
	}
	admin := s.as(t, "admin")
	doc := admin.page(t, "/admin/tokens", http.StatusOK)
	action, form := formValues(doc, `form[action="/admin/tokens"]`)
	if action != "/admin/tokens" {
		t.Fatalf("no form for a new token: %q", action)
	}
	// A mistake is named in the user's language and nothing is made.
	form.Set("name", "Väärä Nimi")
	form.Set("role", "editor")
	res, body := admin.post(t, action, form)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "pientä kirjainta") {
		t.Fatalf("a bad name: %d", res.StatusCode)
	}
	form.Set("name", "esimerkki-sync")
	form["networks"] = []string{netA}
	res, body = admin.post(t, action, form)
	if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("make: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	i := strings.Index(string(body), tokens.Prefix)
	if i < 0 {
		t.Fatal("the new token is not shown")
	}
	secret := string(body[i : i+len(tokens.Prefix)+43])
	if res, _ := s.anon().sendJSON(t, http.MethodPost, "/api/v1/services", testService("sivulta-palvelu", netA),
		http.Header{"Authorization": {"Bearer " + secret}}); res.StatusCode != http.StatusCreated {
		t.Errorf("the shown token does not write: %d", res.StatusCode)
	}
	// Listed, with no secret, and revoked from the list.
	doc = admin.page(t, "/admin/tokens", http.StatusOK)
	if strings.Contains(doc.Text(), secret) || !strings.Contains(doc.Find("table").Text(), "esimerkki-sync") {
		t.Fatal("the list shows the secret, or not the token")
	}
	action, form = formValues(doc, `form[action$="/revoke"]`)
	if action != "/admin/tokens/esimerkki-sync/revoke" {
		t.Fatalf("revoke form %q", action)
	}
	if res, _ := admin.post(t, action, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if res, _ := s.anon().sendJSON(t, http.MethodPost, "/api/v1/services", testService("sivulta-palvelu-2", netA),
		http.Header{"Authorization": {"Bearer " + secret}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a revoked token writes: %d", res.StatusCode)
	}
}
