package web

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/params"
	"github.com/serie-verkosto/directory/internal/services"
)

// HomeView is the home page.
type HomeView struct {
	*Base
	Networks []NetworkCard
	Goals    []services.Network // networks that state goals
	Services int
	Contacts int
}

// NetworkCard is a network with its regional contact persons.
type NetworkCard struct {
	services.Network
	Contacts []services.Contact
}

func (s *Server) networkCards(r *http.Request) ([]NetworkCard, int, error) {
	nets, err := s.store.Networks(r.Context())
	if err != nil {
		return nil, 0, err
	}
	contacts, total, err := s.store.FindContacts(r.Context(), services.ContactFilter{Limit: services.MaxLimit})
	if err != nil {
		return nil, 0, err
	}
	cards := make([]NetworkCard, len(nets))
	for i, n := range nets {
		cards[i].Network = n
		for _, c := range contacts {
			if string(c.NetworkSlug) == n.Slug && c.Role != "member" {
				cards[i].Contacts = append(cards[i].Contacts, c.ForViewer(IdentityFrom(r.Context()).Level()))
			}
		}
	}
	return cards, total, nil
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, b *Base) error {
	if r.URL.Path != "/" {
		return s.notFound(w, r, b)
	}
	cards, contacts, err := s.networkCards(r)
	if err != nil {
		return err
	}
	n, err := s.store.CountServices(r.Context())
	if err != nil {
		return err
	}
	v := &HomeView{Base: b, Networks: cards, Services: n, Contacts: contacts}
	for _, c := range cards {
		if len(c.Goals) > 0 {
			v.Goals = append(v.Goals, c.Network)
		}
	}
	b.Title, b.Nav = b.T("home.title"), "home"
	return s.render(w, b, "home", v)
}

// ServicesView is the service list with its filters.
type ServicesView struct {
	*Base
	Filter       services.ServiceFilter
	Municipality *services.Municipality
	Networks     []services.Network // all, for the filter menu
	Local        []NetworkCard      // networks covering the chosen municipality
	Items        []services.Service
	Orgs         map[string]services.Organization
	Total        int
	Pager        Pager
}

// Pager links the pages of a list.
type Pager struct {
	From, To, Total int
	Prev, Next      string
}

// intParam parses an optional non-negative integer query parameter.
func intParam(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, apperr.Keyed(apperr.Invalid, "err.bad_number", "%s must be a whole number", name)
	}
	return n, nil
}

func (s *Server) listServices(w http.ResponseWriter, r *http.Request, b *Base) error {
	q := r.URL.Query()
	offset, err := intParam(r, "offset")
	if err != nil {
		return err
	}
	age, err := params.Age(q)
	if err != nil {
		return err
	}
	f := services.ServiceFilter{Network: q.Get("network"), Municipality: q.Get("municipality"),
		TargetGroup: q.Get("target_group"), ServiceType: q.Get("service_type"), DeliveryMode: q.Get("delivery_mode"),
		Language: q.Get("language"), Local: q.Get("local") == "1", Age: age, Offset: offset, Limit: services.DefaultLimit,
		Sort: q.Get("sort"), ClientLang: q.Get("client_lang")}
	v := &ServicesView{Base: b, Filter: f}
	if f.Municipality != "" {
		m, err := s.store.Municipality(r.Context(), f.Municipality)
		if err != nil {
			return err
		}
		v.Municipality = &m
		v.Filter.Municipality = m.Code
		cards, _, err := s.networkCards(r)
		if err != nil {
			return err
		}
		for _, c := range cards {
			for _, code := range c.Municipalities {
				if code == m.Code {
					v.Local = append(v.Local, c)
				}
			}
		}
	}
	if v.Items, v.Total, err = s.store.FindServices(r.Context(), f); err != nil {
		return err
	}
	if v.Networks, err = s.store.Networks(r.Context()); err != nil {
		return err
	}
	if v.Orgs, err = s.orgMap(r); err != nil {
		return err
	}
	v.Pager = b.pager("services", v.Total, f.Offset, services.DefaultLimit, "municipality", v.Filter.Municipality,
		"network", f.Network, "target_group", f.TargetGroup, "service_type", f.ServiceType,
		"delivery_mode", f.DeliveryMode, "language", f.Language, "local", q.Get("local"), "age", q.Get("age"),
		"sort", f.Sort, "client_lang", f.ClientLang)
	b.Title, b.Nav = b.T("services.title"), "services"
	if v.Municipality != nil {
		b.Title = b.T("services.in_municipality", v.Municipality.Name(b.Lang))
	}
	return s.render(w, b, "services", v)
}

func (b *Base) pager(route string, total, offset, limit int, query ...string) Pager {
	p := Pager{Total: total, From: offset + 1, To: min(offset+limit, total)}
	if total == 0 {
		p.From = 0
	}
	link := func(off int) string {
		kv := append([]string{"?"}, query...)
		if off > 0 {
			kv = append(kv, "offset", strconv.Itoa(off))
		}
		return b.URL(route, kv...)
	}
	if offset > 0 {
		p.Prev = link(max(0, offset-limit))
	}
	if offset+limit < total {
		p.Next = link(offset + limit)
	}
	return p
}

func (s *Server) orgMap(r *http.Request) (map[string]services.Organization, error) {
	orgs, err := s.store.Organizations(r.Context())
	if err != nil {
		return nil, err
	}
	m := make(map[string]services.Organization, len(orgs))
	for _, o := range orgs {
		m[o.ID] = o
	}
	return m, nil
}

// pathID returns a route variable, rejecting malformed ids with a 400.
func pathID(r *http.Request, name string) (string, error) {
	id := mux.Vars(r)[name]
	if !services.ValidID(id) {
		return "", apperr.Keyed(apperr.Invalid, "err.bad_id", "malformed id %q", id)
	}
	return id, nil
}

// ServiceView is one service's page.
type ServiceView struct {
	*Base
	Service      services.Service
	Organization *services.Organization
	Networks     []services.Network
}

// Ended says the listing's source no longer publishes it (a PTV service
// withdrawn or archived there): shown as ended, not merely archived.
func (v *ServiceView) Ended() bool {
	s := v.Service
	return s.Status == services.StatusArchived && s.Source.Imported() && s.Source.Status != "" && s.Source.Status != "published"
}

func (s *Server) showService(w http.ResponseWriter, r *http.Request, b *Base) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	svc, err := s.store.Service(r.Context(), id)
	if err != nil {
		return err
	}
	v := &ServiceView{Base: b, Service: svc}
	if svc.OrganizationID != "" {
		o, err := s.store.Organization(r.Context(), string(svc.OrganizationID))
		if err != nil {
			return err
		}
		v.Organization = &o
	}
	for _, slug := range svc.Area.Networks {
		n, err := s.store.Network(r.Context(), slug)
		if err != nil {
			return err
		}
		v.Networks = append(v.Networks, n)
	}
	name, _ := svc.Name.Get(b.Lang)
	b.Title, b.Nav = name, "services"
	return s.render(w, b, "service", v)
}

// NetworksView lists the networks.
type NetworksView struct {
	*Base
	Networks []NetworkCard
}

func (s *Server) listNetworks(w http.ResponseWriter, r *http.Request, b *Base) error {
	cards, _, err := s.networkCards(r)
	if err != nil {
		return err
	}
	b.Title, b.Nav = b.T("networks.title"), "networks"
	return s.render(w, b, "networks", &NetworksView{Base: b, Networks: cards})
}

// NetworkView is one network's page.
type NetworkView struct {
	*Base
	Network       services.Network
	Contacts      []services.Contact
	Services      []services.Service
	ServicesTotal int
	// Share is how many of the network's listings are verified.
	Share Share
}

func (s *Server) showNetwork(w http.ResponseWriter, r *http.Request, b *Base) error {
	slug, err := pathID(r, "slug")
	if err != nil {
		return err
	}
	n, err := s.store.Network(r.Context(), slug)
	if err != nil {
		return err
	}
	v := &NetworkView{Base: b, Network: n}
	contacts, _, err := s.store.FindContacts(r.Context(), services.ContactFilter{Network: slug, Limit: services.MaxLimit})
	if err != nil {
		return err
	}
	for _, c := range contacts {
		v.Contacts = append(v.Contacts, c.ForViewer(IdentityFrom(r.Context()).Level()))
	}
	if v.Services, v.ServicesTotal, err = s.store.FindServices(r.Context(), services.ServiceFilter{Network: slug, Local: true, Limit: 10}); err != nil {
		return err
	}
	if v.Share, err = s.NetworkShare(r.Context(), slug); err != nil {
		return err
	}
	b.Title, b.Nav = n.Name.String(), "networks"
	if t, _ := n.Name.Get(b.Lang); t != "" {
		b.Title = t
	}
	return s.render(w, b, "network", v)
}

// ContactsView lists contact persons.
type ContactsView struct {
	*Base
	Network  string
	Networks []services.Network
	Items    []services.Contact
	Total    int
	Pager    Pager
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request, b *Base) error {
	offset, err := intParam(r, "offset")
	if err != nil {
		return err
	}
	network := r.URL.Query().Get("network")
	items, total, err := s.store.FindContacts(r.Context(), services.ContactFilter{Network: network, Offset: offset, Limit: services.MaxLimit})
	if err != nil {
		return err
	}
	v := &ContactsView{Base: b, Network: network, Total: total}
	for _, c := range items {
		v.Items = append(v.Items, c.ForViewer(IdentityFrom(r.Context()).Level()))
	}
	if v.Networks, err = s.store.Networks(r.Context()); err != nil {
		return err
	}
	v.Pager = b.pager("contacts", total, offset, services.MaxLimit, "network", network)
	b.Title, b.Nav = b.T("contacts.title"), "contacts"
	return s.render(w, b, "contacts", v)
}

// ContactView is one contact person's page.
type ContactView struct {
	*Base
	Contact services.Contact
	Network *services.Network
	Limited bool // some fields are hidden from this viewer
}

func (s *Server) showContact(w http.ResponseWriter, r *http.Request, b *Base) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.store.Contact(r.Context(), id)
	if err != nil {
		return err
	}
	shown := c.ForViewer(IdentityFrom(r.Context()).Level())
	v := &ContactView{Base: b, Contact: shown, Limited: shown.Email != c.Email || shown.Phone != c.Phone}
	if c.NetworkSlug != "" {
		n, err := s.store.Network(r.Context(), string(c.NetworkSlug))
		if err != nil {
			return err
		}
		v.Network = &n
	}
	b.Title, b.Nav = c.Name, "contacts"
	return s.render(w, b, "contact", v)
}
