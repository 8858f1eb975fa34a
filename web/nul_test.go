package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/seedtest"
)

// TestNULIsANamedBadRequest: U+0000 anywhere a person or a program can
// send it (a path, a filter, a search, the login e-mail, an edit form, an
// API write) is a 400 naming the field, on SQLite and PostgreSQL (which
// refuses it in text and made it a 500), and nothing is written.
func TestNULIsANamedBadRequest(t *testing.T) {
	seedtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, siteOptions{search: true})
		anon, ed := s.anon(), s.as(t, "editorA")
		audits := s.auditCount(t)

		pages := []struct{ path, field string }{
			{"/services?network=a%00", "Verkosto"}, // a field the form labels is named by its label
			{"/services?municipality=Oulu%00", "Kunta"},
			{"/search?q=terapia%00", "q"},
			{"/services/" + svcA + "%00", "path"},
			{"/contacts?x%00=1", `x\x00`},
		}
		for _, p := range pages {
			res, body := anon.get(t, p.path)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), p.field+": ") || !strings.Contains(string(body), "NUL") {
				t.Errorf("GET %s: %d\n%.600s", p.path, res.StatusCode, body)
			}
		}
		for _, p := range []struct{ path, field string }{
			{"/api/v1/search?q=a%00", "q"},
			{"/api/v1/services?network=a%00", "network"},
			{"/api/v1/services/a%00", "path"},
		} {
			res, body := anon.get(t, p.path)
			if res.StatusCode != http.StatusBadRequest || apiField(body) != p.field {
				t.Errorf("GET %s: %d %s, want 400 naming %s", p.path, res.StatusCode, body, p.field)
			}
		}

		// The login e-mail, on the form.
		res, body := anon.post(t, "/login", url.Values{"email": {"eeva\x00@example.org"}, "password": {testPassword}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "NUL") {
			t.Errorf("login with NUL in the e-mail: %d\n%.600s", res.StatusCode, body)
		}
		// An edit form.
		action, form := ed.editForm(t, "/services/"+svcA+"/edit")
		form.Set("description.fi", "Kuvaus\x00")
		if res, body := ed.post(t, action, form); res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "NUL") {
			t.Errorf("edit with NUL: %d\n%.600s", res.StatusCode, body)
		}
		// An API write, the field named by its path.
		svc := s.service(t, svcA)
		svc.Description.FI = "Kuvaus\x00"
		res, body = ed.sendJSON(t, http.MethodPut, "/api/v1/services/"+svcA, svc, nil)
		if res.StatusCode != http.StatusBadRequest || apiField(body) != "description.fi" {
			t.Errorf("API write with NUL: %d %s", res.StatusCode, body)
		}
		if got := s.service(t, svcA); strings.Contains(got.Description.FI, "\x00") || got.Version != svc.Version {
			t.Errorf("the listing changed: %q v%d", got.Description.FI, got.Version)
		}
		if n := s.auditCount(t); n != audits {
			t.Errorf("%d audit rows written", n-audits)
		}
	})
}

// apiField is the first field an API error names.
func apiField(body []byte) string {
	var e struct {
		Error struct {
			Fields []struct{ Field string } `json:"fields"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.Error.Fields) == 0 {
		return ""
	}
	return e.Error.Fields[0].Field
}
