package web

import (
	"github.com/serie-verkosto/directory/internal/params"
	"net/http"
	"strconv"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/services"
)

// PathwayView is one pathway: one step at a time, or all steps (All).
type PathwayView struct {
	*Base
	Pathway pathways.Pathway
	All     bool
	// The place chosen: a municipality (its code) or a network, or none.
	Municipality string
	Network      string
	PlaceName    string
	// Age is the client's age, when given: services that do not fit it
	// are not offered.
	Age *int
	// ClientLang is the client's language, when given: services in it
	// come first, and the handout is written in it.
	ClientLang string
	Networks   []services.Network // for the selector
	Resolved   bool
	Place      pathways.Place
	Consult    *pathways.Consult
	Contacts   []services.Contact
	Steps      []*StepView
	Current    *StepView // the step shown, when not All
	MayEdit    bool
	// MayHistory: the viewer (an editor) may see the pathway's versions.
	MayHistory bool
	AllURL     string
	StepsURL   string // the step-by-step view of the first step
	Today      string
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
	Unfit   int    // services of the place that do not fit the client's age
	MoreURL string // the service list with the step's criteria, when it has one criterion
	Next    *StepView
	Answers []AnswerView
	Current bool
	Handout string // the client handout from this step, with the preset choice
	// HandoutAction is the handout form's address; HandoutChoices the
	// services it offers to tick, the preset ones ticked.
	HandoutAction  string
	HandoutChoices []HandoutChoice
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

// UnfitText says that the place has services for the step, only none
// for this client's age, and whom to consult.
func (v *PathwayView) UnfitText() string {
	who := v.T("pathway.unfit_consult_contact")
	if v.Consult != nil {
		name, _ := v.Consult.Network.Name.Get(v.Lang)
		who = v.T("pathway.unfit_consult", name)
	}
	if v.Age != nil {
		return v.T("pathway.unfit_age", v.PlaceName, *v.Age, who)
	}
	return v.T("pathway.unfit", v.PlaceName, who)
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

// placeQuery is the place's (and the client's age's) query pairs for
// Base.URL.
func (v *PathwayView) placeQuery(extra ...string) []string {
	age := ""
	if v.Age != nil {
		age = strconv.Itoa(*v.Age)
	}
	return append([]string{"?", "municipality", v.Municipality, "network", v.Network, "age", age, "client_lang", v.ClientLang}, extra...)
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
	p, err := s.cfg.Pathways.Read(r.Context(), b.User, slug)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	age, err := params.Age(q)
	if err != nil {
		return nil, err
	}
	clientLang, err := params.ClientLang(q)
	if err != nil {
		return nil, err
	}
	v := &PathwayView{Base: b, Pathway: p, All: all, Network: q.Get("network"), Age: age, ClientLang: clientLang, Today: b.Date(&b.now)}
	if v.Networks, err = s.store.Networks(r.Context()); err != nil {
		return nil, err
	}
	v.MayEdit = pathways.MayEdit(b.User, p)
	v.MayHistory = pathways.MayPropose(b.User) == nil

	var res *pathways.Resolved
	if muni := q.Get("municipality"); muni != "" || v.Network != "" {
		x, err := s.cfg.Pathways.ResolveFor(r.Context(), b.User, p, pathways.Where{Municipality: muni, Network: v.Network, Age: v.Age, Lang: clientLang})
		if err != nil {
			return nil, err
		}
		res = &x
		v.Resolved, v.Place, v.Consult, v.Contacts = true, x.Place, x.Consult, x.Contacts
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
			// The anchor brings the step into view: on a phone it is below
			// the place form and the list of steps.
			sv.URL = b.URL("pathway", append([]string{"slug", p.Slug}, v.placeQuery("step", st.ID)...)...) + "#" + sv.Anchor
		}
		if res != nil {
			rs := res.Steps[i]
			sv.Matches, sv.Total = rs.Services, rs.Total
			sv.More, sv.Unfit = rs.Total-len(rs.Services), rs.Unfit
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
		if sv.HandoutChoices = sv.handoutChoices(); len(sv.HandoutChoices) == 0 {
			sv.Handout = ""
		} else if sv.Handout != "" {
			sv.HandoutAction = b.URL("pathway.handout", "slug", p.Slug)
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
	return v.URL("services", v.placeQuery("target_group", t.TargetGroup, "service_type", t.ServiceType, "delivery_mode", t.DeliveryMode)...)
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
