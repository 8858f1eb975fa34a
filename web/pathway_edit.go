package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/pathways"
)

// The pathway editor: the form of a new or existing pathway, and saving
// it through pathways.Store.Save. The steps are edited as YAML (the
// seed's format, pathways.StepsYAML): a branching structure is clearer as
// text than as nested form rows. Errors use the forms' one error state
// (Form), with labels that name the step a problem is in.

// PathwayEditView is the form of a new or existing pathway.
type PathwayEditView struct {
	*Base
	IsNew bool
	Slug  string
	// The pathway's texts (not Title, which is the page's).
	Name, Situation, Description l10n.Text
	TargetGroup, Owner, ReviewBy string
	PathwayStatus                string
	Steps                        string
	Version                      int
	MayPublish                   bool
	Action                       string
	CancelURL                    string
	// Form is the error state: every problem in the summary, naming its
	// step; the heading says how many, or what went wrong as a whole.
	Form       *Form
	CurrentURL string // after a conflict: the stored version
}

// Err returns the error of an input.
func (v *PathwayEditView) Err(name string) string { return v.Form.Errors[name] }

// PathwayTexts is the fieldset of one text's three languages.
type PathwayTexts struct {
	V      *PathwayEditView
	Name   string
	Inputs []PathwayTextInput
}

// PathwayTextInput is one language of a text.
type PathwayTextInput struct {
	ID, Name, Lang, Value, Err string
}

// TextInputs returns the fieldset of the text named name.
func (v *PathwayEditView) TextInputs(name string, t l10n.Text) PathwayTexts {
	out := PathwayTexts{V: v, Name: name}
	for _, lang := range l10n.Languages {
		n := name + "." + lang
		out.Inputs = append(out.Inputs, PathwayTextInput{ID: fieldID(n), Name: n, Lang: lang, Value: t.In(lang), Err: v.Err(n)})
	}
	return out
}

// stepField splits "steps[2:x].next" into 2, "x" and "next".
var stepField = regexp.MustCompile(`^steps\[(\d+)(?::([^\]]*))?\](?:\.(.+))?$`)

// pathwayInput is the input a field error of a pathway belongs to: a
// step's problems are the steps' text's.
func pathwayInput(field string) string {
	if stepField.MatchString(field) {
		return "steps"
	}
	return listField(field)
}

// pathwayLabel labels a field error for the summary: its step ("Vaihe 2
// (b), next") or its field and language ("Otsikko (suomi)").
func (b *Base) pathwayLabel(field string) string {
	if m := stepField.FindStringSubmatch(field); m != nil {
		n, _ := strconv.Atoi(m[1])
		where := b.T("pathway.edit.err_step", n+1, m[2])
		if m[2] == "" {
			where = b.T("pathway.step_n", n+1)
		}
		if m[3] != "" {
			where += ", " + m[3]
		}
		return where
	}
	base, lang, _ := strings.Cut(field, ".")
	where := b.T("pathway.field." + base)
	if l10n.Supported(lang) {
		where += " (" + b.LangName(lang) + ")"
	}
	return where
}

func (s *Server) pathwayEditView(b *Base, p pathways.Pathway, isNew bool) (*PathwayEditView, error) {
	v := &PathwayEditView{Base: b, IsNew: isNew, Slug: p.Slug, Name: p.Title, Situation: p.Situation,
		Description: p.Description, TargetGroup: p.TargetGroup, Owner: p.Owner, PathwayStatus: p.Status,
		Version: p.Version, MayPublish: pathways.MayPublish(b.User) == nil, Form: &Form{Errors: map[string]string{}}}
	if p.ReviewBy != nil {
		v.ReviewBy = p.ReviewBy.Format(time.DateOnly)
	}
	if v.PathwayStatus == "" {
		v.PathwayStatus = pathways.StatusDraft
	}
	var err error
	if v.Steps, err = pathways.StepsYAML(p.Steps); err != nil {
		return nil, err
	}
	if isNew {
		v.Action, v.CancelURL = b.URL("pathway.new.post"), b.URL("pathways")
		b.Title = b.T("pathway.edit.new_title")
	} else {
		v.Action, v.CancelURL = b.URL("pathway.edit.post", "slug", p.Slug), b.URL("pathway", "slug", p.Slug)
		b.Title = b.T("pathway.edit.title", p.Title.String())
		if t, _ := p.Title.Get(b.Lang); t != "" {
			b.Title = b.T("pathway.edit.title", t)
		}
	}
	b.Nav = "pathways"
	return v, nil
}

// mayOpenEditor answers an anonymous GET with the login page; otherwise
// it returns whether the user may propose pathways at all (the use case
// decides again on saving).
func (s *Server) mayOpenEditor(w http.ResponseWriter, r *http.Request, b *Base) (redirected bool, err error) {
	if err := s.pathwaysOn(); err != nil {
		return false, err
	}
	if b.User == nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		return true, redirect(w, r, b.LoginURL())
	}
	return false, pathways.MayPropose(b.User)
}

func (s *Server) newPathwayForm(w http.ResponseWriter, r *http.Request, b *Base) error {
	if done, err := s.mayOpenEditor(w, r, b); done || err != nil {
		return err
	}
	v, err := s.pathwayEditView(b, pathways.Pathway{}, true)
	if err != nil {
		return err
	}
	return s.render(w, b, "pathway_edit", v)
}

func (s *Server) editPathwayForm(w http.ResponseWriter, r *http.Request, b *Base) error {
	if done, err := s.mayOpenEditor(w, r, b); done || err != nil {
		return err
	}
	slug, err := pathID(r, "slug")
	if err != nil {
		return err
	}
	// An editor may open a published pathway too: saving it stores a
	// proposal for an admin (pathways.Store.Save).
	p, err := s.cfg.Pathways.Read(r.Context(), b.User, slug)
	if err != nil {
		return err
	}
	v, err := s.pathwayEditView(b, p, false)
	if err != nil {
		return err
	}
	return s.render(w, b, "pathway_edit", v)
}

func (s *Server) createPathway(w http.ResponseWriter, r *http.Request, b *Base) error {
	return s.savePathway(w, r, b, "")
}

func (s *Server) updatePathway(w http.ResponseWriter, r *http.Request, b *Base) error {
	slug, err := pathID(r, "slug")
	if err != nil {
		return err
	}
	return s.savePathway(w, r, b, slug)
}

// readPathway reads the posted form: the pathway, and the problems of
// the inputs that could not be read (its review date, its steps' text).
func readPathway(r *http.Request, slug string) (pathways.Pathway, apperr.Fields) {
	f := newFormReader(r)
	p := pathways.Pathway{Slug: slug, Title: f.text("title"), Situation: f.text("situation"), Description: f.text("description"),
		TargetGroup: f.str("target_group"), Owner: f.str("owner"), Status: f.str("status"),
		ReviewBy: f.date("review_by")}
	p.Version = f.version()
	if slug == "" {
		p.Slug = strings.TrimSpace(f.str("slug"))
	}
	steps, err := pathways.ParseStepsYAML(f.str("steps"))
	if e := apperr.As(err); e != nil {
		f.fs = append(f.fs, e.Fields...)
	}
	p.Steps = steps
	return p, f.fs
}

// savePathway saves the posted pathway (a new one when slug is "") and
// goes to its page, or to the proposal it became; a refused save shows
// the form again with what was typed, every problem named, and the
// status of the refusal.
func (s *Server) savePathway(w http.ResponseWriter, r *http.Request, b *Base, slug string) error {
	if _, err := s.mayOpenEditor(w, r, b); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	p, unread := readPathway(r, slug)
	isNew := slug == ""
	var err error
	proposed := false
	if len(unread) == 0 {
		proposed, err = s.cfg.Pathways.Save(r.Context(), b.User, &p, isNew)
	} else {
		err = s.cfg.Pathways.SaveRefusal(r.Context(), b.User, p, isNew, unread)
	}
	switch {
	case err == nil && proposed:
		return redirect(w, r, b.URL("pathway.proposal", "slug", p.Slug))
	case err == nil:
		s.waitSearch(r)
		return redirect(w, r, b.URL("pathway", "slug", p.Slug))
	}
	form := b.formErrorAt(err, b.pathwayLabel, pathwayInput)
	if form == nil {
		e := apperr.As(err)
		if e == nil || e.Code == apperr.Internal || e.Code == apperr.Unauthorized || e.Code == apperr.NotFound {
			return err
		}
		// A refusal (Forbidden) keeps what was typed on the form.
		form = &Form{Errors: map[string]string{}}
	}
	v, verr := s.pathwayEditView(b, p, isNew)
	if verr != nil {
		return verr
	}
	v.Form = form
	v.Steps = r.PostForm.Get("steps")
	v.Version, _ = strconv.Atoi(r.PostForm.Get("version"))
	v.PathwayStatus = r.PostForm.Get("status")
	v.ReviewBy = r.PostForm.Get("review_by")
	// The heading says what went wrong as a whole, or (the template's
	// default) how many problems there are.
	switch apperr.CodeOf(err) {
	case apperr.Conflict:
		if !isNew {
			form.Message = b.errorMessage(err)
			v.CurrentURL = b.URL("pathway.edit", "slug", p.Slug)
		}
	case apperr.Invalid:
	default:
		form.Message = b.errorMessage(err)
	}
	b.Status = apperr.HTTPStatus(err)
	return s.render(w, b, "pathway_edit", v)
}
