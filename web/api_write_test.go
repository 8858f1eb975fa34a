package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
)

func TestAPIWrites(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	ed := s.as(t, "editorA")
	svc := testService("api-uusi", netA)
	svc.Phones = []services.Phone{{Number: "+358 40 555 0000"}}

	res, body := ed.sendJSON(t, http.MethodPost, "/api/v1/services", svc, nil)
	if res.StatusCode != http.StatusCreated || res.Header.Get("Location") != "/api/v1/services/api-uusi" || res.Header.Get("ETag") != `"1"` {
		t.Fatalf("create: %d, Location %q, ETag %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Header.Get("ETag"), body)
	}
	var created services.Service
	if err := json.Unmarshal(body, &created); err != nil || created.Version != 1 || created.Name.FI != svc.Name.FI {
		t.Fatalf("created %+v, %v", created, err)
	}
	if res, _ := ed.sendJSON(t, http.MethodPost, "/api/v1/services", svc, nil); res.StatusCode != http.StatusConflict {
		t.Errorf("creating the id again: %d, want 409", res.StatusCode)
	}
	// Invalid fields answer 400 with the fields named.
	bad := testService("api-huono", netA)
	bad.Email = "nope"
	bad.Name = l10n.Text{}
	res, body = ed.sendJSON(t, http.MethodPost, "/api/v1/services", bad, nil)
	var e struct {
		Error struct {
			Code   string                   `json:"code"`
			Fields []struct{ Field string } `json:"fields"`
		} `json:"error"`
	}
	json.Unmarshal(body, &e)
	if res.StatusCode != 400 || e.Error.Code != "invalid" || len(e.Error.Fields) != 2 {
		t.Errorf("invalid: %d %s", res.StatusCode, body)
	}

	res, _ = ed.get(t, "/api/v1/services/api-uusi")
	etag := res.Header.Get("ETag")
	created.Description.FI = "Päivitetty rajapinnan kautta"
	res, body = ed.sendJSON(t, http.MethodPut, "/api/v1/services/api-uusi", created, http.Header{"If-Match": {etag}})
	if res.StatusCode != http.StatusOK || res.Header.Get("ETag") != `"2"` {
		t.Fatalf("update: %d %s", res.StatusCode, body)
	}
	// The body's id must be the path's.
	created.ID = "joku-muu"
	if res, _ := ed.sendJSON(t, http.MethodPut, "/api/v1/services/api-uusi", created, ifMatch(2)); res.StatusCode != http.StatusBadRequest {
		t.Errorf("id mismatch: %d", res.StatusCode)
	}
	if res, _ := ed.sendJSON(t, http.MethodPut, "/api/v1/services/ei-ole", created, ifMatch(1)); res.StatusCode != http.StatusBadRequest {
		t.Errorf("id mismatch on an unknown id: %d", res.StatusCode)
	}
	created.ID = "ei-ole"
	if res, _ := ed.sendJSON(t, http.MethodPut, "/api/v1/services/ei-ole", created, ifMatch(1)); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown id: %d", res.StatusCode)
	}
	// DELETE archives: gone from lists, still readable, restorable.
	if res, _ := ed.do(t, http.MethodDelete, "/api/v1/services/api-uusi", nil, ifMatch(1)); res.StatusCode != http.StatusConflict {
		t.Errorf("stale delete: %d", res.StatusCode)
	}
	if res, _ := ed.do(t, http.MethodDelete, "/api/v1/services/api-uusi", nil, nil); res.StatusCode != http.StatusNoContent {
		t.Errorf("delete: %d", res.StatusCode)
	}
	if res, _ := ed.do(t, http.MethodDelete, "/api/v1/services/api-uusi", nil, nil); res.StatusCode != http.StatusNoContent {
		t.Errorf("delete again: %d", res.StatusCode)
	}
	if got := s.service(t, "api-uusi"); got.Status != services.StatusArchived {
		t.Errorf("status %q after DELETE", got.Status)
	}
	_, body = s.anon().get(t, "/api/v1/services?network="+netA+"&limit=100")
	if strings.Contains(string(body), `"api-uusi"`) {
		t.Errorf("an archived service is listed")
	}
	// Contacts: create, update, verify, archive.
	c := services.Contact{ID: "api-henkilo", Name: "Rajapinta Henkilö", Role: "deputy", NetworkSlug: netA,
		Email: "hidden@example.org", Visibility: services.Visibility{"email": services.Admins}}
	res, body = ed.sendJSON(t, http.MethodPost, "/api/v1/contacts", c, nil)
	if res.StatusCode != http.StatusCreated || strings.Contains(string(body), "hidden@example.org") {
		t.Errorf("create contact: %d %s (an editor's answer must not show an admins-only field)", res.StatusCode, body)
	}
	c.Name = "Rajapinta Henkilö Muokattu"
	c.Version = 1
	if res, body := ed.sendJSON(t, http.MethodPut, "/api/v1/contacts/api-henkilo", c, nil); res.StatusCode != http.StatusOK {
		t.Errorf("update contact by version field: %d %s", res.StatusCode, body)
	}
	// Verify through the API needs the version.
	if res, _ := ed.do(t, http.MethodPost, "/api/v1/contacts/api-henkilo/verify", nil, nil); res.StatusCode != http.StatusPreconditionRequired {
		t.Errorf("verify without If-Match: %d", res.StatusCode)
	}
	if res, _ := ed.do(t, http.MethodPost, "/api/v1/contacts/api-henkilo/verify", nil, ifMatch(2)); res.StatusCode != http.StatusOK {
		t.Errorf("verify: %d", res.StatusCode)
	}
	if res, _ := ed.do(t, http.MethodDelete, "/api/v1/contacts/api-henkilo", nil, ifMatch(2)); res.StatusCode != http.StatusConflict {
		t.Errorf("delete contact at a stale version: %d", res.StatusCode)
	}
	if res, _ := ed.do(t, http.MethodDelete, "/api/v1/contacts/api-henkilo", nil, ifMatch(3)); res.StatusCode != http.StatusNoContent {
		t.Errorf("delete contact: %d", res.StatusCode)
	}
	if _, body := ed.do(t, http.MethodGet, "/api/v1/contacts?limit=100", nil, nil); strings.Contains(string(body), `"api-henkilo"`) {
		t.Errorf("an archived contact is listed")
	}
	s.noAddresses(t)
}

func TestContactForms(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	ed, ed2 := s.as(t, "editorA"), s.as(t, "editorA2")
	// New contact through the form: the editor's network is preselected.
	doc := ed.page(t, "/contacts/new", 200)
	action, v := formValues(doc, "form.edit")
	if v.Get("network") != netA {
		t.Errorf("new contact network preset %q", v.Get("network"))
	}
	v.Set("id", "lomake-henkilo")
	v.Set("name", "Lomake Henkilö")
	v.Set("email", "lomake@example.org")
	v.Set("phone", "+358 40 222 3333")
	v.Set("visibility.phone", services.Members)
	v.Set("title.sv", "Kontaktperson")
	v.Set("languages", "fi, sv")
	res, body := ed.post(t, action, v)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.StatusCode, parse(t, body).Find(".error-summary").Text())
	}
	got := s.contact(t, "lomake-henkilo")
	if got.Visibility["phone"] != services.Members || got.Visibility["email"] != "" || got.Title.SV != "Kontaktperson" || len(got.Languages) != 2 {
		t.Errorf("stored %+v", got)
	}
	// The same id again is an error on the id field.
	res, body = ed.post(t, action, v)
	if res.StatusCode != http.StatusBadRequest || errorText(parse(t, body), "f-id") != "tunniste on jo käytössä" {
		t.Errorf("taken id: %d %q", res.StatusCode, errorText(parse(t, body), "f-id"))
	}
	// Two editors edit it; the second gets the merge view, keeps both.
	action, v1 := ed.editForm(t, "/contacts/lomake-henkilo/edit")
	_, v2 := ed2.editForm(t, "/contacts/lomake-henkilo/edit")
	if v1.Get("visibility.phone") != services.Members || v1.Get("phone") != "+358 40 222 3333" {
		t.Errorf("edit form: %v", v1)
	}
	v1.Set("source", "Verkoston sivu")
	v2.Set("title.fi", "Yhteyshenkilö")
	if res, _ := ed.post(t, action, v1); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first: %d", res.StatusCode)
	}
	res, body = ed2.post(t, action, v2)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("second: %d", res.StatusCode)
	}
	doc = parse(t, body)
	if !strings.Contains(doc.Find("section.merge").Text(), "Verkoston sivu") {
		t.Errorf("the merge view does not show what the other changed")
	}
	action, merged := formValues(doc, "form.edit")
	if res, _ := ed2.post(t, action, merged); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("merged save: %d", res.StatusCode)
	}
	if got := s.contact(t, "lomake-henkilo"); got.Source != "Verkoston sivu" || got.Title.FI != "Yhteyshenkilö" {
		t.Errorf("lost a change: %+v", got)
	}
	// The history of a contact.
	doc = ed.page(t, "/contacts/lomake-henkilo/history", 200)
	if n := doc.Find("ol.history li.entry").Length(); n != 3 {
		t.Errorf("%d history entries, want 3", n)
	}
	if !strings.Contains(doc.Find("ol.history li.entry").First().Text(), "Erkki Toinen") {
		t.Errorf("the newest entry does not name its editor")
	}
}

// newServiceByForm creates a service through the new-service form.
func TestNewServiceByForm(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	ed := s.as(t, "editorA")
	doc := ed.page(t, "/services/new", 200)
	action, v := formValues(doc, "form.edit")
	if v.Get("area.networks") != netA || v.Get("status") != services.StatusActive {
		t.Errorf("presets: networks %q status %q", v.Get("area.networks"), v.Get("status"))
	}
	v.Set("id", "lomakepalvelu")
	v.Set("name.fi", "Lomakepalvelu")
	v.Add("target_groups", "victim")
	v.Add("service_types", "counselling")
	v.Set("area.municipalities", "Tampere, Nokia")
	v.Set("phones[0].number", "+358 3 000 0000")
	v.Set("hours[0].opens", "08:00")
	v.Set("hours[0].closes", "16:00")
	v.Add("hours[0].days", "mon")
	v.Add("hours[0].days", "fri")
	v.Set("anonymous", "yes")
	v.Set("age_min", "15")
	v.Set("verified_at", "2026-11-01")
	res, body := ed.post(t, action, v)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/services/lomakepalvelu" {
		t.Fatalf("create: %d\n%s", res.StatusCode, parse(t, body).Find(".error-summary").Text())
	}
	got := s.service(t, "lomakepalvelu")
	if len(got.Area.Municipalities) != 2 || got.Area.Municipalities[0] != "837" || got.Anonymous == nil || !*got.Anonymous ||
		got.AgeMin == nil || *got.AgeMin != 15 || len(got.Hours) != 1 || len(got.Hours[0].Days) != 2 || got.ReviewBy == nil {
		t.Errorf("stored %+v", got)
	}
	// The edit form shows municipalities by name and every value back.
	_, v = ed.editForm(t, "/services/lomakepalvelu/edit")
	if v.Get("area.municipalities") != "Tampere, Nokia" || v.Get("age_min") != "15" || v.Get("anonymous") != "yes" ||
		v.Get("verified_at") != "2026-11-01" || v.Get("review_by") == "" || v.Get("phones[0].number") != "+358 3 000 0000" {
		t.Errorf("edit form values %v", v)
	}
	// Saving the form unchanged changes nothing but the version.
	before := got
	action, v = ed.editForm(t, "/services/lomakepalvelu/edit")
	if res, _ := ed.post(t, action, v); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("resave: %d", res.StatusCode)
	}
	after := s.service(t, "lomakepalvelu")
	hist, _ := s.db.History(t.Context(), services.EntityService, "lomakepalvelu")
	doc = ed.page(t, "/services/lomakepalvelu/history", 200)
	if after.Version != before.Version+1 || len(hist) != 2 || doc.Find("ol.history li.entry").First().Find("table.diff").Length() != 0 {
		t.Errorf("an unchanged save changed fields: %s", doc.Find("ol.history li.entry").First().Text())
	}
}

// keyLike finds catalogue keys shown instead of their text.
var keyLike = regexp.MustCompile(`\b(f|edit|dashboard|users?|login|sessions?|password|totp|history|merge|tools|report|account|nav|err|error|form)\.[a-z_]+(\.[a-z_]+)*\b`)

func TestEditingPagesStructure(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	admin, ed := s.as(t, "admin"), s.as(t, "editorA")
	member := s.as(t, "member")
	pages := []struct {
		c    *client
		path string
	}{
		{s.anon(), "/login"}, {member, "/account/sessions"}, {member, "/account/password"}, {member, "/account/totp"},
		{admin, "/admin/users"}, {admin, "/admin/users/new"}, {ed, "/dashboard"}, {admin, "/dashboard"},
		{ed, "/services/new"}, {ed, "/services/" + svcA + "/edit"}, {ed, "/contacts/new"}, {ed, "/contacts/" + contactA + "/edit"},
		{ed, "/services/" + svcA + "/history"}, {ed, "/contacts/" + contactA + "/history"}, {s.anon(), "/services/" + svcA + "/report"},
		{ed, "/services/" + svcA}, {ed, "/contacts/" + contactA}, {admin, "/services/" + svcB},
	}
	for _, lang := range []string{"", "sv", "en"} {
		for _, p := range pages {
			path := p.path
			if lang != "" {
				path += "?lang=" + lang
			}
			t.Run(path, func(t *testing.T) {
				doc := p.c.page(t, path, 200)
				if n := doc.Find("main h1").Length(); n != 1 {
					t.Errorf("%d h1", n)
				}
				doc.Find("select, textarea, input").Each(func(_ int, x *goquery.Selection) {
					if typ, _ := x.Attr("type"); typ == "hidden" {
						return
					}
					id, _ := x.Attr("id")
					if n := doc.Find(`label[for="` + id + `"]`).Length(); id == "" || n != 1 {
						name, _ := x.Attr("name")
						t.Errorf("%s name=%q id=%q has %d labels", goquery.NodeName(x), name, id, n)
					}
				})
				checkIDs(t, doc)
				doc.Find("[aria-describedby]").Each(func(_ int, x *goquery.Selection) {
					for _, id := range strings.Fields(x.AttrOr("aria-describedby", "")) {
						if doc.Find("#"+id).Length() != 1 {
							t.Errorf("aria-describedby names missing #%s", id)
						}
					}
				})
				text := doc.Find("body").Text()
				if m := keyLike.FindString(text); m != "" {
					t.Errorf("the page shows a catalogue key: %q", m)
				}
				if strings.Contains(text, "%!") {
					t.Errorf("formatting artefact")
				}
				doc.Find("form").Each(func(_ int, f *goquery.Selection) {
					if m, _ := f.Attr("method"); m == "post" {
						a, _ := f.Attr("action")
						if u, err := url.Parse(a); err != nil || u.Host != "" || !strings.HasPrefix(a, "/") {
							t.Errorf("form posts to %q", a)
						}
					}
				})
			})
		}
	}
}

func TestMemberTurnsTOTPOnAndOff(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	m := s.as(t, "member")
	doc := m.page(t, "/account/totp", 200)
	secret := strings.ReplaceAll(doc.Find("code.secret").Text(), " ", "")
	code := totpCode(t, secret, s.clock.Now())
	if res, _ := m.post(t, "/account/totp", url.Values{"code": {code}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("turn on: %d", res.StatusCode)
	}
	if !strings.Contains(m.page(t, "/account/totp", 200).Find("main").Text(), "on käytössä") {
		t.Errorf("the page does not say it is on")
	}
	// Login now asks for the code.
	res, _ := s.anon().post(t, "/login", url.Values{"email": {s.emails["member"]}, "password": {testPassword}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("login without code: %d", res.StatusCode)
	}
	s.clock.Add(30e9)
	code = totpCode(t, secret, s.clock.Now())
	res, body := m.post(t, "/account/totp/disable", url.Values{"code": {"111111"}})
	if res.StatusCode != http.StatusBadRequest || errorText(parse(t, body), "f-code") == "" {
		t.Errorf("turn off with a wrong code: %d", res.StatusCode)
	}
	if res, _ := m.post(t, "/account/totp/disable", url.Values{"code": {code}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("turn off: %d", res.StatusCode)
	}
	if u, _ := s.users.ByID(t.Context(), s.people["member"].ID); u.TOTPEnabled {
		t.Errorf("still on")
	}
}
