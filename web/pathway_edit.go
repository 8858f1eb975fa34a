package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/pathways"
)

// The pathway editor's pages: the form, and saving it through
// pathways.Store.Save. The steps are edited as YAML (the seed's format,
// pathways.StepsYAML): a branching structure is clearer as text than as
// nested form rows.

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
	return s.pathwayForm(w, r, b, true)
}

func (s *Server) editPathwayForm(w http.ResponseWriter, r *http.Request, b *Base) error {
	return s.pathwayForm(w, r, b, false)
}

// pathwayForm shows the editor: empty (isNew), or with the pathway of
// the path. An editor may open a published pathway too: saving it stores
// a proposal for an admin (pathways.Store.Save).
func (s *Server) pathwayForm(w http.ResponseWriter, r *http.Request, b *Base, isNew bool) error {
	if done, err := s.mayOpenEditor(w, r, b); done || err != nil {
		return err
	}
	var p pathways.Pathway
	if !isNew {
		slug, err := pathID(r, "slug")
		if err != nil {
			return err
		}
		if p, err = s.cfg.Pathways.Read(r.Context(), b.User, slug); err != nil {
			return err
		}
	}
	v, err := s.pathwayEditView(b, p, isNew)
	if err != nil {
		return err
	}
	return s.render(w, b, "pathway_edit", v)
}

func (s *Server) createPathway(w http.ResponseWriter, r *http.Request, b *Base) error {
	return s.savePathway(w, r, b, true)
}

func (s *Server) updatePathway(w http.ResponseWriter, r *http.Request, b *Base) error {
	return s.savePathway(w, r, b, false)
}

// readPathway reads the posted form: the pathway, and the problems of
// the inputs that could not be read (its review date, its steps' text).
func readPathway(r *http.Request, slug string) (pathways.Pathway, apperr.Fields) {
	f := newFormReader(r)
	p := pathways.Pathway{Slug: slug, Title: f.text("title"), Situation: f.text("situation"), Description: f.text("description"),
		TargetGroup: f.str("target_group"), Owner: f.str("owner"), Status: f.str("status"),
		ReviewBy: f.date("review_by"), AgeMin: f.int("age_min"), AgeMax: f.int("age_max")}
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

// savePathway saves the posted pathway (a new one, isNew, or the one of
// the path) and goes to its page, or to the proposal it became; a
// refused save shows the form again with what was typed, every problem
// named, and the status of the refusal.
func (s *Server) savePathway(w http.ResponseWriter, r *http.Request, b *Base, isNew bool) error {
	slug := ""
	if !isNew {
		var err error
		if slug, err = pathID(r, "slug"); err != nil {
			return err
		}
	}
	if _, err := s.mayOpenEditor(w, r, b); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	p, unread := readPathway(r, slug)
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

// pathwayHistory shows a pathway's versions, each change step by step,
// to those who may edit it.
func (s *Server) pathwayHistory(w http.ResponseWriter, r *http.Request, b *Base) error {
	if err := s.pathwaysOn(); err != nil {
		return err
	}
	slug, err := pathID(r, "slug")
	if err != nil {
		return err
	}
	p, err := s.cfg.Pathways.Read(r.Context(), b.User, slug)
	if err != nil {
		return err
	}
	if err := pathways.MayPropose(b.User); err != nil {
		return err
	}
	name, _ := p.Title.Get(b.Lang)
	b.Nav = "pathways"
	return s.historyPage(w, r, b, &HistoryView{Base: b, Kind: pathways.EntityPathway, ID: p.Slug, Name: name,
		BackURL: b.URL("pathway", "slug", p.Slug), Version: p.Version})
}
