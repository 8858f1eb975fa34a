package pathways

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/params"
	"github.com/serie-verkosto/directory/internal/services"
)

// Why a catalogue: a step's criteria must be matched against every service
// covering the place, nearest first, and counted. With 100,000 services a
// municipality has over 10,000 candidates (national, county, network and
// nearby ones), and checking them in SQL costs tens of milliseconds per
// step (measured: about 45 ms per criterion on SQLite). Held in memory as
// bitsets of terms and lists per area, the same work takes well under a
// millisecond for a whole pathway. The database stays the truth: the
// catalogue is a projection, brought up to date from the change log
// before every resolution (one cheap query when nothing changed). The
// services and contact persons shown are read from the database through
// caches that the same change-log read empties of whatever changed.

// fullReload is the number of changed services above which reloading
// everything is cheaper than patching.
const fullReload = 5000

// entry is what matching needs of one service.
type entry struct {
	id, sortName string
	terms        []uint64 // bitset over catalog.bits
	status       string
	anonymous    bool // known to be usable anonymously
	noReferral   bool // known to need no referral
	national     bool
	// ageMin and ageMax bound the clients' ages (0 and maxAge when the
	// service names no bound).
	ageMin, ageMax int
	langs          []string // the languages it serves in, where known
	verified       bool     // an editor has checked it with the service
	munis          []string
	counties       []string
	networks       []string
}

// Flags of a service in catalog.hot.
const (
	flagActive     uint64 = 1 << iota // takes referrals (status active)
	flagAnonymous                     // known to be usable anonymously
	flagNoReferral                    // known to need no referral
)

// hot is what a criterion checks, kept apart from the entries in one small
// array, so that matching thousands of candidates stays in the CPU cache.
type hot struct {
	terms uint64 // the first 64 term bits; entry.terms has the rest
	flags uint64
}

// catalog is an immutable snapshot; a refresh builds a new one.
type catalog struct {
	pos      db.Position // the change-log horizon when last brought up to date
	entries  []entry     // in (sort name, id) order: the index is the rank
	hot      []hot       // by rank
	byID     map[string]int32
	byMuni   map[string][]int32 // ascending ranks
	byCounty map[string][]int32
	byNet    map[string][]int32
	national []int32
	bits     map[string]int // "vocabulary/term" -> bit; only grows
	networks []services.Network
	consult  map[string]services.Consultation // by county

	// Read-through caches of what Resolve shows, emptied of whatever the
	// change log says changed: the services listed and the contact
	// persons of each network.
	services *cache[services.Service]
	contacts *cache[[]services.Contact]
}

func termKey(vocab, term string) string { return vocab + "/" + term }

// ages is the range of ages a client may have: the client's age when
// given, else the range the pathway is for.
type ages struct{ lo, hi int }

// fits reports whether e's age range admits a client of the range a.
func (e *entry) fits(a ages) bool {
	return e.ageMin <= a.hi && a.lo <= e.ageMax
}

// speaks reports whether e is known to serve in the language.
func (e *entry) speaks(lang string) bool { return slices.Contains(e.langs, lang) }

// has reports whether e carries the term's bit.
func (e *entry) has(bit int) bool {
	w := bit / 64
	return w < len(e.terms) && e.terms[w]&(1<<(bit%64)) != 0
}

func newEntry(s services.Summary, bits map[string]int) entry {
	e := entry{id: s.ID, sortName: s.SortName, status: s.Status,
		anonymous: s.Anonymous != nil && *s.Anonymous, noReferral: s.ReferralRequired != nil && !*s.ReferralRequired,
		national: s.Area.National, munis: s.Area.Municipalities, counties: s.Area.Counties, networks: s.Area.Networks,
		ageMin: 0, ageMax: params.MaxAge, langs: s.Languages, verified: s.VerifiedAt != nil}
	if s.AgeMin != nil {
		e.ageMin = *s.AgeMin
	}
	if s.AgeMax != nil {
		e.ageMax = *s.AgeMax
	}
	for _, t := range []struct {
		vocab string
		ids   []string
	}{{services.VocabClientSituation, s.TargetGroups}, {services.VocabServiceType, s.ServiceTypes}, {services.VocabDeliveryMode, s.DeliveryModes}} {
		for _, id := range t.ids {
			k := termKey(t.vocab, id)
			bit, ok := bits[k]
			if !ok {
				bit = len(bits)
				bits[k] = bit
			}
			for len(e.terms) <= bit/64 {
				e.terms = append(e.terms, 0)
			}
			e.terms[bit/64] |= 1 << (bit % 64)
		}
	}
	return e
}

func sameEntry(a, b *entry) bool {
	return a.id == b.id && a.sortName == b.sortName && a.status == b.status && a.anonymous == b.anonymous &&
		a.noReferral == b.noReferral && a.national == b.national && a.ageMin == b.ageMin && a.ageMax == b.ageMax && slices.Equal(a.terms, b.terms) &&
		slices.Equal(a.langs, b.langs) && a.verified == b.verified &&
		slices.Equal(a.munis, b.munis) && slices.Equal(a.counties, b.counties) && slices.Equal(a.networks, b.networks)
}

// build indexes entries (in any order) into a catalogue.
func build(entries []entry, bits map[string]int, networks []services.Network, pos db.Position) *catalog {
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.sortName, b.sortName), cmp.Compare(a.id, b.id))
	})
	c := &catalog{pos: pos, entries: entries, bits: bits, networks: networks,
		hot:  make([]hot, len(entries)),
		byID: make(map[string]int32, len(entries)), byMuni: map[string][]int32{},
		byCounty: map[string][]int32{}, byNet: map[string][]int32{}}
	for i := range entries {
		e := &entries[i]
		r := int32(i)
		c.byID[e.id] = r
		h := &c.hot[i]
		if len(e.terms) > 0 {
			h.terms = e.terms[0]
		}
		if e.status == services.StatusActive {
			h.flags |= flagActive
		}
		if e.anonymous {
			h.flags |= flagAnonymous
		}
		if e.noReferral {
			h.flags |= flagNoReferral
		}
		if e.national {
			c.national = append(c.national, r)
		}
		for _, m := range e.munis {
			c.byMuni[m] = append(c.byMuni[m], r)
		}
		for _, k := range e.counties {
			c.byCounty[k] = append(c.byCounty[k], r)
		}
		for _, n := range e.networks {
			c.byNet[n] = append(c.byNet[n], r)
		}
	}
	return c
}

// network returns the network with the slug, or nil.
func (c *catalog) network(slug string) *services.Network {
	for i := range c.networks {
		if c.networks[i].Slug == slug {
			return &c.networks[i]
		}
	}
	return nil
}

// Warm loads the catalogue that resolution matches against, so that the
// first resolution does not pay for it (about a second per 100,000
// services). Later calls only bring it up to date.
func (s *Store) Warm(ctx context.Context) error {
	_, err := s.catalog(ctx)
	return err
}

// catalog returns the current catalogue, loading or refreshing it first.
func (s *Store) catalog(ctx context.Context) (*catalog, error) {
	if c := s.cat.Load(); c != nil {
		behind, err := s.db.Behind(ctx, c.pos)
		if err != nil || !behind {
			return c, err
		}
	}
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	c := s.cat.Load()
	if c == nil {
		return s.load(ctx)
	}
	if behind, err := s.db.Behind(ctx, c.pos); err != nil || !behind {
		return c, err // refreshed by another caller meanwhile
	}
	nc, err := s.refresh(ctx, c)
	if err != nil {
		return nil, err
	}
	s.cat.Store(nc)
	return nc, nil
}

// refresh returns c brought up to date with the changes since its horizon.
func (s *Store) refresh(ctx context.Context, c *catalog) (*catalog, error) {
	// The horizon is taken first: whatever finished below it is visible to
	// the read that follows.
	next, err := s.db.Horizon(ctx)
	if err != nil {
		return nil, err
	}
	changes, err := s.db.ChangesSince(ctx, c.pos)
	if err != nil {
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	netsChanged, contactsChanged, consultChanged := false, false, false
	for _, ch := range changes {
		switch ch.Entity {
		case services.EntityService:
			if !seen[ch.EntityID] {
				seen[ch.EntityID] = true
				ids = append(ids, ch.EntityID)
			}
		case services.EntityNetwork:
			netsChanged = true
		case services.EntityContact:
			contactsChanged = true
		case services.EntityConsultation:
			consultChanged = true
		}
	}
	if len(ids) > fullReload {
		return s.load(ctx)
	}
	nc := *c
	nc.pos = next
	if netsChanged {
		if nc.networks, err = s.svc.Networks(ctx); err != nil {
			return nil, err
		}
	}
	if consultChanged {
		if nc.consult, err = s.consultations(ctx); err != nil {
			return nil, err
		}
	}
	if netsChanged || contactsChanged {
		nc.contacts = newCache[[]services.Contact](contactCacheSize)
	}
	if len(ids) == 0 {
		return &nc, nil
	}
	// Any change of a service may change what is shown of it, even one
	// that leaves what matching needs alone.
	nc.services = c.services.without(ids)
	sums, err := s.svc.Summaries(ctx, ids)
	if err != nil {
		return nil, err
	}
	// A change read twice (db.ChangesSince) or one that did not touch what
	// matching needs leaves the indexes as they are.
	bits := cloneBits(c.bits)
	fresh := map[string]entry{}
	changed := false
	for _, sum := range sums {
		e := newEntry(sum, bits)
		fresh[e.id] = e
		if r, ok := c.byID[e.id]; !ok || !sameEntry(&c.entries[r], &e) {
			changed = true
		}
	}
	for _, id := range ids {
		if _, ok := fresh[id]; !ok {
			if _, had := c.byID[id]; had {
				changed = true // gone (services are archived, not deleted, but be safe)
			}
		}
	}
	if !changed {
		return &nc, nil
	}
	entries := make([]entry, 0, len(c.entries)+len(fresh))
	for _, e := range c.entries {
		if !seen[e.id] {
			entries = append(entries, e)
		}
	}
	for _, e := range fresh {
		entries = append(entries, e)
	}
	built := build(entries, bits, nc.networks, next)
	built.services, built.contacts, built.consult = nc.services, nc.contacts, nc.consult
	return built, nil
}

// load reads every service summary and network and builds a catalogue.
// The horizon is taken first, so that what commits during the load is
// read again by the next refresh.
func (s *Store) load(ctx context.Context) (*catalog, error) {
	pos, err := s.db.Horizon(ctx)
	if err != nil {
		return nil, err
	}
	sums, err := s.svc.Summaries(ctx, nil)
	if err != nil {
		return nil, err
	}
	nets, err := s.svc.Networks(ctx)
	if err != nil {
		return nil, err
	}
	bits := map[string]int{}
	entries := make([]entry, len(sums))
	for i, sum := range sums {
		entries[i] = newEntry(sum, bits)
	}
	c := build(entries, bits, nets, pos)
	if c.consult, err = s.consultations(ctx); err != nil {
		return nil, err
	}
	c.services = newCache[services.Service](serviceCacheSize)
	c.contacts = newCache[[]services.Contact](contactCacheSize)
	s.cat.Store(c)
	return c, nil
}

// consultations returns the counties' consultation networks by county.
func (s *Store) consultations(ctx context.Context) (map[string]services.Consultation, error) {
	list, err := s.svc.Consultations(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]services.Consultation, len(list))
	for _, c := range list {
		m[c.County] = c
	}
	return m, nil
}

// Sizes of the read-through caches.
const (
	serviceCacheSize = 4096
	contactCacheSize = 64
)

// cache is a bounded map safe for concurrent use. Each catalogue has its
// own: a refresh makes a copy without the changed keys, so that a reader
// still holding the old catalogue can only fill the old cache.
type cache[T any] struct {
	mu  sync.Mutex
	max int
	m   map[string]T
}

func newCache[T any](max int) *cache[T] { return &cache[T]{max: max, m: map[string]T{}} }

func (c *cache[T]) get(k string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *cache[T]) put(k string, v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m) // simple and bounded; a hot entry is back on its next use
	}
	c.m[k] = v
}

// without returns a copy of c without the keys.
func (c *cache[T]) without(keys []string) *cache[T] {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := newCache[T](c.max)
	for k, v := range c.m {
		out.m[k] = v
	}
	for _, k := range keys {
		delete(out.m, k)
	}
	return out
}

func cloneBits(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
