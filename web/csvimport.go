package web

import (
	"errors"
	"net/http"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/csvimport"
)

// Admins bring a network's spreadsheet in: /admin/import offers the
// template and its columns, and takes the file (or checks it, dry). The
// problems of a file are listed by row and column in the admin's language,
// and nothing is written unless every row is valid (csvimport).

// MaxUploadBytes bounds an upload's body: the largest file and the form.
const MaxUploadBytes = csvimport.MaxBytes + 1<<20

// ImportView is the import page.
type ImportView struct {
	*Base
	Columns  []csvimport.Column
	Problems []string
	Result   string
	DryRun   bool
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request, b *Base) error {
	b.Title, b.Nav = b.T("import.title"), "import"
	return s.render(w, b, "admin_import", &ImportView{Base: b, Columns: csvimport.Columns})
}

func (s *Server) importTemplate(w http.ResponseWriter, r *http.Request, b *Base) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="palvelut-pohja.csv"`)
	_, err := w.Write(csvimport.Template())
	return err
}

func (s *Server) importUpload(w http.ResponseWriter, r *http.Request, b *Base) error {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.Keyed(apperr.TooLarge, "err.csv_too_big", "the file is larger than %d MiB; split it", csvimport.MaxBytes>>20)
		}
		return &apperr.Error{Code: apperr.Invalid, Key: "err.bad_form", Message: "the form data is malformed", Err: err}
	}
	defer r.MultipartForm.RemoveAll()
	v := &ImportView{Base: b, Columns: csvimport.Columns, DryRun: r.PostFormValue("dry_run") != ""}
	b.Title, b.Nav = b.T("import.title"), "import"
	f, _, err := r.FormFile("file")
	if err != nil {
		v.Problems = []string{b.T("import.no_file")}
		b.Status = http.StatusBadRequest
		return s.render(w, b, "admin_import", v)
	}
	defer f.Close()
	res, err := csvimport.Import{Store: s.store, DryRun: v.DryRun, Actor: b.User}.Run(r.Context(), f)
	var ce *csvimport.Error
	switch {
	case errors.As(err, &ce):
		for _, p := range ce.Problems {
			v.Problems = append(v.Problems, s.problem(b, p))
		}
		b.Status = http.StatusBadRequest
	case err != nil:
		return err
	case v.DryRun:
		v.Result = b.T("import.checked", res.Rows)
	default:
		v.Result = b.T("import.done", res.Rows, res.Created, res.Updated, res.Unchanged)
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "admin_import", v)
}

// problem says one problem of a file in the admin's language.
func (s *Server) problem(b *Base, p csvimport.Problem) string {
	msg := p.Message
	if p.Key != "" && s.cat.Has(b.Lang, p.Key) {
		msg = b.T(p.Key, p.Args...)
	}
	switch {
	case p.Row == 0:
		return msg
	case p.Column == "":
		return b.T("import.at_row", p.Row, msg)
	}
	return b.T("import.at", p.Row, p.Column, msg)
}
