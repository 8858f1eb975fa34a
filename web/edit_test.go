package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
)

// Two editors load the same listing and both save. Exactly one save wins;
// the other gets the merge view (page) or 409 (API), and nothing is lost:
// the loser's change is kept in the merge form, and saving that keeps the
// winner's change too.
func TestConcurrentEditsLoseNothing(t *testing.T) {
	t.Parallel()
	seedtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, siteOptions{})
		one, two := s.as(t, "editorA"), s.as(t, "editorA2")

		t.Run("page", func(t *testing.T) {
			action, v1 := one.editForm(t, "/services/"+svcA+"/edit")
			_, v2 := two.editForm(t, "/services/"+svcA+"/edit")
			if v1.Get("version") != v2.Get("version") || v1.Get("version") == "" {
				t.Fatalf("forms carry versions %q and %q", v1.Get("version"), v2.Get("version"))
			}
			v1.Set("description.fi", "Ensimmäisen muokkaajan kuvaus")
			v2.Set("cost.fi", "Maksuton")
			v2.Set("description.sv", "Andra redaktörens beskrivning")

			var wg sync.WaitGroup
			statuses := make([]int, 2)
			bodies := make([][]byte, 2)
			for i, c := range []*client{one, two} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, body := c.post(t, action, []url.Values{v1, v2}[i])
					statuses[i], bodies[i] = res.StatusCode, body
				}()
			}
			wg.Wait()
			winner, loser := 0, 1
			if statuses[1] == http.StatusSeeOther {
				winner, loser = 1, 0
			}
			if statuses[winner] != http.StatusSeeOther || statuses[loser] != http.StatusConflict {
				t.Fatalf("statuses %v: want one 303 and one 409", statuses)
			}
			doc := parse(t, bodies[loser])
			if doc.Find("section.merge").Length() != 1 {
				t.Fatalf("the losing save got no merge view:\n%s", doc.Find("main").Text())
			}
			// The loser saves the merged form: both changes survive.
			action2, merged := formValues(doc, "form.edit")
			if merged.Get("version") == []url.Values{v1, v2}[loser].Get("version") {
				t.Errorf("the merge form still names the stale version")
			}
			res, body := []*client{one, two}[loser].post(t, action2, merged)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("saving the merge: %d\n%s", res.StatusCode, parse(t, body).Find("main").Text())
			}
			got := s.service(t, svcA)
			if got.Description.FI != "Ensimmäisen muokkaajan kuvaus" || got.Cost.FI != "Maksuton" || got.Description.SV != "Andra redaktörens beskrivning" {
				t.Errorf("a change was lost: description %+v, cost %+v", got.Description, got.Cost)
			}
		})

		t.Run("page, same field", func(t *testing.T) {
			action, v1 := one.editForm(t, "/services/"+svcA+"/edit")
			_, v2 := two.editForm(t, "/services/"+svcA+"/edit")
			v1.Set("name.fi", "Nimi yksi")
			v2.Set("name.fi", "Nimi kaksi")
			if res, _ := one.post(t, action, v1); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("first save: %d", res.StatusCode)
			}
			res, body := two.post(t, action, v2)
			if res.StatusCode != http.StatusConflict {
				t.Fatalf("second save: %d, want 409", res.StatusCode)
			}
			doc := parse(t, body)
			row := doc.Find("section.merge table.diff tbody tr")
			if row.Length() != 1 || !strings.Contains(row.Text(), "Nimi yksi") || !strings.Contains(row.Text(), "Nimi kaksi") {
				t.Errorf("the merge view does not show stored and submitted names: %q", row.Text())
			}
			// The stored listing is the first editor's, untouched.
			if got := s.service(t, svcA).Name.FI; got != "Nimi yksi" {
				t.Errorf("stored name %q", got)
			}
		})

		t.Run("api", func(t *testing.T) {
			var svc services.Service
			res, body := one.get(t, "/api/v1/services/"+svcA)
			if err := json.Unmarshal(body, &svc); err != nil {
				t.Fatal(err)
			}
			etag := res.Header.Get("ETag")
			a, b := svc, svc
			a.Alert.FI = "Muutos A"
			b.HoursNote.FI = "Muutos B"
			var wg sync.WaitGroup
			statuses := make([]int, 2)
			for i, c := range []*client{one, two} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, _ := c.sendJSON(t, http.MethodPut, "/api/v1/services/"+svcA, []services.Service{a, b}[i], http.Header{"If-Match": {etag}})
					statuses[i] = res.StatusCode
				}()
			}
			wg.Wait()
			if !(statuses[0] == 200 && statuses[1] == 409 || statuses[0] == 409 && statuses[1] == 200) {
				t.Fatalf("statuses %v: want one 200 and one 409", statuses)
			}
			got := s.service(t, svcA)
			if (got.Alert.FI == "Muutos A") == (got.HoursNote.FI == "Muutos B") {
				t.Errorf("stored alert %q, hours note %q: want exactly the winner's change", got.Alert.FI, got.HoursNote.FI)
			}
			if got.Version != svc.Version+1 {
				t.Errorf("version %d, want %d", got.Version, svc.Version+1)
			}
		})
	})
}

// An edit by an editor is in search when the editor comes back from the
// save: the write waits for the index (up to a second) before it
// redirects. Not parallel: it runs alone, so that no other test's load
// decides whether the index keeps that second.
func TestEditShowsInSearchAtOnce(t *testing.T) {
	s := newSite(t, seedtest.SQLite(t), siteOptions{search: true})
	ed := s.as(t, "editorA")
	const word = "kvanttilukkoterapia"
	search := func() []string {
		_, body := s.anon().get(t, "/api/v1/search?q="+word)
		var res struct {
			Hits []struct{ ID string } `json:"hits"`
		}
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		return ids
	}
	if ids := search(); len(ids) != 0 {
		t.Fatalf("found %v before the edit", ids)
	}
	action, v := ed.editForm(t, "/services/"+svcA+"/edit")
	v.Set("description.fi", "Uusi menetelmä: "+word+".")
	if res, _ := ed.post(t, action, v); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	if ids := search(); len(ids) != 1 || ids[0] != svcA {
		t.Errorf("search right after the save finds %v, want [%s]", ids, svcA)
	}
	// The same through the API, and for a new contact person.
	c := &services.Contact{ID: "uusi-henkilo", Name: "Kvanttilukko Kaisa", Role: "deputy", NetworkSlug: netA}
	if res, body := ed.sendJSON(t, http.MethodPost, "/api/v1/contacts", c, nil); res.StatusCode != http.StatusCreated {
		t.Fatalf("create contact: %d %s", res.StatusCode, body)
	}
	_, body := s.anon().get(t, "/api/v1/search?q=kvanttilukko+kaisa&type=contact")
	if !strings.Contains(string(body), `"uusi-henkilo"`) {
		t.Errorf("the new contact is not in search: %s", body)
	}
}

func TestFormValidationInEveryLanguage(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	ed := s.as(t, "editorA")
	before := s.service(t, svcA)
	want := map[string]map[string]string{
		"fi": {"f-name-fi": "pakollinen tieto puuttuu", "f-email": "ei ole kelvollinen sähköpostiosoite",
			"f-age_min": "pitää olla kokonaisluku", "f-phones-0-number": "ei ole kelvollinen puhelinnumero",
			"f-hours-0-closes": "pitää olla avautumisajan jälkeen", "f-service_types": "valitse vähintään yksi",
			"f-url": "pitää olla verkko-osoite, joka alkaa https://", "f-verified_at": "pitää olla päivämäärä muodossa 2026-12-24"},
		"sv": {"f-name-fi": "obligatorisk uppgift saknas", "f-email": "är inte en giltig e-postadress",
			"f-age_min": "måste vara ett heltal", "f-phones-0-number": "är inte ett giltigt telefonnummer",
			"f-hours-0-closes": "måste vara efter öppningstiden", "f-service_types": "välj minst ett alternativ",
			"f-url": "måste vara en webbadress som börjar med https://", "f-verified_at": "måste vara ett datum som 2026-12-24"},
		"en": {"f-name-fi": "is required", "f-email": "is not a valid e-mail address",
			"f-age_min": "must be a whole number", "f-phones-0-number": "is not a valid phone number",
			"f-hours-0-closes": "must be after the opening time", "f-service_types": "choose at least one",
			"f-url": "must be a web address starting with https://", "f-verified_at": "must be a date like 2026-12-24"},
	}
	for lang, fields := range want {
		t.Run(lang, func(t *testing.T) {
			action, v := ed.editForm(t, "/services/"+svcA+"/edit?lang="+lang)
			if !strings.Contains(action, "lang="+lang) && lang != "fi" {
				t.Errorf("form action %q loses the language", action)
			}
			v.Set("name.fi", "")
			v.Set("name.sv", "Bara på svenska")
			v.Set("email", "not an address")
			v.Set("age_min", "kaksitoista")
			v.Del("service_types")
			v.Set("url", "javascript:alert(1)")
			v.Set("verified_at", "eilen")
			// A filled row after an empty one: the row is renumbered.
			v.Set("phones[1].number", "soita minulle")
			v.Set("phones[1].description.fi", "Päivystys")
			v.Set("hours[0].days", "mon")
			v.Set("hours[0].opens", "16:00")
			v.Set("hours[0].closes", "08:00")
			res, body := ed.post(t, action, v)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", res.StatusCode)
			}
			doc := parse(t, body)
			for id, msg := range fields {
				if got := errorText(doc, id); got != msg {
					t.Errorf("#%s: error %q, want %q", id, got, msg)
				}
				if inv, _ := doc.Find("#" + id).Attr("aria-invalid"); inv != "true" && !doc.Find("#"+id).Is("fieldset") {
					t.Errorf("#%s is not marked aria-invalid", id)
				}
			}
			if n := doc.Find(".error-summary li a").Length(); n < len(fields) {
				t.Errorf("the summary lists %d errors, want at least %d", n, len(fields))
			}
			// Values are kept as typed.
			for id, val := range map[string]string{"f-name-sv": "Bara på svenska", "f-email": "not an address",
				"f-age_min": "kaksitoista", "f-phones-0-number": "soita minulle", "f-phones-0-description-fi": "Päivystys",
				"f-verified_at": "eilen", "f-url": "javascript:alert(1)", "f-hours-0-opens": "16:00"} {
				if got, _ := doc.Find("#" + id).Attr("value"); got != val {
					t.Errorf("#%s value %q, want %q", id, got, val)
				}
			}
			if _, ok := doc.Find("#f-hours-0-days-mon").Attr("checked"); !ok {
				t.Errorf("the checked day was lost")
			}
			if strings.Contains(string(body), "%!") {
				t.Errorf("a message has a formatting artefact")
			}
		})
	}
	if after := s.service(t, svcA); after.Version != before.Version {
		t.Errorf("an invalid form was saved (version %d -> %d)", before.Version, after.Version)
	}
}

func TestHistoryDiffAndRestore(t *testing.T) {
	t.Parallel()
	seedtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, siteOptions{})
		ed, admin := s.as(t, "editorA"), s.as(t, "admin")
		action, v := ed.editForm(t, "/services/"+svcA+"/edit")
		v.Set("description.fi", "Toinen kuvaus")
		v.Add("delivery_modes", "phone")
		if res, _ := ed.post(t, action, v); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d", res.StatusCode)
		}
		doc := ed.page(t, "/services/"+svcA+"/history", http.StatusOK)
		first := doc.Find("ol.history li.entry").First()
		if h := first.Find("h2").Text(); !strings.Contains(h, "Eeva Editori") || !strings.Contains(h, "muokattu") {
			t.Errorf("newest entry heading %q: want the editor's name and the action", h)
		}
		rows := map[string][2]string{}
		first.Find("table.diff tbody tr").Each(func(_ int, tr *goquery.Selection) {
			rows[strings.TrimSpace(tr.Find("th").Text())] = [2]string{tr.Find("td.before").Text(), tr.Find("td.after").Text()}
		})
		if got := rows["Kuvaus"]; got != [2]string{"FI: Alkuperäinen kuvaus.", "FI: Toinen kuvaus"} {
			t.Errorf("description diff %q (rows %v)", got, rows)
		}
		if got := rows["Asiointitavat"]; got[1] == "" || got[1] == "—" {
			t.Errorf("delivery modes diff %q", got)
		}
		if len(rows) != 2 {
			t.Errorf("diff lists %d fields, want 2: %v", len(rows), rows)
		}
		if doc.Find(`form[action*="/history/"]`).Length() != 0 {
			t.Errorf("an editor is offered restore buttons")
		}
		// The admin restores the version before the edit.
		doc = admin.page(t, "/services/"+svcA+"/history", http.StatusOK)
		restore := doc.Find(`ol.history li.entry form[action*="/history/"]`).First()
		raction, _ := restore.Attr("action")
		version, _ := restore.Find(`input[name="version"]`).Attr("value")
		res, _ := admin.post(t, raction, url.Values{"version": {version}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("restore: %d", res.StatusCode)
		}
		got := s.service(t, svcA)
		if got.Description.FI != "Alkuperäinen kuvaus." || len(got.DeliveryModes) != 0 {
			t.Errorf("after restore: description %q, delivery modes %v", got.Description.FI, got.DeliveryModes)
		}
		hist, err := s.db.History(t.Context(), services.EntityService, svcA)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 3 || hist[0].Actor != s.people["admin"].ID {
			t.Errorf("history has %d entries, newest by %q: restoring must be a recorded change", len(hist), hist[0].Actor)
		}
		// Restoring with a stale version is a conflict, and an editor may
		// not restore at all.
		if res, _ := admin.post(t, raction, url.Values{"version": {version}}); res.StatusCode != http.StatusConflict {
			t.Errorf("stale restore: %d, want 409", res.StatusCode)
		}
		if res, _ := ed.post(t, raction, url.Values{"version": {strconv.Itoa(got.Version)}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("editor restore: %d, want 403", res.StatusCode)
		}
		// An audit entry of another listing is not found through this one.
		other, _ := s.db.History(t.Context(), services.EntityService, svcB)
		path := fmt.Sprintf("/services/%s/history/%d/restore", svcA, other[0].ID)
		if res, _ := admin.post(t, path, url.Values{"version": {strconv.Itoa(got.Version)}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("restoring another listing's entry: %d, want 404", res.StatusCode)
		}
		// The audit log refuses changes at the database.
		if _, err := s.db.ExecContext(t.Context(), `UPDATE audit_log SET actor = 'x'`); err == nil {
			t.Errorf("the audit log accepted an UPDATE")
		}
		if _, err := s.db.ExecContext(t.Context(), `DELETE FROM audit_log`); err == nil {
			t.Errorf("the audit log accepted a DELETE")
		}
	})
}

func TestVerifyStillCorrect(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	ed := s.as(t, "editorA")
	doc := ed.page(t, "/services/"+svcA, http.StatusOK)
	form := doc.Find(`section.tools form[action$="/verify"]`)
	if form.Length() != 1 {
		t.Fatalf("no verify button on the listing page for its editor")
	}
	action, v := formValues(doc, `section.tools form[action$="/verify"]`)
	if res, _ := ed.post(t, action, v); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("verify: %d", res.StatusCode)
	}
	got := s.service(t, svcA)
	now := s.clock.Now()
	if got.VerifiedAt == nil || now.Sub(*got.VerifiedAt) > time.Minute || got.ReviewBy == nil ||
		got.ReviewBy.Sub(*got.VerifiedAt) != services.ReviewInterval {
		t.Errorf("verified_at %v, review_by %v", got.VerifiedAt, got.ReviewBy)
	}
	doc = s.anon().page(t, "/services/"+svcA, http.StatusOK)
	if doc.Find("p.fresh.verified").Length() != 1 {
		t.Errorf("the page does not show the listing as verified")
	}
	// The same click again names a stale version.
	if res, _ := ed.post(t, action, v); res.StatusCode != http.StatusConflict {
		t.Errorf("stale verify: %d, want 409", res.StatusCode)
	}
	// Contacts too.
	c := s.contact(t, contactA)
	if res, _ := ed.post(t, "/contacts/"+contactA+"/verify", url.Values{"version": {strconv.Itoa(c.Version)}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("verify contact: %d", res.StatusCode)
	}
	if s.contact(t, contactA).VerifiedAt == nil {
		t.Errorf("contact not verified")
	}
	// Anonymous visitors see no editing tools.
	if doc.Find("section.tools").Length() != 0 {
		t.Errorf("anonymous visitors see the editing tools")
	}
}
