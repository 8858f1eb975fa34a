package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
)

// Contact persons are archived like services: an editor of the network
// archives, the contact leaves lists and its edit cannot bring it back,
// another network's editor is refused, and only an admin restores.
func TestContactArchive(t *testing.T) {
	seedtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, siteOptions{})
		version := func() url.Values {
			return url.Values{"version": {strconv.Itoa(s.contact(t, contactA).Version)}}
		}
		if res, _ := s.as(t, "editorB").post(t, "/contacts/"+contactA+"/archive", version()); res.StatusCode != http.StatusForbidden {
			t.Errorf("another network's editor archived: %d", res.StatusCode)
		}
		ed := s.as(t, "editorA")
		if res, body := ed.post(t, "/contacts/"+contactA+"/archive", version()); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("archive: %d %s", res.StatusCode, body)
		}
		if got := s.contact(t, contactA).Status; got != services.StatusArchived {
			t.Fatalf("status %q after archive", got)
		}
		if _, body := s.anon().get(t, "/contacts?network="+netA); strings.Contains(string(body), contactA) {
			t.Error("an archived contact is listed")
		}
		// Saving the edit form keeps it archived.
		action, form := ed.editForm(t, "/contacts/"+contactA+"/edit")
		if res, body := ed.post(t, action, form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit archived contact: %d %s", res.StatusCode, body)
		}
		if got := s.contact(t, contactA).Status; got != services.StatusArchived {
			t.Errorf("editing brought the contact back: %q", got)
		}
		if res, _ := ed.post(t, "/contacts/"+contactA+"/restore", version()); res.StatusCode != http.StatusForbidden {
			t.Errorf("editor restored: %d", res.StatusCode)
		}
		if res, body := s.as(t, "admin").post(t, "/contacts/"+contactA+"/restore", version()); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("admin restore: %d %s", res.StatusCode, body)
		}
		if got := s.contact(t, contactA).Status; got != services.StatusActive {
			t.Errorf("status %q after restore", got)
		}
	})
}
