package pathways

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/params"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// TargetLimit is how many services Resolve lists per step; the step's
// Total says how many matched in all.
const TargetLimit = 10

// Where is the place a pathway is resolved for: a municipality or a
// network, exactly one.
type Where struct {
	Municipality string // three-digit code, or Finnish or Swedish name
	Network      string // network slug
	// Viewer is what contact details the viewer may see; the zero value
	// shows only public ones.
	Viewer users.Level
	// Age is the client's age, when given: a service whose age range
	// excludes it is never offered, named in the step or not. Without it,
	// the pathway's own age range (AgeMin, AgeMax) is the client's.
	Age *int
	// Lang is the client's language (fi, sv, en), when given: services
	// known to serve in it come first within their tier.
	Lang string
}

// clientAges is the range of ages the client may have: the age given,
// else the pathway's range.
func clientAges(p *Pathway, age *int) ages {
	if age != nil {
		return ages{*age, *age}
	}
	a := ages{0, params.MaxAge}
	if p.AgeMin != nil {
		a.lo = *p.AgeMin
	}
	if p.AgeMax != nil {
		a.hi = *p.AgeMax
	}
	return a
}

// Tier says how a matched service's area relates to the place, nearest
// first. Resolve lists the services a step names first, where they cover
// the place, then the others by tier; within a tier those serving in the
// client's language first, then verified ones, then by name and id.
type Tier int

// The tiers, in order.
const (
	// TierMunicipality: the service's area names the municipality.
	TierMunicipality Tier = iota + 1
	// TierCounty: it names the municipality's wellbeing services county
	// (for a network: one of the network's counties).
	TierCounty
	// TierNetworkArea: it names a SeriE network covering the municipality
	// (for a network: the network itself).
	TierNetworkArea
	// TierNetwork: it serves another part of the area of the network the
	// municipality belongs to (for a network: one of its municipalities).
	TierNetwork
	// TierNational: a national service, the fallback.
	TierNational
	// TierElsewhere: a named service whose area does not cover the place.
	TierElsewhere
)

var tierNames = []string{"", "municipality", "county", "network-area", "network", "national", "elsewhere"}

// String returns the tier's name, as in JSON.
func (t Tier) String() string {
	if t > 0 && int(t) < len(tierNames) {
		return tierNames[t]
	}
	return fmt.Sprintf("tier(%d)", int(t))
}

// MarshalText writes the tier's name.
func (t Tier) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a tier's name.
func (t *Tier) UnmarshalText(b []byte) error {
	if i := slices.Index(tierNames, string(b)); i > 0 {
		*t = Tier(i)
		return nil
	}
	return fmt.Errorf("unknown tier %q", b)
}

// Local reports whether the tier is nearer than national.
func (t Tier) Local() bool { return t < TierNational }

// NetworkRef names a network.
type NetworkRef struct {
	Slug string    `json:"slug"`
	Name l10n.Text `json:"name"` // the short name where it has one
}

func refOf(n services.Network) NetworkRef {
	name := n.Name
	if !n.ShortName.IsZero() {
		name = n.ShortName
	}
	return NetworkRef{Slug: n.Slug, Name: name}
}

// Place is where a pathway was resolved.
type Place struct {
	Municipality *services.Municipality `json:"municipality,omitempty"`
	Network      *NetworkRef            `json:"network,omitempty"` // when resolved for a network
	// Networks are the networks covering the municipality (for a network:
	// itself); empty where no SeriE network works.
	Networks []NetworkRef `json:"networks"`
}

// Match is one service a step refers to, and why.
type Match struct {
	Service  services.Service `json:"service"`
	Tier     Tier             `json:"tier"`
	Explicit bool             `json:"explicit"` // named by the pathway
	// Reason is the English explanation ("covers Tampere", "national
	// service"); Tier, Explicit and Place let pages say it in any language.
	Reason     string     `json:"reason"`
	Place      l10n.Text  `json:"place,omitzero"` // the municipality, county or network the reason names
	VerifiedAt *time.Time `json:"verified_at"`
	ReviewBy   *time.Time `json:"review_by"`
}

// ResolvedStep is a step with the services it refers to at the place.
type ResolvedStep struct {
	Step
	Services []Match `json:"services"` // at most TargetLimit, nearest first
	Total    int     `json:"total"`    // all matching services
	Local    int     `json:"local"`    // of them, those nearer than national
	// Unfit counts the services the step names or matches that cover the
	// place but whose age range excludes the client: when Services is
	// empty and Unfit is not, the place has help, only not for this client.
	Unfit int `json:"unfit"`
}

// Resolved is a pathway resolved for a place.
type Resolved struct {
	Pathway Pathway        `json:"pathway"`
	Place   Place          `json:"place"`
	Steps   []ResolvedStep `json:"steps"`
	// Consult is the network to consult: the one covering the place, else
	// the consultation network of the place's county; nil where neither
	// is known.
	Consult *Consult `json:"consult"`
	// Contacts are whom to consult: the regional contact persons of the
	// networks covering the place, or of the consultation network where
	// none covers it (other network contacts where a network has no
	// regional one), with what the viewer may see.
	Contacts []services.Contact `json:"contacts"`
}

// Consult is the network a professional at the place consults.
type Consult struct {
	Network NetworkRef `json:"network"`
	// Outside: the place is outside the network's own area; the network
	// is its county's consultation network.
	Outside bool      `json:"outside"`
	Note    l10n.Text `json:"note,omitzero"` // why this network, as an admin wrote it
}

// place is a resolved Where.
type place struct {
	muni     *services.Municipality
	network  *services.Network   // network mode
	networks []*services.Network // covering the municipality, or the network
	codes    map[string]bool     // municipalities of the networks (other than muni)
	counties map[string]bool     // counties of those municipalities (other than muni's)
}

func (s *Store) place(ctx context.Context, c *catalog, w Where) (*place, error) {
	switch {
	case w.Municipality != "" && w.Network != "":
		return nil, apperr.Keyed(apperr.Invalid, "err.where_both", "give a municipality or a network, not both")
	case w.Municipality == "" && w.Network == "":
		return nil, apperr.Keyed(apperr.Invalid, "err.where_missing", "give a municipality (a three-digit code or a Finnish or Swedish name) or a network")
	}
	munis, err := s.svc.Municipalities(ctx)
	if err != nil {
		return nil, err
	}
	pl := &place{codes: map[string]bool{}, counties: map[string]bool{}}
	if w.Network != "" {
		n := c.network(w.Network)
		if n == nil {
			slugs := make([]string, len(c.networks))
			for i, x := range c.networks {
				slugs[i] = x.Slug
			}
			list := strings.Join(slugs, ", ")
			return nil, apperr.Keyed(apperr.Invalid, "err.unknown_network_list", "unknown network %q: use one of %s", w.Network, list)
		}
		pl.network, pl.networks = n, []*services.Network{n}
	} else {
		m, err := s.svc.Municipality(ctx, w.Municipality) // Invalid, asking for a code or name
		if err != nil {
			return nil, err
		}
		pl.muni = &m
		for i := range c.networks {
			if _, ok := slices.BinarySearch(c.networks[i].Municipalities, m.Code); ok {
				pl.networks = append(pl.networks, &c.networks[i])
			}
		}
	}
	for _, n := range pl.networks {
		for _, code := range n.Municipalities {
			if pl.muni != nil && code == pl.muni.Code {
				continue
			}
			pl.codes[code] = true
			if x, ok := munis.Lookup(code); ok && (pl.muni == nil || x.CountySlug != pl.muni.CountySlug) {
				pl.counties[x.CountySlug] = true
			}
		}
	}
	return pl, nil
}

// walk visits every service whose area covers the place, by tier, each
// once at its nearest tier (seen is a bitset over ranks).
func (c *catalog) walk(pl *place, seen []uint64, visit func(r int32, t Tier)) {
	each := func(list []int32, t Tier) {
		for _, r := range list {
			if seen[r/64]&(1<<(r%64)) != 0 {
				continue
			}
			seen[r/64] |= 1 << (r % 64)
			visit(r, t)
		}
	}
	if pl.muni != nil {
		each(c.byMuni[pl.muni.Code], TierMunicipality)
		each(c.byCounty[pl.muni.CountySlug], TierCounty)
		for _, n := range pl.networks {
			each(c.byNet[n.Slug], TierNetworkArea)
		}
	} else {
		for _, k := range sortedKeys(pl.counties) {
			each(c.byCounty[k], TierCounty)
		}
		each(c.byNet[pl.network.Slug], TierNetworkArea)
	}
	for _, code := range sortedKeys(pl.codes) {
		each(c.byMuni[code], TierNetwork)
	}
	if pl.muni != nil {
		for _, k := range sortedKeys(pl.counties) {
			each(c.byCounty[k], TierNetwork)
		}
	}
	each(c.national, TierNational)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// tierOf places one service relative to the place (for named services,
// which are not found by walking), with the area the reason names.
func (c *catalog) tierOf(e *entry, pl *place, munis *services.Municipalities) (Tier, l10n.Text) {
	if e.national {
		return TierNational, l10n.Text{}
	}
	if pl.muni != nil {
		if slices.Contains(e.munis, pl.muni.Code) {
			return TierMunicipality, muniText(*pl.muni)
		}
		if slices.Contains(e.counties, pl.muni.CountySlug) {
			return TierCounty, countyText(*pl.muni)
		}
	} else {
		for _, k := range e.counties {
			if pl.counties[k] {
				if x := countyOf(munis, k); x != nil {
					return TierCounty, countyText(*x)
				}
				return TierCounty, l10n.Text{FI: k}
			}
		}
	}
	for _, n := range pl.networks {
		if slices.Contains(e.networks, n.Slug) {
			return TierNetworkArea, refOf(*n).Name
		}
	}
	for _, code := range e.munis {
		if pl.codes[code] {
			if pl.network != nil {
				if x, ok := munis.Lookup(code); ok {
					return TierNetwork, muniText(x)
				}
			}
			return TierNetwork, refOf(*pl.networks[0]).Name
		}
	}
	if pl.muni != nil {
		for _, k := range e.counties {
			if pl.counties[k] {
				return TierNetwork, refOf(*pl.networks[0]).Name
			}
		}
	}
	return TierElsewhere, l10n.Text{}
}

func muniText(m services.Municipality) l10n.Text {
	return l10n.Text{FI: m.NameFI, SV: m.NameSV, EN: m.NameFI}
}

func countyText(m services.Municipality) l10n.Text {
	return l10n.Text{FI: m.CountyFI, SV: m.CountySV, EN: m.CountyFI}
}

func countyOf(munis *services.Municipalities, slug string) *services.Municipality {
	for _, m := range munis.List {
		if m.CountySlug == slug {
			return &m
		}
	}
	return nil
}

// reason says in English why a service at tier t was listed.
func reason(t Tier, explicit bool, where l10n.Text, pl *place) string {
	var r string
	switch t {
	case TierMunicipality, TierCounty:
		r = "covers " + where.FI
	case TierNetworkArea:
		r = "covers the " + where.EN + " network's area"
		if where.EN == "" {
			r = "covers the " + where.FI + " network's area"
		}
	case TierNetwork:
		if pl.network != nil {
			r = "covers " + where.FI + ", in the network's area"
		} else {
			name := where.EN
			if name == "" {
				name = where.FI
			}
			r = "elsewhere in the " + name + " network's area"
		}
	case TierNational:
		r = "national service"
	case TierElsewhere:
		if pl.muni != nil {
			r = "does not cover " + pl.muni.NameFI
		} else {
			r = "outside the network's area"
		}
	}
	if explicit {
		return "explicitly named; " + r
	}
	return r
}

// criterion is a target's criteria, compiled against the catalogue into
// masks over hot.
type criterion struct {
	terms uint64 // required bits among the first 64 terms
	flags uint64 // required flags; inactive and archived services take no referrals
	more  []int  // required term bits beyond the first 64
	never bool   // a term no service has
}

func (c *catalog) compile(t Target) criterion {
	cr := criterion{flags: flagActive}
	if t.Anonymous {
		cr.flags |= flagAnonymous
	}
	if t.NoReferral {
		cr.flags |= flagNoReferral
	}
	for _, x := range []struct{ vocab, term string }{
		{services.VocabClientSituation, t.TargetGroup}, {services.VocabServiceType, t.ServiceType}, {services.VocabDeliveryMode, t.DeliveryMode},
	} {
		if x.term == "" {
			continue
		}
		switch bit, ok := c.bits[termKey(x.vocab, x.term)]; {
		case !ok:
			cr.never = true
		case bit < 64:
			cr.terms |= 1 << bit
		default:
			cr.more = append(cr.more, bit)
		}
	}
	return cr
}

func (cr *criterion) match(c *catalog, r int32) bool {
	h := c.hot[r]
	if h.terms&cr.terms != cr.terms || h.flags&cr.flags != cr.flags || cr.never {
		return false
	}
	for _, b := range cr.more {
		if !c.entries[r].has(b) {
			return false
		}
	}
	return true
}

// stepMatches is what one step matched, by tier, as catalogue ranks.
type stepMatches struct {
	// named are the services the step names that cover the place, in the
	// order named, with their tiers; the other matches are in tiers.
	named      []int32
	namedTiers []Tier
	tiers      [TierElsewhere + 1][]int32
	explicit   map[int32]bool
	unfit      int
	criteria   bool // the step has criteria targets
	// local and national count the criteria matches only.
	criteriaLocal, criteriaNational int
}

func (m *stepMatches) total() int {
	n := len(m.named)
	for _, t := range m.tiers {
		n += len(t)
	}
	return n
}

func (m *stepMatches) local() int {
	n := 0
	for _, t := range m.namedTiers {
		if t.Local() {
			n++
		}
	}
	for t := TierMunicipality; t < TierNational; t++ {
		n += len(m.tiers[t])
	}
	return n
}

// top returns the first limit matches: the named ones covering the place
// as named, then by tier; within a tier, those serving in lang (when
// given) first, then verified ones, then by name and id (the rank order).
func (m *stepMatches) top(c *catalog, limit int, lang string) []int32 {
	out := slices.Clone(m.named[:min(len(m.named), limit)])
	key := func(r int32) int {
		k := 0
		if lang != "" && !c.entries[r].speaks(lang) {
			k += 2
		}
		if !c.entries[r].verified {
			k++
		}
		return k
	}
	for t := range m.tiers {
		if len(out) >= limit {
			break
		}
		list := m.tiers[t]
		slices.SortFunc(list, func(a, b int32) int { return cmp.Or(cmp.Compare(key(a), key(b)), cmp.Compare(a, b)) })
		out = append(out, list[:min(len(list), limit-len(out))]...)
	}
	return out
}

// match resolves every step of p against the catalogue in one walk over
// the place's services.
func (c *catalog) match(p *Pathway, pl *place, munis *services.Municipalities, age *int) []stepMatches {
	client := clientAges(p, age)
	out := make([]stepMatches, len(p.Steps))
	type crit struct {
		step int
		cr   criterion
	}
	var crits []crit
	for i, st := range p.Steps {
		m := &out[i]
		for _, t := range st.Targets {
			if t.HasCriteria() {
				m.criteria = true
				crits = append(crits, crit{i, c.compile(t)})
				continue
			}
			for _, id := range t.Services {
				r, ok := c.byID[id]
				if !ok || c.entries[r].status == services.StatusArchived || m.explicit[r] {
					continue
				}
				if m.explicit == nil {
					m.explicit = map[int32]bool{}
				}
				m.explicit[r] = true
				tier, _ := c.tierOf(&c.entries[r], pl, munis)
				switch {
				case !c.entries[r].fits(client):
					if tier != TierElsewhere {
						m.unfit++
					}
				case tier == TierElsewhere:
					m.tiers[tier] = append(m.tiers[tier], r)
				default:
					m.named = append(m.named, r)
					m.namedTiers = append(m.namedTiers, tier)
				}
			}
		}
	}
	if len(crits) == 0 {
		return out
	}
	seen := make([]uint64, (len(c.entries)+63)/64)
	last := make([]int32, len(p.Steps)) // rank+1 last added per step, to add once
	c.walk(pl, seen, func(r int32, t Tier) {
		for i := range crits {
			x := &crits[i]
			if last[x.step] == r+1 || !x.cr.match(c, r) {
				continue
			}
			m := &out[x.step]
			last[x.step] = r + 1
			if !c.entries[r].fits(client) {
				if !m.explicit[r] {
					m.unfit++
				}
				continue
			}
			if t.Local() {
				m.criteriaLocal++
			} else {
				m.criteriaNational++
			}
			if !m.explicit[r] {
				m.tiers[t] = append(m.tiers[t], r)
			}
		}
	})
	return out
}

// Resolve lists, for each step of p, the services it refers to at the
// place: named services and those matching its criteria, the ones
// covering the municipality first (municipality, county, network area),
// then the rest of its network's area, then national ones; at most
// TargetLimit per step, with the total. Archived services are left out,
// and inactive ones match no criteria. The result is the same for the
// same data, whatever the order of calls. An unknown municipality or
// network is an Invalid error saying what to give instead. Treat the
// result as read-only: its services share memory with the store's cache.
func (s *Store) Resolve(ctx context.Context, p Pathway, where Where) (Resolved, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return Resolved{}, err
	}
	pl, err := s.place(ctx, c, where)
	if err != nil {
		return Resolved{}, err
	}
	munis, err := s.svc.Municipalities(ctx)
	if err != nil {
		return Resolved{}, err
	}
	matches := c.match(&p, pl, munis, where.Age)

	// One query for the listed services of every step.
	tops := make([][]int32, len(matches))
	var ids []string
	listed := map[int32]bool{}
	for i := range matches {
		tops[i] = matches[i].top(c, TargetLimit, where.Lang)
		for _, r := range tops[i] {
			if !listed[r] {
				listed[r] = true
				ids = append(ids, c.entries[r].id)
			}
		}
	}
	byID, err := s.servicesByID(ctx, c, ids)
	if err != nil {
		return Resolved{}, err
	}

	res := Resolved{Pathway: p, Steps: make([]ResolvedStep, len(p.Steps)), Contacts: []services.Contact{}}
	res.Place = Place{Municipality: pl.muni, Networks: []NetworkRef{}}
	if pl.network != nil {
		ref := refOf(*pl.network)
		res.Place.Network = &ref
	}
	for _, n := range pl.networks {
		res.Place.Networks = append(res.Place.Networks, refOf(*n))
	}
	for i, st := range p.Steps {
		m := &matches[i]
		rs := ResolvedStep{Step: st, Services: []Match{}, Total: m.total(), Local: m.local(), Unfit: m.unfit}
		for _, r := range tops[i] {
			svc, ok := byID[c.entries[r].id]
			if !ok {
				// Changed since the catalogue was refreshed: counted, not listed.
				continue
			}
			explicit := m.explicit[r]
			tier, where := c.tierOf(&c.entries[r], pl, munis)
			rs.Services = append(rs.Services, Match{Service: svc, Tier: tier, Explicit: explicit,
				Reason: reason(tier, explicit, where, pl), Place: where,
				VerifiedAt: svc.VerifiedAt, ReviewBy: svc.ReviewBy})
		}
		res.Steps[i] = rs
	}
	nets := pl.networks
	if res.Consult = c.consultFor(pl); res.Consult != nil && res.Consult.Outside {
		nets = []*services.Network{c.network(res.Consult.Network.Slug)}
	}
	if res.Contacts, err = s.contacts(ctx, c, nets, where.Viewer); err != nil {
		return Resolved{}, err
	}
	return res, nil
}

// consultFor returns the network to consult at the place: the first
// covering it, else its county's consultation network; nil if none.
func (c *catalog) consultFor(pl *place) *Consult {
	if len(pl.networks) > 0 {
		n := pl.networks[0]
		out := &Consult{Network: refOf(*n)}
		if pl.muni != nil {
			if x, ok := c.consult[pl.muni.CountySlug]; ok && x.Network == n.Slug {
				out.Note = x.Note
			}
		}
		return out
	}
	if pl.muni == nil {
		return nil
	}
	x, ok := c.consult[pl.muni.CountySlug]
	if !ok {
		return nil
	}
	n := c.network(x.Network)
	if n == nil {
		return nil
	}
	return &Consult{Network: refOf(*n), Outside: true, Note: x.Note}
}

// servicesByID returns the services with the ids, from the catalogue's
// cache or, in one query for all that are not there, from the database.
func (s *Store) servicesByID(ctx context.Context, c *catalog, ids []string) (map[string]services.Service, error) {
	out := make(map[string]services.Service, len(ids))
	var missing []string
	for _, id := range ids {
		if svc, ok := c.services.get(id); ok {
			out[id] = svc
		} else {
			missing = append(missing, id)
		}
	}
	list, err := s.svc.ServicesByID(ctx, missing)
	if err != nil {
		return nil, err
	}
	for _, svc := range list {
		out[svc.ID] = svc
		c.services.put(svc.ID, svc)
	}
	return out, nil
}

// contacts returns the regional contact persons of the networks, or, for
// a network without one, its other contact persons, as the viewer may
// see them.
func (s *Store) contacts(ctx context.Context, c *catalog, nets []*services.Network, viewer users.Level) ([]services.Contact, error) {
	out := []services.Contact{}
	for _, n := range nets {
		list, ok := c.contacts.get(n.Slug)
		if !ok {
			var err error
			list, _, err = s.svc.FindContacts(ctx, services.ContactFilter{Network: n.Slug, Role: "regional-contact"})
			if err != nil {
				return nil, err
			}
			if len(list) == 0 {
				if list, _, err = s.svc.FindContacts(ctx, services.ContactFilter{Network: n.Slug, Limit: 5}); err != nil {
					return nil, err
				}
			}
			c.contacts.put(n.Slug, list)
		}
		for _, x := range list {
			out = append(out, x.ForViewer(viewer))
		}
	}
	return out, nil
}

// Report is a network's coverage report: for each published pathway, the
// steps whose criteria no service of the network's own area meets, so
// that only a national service (or nothing) is left to refer to.
type Report struct {
	Network  NetworkRef        `json:"network"`
	Pathways []PathwayCoverage `json:"pathways"`
	Gaps     int               `json:"gaps"` // steps with a gap, in all
}

// PathwayCoverage is one pathway's part of a Report.
type PathwayCoverage struct {
	Slug    string    `json:"slug"`
	Title   l10n.Text `json:"title"`
	Checked int       `json:"checked"` // steps with criteria
	Gaps    []Gap     `json:"gaps"`
}

// Gap is a step with criteria that resolve to no local service.
type Gap struct {
	Index   int       `json:"index"` // the step's position in the pathway
	Step    string    `json:"step"`  // its id
	Title   l10n.Text `json:"title"`
	Targets []Target  `json:"targets"` // its criteria targets
	// National counts the national services that meet the criteria: the
	// fallback the region has meanwhile.
	National int `json:"national"`
}

// Coverage returns the coverage report of the network with the slug. An
// unknown network is an Invalid error listing the valid slugs.
func (s *Store) Coverage(ctx context.Context, networkSlug string) (Report, error) {
	c, err := s.catalog(ctx)
	if err != nil {
		return Report{}, err
	}
	pl, err := s.place(ctx, c, Where{Network: networkSlug})
	if err != nil {
		return Report{}, err
	}
	munis, err := s.svc.Municipalities(ctx)
	if err != nil {
		return Report{}, err
	}
	list, err := s.Pathways(ctx, false)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Network: refOf(*pl.network), Pathways: []PathwayCoverage{}}
	for _, p := range list {
		pc := PathwayCoverage{Slug: p.Slug, Title: p.Title, Gaps: []Gap{}}
		for i, m := range c.match(&p, pl, munis, nil) {
			if !m.criteria {
				continue
			}
			pc.Checked++
			if m.criteriaLocal > 0 {
				continue
			}
			st := p.Steps[i]
			g := Gap{Index: i, Step: st.ID, Title: st.Title, Targets: []Target{}, National: m.criteriaNational}
			for _, t := range st.Targets {
				if t.HasCriteria() {
					g.Targets = append(g.Targets, t)
				}
			}
			pc.Gaps = append(pc.Gaps, g)
		}
		rep.Gaps += len(pc.Gaps)
		rep.Pathways = append(rep.Pathways, pc)
	}
	return rep, nil
}
