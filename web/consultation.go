package web

import (
	"net/http"
	"slices"

	"github.com/gorilla/mux"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/services"
)

// The consultation networks: for every wellbeing services county, the
// SeriE network its professionals consult, which the pathways name for
// the county's municipalities. Admins keep them; each change is versioned
// and audited like a listing.

// ConsultationsView lists every county's consultation network.
type ConsultationsView struct {
	*Base
	Rows []ConsultationRow
	Done string
}

// ConsultationRow is one county and its network, or none yet.
type ConsultationRow struct {
	County  services.County
	Network string // display name; "" when the county has none
	Own     bool   // the network works in the county itself
	Note    services.Consultation
	EditURL string
}

func (s *Server) listConsultations(w http.ResponseWriter, r *http.Request, b *Base) error {
	list, err := s.store.Consultations(r.Context())
	if err != nil {
		return err
	}
	byCounty := map[string]services.Consultation{}
	for _, c := range list {
		byCounty[c.County] = c
	}
	nets, err := s.store.Networks(r.Context())
	if err != nil {
		return err
	}
	v := &ConsultationsView{Base: b}
	for _, county := range b.munis.Counties {
		row := ConsultationRow{County: county, EditURL: b.URL("admin.consultation", "county", county.Slug)}
		if c, ok := byCounty[county.Slug]; ok {
			row.Note = c
			for _, n := range nets {
				if n.Slug == c.Network {
					row.Network = n.Display(b.Lang)
					row.Own = coversCounty(n, b.munis.InCounty(county.Slug))
				}
			}
		}
		v.Rows = append(v.Rows, row)
	}
	if r.URL.Query().Get("done") == "saved" {
		v.Done = b.T("consultation.saved")
	}
	b.Title, b.Nav = b.T("consultation.title"), "consultation"
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "consultations", v)
}

// coversCounty reports whether the network covers any of the county's
// municipalities.
func coversCounty(n services.Network, codes []string) bool {
	return slices.ContainsFunc(codes, func(c string) bool { return slices.Contains(n.Municipalities, c) })
}

// ConsultationView is the form of one county's consultation network.
type ConsultationView struct {
	*Base
	County  services.County
	Form    *Form
	Network Choices
	Note    TextInputs
	Version int
}

func (s *Server) consultationView(b *Base, county services.County, c services.Consultation, form *Form) (*ConsultationView, error) {
	nets, err := s.store.Networks(b.req.Context())
	if err != nil {
		return nil, err
	}
	k := newKit(b, "consultation", form, nil)
	var opts []string
	for _, n := range nets {
		opts = append(opts, n.Slug, n.Display(b.Lang))
	}
	name, _ := county.Name.Get(b.Lang)
	v := &ConsultationView{Base: b, County: county, Form: k.form, Network: k.Pick("network", c.Network, b.T("pathway.choose"), opts...),
		Note: k.Texts("note", c.Note, false), Version: c.Version}
	v.Network.Required = true
	b.Title, b.Nav = b.T("consultation.edit_title", name), "consultation"
	return v, nil
}

// countyOfPath returns the county the path names, or NotFound.
func (b *Base) countyOfPath(r *http.Request) (services.County, error) {
	slug := mux.Vars(r)["county"]
	c, ok := b.munis.County(slug)
	if !ok {
		return c, apperr.Keyed(apperr.NotFound, "err.not_found", "no wellbeing services county %q", slug)
	}
	return c, nil
}

func (s *Server) editConsultation(w http.ResponseWriter, r *http.Request, b *Base) error {
	county, err := b.countyOfPath(r)
	if err != nil {
		return err
	}
	c, err := s.store.Consultation(r.Context(), county.Slug)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	v, err := s.consultationView(b, county, c, nil)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "consultation", v)
}

func (s *Server) saveConsultation(w http.ResponseWriter, r *http.Request, b *Base) error {
	county, err := b.countyOfPath(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f := newFormReader(r)
	c := services.Consultation{County: county.Slug, Network: f.str("network"), Note: f.text("note")}
	c.Version = f.version()
	if err := s.store.SaveConsultation(r.Context(), b.User.ID, &c); err != nil {
		form := b.formError(err, newKit(b, "consultation", nil, nil).fieldLabel)
		if form == nil {
			return err
		}
		v, verr := s.consultationView(b, county, c, form)
		if verr != nil {
			return verr
		}
		b.Status = apperr.HTTPStatus(err)
		w.Header().Set("Cache-Control", "no-store")
		return s.render(w, b, "consultation", v)
	}
	return redirect(w, r, b.URL("admin.consultations", "?", "done", "saved"))
}
