// Package pathways holds care pathways: for one client situation, the
// ordered, possibly branching steps a professional follows, who acts at
// each step, what the law requires there, and where to refer the client.
// Referral targets are named services or criteria; Resolve turns them into
// the concrete services of a municipality or network, nearest first, with
// national services as the fallback. Coverage shows a network the steps
// its own area cannot serve.
//
// The package owns its types, validation and the pathways table; it reads
// services, networks and contact persons only through services.Store.
package pathways

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/params"
	"github.com/serie-verkosto/directory/internal/services"
)

// EntityPathway names pathways in the change log and the audit log.
const EntityPathway = "pathway"

// Statuses of a pathway. Only published pathways are listed to the public
// and checked by the coverage report.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
)

// Limits of a pathway's size, so that one cannot grow without bound.
const (
	MaxSteps   = 40
	MaxTargets = 20 // per step
	MaxAnswers = 8  // per decision
)

// Pathway is a care pathway for one client situation.
type Pathway struct {
	Slug        string    `db:"slug" json:"slug" yaml:"slug"`
	Title       l10n.Text `db:"title" json:"title" yaml:"title"`
	Situation   l10n.Text `db:"situation" json:"situation,omitzero" yaml:"situation"`
	Description l10n.Text `db:"description" json:"description,omitzero" yaml:"description"`
	// TargetGroup is the client_situation term the pathway is for.
	TargetGroup string `db:"target_group" json:"target_group" yaml:"target_group"`
	// AgeMin and AgeMax bound the ages of the clients the pathway is for
	// (a child victim: at most 17); nil where it names no bound. When the
	// client's age is not given, a service must admit some age in the
	// range to be offered.
	AgeMin *int `db:"age_min" json:"age_min" yaml:"age_min"`
	AgeMax *int `db:"age_max" json:"age_max" yaml:"age_max"`
	// Owner is who keeps the pathway current (a team or role, not a login).
	Owner         string        `db:"owner" json:"owner,omitempty" yaml:"owner"`
	ReviewBy      *time.Time    `db:"review_by" json:"review_by" yaml:"review_by"`
	Status        string        `db:"status" json:"status" yaml:"status"`
	Steps         db.List[Step] `db:"steps" json:"steps" yaml:"steps"`
	Position      int           `db:"position" json:"position" yaml:"-"`
	services.Meta `yaml:"-"`
}

// Step is one step of a pathway. It either leads to one next step (Next),
// or asks a question whose answers lead on (Decision), or ends the pathway
// (neither).
type Step struct {
	ID       string    `json:"id" yaml:"id"`
	Title    l10n.Text `json:"title" yaml:"title"`
	Guidance l10n.Text `json:"guidance,omitzero" yaml:"guidance"`
	// Actor is the role that acts at this step; HandOver, if set, the role
	// the client is handed over to after it. Both are Roles ids.
	Actor    string `json:"actor" yaml:"actor"`
	HandOver string `json:"hand_over,omitempty" yaml:"hand_over"`
	// Duties are the legal duties that apply at this step (reporting_duty
	// terms, with to whom and a note).
	Duties   []services.ReportingDuty `json:"duties,omitempty" yaml:"duties"`
	Decision *Decision                `json:"decision,omitempty" yaml:"decision"`
	Next     string                   `json:"next,omitempty" yaml:"next"`
	Targets  []Target                 `json:"targets,omitempty" yaml:"targets"`
}

// Terminal reports whether the step ends the pathway.
func (s Step) Terminal() bool { return s.Next == "" && s.Decision == nil }

// Decision is a question at a step whose answers lead to other steps.
type Decision struct {
	Question l10n.Text `json:"question" yaml:"question"`
	Answers  []Answer  `json:"answers" yaml:"answers"`
}

// Answer is one answer to a decision and the step it leads to.
type Answer struct {
	Label l10n.Text `json:"label" yaml:"label"`
	Next  string    `json:"next" yaml:"next"`
}

// Target is where a step refers the client: either named services, or
// criteria that Resolve matches against the directory for the client's
// municipality or network. Named services suit national services;
// anything regional should be criteria, so that every region resolves it
// to its own services.
type Target struct {
	Services []string `json:"services,omitempty" yaml:"services"`
	// Criteria: every one given must hold.
	TargetGroup  string `json:"target_group,omitempty" yaml:"target_group"`   // client_situation term
	ServiceType  string `json:"service_type,omitempty" yaml:"service_type"`   // service_type term
	DeliveryMode string `json:"delivery_mode,omitempty" yaml:"delivery_mode"` // delivery_mode term
	Anonymous    bool   `json:"anonymous,omitempty" yaml:"anonymous"`         // known to be usable anonymously
	NoReferral   bool   `json:"no_referral,omitempty" yaml:"no_referral"`     // known to need no referral
	// Note says what the client is referred for ("for an assessment").
	Note l10n.Text `json:"note,omitzero" yaml:"note"`
}

// HasCriteria reports whether the target is given by criteria.
func (t Target) HasCriteria() bool {
	return t.TargetGroup != "" || t.ServiceType != "" || t.DeliveryMode != "" || t.Anonymous || t.NoReferral
}

// Role is who acts at a step, or takes over after it.
type Role struct {
	ID    string    `json:"id"`
	Label l10n.Text `json:"label"`
}

// Roles is the fixed list of roles, in display order.
var Roles = []Role{
	{"police", l10n.T("Poliisi", "Polisen", "Police")},
	{"prosecutor", l10n.T("Syyttäjä", "Åklagaren", "Prosecutor")},
	{"prison-or-probation", l10n.T("Vankila tai yhdyskuntaseuraamustoimisto", "Fängelse eller byrå för samhällspåföljder", "Prison or probation service")},
	{"health-care", l10n.T("Terveydenhuolto", "Hälso- och sjukvården", "Health care")},
	{"child-welfare", l10n.T("Lastensuojelu", "Barnskyddet", "Child welfare")},
	{"social-services", l10n.T("Sosiaalipalvelut", "Socialtjänsten", "Social services")},
	{"the-client", l10n.T("Asiakas itse", "Klienten själv", "The client")},
	{"ngo", l10n.T("Järjestö", "Organisation", "Non-governmental organisation")},
	{"network-contact", l10n.T("SeriE-verkoston yhteyshenkilö", "SeriE-nätverkets kontaktperson", "SeriE network contact person")},
	{"any-professional", l10n.T("Kuka tahansa ammattilainen", "Vilken yrkesperson som helst", "Any professional")},
}

// RoleByID returns the role with the id, and whether it exists.
func RoleByID(id string) (Role, bool) {
	for _, r := range Roles {
		if r.ID == id {
			return r, true
		}
	}
	return Role{}, false
}

// RoleLabel returns the role's name in lang, or the id when it is unknown.
func RoleLabel(id, lang string) string {
	if r, ok := RoleByID(id); ok {
		s, _ := r.Label.Get(lang)
		return s
	}
	return id
}

func roleIDs() string {
	ids := make([]string, len(Roles))
	for i, r := range Roles {
		ids[i] = r.ID
	}
	return strings.Join(ids, ", ")
}

// Normalize trims text and fills defaults (a new pathway is a draft)
// before validation and storage.
func (p *Pathway) Normalize() {
	p.Slug = strings.TrimSpace(p.Slug)
	p.Title = p.Title.Trimmed()
	p.Owner = strings.TrimSpace(p.Owner)
	if p.Status == "" {
		p.Status = StatusDraft
	}
	for i := range p.Steps {
		s := &p.Steps[i]
		s.ID = strings.TrimSpace(s.ID)
		s.Title = s.Title.Trimmed()
		s.Next = strings.TrimSpace(s.Next)
		if s.Decision != nil {
			for j := range s.Decision.Answers {
				a := &s.Decision.Answers[j]
				a.Label = a.Label.Trimmed()
				a.Next = strings.TrimSpace(a.Next)
			}
		}
	}
}

// StepField returns the field name of step i in validation errors:
// "steps[2:suspect-contact]", so that a message names the step by its
// position and its id.
func StepField(i int, id string) string {
	if id == "" {
		return fmt.Sprintf("steps[%d]", i)
	}
	return fmt.Sprintf("steps[%d:%s]", i, id)
}

var (
	idPattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,79}$`)
	stepFieldIndex = regexp.MustCompile(`^steps\[(\d+):[^\]]*\]`)
)

// FieldPath turns a field name from a validation error into a plain path
// ("steps[2:x].next" -> "steps[2].next"), for tools that locate fields in a
// document by index.
func FieldPath(field string) string {
	return stepFieldIndex.ReplaceAllString(field, "steps[$1]")
}

// Validate checks the pathway's fields and the shape of its steps and
// returns an Invalid error listing every problem, each naming its step.
// That named services exist is checked by the store, which can see them.
func (p *Pathway) Validate(v *services.Vocabularies) error {
	var fs apperr.Fields
	switch {
	case p.Slug == "":
		fs.Add("slug", "err.required", "is required")
	case !idPattern.MatchString(p.Slug):
		fs.Add("slug", "err.id", "must be 1-80 lowercase letters, digits or hyphens")
	}
	services.CheckText(&fs, "title", p.Title, true, 200)
	services.CheckText(&fs, "situation", p.Situation, false, 2000)
	services.CheckText(&fs, "description", p.Description, false, 5000)
	if p.TargetGroup == "" {
		fs.Add("target_group", "err.required", "is required")
	} else if _, ok := v.Term(services.VocabClientSituation, p.TargetGroup); !ok {
		fs.Add("target_group", "err.unknown_term", "unknown term %q", p.TargetGroup)
	}
	for _, a := range []struct {
		field string
		v     *int
	}{{"age_min", p.AgeMin}, {"age_max", p.AgeMax}} {
		if a.v != nil && (*a.v < 0 || *a.v > params.MaxAge) {
			fs.Add(a.field, "err.age", "must be an age from 0 to 120")
		}
	}
	if p.AgeMin != nil && p.AgeMax != nil && *p.AgeMin > *p.AgeMax {
		fs.Add("age_max", "err.age_order", "is below the lowest age")
	}
	if !utf8.ValidString(p.Owner) {
		fs.Add("owner", "err.utf8", "is not valid UTF-8")
	} else if n := utf8.RuneCountInString(p.Owner); n > 200 {
		fs.Add("owner", "err.too_long", "is too long (%d characters, at most %d)", n, 200)
	}
	if p.Status != StatusDraft && p.Status != StatusPublished {
		fs.Add("status", "err.status", "must be draft or published")
	}
	switch {
	case len(p.Steps) == 0:
		fs.Add("steps", "err.no_steps", "a pathway needs at least one step")
	case len(p.Steps) > MaxSteps:
		fs.Add("steps", "err.too_many_steps", "has %d steps, at most %d", len(p.Steps), MaxSteps)
	}
	index := map[string]int{}
	// The graph is checked only when every step has its own id and every
	// reference names one; otherwise its messages would only repeat those.
	refsOK := true
	for i, s := range p.Steps {
		f := StepField(i, s.ID)
		switch {
		case s.ID == "":
			fs.Add(f+".id", "err.required", "is required")
			refsOK = false
		case !idPattern.MatchString(s.ID):
			fs.Add(f+".id", "err.id", "must be 1-80 lowercase letters, digits or hyphens")
			refsOK = false
		}
		if prev, ok := index[s.ID]; ok && s.ID != "" {
			fs.Add(f+".id", "err.step_repeats", "repeats the id of %s", StepField(prev, s.ID))
			refsOK = false
		} else if s.ID != "" {
			index[s.ID] = i
		}
	}
	for i := range p.Steps {
		if !p.Steps[i].validate(&fs, i, v, index) {
			refsOK = false
		}
	}
	if refsOK && len(p.Steps) > 0 {
		p.checkGraph(&fs, index)
	}
	return fs.Err()
}

// validate checks one step; it returns false when a reference to another
// step is missing.
func (s *Step) validate(fs *apperr.Fields, i int, v *services.Vocabularies, index map[string]int) bool {
	f := StepField(i, s.ID)
	refsOK := true
	services.CheckText(fs, f+".title", s.Title, true, 200)
	services.CheckText(fs, f+".guidance", s.Guidance, false, 5000)
	if s.Actor == "" {
		fs.Add(f+".actor", "err.required", "is required")
	} else if _, ok := RoleByID(s.Actor); !ok {
		fs.Add(f+".actor", "err.role", "unknown role %q: use one of %s", s.Actor, roleIDs())
	}
	if s.HandOver != "" {
		if _, ok := RoleByID(s.HandOver); !ok {
			fs.Add(f+".hand_over", "err.role", "unknown role %q: use one of %s", s.HandOver, roleIDs())
		}
	}
	seenDuty := map[string]bool{}
	for j, d := range s.Duties {
		df := fmt.Sprintf("%s.duties[%d]", f, j)
		if _, ok := v.Term(services.VocabReportingDuty, d.Duty); !ok {
			fs.Add(df+".duty", "err.unknown_term", "unknown term %q", d.Duty)
		} else if seenDuty[d.Duty] {
			fs.Add(df+".duty", "err.duplicate", "%q is listed twice", d.Duty)
		}
		seenDuty[d.Duty] = true
		services.CheckText(fs, df+".to", d.To, false, 200)
		services.CheckText(fs, df+".note", d.Note, false, 1000)
	}
	ref := func(field, next string) {
		if _, ok := index[next]; !ok {
			fs.Add(field, "err.unknown_step", "refers to missing step %q", next)
			refsOK = false
		}
	}
	if s.Next != "" {
		ref(f+".next", s.Next)
	}
	if d := s.Decision; d != nil {
		if s.Next != "" {
			fs.Add(f+".next", "err.next_and_decision", "a step with a decision leads on by its answers; leave next empty")
		}
		services.CheckText(fs, f+".decision.question", d.Question, true, 500)
		if len(d.Answers) < 2 || len(d.Answers) > MaxAnswers {
			fs.Add(f+".decision.answers", "err.answers", "a decision needs 2 to %d answers", MaxAnswers)
		}
		for j, a := range d.Answers {
			af := fmt.Sprintf("%s.decision.answers[%d]", f, j)
			services.CheckText(fs, af+".label", a.Label, true, 200)
			if a.Next == "" {
				fs.Add(af+".next", "err.required", "is required")
				refsOK = false
			} else {
				ref(af+".next", a.Next)
			}
		}
	}
	if len(s.Targets) > MaxTargets {
		fs.Add(f+".targets", "err.too_many_targets", "has %d targets, at most %d", len(s.Targets), MaxTargets)
	}
	for j, t := range s.Targets {
		t.validate(fs, fmt.Sprintf("%s.targets[%d]", f, j), v)
	}
	return refsOK
}

func (t Target) validate(fs *apperr.Fields, f string, v *services.Vocabularies) {
	switch {
	case len(t.Services) > 0 && t.HasCriteria():
		fs.Add(f, "err.target_both", "is either named services or criteria, not both")
	case len(t.Services) == 0 && t.TargetGroup == "" && t.ServiceType == "":
		fs.Add(f, "err.target_empty", "name services, or give criteria with at least a target group or a service type")
	}
	seen := map[string]bool{}
	for k, id := range t.Services {
		sf := fmt.Sprintf("%s.services[%d]", f, k)
		if !idPattern.MatchString(id) {
			fs.Add(sf, "err.id", "must be a service id")
		} else if seen[id] {
			fs.Add(sf, "err.duplicate", "%q is listed twice", id)
		}
		seen[id] = true
	}
	for _, c := range []struct{ field, vocab, term string }{
		{"target_group", services.VocabClientSituation, t.TargetGroup},
		{"service_type", services.VocabServiceType, t.ServiceType},
		{"delivery_mode", services.VocabDeliveryMode, t.DeliveryMode},
	} {
		if c.term == "" {
			continue
		}
		if _, ok := v.Term(c.vocab, c.term); !ok {
			fs.Add(f+"."+c.field, "err.unknown_term", "unknown term %q", c.term)
		}
	}
	services.CheckText(fs, f+".note", t.Note, false, 500)
}

// checkGraph checks the pathway as a graph, once every reference is known
// to be valid: every step is reachable from the first, and from every
// step some path reaches an end (a cycle needs an exit).
func (p *Pathway) checkGraph(fs *apperr.Fields, index map[string]int) {
	n := len(p.Steps)
	next := make([][]int, n)
	prev := make([][]int, n)
	for i, s := range p.Steps {
		for _, id := range s.successors() {
			j := index[id]
			next[i] = append(next[i], j)
			prev[j] = append(prev[j], i)
		}
	}
	walk := func(start []int, edges [][]int) []bool {
		seen := make([]bool, n)
		stack := append([]int(nil), start...)
		for _, i := range start {
			seen[i] = true
		}
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, j := range edges[i] {
				if !seen[j] {
					seen[j] = true
					stack = append(stack, j)
				}
			}
		}
		return seen
	}
	reached := walk([]int{0}, next)
	var ends []int
	for i, s := range p.Steps {
		if s.Terminal() {
			ends = append(ends, i)
		}
	}
	if len(ends) == 0 {
		fs.Add("steps", "err.no_end", "no step ends the pathway: the last step of every branch must have no next step and no decision")
	}
	ending := walk(ends, prev)
	for i, s := range p.Steps {
		f := StepField(i, s.ID)
		if !reached[i] {
			fs.Add(f, "err.unreachable", "cannot be reached from the first step")
		} else if len(ends) > 0 && !ending[i] {
			fs.Add(f, "err.no_exit", "never reaches an end: every way on from here loops back without an exit")
		}
	}
}

// successors returns the ids of the steps that can follow s.
func (s Step) successors() []string {
	if s.Decision != nil {
		out := make([]string, 0, len(s.Decision.Answers))
		for _, a := range s.Decision.Answers {
			out = append(out, a.Next)
		}
		return out
	}
	if s.Next != "" {
		return []string{s.Next}
	}
	return nil
}

// ServiceIDs returns the services the pathway names, each once, in order
// of appearance.
func (p *Pathway) ServiceIDs() []string {
	var ids []string
	seen := map[string]bool{}
	for _, s := range p.Steps {
		for _, t := range s.Targets {
			for _, id := range t.Services {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}
