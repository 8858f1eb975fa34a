package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/serie-verkosto/directory/internal/browsertest"
	"github.com/serie-verkosto/directory/internal/dbtest"
)

// TestBrowserEditorKeepsListingCurrent is a regional contact person's
// minute: log in, see the dashboard, fix a listing (first with a mistake
// the form points out), and find the change on the listing page. It saves
// screenshots of the login, dashboard and edit pages to testdata/output.
func TestBrowserEditorKeepsListingCurrent(t *testing.T) {
	ctx := browsertest.Browser(t)
	s := newSite(t, dbtest.SQLite(t), siteOptions{})
	shot(t, ctx, s.srv.URL+"/login", "login.png", 1280)

	step, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	err := chromedp.Do(step,
		chromedp.Navigate(s.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("f-email")),
		chromedp.SetValue(chromedp.ID("f-email"), s.emails["editorA"]),
		chromedp.SetValue(chromedp.ID("f-password"), testPassword),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.dash`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if h1 := run(t, step, chromedp.Text(chromedp.CSS("h1"))); h1 != "Työpöytä" {
		t.Errorf("after login h1 = %q", h1)
	}
	shot(t, ctx, s.srv.URL+"/dashboard", "dashboard.png", 1280)
	shot(t, ctx, s.srv.URL+"/services/"+svcA+"/edit", "edit-service.png", 1280)
	shot(t, ctx, s.srv.URL+"/services/"+svcA+"/edit", "edit-service-phone.png", 360)

	err = chromedp.Do(step,
		chromedp.Navigate(s.srv.URL+"/services/"+svcA+"/edit"),
		chromedp.WaitVisible(chromedp.CSS(`form.edit`)),
		chromedp.SetValue(chromedp.ID("f-description-fi"), "Selaimella päivitetty kuvaus."),
		chromedp.SetValue(chromedp.ID("f-email"), "ei osoite"),
		chromedp.Click(chromedp.CSS(`form.edit p.actions button`)),
		chromedp.WaitVisible(chromedp.CSS(`.error-summary`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, run(t, step, chromedp.FullScreenshot(100)), "edit-service-errors.png")
	kept := run(t, step, chromedp.Evaluate[string](`document.getElementById('f-description-fi').value`))
	if kept != "Selaimella päivitetty kuvaus." {
		t.Errorf("the description was not kept on error: %q", kept)
	}
	err = chromedp.Do(step,
		chromedp.SetValue(chromedp.ID("f-email"), "tuki@example.org"),
		chromedp.Click(chromedp.CSS(`form.edit p.actions button`)),
		chromedp.WaitVisible(chromedp.CSS(`section.tools`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if lead := run(t, step, chromedp.Text(chromedp.CSS("p.lead"))); !strings.Contains(lead, "Selaimella päivitetty kuvaus.") {
		t.Errorf("the listing page shows %q", lead)
	}
	if got := s.service(t, svcA); got.Email != "tuki@example.org" {
		t.Errorf("stored e-mail %q", got.Email)
	}
}

func saveShot(t *testing.T, buf []byte, name string) {
	t.Helper()
	dir := filepath.Join("testdata", "output")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}
