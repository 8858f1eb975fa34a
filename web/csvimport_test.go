package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/csvimport"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/web/i18n"
)

func upload(t *testing.T, c *client, file string, dry bool) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "palvelut.csv")
	fw.Write([]byte(file))
	if dry {
		mw.WriteField("dry_run", "1")
	}
	mw.Close()
	res, b := c.do(t, http.MethodPost, "/admin/import", &body, http.Header{"Content-Type": {mw.FormDataContentType()}})
	return res, string(b)
}

// An admin downloads the template and uploads a spreadsheet; its problems
// are listed by row and column in Finnish and nothing is written until
// every row is valid.
func TestImportPage(t *testing.T) {
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	if res, _ := s.as(t, "editorA").get(t, "/admin/import"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an editor: %d", res.StatusCode)
	}
	admin := s.as(t, "admin")
	doc := admin.page(t, "/admin/import", http.StatusOK)
	if !strings.Contains(doc.Find("table.list").Text(), "name_fi") || doc.Find(`input[type="file"][name="file"]`).Length() != 1 {
		t.Fatal("no columns or no upload field")
	}
	res, tpl := admin.get(t, "/admin/import/template.csv")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!bytes.HasPrefix(tpl, []byte("\ufeffid,")) || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("template: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), tpl[:min(len(tpl), 20)])
	}
	bad := "id;name_fi;area;email\nsivulta-tuotu;Esimerkkipalvelu;network:" + netA + ";ei-osoite\n"
	res, body := upload(t, admin, bad, false)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Rivi 2, sarake email") {
		t.Fatalf("a bad row: %d\n%s", res.StatusCode, body)
	}
	if _, err := s.store.Service(t.Context(), "sivulta-tuotu"); err == nil {
		t.Fatal("a bad file wrote a service")
	}
	good := strings.Replace(bad, "ei-osoite", "apu@esimerkki.example.fi", 1)
	res, body = upload(t, admin, good, true)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Mitään ei tallennettu") {
		t.Fatalf("dry: %d", res.StatusCode)
	}
	res, body = upload(t, admin, good, false)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "1 uutta") {
		t.Fatalf("import: %d\n%s", res.StatusCode, body)
	}
	if sv, err := s.store.Service(t.Context(), "sivulta-tuotu"); err != nil || sv.Source.Kind != "csv" {
		t.Errorf("imported %+v %v", sv.Source, err)
	}
	// A file beyond the form's limit is refused, not read.
	res, _ = upload(t, admin, strings.Repeat("x", 40<<20), false)
	if res.StatusCode != http.StatusRequestEntityTooLarge && res.StatusCode != http.StatusBadRequest {
		t.Errorf("a huge file: %d", res.StatusCode)
	}
}

// Every column is explained in every language.
func TestImportColumnsExplained(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range csvimport.Columns {
		for _, lang := range l10n.Languages {
			if !cat.Has(lang, "import.col."+c.Name) {
				t.Errorf("column %s is not explained in %s", c.Name, lang)
			}
		}
	}
}
