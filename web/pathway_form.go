package web

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/pathways"
)

// The pathway editor's view: the form of a new or existing pathway, its
// texts' inputs, and the labels of its errors, which use the forms' one
// error state (Form) with labels that name the step a problem is in.

// PathwayEditView is the form of a new or existing pathway.
type PathwayEditView struct {
	*Base
	IsNew bool
	Slug  string
	// The pathway's texts (not Title, which is the page's).
	Name, Situation, Description l10n.Text
	TargetGroup, Owner, ReviewBy string
	AgeMin, AgeMax               string
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
	for _, a := range []struct {
		dst *string
		v   *int
	}{{&v.AgeMin, p.AgeMin}, {&v.AgeMax, p.AgeMax}} {
		if a.v != nil {
			*a.dst = strconv.Itoa(*a.v)
		}
	}
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
