package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/serie-verkosto/directory/internal/api"
	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/services"
)

// Care pathway pages: the list, one pathway step by step or all steps at
// once (for print), resolved to the client's municipality or a network;
// the client handout; the coverage report; and the editing form. Who may
// see drafts, propose and publish is decided in internal/api (the same
// rules as the API's).

// barePages are complete documents of their own, parsed without the
// layout: the client handout must carry nothing of the site around it.
var barePages = []string{"handout"}

// HandoutPerStep is how many services of each step the client handout
// lists, nearest first, so that it fits on one page.
const HandoutPerStep = 3

// pathwaysOn is the error of the pathway pages when the server has none.
func (s *Server) pathwaysOn() error {
	if s.cfg.Pathways == nil {
		return apperr.Errorf(apperr.Unavailable, "care pathways are not enabled")
	}
	return nil
}

// RoleName is a pathway role's name in the page's language.
func (b *Base) RoleName(id string) string { return pathways.RoleLabel(id, b.Lang) }

// TargetCriteria describes a criteria target in the page's language
// ("Nuorisopsykiatria, chat, nimetön asiointi").
func (b *Base) TargetCriteria(t pathways.Target) string {
	var parts []string
	if t.TargetGroup != "" {
		parts = append(parts, b.Term(services.VocabClientSituation, t.TargetGroup))
	}
	if t.ServiceType != "" {
		parts = append(parts, b.Term(services.VocabServiceType, t.ServiceType))
	}
	if t.DeliveryMode != "" {
		parts = append(parts, b.Term(services.VocabDeliveryMode, t.DeliveryMode))
	}
	if t.Anonymous {
		parts = append(parts, b.T("tag.anonymous"))
	}
	if t.NoReferral {
		parts = append(parts, b.T("pathway.no_referral"))
	}
	return strings.Join(parts, ", ")
}

// --- the list ---

// PathwaysView is the list of care pathways.
type PathwaysView struct {
	*Base
	Items      []pathways.Pathway
	MayPropose bool
}

func (s *Server) listPathways(w http.ResponseWriter, r *http.Request, b *Base) error {
	if err := s.pathwaysOn(); err != nil {
		return err
	}
	items, err := s.papi.PathwayList(r.Context(), b.User)
	if err != nil {
		return err
	}
	b.Title, b.Nav = b.T("pathways.title"), "pathways"
	return s.render(w, b, "pathways", &PathwaysView{Base: b, Items: items, MayPropose: api.CanProposePathway(b.User) == nil})
}

// --- one pathway ---

// PathwayView is one pathway: one step at a time, or all steps (All).
type PathwayView struct {
	*Base
	Pathway pathways.Pathway
	All     bool
	// The place chosen: a municipality (its code) or a network, or none.
	Municipality string
	Network      string
	PlaceName    string
	Networks     []services.Network // for the selector
	Resolved     bool
	Place        pathways.Place
	Contacts     []services.Contact
	Steps        []*StepView
	Current      *StepView // the step shown, when not All
	MayEdit      bool
	AllURL       string
	StepsURL     string // the step-by-step view of the first step
	Today        string
}

// StepView is one step as shown.
type StepView struct {
	V       *PathwayView // the page, for the step's template
	N       int          // 1-based position
	Anchor  string
	URL     string // this step: its page, or its anchor in the all view
	Step    pathways.Step
	Matches []pathways.Match
	Total   int
	More    int    // matching services not listed
	MoreURL string // the service list with the step's criteria, when it has one criterion
	Next    *StepView
	Answers []AnswerView
	Current bool
	Handout string // the client handout from this step
}

// AnswerView is one answer of a decision and the step it leads to.
type AnswerView struct {
	Label l10n.Text
	To    *StepView
}

// Reason says in the page's language why a service is listed.
func (v *PathwayView) Reason(m pathways.Match) string {
	place, _ := m.Place.Get(v.Lang)
	var r string
	switch m.Tier {
	case pathways.TierMunicipality, pathways.TierCounty:
		r = v.T("pathway.reason.covers", place)
	case pathways.TierNetworkArea:
		r = v.T("pathway.reason.network_area", place)
	case pathways.TierNetwork:
		if v.Network != "" {
			r = v.T("pathway.reason.in_network", place)
		} else {
			r = v.T("pathway.reason.network_elsewhere", place)
		}
	case pathways.TierNational:
		r = v.T("pathway.reason.national")
	default:
		r = v.T("pathway.reason.elsewhere", v.PlaceName)
	}
	if m.Explicit {
		return v.T("pathway.reason.named") + "; " + r
	}
	return r
}

// NoReferral reports whether the service is known to need no referral.
func (v *PathwayView) NoReferral(s services.Service) bool {
	return s.ReferralRequired != nil && !*s.ReferralRequired
}

// NetworkLabel names a network the place belongs to.
func (v *PathwayView) NetworkLabel(slug string) string {
	for _, n := range v.Networks {
		if n.Slug == slug {
			return n.Display(v.Lang)
		}
	}
	return slug
}

// placeQuery is the place's query pairs for Base.URL.
func (v *PathwayView) placeQuery(extra ...string) []string {
	return append([]string{"?", "municipality", v.Municipality, "network", v.Network}, extra...)
}

func (s *Server) showPathway(w http.ResponseWriter, r *http.Request, b *Base) error {
	return s.pathwayPage(w, r, b, false)
}

func (s *Server) showPathwayAll(w http.ResponseWriter, r *http.Request, b *Base) error {
	return s.pathwayPage(w, r, b, true)
}

// pathwayView loads the pathway of the route and resolves it for the
// place in the query, if one is given.
func (s *Server) pathwayView(r *http.Request, b *Base, all bool) (*PathwayView, error) {
	if err := s.pathwaysOn(); err != nil {
		return nil, err
	}
	slug, err := pathID(r, "slug")
	if err != nil {
		return nil, err
	}
	p, err := s.papi.Pathway(r.Context(), b.User, slug)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	v := &PathwayView{Base: b, Pathway: p, All: all, Network: q.Get("network"), Today: b.Date(&b.now)}
	if v.Networks, err = s.store.Networks(r.Context()); err != nil {
		return nil, err
	}
	v.MayEdit = api.CanProposePathway(b.User) == nil && (p.Status != pathways.StatusPublished || api.CanPublishPathway(b.User) == nil)

	var res *pathways.Resolved
	if muni := q.Get("municipality"); muni != "" || v.Network != "" {
		x, err := s.papi.ResolvePathway(r.Context(), b.User, p, muni, v.Network)
		if err != nil {
			return nil, err
		}
		res = &x
		v.Resolved, v.Place, v.Contacts = true, x.Place, x.Contacts
		if m := x.Place.Municipality; m != nil {
			v.Municipality, v.PlaceName = m.Code, m.Name(b.Lang)
		} else if x.Place.Network != nil {
			v.PlaceName = v.NetworkLabel(x.Place.Network.Slug)
		}
	}

	byID := map[string]*StepView{}
	for i, st := range p.Steps {
		sv := &StepView{V: v, N: i + 1, Anchor: "step-" + st.ID, Step: st}
		if all {
			sv.URL = "#" + sv.Anchor
		} else {
			sv.URL = b.URL("pathway", append([]string{"slug", p.Slug}, v.placeQuery("step", st.ID)...)...)
		}
		if res != nil {
			rs := res.Steps[i]
			sv.Matches, sv.Total = rs.Services, rs.Total
			sv.More = rs.Total - len(rs.Services)
			sv.MoreURL = v.moreURL(st)
			sv.Handout = b.URL("pathway.handout", append([]string{"slug", p.Slug}, v.placeQuery("step", st.ID)...)...)
		}
		v.Steps = append(v.Steps, sv)
		byID[st.ID] = sv
	}
	for _, sv := range v.Steps {
		if sv.Step.Next != "" {
			sv.Next = byID[sv.Step.Next]
		}
		// A handout from here lists this step's services and the next's.
		if len(sv.Matches) == 0 && (sv.Next == nil || len(sv.Next.Matches) == 0) {
			sv.Handout = ""
		}
		if d := sv.Step.Decision; d != nil {
			for _, a := range d.Answers {
				sv.Answers = append(sv.Answers, AnswerView{Label: a.Label, To: byID[a.Next]})
			}
		}
	}
	v.AllURL = b.URL("pathway.all", append([]string{"slug", p.Slug}, v.placeQuery()...)...)
	v.StepsURL = b.URL("pathway", append([]string{"slug", p.Slug}, v.placeQuery()...)...)
	if !all && len(v.Steps) > 0 {
		v.Current = v.Steps[0]
		if id := q.Get("step"); id != "" {
			if v.Current = byID[id]; v.Current == nil {
				return nil, apperr.Keyed(apperr.NotFound, "err.no_such_step", "the pathway has no step %q", id)
			}
		}
		v.Current.Current = true
	}
	return v, nil
}

// moreURL links the service list filtered by the step's one criteria
// target, for the services beyond those listed; "" when the step has
// other targets too.
func (v *PathwayView) moreURL(st pathways.Step) string {
	if len(st.Targets) != 1 || !st.Targets[0].HasCriteria() {
		return ""
	}
	t := st.Targets[0]
	return v.URL("services", "?", "municipality", v.Municipality, "network", v.Network,
		"target_group", t.TargetGroup, "service_type", t.ServiceType, "delivery_mode", t.DeliveryMode)
}

func (s *Server) pathwayPage(w http.ResponseWriter, r *http.Request, b *Base, all bool) error {
	v, err := s.pathwayView(r, b, all)
	if err != nil {
		return err
	}
	title, _ := v.Pathway.Title.Get(b.Lang)
	b.Title, b.Nav = title, "pathways"
	if v.PlaceName != "" {
		b.Title = b.T("pathway.title_place", title, v.PlaceName)
	}
	if all {
		return s.render(w, b, "pathway_all", v)
	}
	return s.render(w, b, "pathway", v)
}

// --- the client handout ---

// HandoutView is the page a professional gives the client: the contacts
// of the current and the following step, and nothing else of the
// pathway, under a title that does not reveal its topic.
type HandoutView struct {
	*Base
	Services []services.Service
	// MissingContacts: some service has no phone, web site or e-mail in
	// the directory (yet).
	MissingContacts bool
	Today           string
	BackURL         string
}

func (s *Server) showHandout(w http.ResponseWriter, r *http.Request, b *Base) error {
	q := r.URL.Query()
	if q.Get("municipality") == "" && q.Get("network") == "" {
		if err := s.pathwaysOn(); err != nil {
			return err
		}
		return apperr.Keyed(apperr.Invalid, "err.where_missing", "give a municipality (a three-digit code or a Finnish or Swedish name) or a network")
	}
	pv, err := s.pathwayView(r, b, false)
	if err != nil {
		return err
	}
	if pv.Current == nil { // a pathway without steps is not valid, but be safe
		return apperr.Keyed(apperr.NotFound, "err.not_found", "the pathway has no steps")
	}
	v := &HandoutView{Base: b, Today: pv.Today, BackURL: pv.Current.URL}
	seen := map[string]bool{}
	add := func(sv *StepView) {
		n := 0
		for _, m := range sv.Matches {
			if n == HandoutPerStep {
				break
			}
			if !seen[m.Service.ID] {
				seen[m.Service.ID] = true
				v.Services = append(v.Services, m.Service)
				if len(m.Service.Phones) == 0 && m.Service.URL == "" && m.Service.Email == "" {
					v.MissingContacts = true
				}
				n++
			}
		}
	}
	// The next contacts: this step's services and those of the steps that
	// follow it in line, from at most two steps that have any. A question's
	// branches are not followed: the professional chooses the answer.
	withServices, visited := 0, map[*StepView]bool{}
	for sv := pv.Current; sv != nil && !visited[sv] && withServices < 2; sv = sv.Next {
		visited[sv] = true
		if len(sv.Matches) > 0 {
			add(sv)
			withServices++
		}
	}
	// Nothing of it may be kept: not by the browser, not by a proxy.
	w.Header().Set("Cache-Control", "no-store")
	b.Title = b.T("handout.title")
	return s.render(w, b, "handout", v)
}

// --- the coverage report ---

// CoverageView is a network's coverage report.
type CoverageView struct {
	*Base
	Networks []services.Network
	Network  string
	Report   *pathways.Report
}

// GapURL links a gap's step on its pathway page, resolved for the
// network.
func (v *CoverageView) GapURL(slug, step string) string {
	return v.URL("pathway", "slug", slug, "?", "network", v.Network, "step", step)
}

func (s *Server) showCoverage(w http.ResponseWriter, r *http.Request, b *Base) error {
	if err := s.pathwaysOn(); err != nil {
		return err
	}
	v := &CoverageView{Base: b, Network: r.URL.Query().Get("network")}
	var err error
	if v.Networks, err = s.store.Networks(r.Context()); err != nil {
		return err
	}
	if v.Network == "" && b.User != nil && len(b.User.Networks) > 0 {
		v.Network = b.User.Networks[0]
	}
	if v.Network != "" {
		rep, err := s.cfg.Pathways.Coverage(r.Context(), v.Network)
		if err != nil {
			return err
		}
		v.Report = &rep
	}
	b.Title, b.Nav = b.T("coverage.title"), "pathways"
	if v.Report != nil {
		name, _ := v.Report.Network.Name.Get(b.Lang)
		b.Title = b.T("coverage.title_network", name)
	}
	return s.render(w, b, "coverage", v)
}

// --- editing ---

// PathwayEditView is the form of a new or existing pathway. The steps
// are edited as YAML (the seed's format): a branching structure is
// clearer as text than as nested form rows.
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
	// Errors are by input name; Summary lists every problem, naming its
	// step; Message is about the form as a whole.
	Errors     map[string]string
	Summary    []PathwayFormError
	Message    string
	CurrentURL string // after a conflict: the stored version
}

// PathwayFormError is one problem of a submitted pathway.
type PathwayFormError struct {
	Where, Text, Anchor string
}

// Err returns the error of an input.
func (v *PathwayEditView) Err(name string) string { return v.Errors[name] }

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
		out.Inputs = append(out.Inputs, PathwayTextInput{ID: fieldID(n), Name: n, Lang: lang, Value: t.In(lang), Err: v.Errors[n]})
	}
	return out
}

// stepField splits "steps[2:x].next" into 2, "x" and "next".
var stepField = regexp.MustCompile(`^steps\[(\d+)(?::([^\]]*))?\](?:\.(.+))?$`)

// setError files a field error of the domain under its input, or in the
// summary naming the step.
func (v *PathwayEditView) setError(fe apperr.FieldError) {
	msg := v.fieldMessage(fe)
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	name, where := fe.Field, ""
	if m := stepField.FindStringSubmatch(fe.Field); m != nil {
		n, _ := strconv.Atoi(m[1])
		where = v.T("pathway.edit.err_step", n+1, m[2])
		if m[2] == "" {
			where = v.T("pathway.step_n", n+1)
		}
		if m[3] != "" {
			where += ", " + m[3]
		}
		name = "steps"
	} else if fe.Field == "steps" {
		where = v.T("pathway.field.steps")
	} else {
		base, lang, _ := strings.Cut(fe.Field, ".")
		where = v.T("pathway.field." + base)
		if l10n.Supported(lang) {
			where += " (" + v.LangName(lang) + ")"
		}
	}
	if old, ok := v.Errors[name]; ok && name != "steps" {
		msg = old + "; " + msg
	}
	v.Errors[name] = msg
	v.Summary = append(v.Summary, PathwayFormError{Where: where, Text: v.fieldMessage(fe), Anchor: "#" + fieldID(name)})
}

// StepsYAML writes steps as YAML in the order and with the omissions of
// their JSON (empty fields are left out).
func StepsYAML(steps []pathways.Step) (string, error) {
	if len(steps) == 0 {
		return "", nil
	}
	b, err := json.Marshal(steps)
	if err != nil {
		return "", err
	}
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		return "", err
	}
	var block func(*yaml.Node)
	block = func(x *yaml.Node) {
		x.Style = 0
		for _, c := range x.Content {
			block(c)
		}
	}
	block(&n)
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return "", err
	}
	return out.String(), enc.Close()
}

// ParseStepsYAML reads steps written as YAML (or JSON, which is YAML
// too). An unknown field or malformed text is an Invalid error on the
// "steps" field, with the parser's line number.
func ParseStepsYAML(text string) ([]pathways.Step, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	var steps []pathways.Step
	if err := dec.Decode(&steps); err != nil && !errors.Is(err, io.EOF) {
		var fs apperr.Fields
		fs.Add("steps", "err.steps_yaml", "the steps are not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, fs.Err()
	}
	return steps, nil
}

func (s *Server) pathwayEditView(b *Base, p pathways.Pathway, isNew bool) (*PathwayEditView, error) {
	v := &PathwayEditView{Base: b, IsNew: isNew, Slug: p.Slug, Name: p.Title, Situation: p.Situation,
		Description: p.Description, TargetGroup: p.TargetGroup, Owner: p.Owner, PathwayStatus: p.Status,
		Version: p.Version, MayPublish: api.CanPublishPathway(b.User) == nil}
	if p.ReviewBy != nil {
		v.ReviewBy = p.ReviewBy.Format(time.DateOnly)
	}
	if v.PathwayStatus == "" {
		v.PathwayStatus = pathways.StatusDraft
	}
	var err error
	if v.Steps, err = StepsYAML(p.Steps); err != nil {
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
// it returns whether the user may propose pathways at all.
func (s *Server) mayOpenEditor(w http.ResponseWriter, r *http.Request, b *Base) (redirected bool, err error) {
	if err := s.pathwaysOn(); err != nil {
		return false, err
	}
	if b.User == nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		return true, redirect(w, r, b.LoginURL())
	}
	return false, api.CanProposePathway(b.User)
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
	// proposal for an admin (api.SaveOrProposePathway).
	p, err := s.papi.Pathway(r.Context(), b.User, slug)
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

// readPathway reads the posted form: the pathway, and an Invalid error
// when its review date or its steps' text cannot be read.
func readPathway(r *http.Request, slug string) (pathways.Pathway, error) {
	f := r.PostForm
	text := func(name string) l10n.Text {
		return l10n.Text{FI: f.Get(name + ".fi"), SV: f.Get(name + ".sv"), EN: f.Get(name + ".en")}
	}
	p := pathways.Pathway{Slug: slug, Title: text("title"), Situation: text("situation"), Description: text("description"),
		TargetGroup: f.Get("target_group"), Owner: f.Get("owner"), Status: f.Get("status")}
	if slug == "" {
		p.Slug = strings.TrimSpace(f.Get("slug"))
	}
	p.Version, _ = strconv.Atoi(f.Get("version"))
	var fs apperr.Fields
	if d := strings.TrimSpace(f.Get("review_by")); d != "" {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			fs.Add("review_by", "err.date", "must be a date (yyyy-mm-dd)")
		} else {
			p.ReviewBy = &t
		}
	}
	steps, err := ParseStepsYAML(f.Get("steps"))
	if e := apperr.As(err); e != nil {
		fs = append(fs, e.Fields...)
	}
	p.Steps = steps
	return p, fs.Err()
}

// savePathway saves the posted pathway (a new one when slug is "") and
// goes to its page; a refused save shows the form again with what was
// typed, every problem named, and the status of the refusal.
func (s *Server) savePathway(w http.ResponseWriter, r *http.Request, b *Base, slug string) error {
	if _, err := s.mayOpenEditor(w, r, b); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	p, formErr := readPathway(r, slug)
	isNew := slug == ""
	err := formErr
	proposed := false
	if err == nil {
		proposed, err = s.papi.SaveOrProposePathway(r.Context(), b.User, &p, isNew)
	} else if e := s.pathwayFormChecks(r, b, &p); e != nil {
		// Permission first: a refusal says so whatever else is wrong.
		err = e
	} else {
		err = s.withOtherProblems(r, p, formErr)
	}
	if err == nil {
		if proposed {
			return redirect(w, r, b.URL("pathway.proposal", "slug", p.Slug))
		}
		return redirect(w, r, b.URL("pathway", "slug", p.Slug))
	}
	e := apperr.As(err)
	if e == nil || e.Code == apperr.Internal || e.Code == apperr.Unauthorized || e.Code == apperr.NotFound {
		return err
	}
	steps := r.PostForm.Get("steps")
	v, verr := s.pathwayEditView(b, p, isNew)
	if verr != nil {
		return verr
	}
	v.Steps = steps
	v.Version, _ = strconv.Atoi(r.PostForm.Get("version"))
	v.PathwayStatus = r.PostForm.Get("status")
	v.ReviewBy = r.PostForm.Get("review_by")
	for _, fe := range e.Fields {
		v.setError(fe)
	}
	switch e.Code {
	case apperr.Conflict:
		if !isNew {
			v.Message = v.errorMessage(err)
			v.CurrentURL = b.URL("pathway.edit", "slug", p.Slug)
		}
	case apperr.Invalid:
		if len(e.Fields) == 0 {
			v.Message = v.errorMessage(err)
		} else {
			v.Message = b.T("pathway.edit.invalid", len(e.Fields))
		}
	default:
		v.Message = v.errorMessage(err)
	}
	b.Status = apperr.HTTPStatus(err)
	return s.render(w, b, "pathway_edit", v)
}

// pathwayFormChecks are the permission checks of a save, for when the
// form is refused before it reaches SavePathway.
func (s *Server) pathwayFormChecks(r *http.Request, b *Base, p *pathways.Pathway) error {
	if err := api.CanProposePathway(b.User); err != nil {
		return err
	}
	if strings.TrimSpace(p.Status) == pathways.StatusPublished {
		return api.CanPublishPathway(b.User)
	}
	return nil
}

// withOtherProblems adds to the form's own errors (malformed YAML or
// date) the problems validation finds in the rest of the pathway, so
// that one submission shows them all.
func (s *Server) withOtherProblems(r *http.Request, p pathways.Pathway, formErr error) error {
	vocab, err := s.store.Vocabularies(r.Context())
	if err != nil {
		return err
	}
	fs := apperr.Fields(apperr.As(formErr).Fields)
	p.Normalize()
	if e := apperr.As(p.Validate(vocab)); e != nil {
		for _, f := range e.Fields {
			if f.Field != "steps" && !strings.HasPrefix(f.Field, "steps[") {
				fs = append(fs, f)
			}
		}
	}
	return fs.Err()
}

// --- proposals ---

// ProposalView shows an editor's pending change to a published pathway.
type ProposalView struct {
	*Base
	Slug      string
	Current   pathways.Pathway
	Proposal  pathways.Proposal
	Steps     string // the proposed steps as YAML
	CanAccept bool
}

// showProposal answers GET /pathways/{slug}/proposal for editors and
// admins: what is proposed, by whom, and for admins the publish and
// discard buttons.
func (s *Server) showProposal(w http.ResponseWriter, r *http.Request, b *Base) error {
	if err := s.pathwaysOn(); err != nil {
		return err
	}
	if err := api.CanProposePathway(b.User); err != nil {
		return err
	}
	slug, err := pathID(r, "slug")
	if err != nil {
		return err
	}
	cur, err := s.cfg.Pathways.Pathway(r.Context(), slug)
	if err != nil {
		return err
	}
	pr, err := s.cfg.Pathways.Proposal(r.Context(), slug)
	if err != nil {
		return err
	}
	steps, err := StepsYAML(pr.Pathway.Steps)
	if err != nil {
		return err
	}
	v := &ProposalView{Base: b, Slug: slug, Current: cur, Proposal: pr, Steps: steps,
		CanAccept: api.CanPublishPathway(b.User) == nil}
	if u, err := s.cfg.Users.ByID(r.Context(), pr.ProposedBy); err == nil {
		v.Proposal.ProposedBy = u.Name
	}
	b.Title, b.Nav = b.T("proposal.title"), "pathways"
	w.Header().Set("Cache-Control", "private, no-cache")
	return s.render(w, b, "pathway_proposal", v)
}

// decideProposal answers the admin's POST to publish or discard it.
func (s *Server) decideProposal(accept bool) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, b *Base) error {
		if err := s.pathwaysOn(); err != nil {
			return err
		}
		if err := api.CanPublishPathway(b.User); err != nil {
			return err
		}
		slug, err := pathID(r, "slug")
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		if accept {
			version, _ := strconv.Atoi(r.PostForm.Get("version"))
			if _, err := s.cfg.Pathways.AcceptProposal(r.Context(), slug, version); err != nil {
				return err
			}
			s.store.DB().Settle(r.Context())
		} else if err := s.cfg.Pathways.DiscardProposal(r.Context(), slug); err != nil {
			return err
		}
		return redirect(w, r, b.URL("pathway", "slug", slug))
	}
}

// PendingProposal returns the link to a pathway's pending proposal for
// those who may propose, or "".
func (b *Base) PendingProposal(slug string) string {
	if b.User == nil || api.CanProposePathway(b.User) != nil || b.s.cfg.Pathways == nil {
		return ""
	}
	if _, err := b.s.cfg.Pathways.Proposal(b.req.Context(), slug); err != nil {
		return ""
	}
	return b.URL("pathway.proposal", "slug", slug)
}
