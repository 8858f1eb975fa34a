package web

import (
	"net/http"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/services"
)

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
