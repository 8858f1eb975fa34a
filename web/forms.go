package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/l10n"
)

// Forms: reading posted values, and showing their errors next to the
// inputs they are about, in the user's language.
//
// An input's name is the field name the domain's validation reports
// ("name.fi", "phones[0].number", "area.counties"), so that an error finds
// its input without a mapping table; the element id is derived from it
// (fieldID). Errors about one item of a list ("target_groups[1]") belong
// to the list's input.

// parseForm reads a posted form body. The body is already limited by
// limitRequest: a larger one is TooLarge (413); a malformed one, or one
// with U+0000 in a field, is Invalid (400).
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.Keyed(apperr.TooLarge, "err.too_large", "the request body is too large (at most %d bytes)", mbe.Limit)
		}
		return &apperr.Error{Code: apperr.Invalid, Key: "err.bad_form", Message: "the form data is malformed", Err: err}
	}
	return apperr.NULIn(r.PostForm)
}

var idUnsafe = regexp.MustCompile(`[^a-z0-9_-]+`)

// fieldID returns the element id of the input named name: "f-" and the
// name with brackets and dots turned into hyphens ("phones[0].number" ->
// "f-phones-0-number").
func fieldID(name string) string {
	return "f-" + strings.Trim(idUnsafe.ReplaceAllString(strings.ToLower(name), "-"), "-")
}

// listField folds an error about one item of a list of values into the
// list: "target_groups[1]" -> "target_groups". Row fields keep their
// index ("phones[0].number").
func listField(f string) string {
	if strings.HasSuffix(f, "]") {
		if i := strings.LastIndex(f, "["); i > 0 {
			return f[:i]
		}
	}
	return f
}

// Form is the error state of a form: messages per input name, a summary
// for the top of the form, and a message about the form as a whole.
type Form struct {
	Errors  map[string]string
	Summary []FormError
	Message string
}

// FormError is one entry of the summary, linking to its input.
type FormError struct {
	ID, Label, Text string
}

// Invalid reports whether the form has any error.
func (f *Form) Invalid() bool { return f != nil && (len(f.Errors) > 0 || f.Message != "") }

// fieldMessage says a field error in the page's language.
func (b *Base) fieldMessage(fe apperr.FieldError) string {
	if fe.Key != "" && b.s.cat.Has(b.Lang, fe.Key) {
		args := fe.Args
		// The too-long message names the limit as its second argument;
		// some validators give only the limit.
		if fe.Key == "err.too_long" && len(args) == 1 {
			args = []any{0, args[0]}
		}
		return b.T(fe.Key, args...)
	}
	return fe.Message
}

// errorMessage says an error in the page's language: its catalogue
// message, or the English one in English, or the code's heading.
func (b *Base) errorMessage(err error) string {
	e := apperr.As(err)
	if e == nil || e.Code == apperr.Internal {
		return b.T("error.internal.text")
	}
	if e.Key != "" && b.s.cat.Has(b.Lang, e.Key) {
		return b.T(e.Key, e.Args...)
	}
	if e.Message != "" && b.Lang == "en" {
		return e.Message
	}
	return b.T("error." + string(e.Code))
}

// formError turns an error of a form's submission into the form's error
// state, labelling each field with label. It returns nil for an error that
// is not about the form's values (the caller renders it as an error page).
func (b *Base) formError(err error, label func(field string) string) *Form {
	return b.formErrorAt(err, label, listField)
}

// formErrorAt is formError for a form whose inputs are named otherwise:
// input names the input a field error belongs to (for most forms
// listField; the pathway editor files every step's problem under the
// steps' text).
func (b *Base) formErrorAt(err error, label, input func(field string) string) *Form {
	e := apperr.As(err)
	if e == nil || e.Code == apperr.Internal || e.Code == apperr.NotFound || e.Code == apperr.Unauthorized {
		return nil
	}
	if len(e.Fields) == 0 && e.Code != apperr.Invalid && e.Code != apperr.TooMany && e.Code != apperr.Conflict {
		return nil
	}
	f := &Form{Errors: map[string]string{}}
	for _, fe := range e.Fields {
		msg := b.fieldMessage(fe)
		name := input(fe.Field)
		if old, ok := f.Errors[name]; ok {
			if !strings.Contains(old, msg) {
				f.Errors[name] = old + "; " + msg
			}
		} else {
			f.Errors[name] = msg
		}
		f.Summary = append(f.Summary, FormError{ID: fieldID(name), Label: label(fe.Field), Text: msg})
	}
	if len(e.Fields) == 0 {
		f.Message = b.errorMessage(err)
	}
	return f
}

// mergeErrors adds the field errors of err (an Invalid error) to fs; any
// other error is returned as it is.
func mergeErrors(fs apperr.Fields, err error) error {
	if err == nil {
		return fs.Err()
	}
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Invalid {
		return err
	}
	return append(fs, e.Fields...).Err()
}

// formReader reads typed values from a posted form, keeping what could
// not be parsed so that the form can show it again as typed.
type formReader struct {
	v   url.Values
	raw map[string]string
	fs  apperr.Fields
}

func newFormReader(r *http.Request) *formReader {
	return &formReader{v: r.PostForm, raw: map[string]string{}}
}

// str returns the first value of name, or "".
func (f *formReader) str(name string) string { return f.v.Get(name) }

// text returns the name.fi, name.sv and name.en values.
func (f *formReader) text(name string) l10n.Text {
	return l10n.Text{FI: f.str(name + ".fi"), SV: f.str(name + ".sv"), EN: f.str(name + ".en")}
}

// list returns every non-empty value of name (a checkbox group or a
// multiple select).
func (f *formReader) list(name string) []string {
	var out []string
	for _, s := range f.v[name] {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// words splits a typed list ("fi, sv en") on commas, semicolons, line
// breaks and (when spaces) spaces.
func (f *formReader) words(name string, spaces bool) []string {
	seps := ",;\n\r"
	if spaces {
		seps += " \t"
	}
	var out []string
	for _, s := range strings.FieldsFunc(f.str(name), func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// tri reads a yes/no/unknown select.
func (f *formReader) tri(name string) *bool {
	switch f.str(name) {
	case "":
		return nil
	case "yes":
		t := true
		return &t
	case "no":
		v := false
		return &v
	}
	f.raw[name] = f.str(name)
	f.fs.Add(name, "err.choice", "is not one of the choices")
	return nil
}

// int reads an optional whole number.
func (f *formReader) int(name string) *int {
	s := strings.TrimSpace(f.str(name))
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.raw[name] = f.str(name)
		f.fs.Add(name, "err.number", "must be a whole number")
		return nil
	}
	return &n
}

// date reads an optional date (YYYY-MM-DD, as <input type=date> sends).
func (f *formReader) date(name string) *time.Time {
	s := strings.TrimSpace(f.str(name))
	if s == "" {
		return nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		f.raw[name] = f.str(name)
		f.fs.Add(name, "err.date", "must be a date like 2026-12-24")
		return nil
	}
	return &t
}

// version reads the version the form was loaded at.
func (f *formReader) version() int {
	n, _ := strconv.Atoi(f.str("version"))
	return n
}

// maxRows bounds the repeated rows read from a form (phones, hours...).
const maxRows = 50

// rows calls row for each index 0..maxRows-1 whose inputs (named
// prefix[i].*) are not all empty, with the prefix of that row; rows left
// empty are dropped, so that the indexes of the returned rows are those of
// the domain's field errors.
func (f *formReader) rows(prefix string, row func(p string)) {
	for i := range maxRows {
		p := fmt.Sprintf("%s[%d]", prefix, i)
		empty := true
		for k, vs := range f.v {
			if strings.HasPrefix(k, p+".") {
				for _, v := range vs {
					if strings.TrimSpace(v) != "" {
						empty = false
					}
				}
			}
		}
		if !empty {
			row(p)
		}
	}
}

// safeNext returns next if it is a path on this site, else def: a login
// form must not send anyone to another site.
func safeNext(next, def string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return def
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return def
	}
	return next
}

// redirect answers a successful POST with 303 See Other.
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// clientAddr is the client's address for throttles (r.RemoteAddr). It is
// never logged or stored.
func clientAddr(r *http.Request) string { return r.RemoteAddr }
