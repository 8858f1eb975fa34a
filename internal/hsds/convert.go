package hsds

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/services"
)

// namespace makes the HSDS ids: HSDS wants UUIDs, the directory has
// readable ids, so each HSDS id is the name-based (version 5) UUID of its
// kind and the directory's id. The same listing has the same HSDS id in
// every export and every instance.
var namespace = uuid.MustParse("0d8f5c8e-6a3b-5d2e-9a51-5e71e0d1a001")

// ID returns the HSDS id of the directory's kind/id.
func ID(kind string, parts ...string) string {
	return uuid.NewSHA1(namespace, []byte(kind+"/"+strings.Join(parts, "/"))).String()
}

// The kinds of ids.
const (
	KindService      = "service"
	KindOrganization = "organization"
	KindTaxonomy     = "taxonomy"
	KindTerm         = "taxonomy_term"
	KindLocation     = "location"
)

// Taxonomies are the vocabularies a service's terms come from, as HSDS
// taxonomies: what each field of a service holds.
var Taxonomies = []string{services.VocabClientSituation, services.VocabServiceType, services.VocabDeliveryMode}

// Ref is the reference data a conversion names things with.
type Ref struct {
	*services.Reference
}

// text is the text of an HSDS field: Finnish, else Swedish, else English.
// The three languages travel in the profile's extension.
func text(t l10n.Text) string {
	s, _ := t.Get("fi")
	return s
}

func age(a *int) *float64 {
	if a == nil {
		return nil
	}
	f := float64(*a)
	return &f
}

func date(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

// FromService converts a public service. Archived services are not
// public: callers leave them out.
func (r Ref) FromService(s services.Service) (*Service, error) {
	id := ID(KindService, s.ID)
	out := &Service{ID: id, Name: text(s.Name), Description: text(s.Description), URL: s.URL, Email: s.Email,
		Status: "active", ApplicationProcess: text(s.HowToRefer), FeesDescription: text(s.Cost),
		EligibilityDescription: text(s.Eligibility), MinimumAge: age(s.AgeMin), MaximumAge: age(s.AgeMax),
		AssuredDate: date(s.VerifiedAt), Alert: text(s.Alert)}
	if !s.UpdatedAt.IsZero() {
		out.LastModified = s.UpdatedAt.UTC().Format(time.RFC3339)
	}
	if s.OrganizationID != "" {
		out.OrganizationID = ID(KindOrganization, string(s.OrganizationID))
		if o, ok := r.Organization(string(s.OrganizationID)); ok {
			out.Organization = r.FromOrganization(o)
		}
	}
	for i, p := range s.Phones {
		out.Phones = append(out.Phones, phone(id, fmt.Sprint("phone", i), p))
	}
	for i, h := range s.Hours {
		out.Schedules = append(out.Schedules, weekly(id, fmt.Sprint("hours", i), h))
	}
	if s.AlwaysOpen {
		out.Schedules = append(out.Schedules, Schedule{ID: ID("schedule", s.ID, "always"), ServiceID: id, Freq: "WEEKLY",
			ByDay: "MO,TU,WE,TH,FR,SA,SU", OpensAt: "00:00:00", ClosesAt: "23:59:59", Description: "24/7"})
	}
	for i, e := range s.HoursExceptions {
		sc := Schedule{ID: ID("schedule", s.ID, fmt.Sprint("exception", i)), ServiceID: id, ValidFrom: e.Date, ValidTo: e.Date,
			Notes: text(e.Note)}
		if e.Closed {
			sc.Description = "closed"
		} else {
			sc.OpensAt, sc.ClosesAt = clock(e.Opens), clock(e.Closes)
		}
		out.Schedules = append(out.Schedules, sc)
	}
	out.ServiceAreas = r.areas(id, s)
	for _, code := range s.Languages {
		out.Languages = append(out.Languages, Language{ID: ID("language", s.ID, code), ServiceID: id, Code: code})
	}
	for _, voc := range Taxonomies {
		for _, term := range termsOf(s, voc) {
			t, ok := r.Vocab.Term(voc, term)
			if !ok {
				continue
			}
			tt := r.FromTerm(voc, t)
			out.Attributes = append(out.Attributes, Attribute{ID: ID("attribute", s.ID, voc, term), LinkID: id,
				LinkType: "service", LinkEntity: "service", TaxonomyTermID: tt.ID, TaxonomyTerm: &tt})
		}
	}
	for i, l := range s.Locations {
		key := placeKey(l.ID, i)
		loc := r.location(s.ID, key, l)
		out.ServiceAtLocations = append(out.ServiceAtLocations, ServiceAtLocation{
			ID: salID(s.ID, key), ServiceID: id, LocationID: loc.ID, Location: loc})
	}
	ext, err := extension(s)
	if err != nil {
		return nil, err
	}
	out.Directory = &ServiceExtension{ID: s.ID, Service: ext}
	return out, nil
}

// extension is the service as the directory keeps it, less its
// bookkeeping (version and times) and its provenance here: an importer
// records where it read it.
func extension(s services.Service) (json.RawMessage, error) {
	s.Source, s.SourceChanges = services.Source{}, nil
	// The outer fields hide the embedded Meta's: encoding/json takes the
	// shallower, and leaves these out when nil.
	b, err := json.Marshal(struct {
		services.Service
		Version   *int `json:"version,omitempty"`
		CreatedAt *int `json:"created_at,omitempty"`
		UpdatedAt *int `json:"updated_at,omitempty"`
	}{Service: s})
	if err != nil {
		return nil, fmt.Errorf("hsds: service %s: %w", s.ID, err)
	}
	return b, nil
}

func termsOf(s services.Service, vocab string) []string {
	switch vocab {
	case services.VocabClientSituation:
		return s.TargetGroups
	case services.VocabServiceType:
		return s.ServiceTypes
	case services.VocabDeliveryMode:
		return s.DeliveryModes
	}
	return nil
}

var dayCodes = map[string]string{"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}

// clock writes "8:00" or "08:00" as HSDS's "08:00:00".
func clock(s string) string {
	if s == "" {
		return ""
	}
	h, m, _ := strings.Cut(s, ":")
	if len(h) == 1 {
		h = "0" + h
	}
	if m == "" {
		m = "00"
	}
	return h + ":" + m + ":00"
}

func weekly(serviceID, key string, h services.OpeningHours) Schedule {
	var days []string
	for _, d := range h.Days {
		if c, ok := dayCodes[d]; ok {
			days = append(days, c)
		}
	}
	return Schedule{ID: uuidFrom(serviceID, key), ServiceID: serviceID, Freq: "WEEKLY", Wkst: "MO",
		ByDay: strings.Join(days, ","), OpensAt: clock(h.Opens), ClosesAt: clock(h.Closes)}
}

// uuidFrom names a part of an entity whose HSDS id is parent.
func uuidFrom(parent, key string) string {
	return uuid.NewSHA1(uuid.MustParse(parent), []byte(key)).String()
}

var phoneTypes = map[string]string{"": "voice", "phone": "voice", "sms": "sms", "fax": "fax"}

func phone(serviceID, key string, p services.Phone) Phone {
	out := Phone{ID: uuidFrom(serviceID, key), ServiceID: serviceID, Number: p.Number, Type: phoneTypes[p.Kind],
		Description: text(p.Description)}
	if p.Language != "" {
		out.Languages = []Language{{ID: uuidFrom(out.ID, "language"), Code: p.Language}}
	}
	return out
}

// areas names where the service is available: the country, wellbeing
// services counties, SeriE networks' areas and municipalities.
func (r Ref) areas(serviceID string, s services.Service) []ServiceArea {
	var out []ServiceArea
	add := func(kind, ref, name, extent string) {
		out = append(out, ServiceArea{ID: uuidFrom(serviceID, "area/"+kind+"/"+ref), ServiceID: serviceID, Name: name,
			ExtentType: extent, Description: kind + ":" + ref})
	}
	if s.Area.National {
		add("country", "FI", "Suomi", "country")
	}
	for _, c := range s.Area.Counties {
		add("county", c, r.countyName(c), "wellbeing_services_county")
	}
	for _, n := range s.Area.Networks {
		name := n
		if nw, ok := r.Network(n); ok {
			name = text(nw.Name)
		}
		add("network", n, name, "serie_network")
	}
	for _, m := range s.Area.Municipalities {
		name := m
		if x, ok := r.Munis.Lookup(m); ok {
			name = x.NameFI
		}
		add("municipality", m, name, "municipality")
	}
	return out
}

func (r Ref) countyName(slug string) string {
	if c, ok := r.Munis.County(slug); ok {
		return text(c.Name)
	}
	return slug
}

// placeKey names a service's place: its id in its source, else its
// position.
func placeKey(id string, i int) string {
	if id != "" {
		return id
	}
	return fmt.Sprint(i)
}

// salID is the HSDS id of a service's place (its service_at_location).
func salID(serviceID, key string) string {
	return ID("service_at_location", serviceID, ID(KindLocation, serviceID, key))
}

func (r Ref) location(serviceID, key string, l services.Location) *Location {
	out := &Location{ID: ID(KindLocation, serviceID, key), LocationType: "physical", Name: text(l.Name),
		Description: text(l.Note), Latitude: l.Latitude, Longitude: l.Longitude}
	if l.ID != "" {
		out.ExternalIdentifier, out.ExternalIdentifierType = l.ID, "source"
	}
	if street := text(l.Street); street != "" || l.PostalCode != "" {
		city := text(l.PostOffice)
		region := ""
		if m, ok := r.Munis.Lookup(l.Municipality); ok {
			region = m.CountyFI
			if city == "" {
				city = m.NameFI
			}
		}
		out.Addresses = []Address{{ID: uuidFrom(out.ID, "address"), LocationID: out.ID, Address1: street, City: city,
			StateProvince: region, PostalCode: l.PostalCode, Country: "FI", AddressType: "physical"}}
	}
	for j, p := range l.Phones {
		out.Phones = append(out.Phones, phone(out.ID, fmt.Sprint("phone", j), p))
	}
	for j, h := range l.Hours.Weekly {
		sc := weekly(out.ID, fmt.Sprint("hours", j), h)
		sc.ServiceID = ""
		out.Schedules = append(out.Schedules, sc)
	}
	return out
}

// FromOrganization converts an organization.
func (r Ref) FromOrganization(o services.Organization) *Organization {
	out := &Organization{ID: ID(KindOrganization, o.ID), Name: text(o.Name), Description: text(o.Description),
		Email: o.Email, Website: o.URL,
		Directory: &OrganizationExtension{ID: o.ID, Name: o.Name, Description: o.Description, Kind: o.Kind}}
	if o.Phone != "" {
		out.Phones = []Phone{{ID: uuidFrom(out.ID, "phone"), Number: o.Phone, Type: "voice"}}
	}
	return out
}

// FromTaxonomy converts a vocabulary.
func FromTaxonomy(v services.Vocabulary) Taxonomy {
	return Taxonomy{ID: ID(KindTaxonomy, v.ID), Name: text(v.Name), Description: text(v.Name) + " (" + v.ID + ")"}
}

// Taxonomies are the directory's vocabularies a service's terms come
// from, as HSDS taxonomies.
func (r Ref) Taxonomies() []Taxonomy {
	var out []Taxonomy
	for _, voc := range Taxonomies {
		if v, ok := r.Vocab.Vocabulary(voc); ok {
			out = append(out, FromTaxonomy(v))
		}
	}
	return out
}

// Terms are the terms of Taxonomies, as HSDS taxonomy terms.
func (r Ref) Terms() []TaxonomyTerm {
	var out []TaxonomyTerm
	for _, voc := range Taxonomies {
		v, _ := r.Vocab.Vocabulary(voc)
		for _, t := range v.Terms {
			out = append(out, r.FromTerm(voc, t))
		}
	}
	return out
}

// organization finds an organization by the directory's id, its HSDS id,
// or the id a plain HSDS document of it was imported under.
func (r Ref) organization(id string) (services.Organization, bool) {
	for _, o := range r.Orgs {
		if id == o.ID || id == ID(KindOrganization, o.ID) || localID(id) == o.ID {
			return o, true
		}
	}
	return services.Organization{}, false
}

// Organizations are every organization, as HSDS organizations.
func (r Ref) Organizations() []*Organization {
	out := make([]*Organization, len(r.Orgs))
	for i, o := range r.Orgs {
		out[i] = r.FromOrganization(o)
	}
	return out
}

// FromTerm converts a term of vocab.
func (r Ref) FromTerm(vocab string, t services.Term) TaxonomyTerm {
	return TaxonomyTerm{ID: ID(KindTerm, vocab, t.ID), Code: t.ID, Name: text(t.Name), Description: text(t.Description),
		Taxonomy: vocab, TaxonomyID: ID(KindTaxonomy, vocab), Language: "fi"}
}
