package web_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
)

// Bad input and attacks, each a case: the right status, a clear message,
// and nothing half-written.
func TestAttacks(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	ed := s.as(t, "editorA")
	loginError := func(doc *goquery.Document) string { return strings.TrimSpace(doc.Find(".error-summary").Text()) }

	t.Run("wrong password", func(t *testing.T) {
		c := s.anon()
		res, body := c.post(t, "/login", url.Values{"email": {s.emails["editorA"]}, "password": {"not the password at all"}})
		doc := parse(t, body)
		if res.StatusCode != http.StatusUnauthorized || loginError(doc) != "Väärä sähköpostiosoite tai salasana." {
			t.Errorf("status %d, message %q", res.StatusCode, loginError(doc))
		}
		if c.cookie != nil || len(res.Header.Values("Set-Cookie")) > 0 {
			t.Errorf("a failed login set a cookie")
		}
		if v, _ := doc.Find("#f-email").Attr("value"); v != s.emails["editorA"] {
			t.Errorf("the e-mail was not kept: %q", v)
		}
		if v, _ := doc.Find("#f-password").Attr("value"); v != "" || strings.Contains(string(body), "not the password") {
			t.Errorf("the password was sent back")
		}
	})
	t.Run("unknown user gets the same answer", func(t *testing.T) {
		for _, lang := range []string{"", "sv", "en"} {
			q := ""
			if lang != "" {
				q = "?lang=" + lang
			}
			_, known := s.anon().post(t, "/login"+q, url.Values{"email": {s.emails["member"]}, "password": {"wrong wrong wrong"}})
			res, unknown := s.anon().post(t, "/login"+q, url.Values{"email": {"nobody@example.org"}, "password": {"wrong wrong wrong"}})
			a, b := loginError(parse(t, known)), loginError(parse(t, unknown))
			if res.StatusCode != http.StatusUnauthorized || a != b || a == "" {
				t.Errorf("lang %q: status %d, messages %q and %q", lang, res.StatusCode, a, b)
			}
		}
	})
	t.Run("forged session cookie", func(t *testing.T) {
		b := make([]byte, 32)
		rand.Read(b)
		for _, v := range []string{base64.RawURLEncoding.EncodeToString(b), "x", strings.Repeat("A", 43), "'; DROP TABLE sessions; --"} {
			c := s.anon()
			c.cookie = &http.Cookie{Name: auth.CookieName(false), Value: url.QueryEscape(v)}
			res, _ := c.get(t, "/dashboard")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
				t.Errorf("%q: dashboard answers %d to %q", v, res.StatusCode, res.Header.Get("Location"))
			}
			if c.cookie != nil {
				t.Errorf("%q: the forged cookie was not cleared", v)
			}
			c.cookie = &http.Cookie{Name: auth.CookieName(false), Value: url.QueryEscape(v)}
			before := s.auditCount(t)
			res, _ = c.post(t, "/services/"+svcA+"/verify", url.Values{"version": {"1"}})
			if res.StatusCode != http.StatusUnauthorized || s.auditCount(t) != before {
				t.Errorf("%q: verify answers %d", v, res.StatusCode)
			}
		}
	})
	t.Run("cross-origin POST", func(t *testing.T) {
		before := s.auditCount(t)
		svc := s.service(t, svcA)
		for _, h := range []http.Header{
			{"Sec-Fetch-Site": {"cross-site"}},
			{"Sec-Fetch-Site": {"same-site"}},
			{"Origin": {"https://evil.example"}},
		} {
			for _, path := range []string{"/services/" + svcA + "/verify", "/login", "/logout", "/services/" + svcA + "/report"} {
				form := url.Values{"version": {strconv.Itoa(svc.Version)}, "email": {s.emails["editorA"]}, "password": {testPassword}, "message": {"x"}}
				h2 := h.Clone()
				h2.Set("Content-Type", "application/x-www-form-urlencoded")
				res, _ := ed.do(t, http.MethodPost, path, strings.NewReader(form.Encode()), h2)
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("%v POST %s: %d, want 403", h, path, res.StatusCode)
				}
			}
			res, _ := ed.sendJSON(t, http.MethodPut, "/api/v1/services/"+svcA, svc, h)
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%v PUT: %d, want 403", h, res.StatusCode)
			}
		}
		if s.auditCount(t) != before {
			t.Errorf("a cross-origin request wrote")
		}
		if ed.cookie == nil {
			t.Fatalf("a cross-origin logout ended the session")
		}
		// Same-origin requests from the browser pass.
		res, _ := ed.do(t, http.MethodPost, "/services/"+svcA+"/verify", strings.NewReader("version="+strconv.Itoa(svc.Version)),
			http.Header{"Sec-Fetch-Site": {"same-origin"}, "Content-Type": {"application/x-www-form-urlencoded"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("same-origin verify: %d", res.StatusCode)
		}
	})
	t.Run("editor writes another network's listing by id", func(t *testing.T) {
		before := s.auditCount(t)
		other := s.service(t, svcB)
		// Form: the edit page, a save, a one-click action, history.
		if res, _ := ed.get(t, "/services/"+svcB+"/edit"); res.StatusCode != http.StatusForbidden {
			t.Errorf("edit form: %d", res.StatusCode)
		}
		res, body := ed.post(t, "/services/"+svcB+"/edit", minimalServiceForm(svcB, netA, other.Version))
		if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "Voit muokata vain oman verkostosi tietoja.") {
			t.Errorf("edit: %d", res.StatusCode)
		}
		for _, a := range []string{"verify", "archive", "history"} {
			var res *http.Response
			if a == "history" {
				res, _ = ed.get(t, "/services/"+svcB+"/history")
			} else {
				res, _ = ed.post(t, "/services/"+svcB+"/"+a, url.Values{"version": {strconv.Itoa(other.Version)}})
			}
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: %d", a, res.StatusCode)
			}
		}
		if res, _ := ed.post(t, "/contacts/"+contactB+"/edit", url.Values{"name": {"X"}, "role": {"deputy"}, "network": {netA}, "version": {"1"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("contact edit: %d", res.StatusCode)
		}
		// API.
		res, body = ed.sendJSON(t, http.MethodPut, "/api/v1/services/"+svcB, other, ifMatch(other.Version))
		if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), `"code":"forbidden"`) {
			t.Errorf("API PUT: %d %s", res.StatusCode, body)
		}
		if res, _ := ed.do(t, http.MethodDelete, "/api/v1/services/"+svcB, nil, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("API DELETE: %d", res.StatusCode)
		}
		// Moving one's own listing into another network, by form and API.
		own := s.service(t, svcA)
		res, body = ed.post(t, "/services/"+svcA+"/edit", minimalServiceForm(svcA, netB, own.Version))
		doc := parse(t, body)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(doc.Find("#f-area .field-error").Text(), "oman verkostosi") {
			t.Errorf("moving by form: %d, area error %q", res.StatusCode, doc.Find("#f-area .field-error").Text())
		}
		moved := own
		moved.Area = services.Area{Networks: []string{netB}}
		if res, _ := ed.sendJSON(t, http.MethodPut, "/api/v1/services/"+svcA, moved, ifMatch(own.Version)); res.StatusCode != http.StatusForbidden {
			t.Errorf("moving by API: %d", res.StatusCode)
		}
		c := s.contact(t, contactA)
		c.NetworkSlug = netB
		if res, _ := ed.sendJSON(t, http.MethodPut, "/api/v1/contacts/"+contactA, c, ifMatch(c.Version)); res.StatusCode != http.StatusForbidden {
			t.Errorf("moving a contact by API: %d", res.StatusCode)
		}
		if s.auditCount(t) != before {
			t.Errorf("a refused write wrote")
		}
	})
	t.Run("stale version", func(t *testing.T) {
		svc := s.service(t, svcA)
		before := s.auditCount(t)
		stale := svc
		stale.Version--
		res, body := ed.sendJSON(t, http.MethodPut, "/api/v1/services/"+svcA, stale, ifMatch(stale.Version))
		if res.StatusCode != http.StatusConflict || !strings.Contains(string(body), `"code":"conflict"`) {
			t.Errorf("API: %d %s", res.StatusCode, body)
		}
		// The version field alone names the version too.
		if res, _ := ed.sendJSON(t, http.MethodPut, "/api/v1/services/"+svcA, stale, nil); res.StatusCode != http.StatusConflict {
			t.Errorf("API, version field: %d", res.StatusCode)
		}
		// If-Match and version must agree.
		if res, _ := ed.sendJSON(t, http.MethodPut, "/api/v1/services/"+svcA, stale, ifMatch(svc.Version)); res.StatusCode != http.StatusBadRequest {
			t.Errorf("API, disagreeing versions: %d", res.StatusCode)
		}
		res, body = ed.post(t, "/services/"+svcA+"/edit", minimalServiceForm(svcA, netA, svc.Version-1))
		if res.StatusCode != http.StatusConflict || parse(t, body).Find("section.merge h2").Text() != "Joku muu tallensi tähän väliin" {
			t.Errorf("form: %d", res.StatusCode)
		}
		// No version at all.
		svc.Version = 0
		if res, _ := ed.sendJSON(t, http.MethodPut, "/api/v1/services/"+svcA, svc, nil); res.StatusCode != http.StatusPreconditionRequired {
			t.Errorf("no If-Match: %d, want 428", res.StatusCode)
		}
		if res, _ := ed.sendJSON(t, http.MethodPut, "/api/v1/services/"+svcA, svc, http.Header{"If-Match": {"*"}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("If-Match *: %d, want 400", res.StatusCode)
		}
		if s.auditCount(t) != before {
			t.Errorf("a stale write wrote")
		}
	})
	t.Run("oversized and malformed values", func(t *testing.T) {
		before := s.auditCount(t)
		svc := s.service(t, svcA)
		v := minimalServiceForm(svcA, netA, svc.Version)
		big := v
		big.Set("description.fi", strings.Repeat("a", 2<<20))
		res, _ := ed.post(t, "/services/"+svcA+"/edit", big)
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("2 MiB form: %d, want 413", res.StatusCode)
		}
		v = minimalServiceForm(svcA, netA, svc.Version)
		v.Set("name.fi", strings.Repeat("n", 201))
		res, body := ed.post(t, "/services/"+svcA+"/edit?lang=en", v)
		if got := errorText(parse(t, body), "f-name-fi"); res.StatusCode != http.StatusBadRequest || got != "is too long (at most 200 characters)" {
			t.Errorf("long name: %d %q", res.StatusCode, got)
		}
		res, _ = ed.do(t, http.MethodPost, "/services/"+svcA+"/edit", strings.NewReader("name.fi=%ZZ&version=1"),
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("malformed encoding: %d", res.StatusCode)
		}
		v = minimalServiceForm(svcA, netA, svc.Version)
		v.Set("name.fi", "bad \xff\xfe utf-8")
		res, body = ed.post(t, "/services/"+svcA+"/edit?lang=en", v)
		if got := errorText(parse(t, body), "f-name-fi"); res.StatusCode != http.StatusBadRequest || got != "is not valid text" {
			t.Errorf("invalid UTF-8: %d %q", res.StatusCode, got)
		}
		v = minimalServiceForm(svcA, netA, svc.Version)
		v.Set("age_min", "99999999999999999999")
		v.Set("anonymous", "maybe")
		v.Set("status", "deleted")
		v.Add("target_groups", "no-such-term")
		res, body = ed.post(t, "/services/"+svcA+"/edit?lang=en", v)
		doc := parse(t, body)
		if res.StatusCode != http.StatusBadRequest || errorText(doc, "f-age_min") != "must be a whole number" ||
			errorText(doc, "f-anonymous") != "is not one of the choices" || !strings.Contains(doc.Find("#f-target_groups .field-error").Text(), "no-such-term") {
			t.Errorf("bad values: %d; age %q anonymous %q terms %q", res.StatusCode, errorText(doc, "f-age_min"),
				errorText(doc, "f-anonymous"), doc.Find("#f-target_groups .field-error").Text())
		}
		// API: unknown fields, malformed JSON, wrong types, trailing data,
		// not JSON, too large.
		for name, tc := range map[string]struct {
			body, ctype string
			status      int
		}{
			"unknown field": {`{"id":"api-x","name":{"fi":"x"},"admin":true}`, "application/json", 400},
			"malformed":     {`{"id":"api-x",`, "application/json", 400},
			"wrong type":    {`{"id":42}`, "application/json", 400},
			"trailing":      {`{"id":"api-x"} {"id":"api-y"}`, "application/json", 400},
			"empty":         {``, "application/json", 400},
			"not JSON":      {`id=api-x`, "application/x-www-form-urlencoded", 400},
			"too large":     {`{"id":"` + strings.Repeat("x", 2<<20) + `"}`, "application/json", 413},
		} {
			res, body := ed.do(t, http.MethodPost, "/api/v1/services", strings.NewReader(tc.body), http.Header{"Content-Type": {tc.ctype}})
			if res.StatusCode != tc.status || !strings.Contains(string(body), `"error"`) {
				t.Errorf("%s: %d %.200s", name, res.StatusCode, body)
			}
		}
		if s.auditCount(t) != before {
			t.Errorf("bad input wrote")
		}
	})
	t.Run("HTML, script and SQL in every text field", func(t *testing.T) {
		for _, probe := range []string{
			`<script>alert(1)</script>"'&<b>x</b><img src=x onerror=alert(2)>`,
			`'; DROP TABLE services; -- " OR 1=1 -- \' %_ $1 ?`,
		} {
			action, v := ed.editForm(t, "/services/"+svcA+"/edit")
			var textFields []string
			for k := range v {
				if strings.HasSuffix(k, ".fi") || strings.HasSuffix(k, ".sv") || strings.HasSuffix(k, ".en") {
					if strings.Contains(k, "[") && !strings.HasPrefix(k, "phones[0]") && !strings.HasPrefix(k, "hours_exceptions[0]") && !strings.HasPrefix(k, "reporting[0]") {
						continue // other empty rows stay empty
					}
					v.Set(k, probe+" "+k)
					textFields = append(textFields, k)
				}
			}
			// Rows need their required parts.
			v.Set("phones[0].number", "+358 40 111 1111")
			v.Set("hours_exceptions[0].date", "2026-12-24")
			v.Set("hours_exceptions[0].closed", "1")
			v.Set("reporting[0].duty", "child-welfare-notification")
			res, body := ed.post(t, action, v)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("save: %d\n%s", res.StatusCode, parse(t, body).Find(".error-summary").Text())
			}
			got := s.service(t, svcA)
			if got.Name.FI != probe+" name.fi" || got.Description.EN != probe+" description.en" ||
				got.Phones[0].Description.SV != probe+" phones[0].description.sv" || got.HoursExceptions[0].Note.FI != probe+" hours_exceptions[0].note.fi" ||
				got.Reporting[0].To.EN != probe+" reporting[0].to.en" {
				t.Errorf("not stored verbatim: name %q", got.Name.FI)
			}
			if len(textFields) < 30 {
				t.Errorf("only %d text fields were probed", len(textFields))
			}
			for _, lang := range []string{"", "?lang=sv", "?lang=en"} {
				res, body := s.anon().get(t, "/services/"+svcA+lang)
				doc := parse(t, body)
				if res.StatusCode != 200 || doc.Find("main script, main img, main b").Length() > 0 {
					t.Errorf("the probe became markup on the page")
				}
				doc.Find("*").Each(func(_ int, x *goquery.Selection) {
					for _, a := range x.Nodes[0].Attr {
						if strings.HasPrefix(a.Key, "on") {
							t.Errorf("event handler attribute %s", a.Key)
						}
					}
				})
				if !strings.Contains(doc.Find("h1").Text(), probe) {
					t.Errorf("the probe is not shown as text: %q", doc.Find("h1").Text())
				}
			}
			// The edit form, history and dashboard show it escaped too.
			for _, p := range []string{"/services/" + svcA + "/edit", "/services/" + svcA + "/history", "/dashboard"} {
				doc := ed.page(t, p, 200)
				if doc.Find("main script, main img, main b").Length() > 0 {
					t.Errorf("%s: the probe became markup", p)
				}
			}
		}
		// A contact's plain fields and the report message.
		c := s.contact(t, contactA)
		probe := `<script>alert(3)</script> O'Brien"; DELETE FROM contacts; --`
		res, _ := ed.post(t, "/contacts/"+contactA+"/edit", url.Values{"version": {strconv.Itoa(c.Version)}, "name": {probe},
			"role": {"deputy"}, "network": {netA}, "source": {probe}, "title.fi": {probe}, "organization.sv": {probe}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("contact save: %d", res.StatusCode)
		}
		if got := s.contact(t, contactA); got.Name != probe || got.Source != probe || got.Title.FI != probe {
			t.Errorf("contact not stored verbatim: %q", got.Name)
		}
		doc := s.anon().page(t, "/contacts/"+contactA, 200)
		if doc.Find("main script").Length() > 0 || doc.Find("h1").Text() != probe {
			t.Errorf("contact page: h1 %q", doc.Find("h1").Text())
		}
		n, err := s.store.ContactIDs(context.Background())
		if err != nil || len(n) < 5 {
			t.Errorf("contacts table damaged: %v %d", err, len(n))
		}
	})
	t.Run("expired session", func(t *testing.T) {
		c := s.as(t, "editorB")
		if res, _ := c.get(t, "/dashboard"); res.StatusCode != 200 {
			t.Fatalf("dashboard: %d", res.StatusCode)
		}
		s.clock.Add(31 * time.Minute) // idle timeout
		defer s.clock.Add(-31 * time.Minute)
		res, _ := c.get(t, "/dashboard")
		if res.StatusCode != http.StatusSeeOther || c.cookie != nil {
			t.Errorf("expired session: %d, cookie kept %v", res.StatusCode, c.cookie != nil)
		}
		svc := s.service(t, svcB)
		c.cookie = &http.Cookie{Name: auth.CookieName(false), Value: "expired-" + strconv.Itoa(svc.Version)}
		if res, _ := c.post(t, "/services/"+svcB+"/verify", url.Values{"version": {strconv.Itoa(svc.Version)}}); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("verify with an ended session: %d", res.StatusCode)
		}
	})
	s.noAddresses(t)
}
