package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
)

// TestEditorDoesNotSeeAdminsOnlyFields: a contact's e-mail limited to
// admins is not in an editor's edit form, merge view or history, and the
// editor's save keeps it as stored; an admin sees and edits it.
func TestEditorDoesNotSeeAdminsOnlyFields(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	const secret = "piilo.osoite@example.fi"
	admin := s.people["admin"]
	c := s.contact(t, contactA)
	c.Email, c.Visibility = secret, services.Visibility{"email": services.Admins}
	if err := s.store.Contacts.Save(context.Background(), &admin, &c, false); err != nil {
		t.Fatal(err)
	}
	ed := s.as(t, "editorA")
	action, form := ed.editForm(t, "/contacts/"+contactA+"/edit")
	if form.Get("email") != "" {
		t.Errorf("the editor's form holds the admins-only e-mail %q", form.Get("email"))
	}
	_, body := ed.get(t, "/contacts/"+contactA+"/edit")
	if strings.Contains(string(body), secret) {
		t.Error("the editor's edit page shows the admins-only e-mail")
	}
	// A stale save goes to the merge view: still without it.
	stale := cloneValues(form)
	form.Set("name", "Muutettu Nimi")
	if res, _ := ed.post(t, action, form); res.StatusCode >= 400 {
		t.Fatalf("the editor's save: %d", res.StatusCode)
	}
	got := s.contact(t, contactA)
	if got.Email != secret || got.Visibility["email"] != services.Admins || got.Name != "Muutettu Nimi" {
		t.Errorf("after the editor's save: email %q visibility %v name %q", got.Email, got.Visibility, got.Name)
	}
	stale.Set("title.fi", "Toinen muutos")
	if res, body := ed.post(t, action, stale); res.StatusCode != 409 || strings.Contains(string(body), secret) {
		t.Errorf("the stale save: %d; the merge view shows the admins-only e-mail: %v", res.StatusCode, strings.Contains(string(body), secret))
	}
	if _, body := ed.get(t, "/contacts/"+contactA+"/history"); strings.Contains(string(body), secret) {
		t.Error("the editor's history shows the admins-only e-mail")
	}
	// The admin sees it in the form and the history.
	ad := s.as(t, "admin")
	if _, aform := ad.editForm(t, "/contacts/"+contactA+"/edit"); aform.Get("email") != secret {
		t.Errorf("the admin's form: %q", aform.Get("email"))
	}
	if _, body := ad.get(t, "/contacts/"+contactA+"/history"); !strings.Contains(string(body), secret) {
		t.Error("the admin's history does not show the e-mail")
	}
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
