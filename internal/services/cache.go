package services

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/serie-verkosto/directory/internal/apperr"
)

// Reference is the reference data that pages show and writes check
// against: municipalities, vocabularies, networks with their coverage, and
// organizations. It changes seldom and is read on every page and every
// save, so the store keeps one snapshot in memory (Store.Reference) and
// drops it when the data changes: at once for writes through this store,
// and through Store.Changed for changes the change log shows (writes of
// other instances sharing a PostgreSQL database). A snapshot is never
// modified; callers must not modify what it holds.
type Reference struct {
	Munis    *Municipalities
	Vocab    *Vocabularies
	Networks []Network      // display order, each with its coverage
	Orgs     []Organization // by id

	network map[string]int
	org     map[string]int
}

// NewReference returns reference data made of the given parts, indexed.
func NewReference(munis *Municipalities, vocab *Vocabularies, networks []Network, orgs []Organization) *Reference {
	ref := &Reference{Munis: munis, Vocab: vocab, Networks: networks, Orgs: orgs,
		network: make(map[string]int, len(networks)), org: make(map[string]int, len(orgs))}
	for i, n := range networks {
		ref.network[n.Slug] = i
	}
	for i, o := range orgs {
		ref.org[o.ID] = i
	}
	return ref
}

// Network returns the network with the slug.
func (r *Reference) Network(slug string) (Network, bool) {
	i, ok := r.network[slug]
	if !ok {
		return Network{}, false
	}
	return r.Networks[i], true
}

// Organization returns the organization with the id.
func (r *Reference) Organization(id string) (Organization, bool) {
	i, ok := r.org[id]
	if !ok {
		return Organization{}, false
	}
	return r.Orgs[i], true
}

// FilterValues are the values of a list's or a search's filters that
// name a network or a vocabulary term.
type FilterValues struct {
	Network, TargetGroup, ServiceType, DeliveryMode string
}

// CheckFilters records in fs each value of f that names no network or
// term, with the values allowed: a filter that can match nothing is a
// mistake to show, not an empty answer. r may be nil when f is empty.
func (r *Reference) CheckFilters(fs *apperr.Fields, f FilterValues) {
	if f == (FilterValues{}) {
		return
	}
	if f.Network != "" {
		if _, ok := r.Network(f.Network); !ok {
			slugs := make([]string, len(r.Networks))
			for i, n := range r.Networks {
				slugs[i] = n.Slug
			}
			fs.OneOf("network", f.Network, slugs...)
		}
	}
	r.Vocab.CheckTerm(fs, "target_group", VocabClientSituation, f.TargetGroup)
	r.Vocab.CheckTerm(fs, "service_type", VocabServiceType, f.ServiceType)
	r.Vocab.CheckTerm(fs, "delivery_mode", VocabDeliveryMode, f.DeliveryMode)
}

// refCache holds the current snapshot. gen counts invalidations, so that
// a load that raced with a change does not store what it read before it.
type refCache struct {
	mu   sync.Mutex
	ref  *Reference
	gen  uint64
	load sync.Mutex // one load at a time; others wait for its result
}

// Reference returns the reference data, from memory when nothing has
// changed since it was loaded.
func (s *Store) Reference(ctx context.Context) (*Reference, error) {
	c := &s.refs
	c.mu.Lock()
	ref := c.ref
	c.mu.Unlock()
	if ref != nil {
		return ref, nil
	}
	c.load.Lock()
	defer c.load.Unlock()
	c.mu.Lock()
	ref, gen := c.ref, c.gen
	c.mu.Unlock()
	if ref != nil {
		return ref, nil
	}
	ref, err := s.loadReference(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	// An empty municipality list is a database not seeded yet (another
	// process may be seeding it): not worth keeping.
	if c.gen == gen && len(ref.Munis.List) > 0 {
		c.ref = ref
	}
	c.mu.Unlock()
	return ref, nil
}

// forget drops the snapshot; the next read loads it again.
func (s *Store) forget() {
	s.refs.mu.Lock()
	s.refs.ref = nil
	s.refs.gen++
	s.refs.mu.Unlock()
}

// Changed tells the store that the change log shows a write of entity
// (by any instance); a write of reference data drops the snapshot. The
// search syncer calls it for every change it reads.
func (s *Store) Changed(entity string) {
	switch entity {
	case EntityNetwork, EntityOrganization, EntityVocabulary:
		s.forget()
	}
}

func (s *Store) loadReference(ctx context.Context) (*Reference, error) {
	var list []Municipality
	if err := s.db.SelectContext(ctx, &list, `SELECT code, name_fi, name_sv, county_slug, county_fi, county_sv, region_fi FROM municipalities`); err != nil {
		return nil, fmt.Errorf("load municipalities: %w", err)
	}
	vocab, err := s.loadVocabularies(ctx)
	if err != nil {
		return nil, err
	}
	networks, err := s.loadNetworks(ctx)
	if err != nil {
		return nil, err
	}
	var orgs []Organization
	if err := s.db.SelectContext(ctx, &orgs, selectOrganization+` ORDER BY id`); err != nil {
		return nil, fmt.Errorf("list organizations: %w", err)
	}
	return NewReference(newMunicipalities(list), vocab, networks, orgs), nil
}

// Municipalities returns the municipality classification.
func (s *Store) Municipalities(ctx context.Context) (*Municipalities, error) {
	ref, err := s.Reference(ctx)
	if err != nil {
		return nil, err
	}
	return ref.Munis, nil
}

// Vocabularies returns every vocabulary with its terms, in order.
func (s *Store) Vocabularies(ctx context.Context) (*Vocabularies, error) {
	ref, err := s.Reference(ctx)
	if err != nil {
		return nil, err
	}
	return ref.Vocab, nil
}

// Networks returns every network, in their display order, with coverage.
func (s *Store) Networks(ctx context.Context) ([]Network, error) {
	ref, err := s.Reference(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Clone(ref.Networks), nil
}

// Organizations returns every organization, by id.
func (s *Store) Organizations(ctx context.Context) ([]Organization, error) {
	ref, err := s.Reference(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Clone(ref.Orgs), nil
}
