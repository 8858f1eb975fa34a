package web

import (
	"net/http"
	"slices"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/services"
)

// The client handout: the professional ticks, on the pathway page, the
// services to give the client (those the step names and the best-fitting
// ones are ticked already) and the language the client reads; the
// handout shows each service's ways in. The choice travels in the URL
// (service=id, repeated; client_lang) and nothing of it is stored.

// MaxHandoutServices bounds the services one handout lists.
const MaxHandoutServices = 12

// HandoutView is the page a professional gives the client: the chosen
// services' contacts and nothing else of the pathway, under a title that
// does not reveal its topic.
type HandoutView struct {
	*Base
	Services []services.Service
	Today    string
	BackURL  string
}

// HandoutChoice is one service the handout form offers.
type HandoutChoice struct {
	Service services.Service
	Checked bool
}

// handoutChoices are the services a handout from this step can list: its
// own and those of the steps that follow it in line, from at most two
// steps that have any (a question's branches are not followed: the
// professional chooses the answer). The named ones and the first
// HandoutPerStep of each step are ticked.
func (sv *StepView) handoutChoices() []HandoutChoice {
	var out []HandoutChoice
	seen := map[string]bool{}
	withServices, visited := 0, map[*StepView]bool{}
	for x := sv; x != nil && !visited[x] && withServices < 2; x = x.Next {
		visited[x] = true
		if len(x.Matches) == 0 {
			continue
		}
		withServices++
		for i, m := range x.Matches {
			if seen[m.Service.ID] {
				continue
			}
			seen[m.Service.ID] = true
			out = append(out, HandoutChoice{Service: m.Service, Checked: m.Explicit && m.Tier != pathways.TierElsewhere || i < HandoutPerStep})
		}
	}
	return out
}

// HandoutLangs are the languages a handout can be written in, for the
// form's choice: the client's language selected when given, else the
// page's.
func (v *PathwayView) HandoutLangs() []Choice {
	cur := v.ClientLang
	if cur == "" {
		cur = v.Lang
	}
	var out []Choice
	for _, l := range l10n.Languages {
		out = append(out, Choice{Value: l, Label: v.T("lang." + l + ".self"), Checked: l == cur})
	}
	return out
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
	if chosen := q["service"]; len(chosen) > 0 {
		if v.Services, err = s.chosenServices(r, chosen); err != nil {
			return err
		}
	} else {
		for _, c := range pv.Current.HandoutChoices {
			if c.Checked {
				v.Services = append(v.Services, c.Service)
			}
		}
	}
	// The handout is in the client's language; the way back stays in the
	// professional's.
	if pv.ClientLang != "" {
		b.Lang = pv.ClientLang
		v.Today = b.Date(&b.now)
	}
	// Nothing of it may be kept: not by the browser, not by a proxy.
	w.Header().Set("Cache-Control", "no-store")
	b.Title = b.T("handout.title")
	return s.render(w, b, "handout", v)
}

// chosenServices reads the services ticked for a handout, in the order
// given: each must be a listing that is not archived, at most
// MaxHandoutServices of them.
func (s *Server) chosenServices(r *http.Request, ids []string) ([]services.Service, error) {
	var fs apperr.Fields
	var uniq []string
	for _, id := range ids {
		if !slices.Contains(uniq, id) {
			uniq = append(uniq, id)
		}
	}
	if len(uniq) > MaxHandoutServices {
		fs.Add("service", "err.handout_too_many", "choose at most %d services", MaxHandoutServices)
		return nil, fs.Err()
	}
	list, err := s.store.ServicesByID(r.Context(), uniq)
	if err != nil {
		return nil, err
	}
	byID := map[string]services.Service{}
	for _, svc := range list {
		if svc.Status != services.StatusArchived {
			byID[svc.ID] = svc
		}
	}
	out := make([]services.Service, 0, len(uniq))
	for _, id := range uniq {
		svc, ok := byID[id]
		if !ok {
			fs.Add("service", "err.handout_service", "no service %q in the directory", id)
			continue
		}
		out = append(out, svc)
	}
	return out, fs.Err()
}
