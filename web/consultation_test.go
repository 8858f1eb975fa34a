package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/seedtest"
)

// Every place has someone to ask: a municipality outside every network
// names its county's consultation network and its contact person, says
// it is outside the network's own area, and an admin can change the
// choice (a stale form is a conflict, an unknown network is named).
func TestConsultationNetworks(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{pathways: true})
	anon := s.anon()
	const vaasa = "/pathways/huolissaan-omista-ajatuksista?municipality=905"

	doc := anon.page(t, vaasa, http.StatusOK)
	panel := doc.Find(".pw-consult")
	if got := panel.Find(".pw-consult-outside").Text(); !strings.Contains(got, "Vaasa") || !strings.Contains(got, "Turku") {
		t.Errorf("Vaasa names %q, want it outside and the Turku network", got)
	}
	if panel.Find(".contact, .contactline, p").Length() < 3 || strings.Contains(panel.Text(), "lähimmän verkoston") {
		t.Errorf("Vaasa's consultation panel lacks a contact person:\n%s", panel.Text())
	}
	if !strings.Contains(panel.Text(), "Länsi-Suomen yhteistyöalue") {
		t.Errorf("the seed's reason is not shown:\n%s", panel.Text())
	}
	res, body := anon.get(t, "/api/v1/pathways/huolissaan-omista-ajatuksista?municipality=905")
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"consult":{"network":{"slug":"turku"`) || !strings.Contains(string(body), `"outside":true`) {
		t.Errorf("API for Vaasa: %d %.400s", res.StatusCode, body)
	}

	// Only admins see the page.
	if res, _ := s.as(t, "editorA").get(t, "/admin/consultation"); res.StatusCode != http.StatusForbidden {
		t.Errorf("editor: %d, want 403", res.StatusCode)
	}
	admin := s.as(t, "admin")
	list := admin.page(t, "/admin/consultation", http.StatusOK)
	if n := list.Find("tbody tr").Length(); n != 23 {
		t.Errorf("%d counties listed, want 23", n)
	}
	if strings.Contains(list.Text(), "Ei valittu") {
		t.Error("a county has no consultation network after seeding")
	}
	form := admin.page(t, "/admin/consultation/pohjanmaan-hyvinvointialue", http.StatusOK)
	version, _ := form.Find(`input[name=version]`).Attr("value")
	if version == "" || version == "0" {
		t.Fatalf("form version %q", version)
	}
	post := func(network, version string) (*http.Response, []byte) {
		return admin.post(t, "/admin/consultation/pohjanmaan-hyvinvointialue", url.Values{
			"network": {network}, "version": {version},
			"note.fi": {"Sovittu Pirkanmaan verkoston kanssa."}, "note.sv": {""}, "note.en": {""}})
	}
	res, body = post("nowhere", version)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "Konsultaatioverkosto") || !strings.Contains(string(body), "nowhere") {
		t.Errorf("unknown network: %d %.300s", res.StatusCode, body)
	}
	if res, _ := post("pirkanmaa", version); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	res, body = post("turku", version)
	if res.StatusCode != http.StatusConflict || !strings.Contains(string(body), "Konsultaatioverkosto") {
		t.Errorf("stale save: %d, want 409 with the form again: %.300s", res.StatusCode, body)
	}
	doc = anon.page(t, vaasa, http.StatusOK)
	if got := doc.Find(".pw-consult").Text(); !strings.Contains(got, "Pirkanmaa") || !strings.Contains(got, "Sovittu Pirkanmaan verkoston kanssa.") {
		t.Errorf("after the change Vaasa shows:\n%s", got)
	}
}
