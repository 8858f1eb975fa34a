package search

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/document"

	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/params"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// Document types.
const (
	TypeService = "service"
	TypeContact = "contact"
	TypeNetwork = "network"
	TypePathway = "pathway"
)

// Doc is what the index holds of one listing. Building it is pure, so the
// rules are tested by tables without Bleve or a database.
type Doc struct {
	Type           string
	ID             string
	Title          l10n.Text
	Names          l10n.Text // other names it is known by: its organization's
	Body           l10n.Text
	URL            string
	Networks       []string
	Municipalities []string // covered municipality codes; none for national listings
	National       bool
	TargetGroups   []string
	ServiceTypes   []string
	DeliveryModes  []string
	Languages      []string
	Fresh          string // verified, overdue or unverified
	Status         string
	// AgeMin and AgeMax are a service's age range; nil ends are open.
	AgeMin, AgeMax *int
}

// anyAge is the age term of a listing open to every age.
const anyAge = "any"

// ages returns the age terms of a range (see fAge).
func ages(lo, hi *int) []string {
	if lo == nil && hi == nil {
		return []string{anyAge}
	}
	from, to := 0, params.MaxAge
	if lo != nil {
		from = max(from, *lo)
	}
	if hi != nil {
		to = min(to, *hi)
	}
	var out []string
	for a := from; a <= to; a++ {
		out = append(out, strconv.Itoa(a))
	}
	return out
}

// Key is the document's id in the index: type and id.
func (d Doc) Key() string { return d.Type + "/" + d.ID }

// document returns the document as Bleve indexes it, made field by field
// as the mapping says (fieldSpecs); phrases are the multi-word synonyms
// to look for in its names. Empty values make no field.
func (d Doc) document(specs fieldSpecs, phrases *phraseSet) *document.Document {
	doc := document.NewDocument(d.Key())
	add := func(name, v string) {
		if v != "" {
			s := specs[name]
			doc.AddField(document.NewTextFieldCustom(name, nil, []byte(v), s.opts, s.analyzer))
		}
	}
	addAll := func(name string, vs []string) {
		for _, v := range vs {
			add(name, v)
		}
	}
	area := "local"
	if d.National {
		area = "national"
	}
	names := uniqueWords(d.Title.All() + "\n" + d.Names.All())
	add(fType, d.Type)
	add(fTitleFI, d.Title.FI)
	add(fTitleSV, d.Title.SV)
	add(fTitleEN, d.Title.EN)
	add(fBodyFI, d.Body.FI)
	add(fBodySV, d.Body.SV)
	add(fBodyEN, d.Body.EN)
	add(fName, names)
	add(fNamePrefix, names)
	addAll(fNetwork, d.Networks)
	addAll(fMunicipality, d.Municipalities)
	add(fArea, area)
	addAll(fTargetGroup, d.TargetGroups)
	addAll(fServiceType, d.ServiceTypes)
	addAll(fDeliveryMode, d.DeliveryModes)
	addAll(fLanguage, d.Languages)
	add(fFresh, d.Fresh)
	add(fStatus, d.Status)
	addAll(fAge, ages(d.AgeMin, d.AgeMax))
	add(fURL, d.URL)
	addAll(fSynonym, phrases.find(names))
	doc.SetIndexed()
	return doc
}

// uniqueWords keeps the first occurrence of each word (case-insensitive):
// titles repeat names across languages, and the folded and prefix fields
// need each word once.
func uniqueWords(s string) string {
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.Fields(s) {
		k := strings.ToLower(w)
		if !seen[k] {
			seen[k] = true
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// Env is what documents are built against: labels and places.
type Env struct {
	Vocab    *services.Vocabularies
	Munis    *services.Municipalities
	Networks []services.Network
	Orgs     map[string]services.Organization
	Now      time.Time
}

// Freshness names a listing's verification state for the fresh facet.
func Freshness(verifiedAt, reviewBy *time.Time, now time.Time) string {
	switch {
	case verifiedAt == nil:
		return "unverified"
	case services.Verified(verifiedAt, reviewBy, now):
		return "verified"
	default:
		return "overdue"
	}
}

// join concatenates the non-empty parts of each language.
func join(parts ...l10n.Text) l10n.Text {
	var fi, sv, en []string
	for _, p := range parts {
		if p.FI != "" {
			fi = append(fi, p.FI)
		}
		if p.SV != "" {
			sv = append(sv, p.SV)
		}
		if p.EN != "" {
			en = append(en, p.EN)
		}
	}
	return l10n.Text{FI: strings.Join(fi, "\n"), SV: strings.Join(sv, "\n"), EN: strings.Join(en, "\n")}
}

// labels returns the terms' names in every language, as one text.
func (e *Env) labels(vocab string, ids []string) l10n.Text {
	var parts []l10n.Text
	for _, id := range ids {
		if t, ok := e.Vocab.Term(vocab, id); ok {
			parts = append(parts, t.Name)
		}
	}
	t := join(parts...)
	return t
}

// coverage returns the municipalities a service area covers and the
// networks whose areas overlap it.
func (e *Env) coverage(a services.Area) (munis, networks []string) {
	if a.National {
		return nil, nil
	}
	set := map[string]bool{}
	for _, c := range a.Municipalities {
		set[c] = true
	}
	for _, c := range a.Counties {
		for _, code := range e.Munis.InCounty(c) {
			set[code] = true
		}
	}
	for _, n := range e.Networks {
		if slices.Contains(a.Networks, n.Slug) {
			for _, code := range n.Municipalities {
				set[code] = true
			}
		}
	}
	for code := range set {
		munis = append(munis, code)
	}
	slices.Sort(munis)
	for _, n := range e.Networks {
		for _, code := range n.Municipalities {
			if set[code] {
				networks = append(networks, n.Slug)
				break
			}
		}
	}
	return munis, networks
}

// ServiceDoc builds a service's document. Archived services are not
// indexed (the caller deletes them).
func (e *Env) ServiceDoc(s services.Service) Doc {
	munis, networks := e.coverage(s.Area)
	d := Doc{Type: TypeService, ID: s.ID, Title: s.Name, URL: "/services/" + s.ID,
		Municipalities: munis, Networks: networks, National: s.Area.National,
		TargetGroups: s.TargetGroups, ServiceTypes: s.ServiceTypes, DeliveryModes: s.DeliveryModes,
		Languages: s.Languages, Fresh: Freshness(s.VerifiedAt, s.ReviewBy, e.Now), Status: s.Status,
		AgeMin: s.AgeMin, AgeMax: s.AgeMax}
	var org l10n.Text
	if o, ok := e.Orgs[string(s.OrganizationID)]; ok {
		org = o.Name
	}
	d.Names = org
	d.Body = join(s.Description, org, e.labels(services.VocabServiceType, s.ServiceTypes),
		e.labels(services.VocabClientSituation, s.TargetGroups), e.labels(services.VocabDeliveryMode, s.DeliveryModes),
		s.Eligibility, s.HowToRefer, s.SelfReferral, s.Cost, s.Alert)
	return d
}

// ContactDoc builds a contact person's document from what anyone may see:
// members-only fields never reach the index.
func (e *Env) ContactDoc(c services.Contact) Doc {
	c = c.ForViewer(users.LevelPublic)
	d := Doc{Type: TypeContact, ID: c.ID, Title: l10n.T(c.Name, c.Name, c.Name), Names: join(c.Title, c.Organization), URL: "/contacts/" + c.ID,
		Fresh: Freshness(c.VerifiedAt, c.ReviewBy, e.Now), Status: services.StatusActive}
	var network l10n.Text
	for _, n := range e.Networks {
		if n.Slug == string(c.NetworkSlug) {
			d.Networks = []string{n.Slug}
			d.Municipalities = n.Municipalities
			network = n.Name
		}
	}
	d.Body = join(c.Title, c.Organization, e.labels(services.VocabProfession, []string{c.Profession}), network,
		l10n.T(c.Email, c.Email, c.Email), l10n.T(c.Phone, c.Phone, c.Phone))
	return d
}

// NetworkDoc builds a network's document.
func (e *Env) NetworkDoc(n services.Network) Doc {
	d := Doc{Type: TypeNetwork, ID: n.Slug, Title: join(n.Name, n.ShortName), URL: "/networks/" + n.Slug,
		Networks: []string{n.Slug}, Municipalities: n.Municipalities, Fresh: "verified", Status: services.StatusActive}
	var counties []l10n.Text
	for _, c := range n.Counties {
		if x, ok := e.Munis.County(c); ok {
			counties = append(counties, x.Name)
		}
	}
	parts := append([]l10n.Text{n.Description, n.Meeting, n.MemberInfo}, n.Goals...)
	parts = append(parts, counties...)
	parts = append(parts, e.labels(services.VocabProfession, n.Professions))
	d.Body = join(parts...)
	return d
}
