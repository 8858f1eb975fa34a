package v11

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/ptv"
)

var _ ptv.Reader = (*Client)(nil)

// StatusOutOfScope marks, in Summary.Removed, a service an incremental sync
// saw change that no longer matches the query (its area or classes moved):
// the importer ends its copy if it has one.
const StatusOutOfScope ptv.Status = "out_of_scope"

// nationwideProbe is the municipality whose area list is read when only
// nationwide services are wanted: PTV has no list of nationwide services
// alone, but every municipality's list with includeWholeCountry holds them
// all (Helsinki is not in Åland, so NationwideExceptAlandIslands is in too).
const nationwideProbe = "091"

// channelCacheMax bounds the channels kept between batches. Channels are
// shared by services in different batches; past the bound the cache is
// dropped and channels are simply fetched again.
const channelCacheMax = 50000

var (
	guidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	codeRe = regexp.MustCompile(`^[0-9]{1,3}$`)
)

// Fetch reads the services the query names, with their channels and
// organizations, and calls fn with each batch of at most 100 services.
//
// A full read (q.Since zero) pages through the area and organization lists,
// which carry whole objects. An incremental read asks Service?date= for the
// ids changed since q.Since (PTV includes there the services whose channel
// connections changed), adds the services of channels changed since then,
// reads those with list?guids= and keeps the ones in scope: PTV's area lists
// filter on modified only and would miss connection changes. Withdrawn and
// archived services since q.Since are returned in Summary.Removed.
func (c *Client) Fetch(ctx context.Context, q ptv.Query, fn func(*ptv.Batch) error) (ptv.Summary, error) {
	f := &fetcher{
		c:        c,
		q:        q,
		fn:       fn,
		seen:     map[string]bool{},
		channels: map[string]*ptv.Channel{},
		orgs:     map[string]*ptv.Organization{},
		munis:    map[string]bool{},
		orgScope: map[string]bool{},
	}
	sum := ptv.Summary{Started: c.Now().UTC().Truncate(time.Second)}
	for _, m := range q.Municipalities {
		m = muniCode(m)
		if !codeRe.MatchString(m) {
			return sum, fmt.Errorf("ptv: municipality code %q: want three digits", m)
		}
		f.munis[m] = true
	}
	for _, o := range q.Organizations {
		if !guidRe.MatchString(o) {
			return sum, fmt.Errorf("ptv: organization id %q: want a GUID", o)
		}
		f.orgScope[strings.ToLower(o)] = true
	}
	if len(f.munis) == 0 && len(f.orgScope) == 0 && !q.Nationwide {
		return sum, fmt.Errorf("ptv: nothing to fetch: name a municipality, an organization or nationwide")
	}
	var err error
	if q.Since.IsZero() {
		sum.Full = true
		err = f.full(ctx)
	} else {
		err = f.incremental(ctx, &sum)
	}
	sum.Progress = f.progress
	sum.Warnings = f.warnings
	sum.Skipped = f.skipped
	// A service that could not be read was not seen, but it is not gone.
	sum.Full = sum.Full && f.skippedServices == 0
	return sum, err
}

type fetcher struct {
	c        *Client
	q        ptv.Query
	fn       func(*ptv.Batch) error
	seen     map[string]bool
	channels map[string]*ptv.Channel
	orgs     map[string]*ptv.Organization
	munis    map[string]bool
	orgScope map[string]bool
	progress ptv.Progress
	warnings int
	removed  []ptv.Removal
	// skipped are objects that could not be read; skippedServices counts
	// the services among them.
	skipped         []*ptv.DataError
	skippedServices int
}

// read decodes one object and maps it. ok is false when the object was
// skipped, or, with err set, when the fetch must stop.
func read[T, M any](f *fetcher, ep, kind string, raw json.RawMessage, mapFn func(string, *T, []byte) (M, error)) (obj *T, mapped M, ok bool, err error) {
	obj = new(T)
	if err = decode(ep, kind, raw, obj); err == nil {
		mapped, err = mapFn(ep, obj, raw)
	}
	if err != nil {
		return obj, mapped, false, f.skip(err)
	}
	return obj, mapped, true, nil
}

// skip records an unreadable object, which is left out so that one broken
// object in PTV does not block every sync; an error that is not about one
// object (a malformed page) is returned to stop the fetch.
func (f *fetcher) skip(err error) error {
	var de *ptv.DataError
	if errors.As(err, &de) && de.ID != "" {
		f.skipped = append(f.skipped, de)
		if de.Kind == "channel" {
			f.channels[de.ID] = nil // known to be unreadable, not missing
		}
		return nil
	}
	return err
}

func (f *fetcher) report() {
	f.progress.Requests = f.c.Requests()
	if f.q.Progress != nil {
		f.q.Progress(f.progress)
	}
}

func (f *fetcher) full(ctx context.Context) error {
	wc := "false"
	if f.q.Nationwide {
		wc = "true"
	}
	var eps []string
	for _, m := range slices.Sorted(maps.Keys(f.munis)) {
		eps = append(eps, "Service/list/area/Municipality/code/"+m+"?includeWholeCountry="+wc)
	}
	for _, o := range slices.Sorted(maps.Keys(f.orgScope)) {
		eps = append(eps, "Service/list/organization?organizationId="+url.QueryEscape(o))
	}
	if f.q.Nationwide && len(f.munis) == 0 {
		eps = append(eps, "Service/list/area/Municipality/code/"+nationwideProbe+"?includeWholeCountry=true")
	}
	for _, ep := range eps {
		// Only the nationwide probe needs the client-side area check; the
		// other lists are already what was asked for.
		probe := len(f.munis) == 0 && strings.Contains(ep, "/code/"+nationwideProbe+"?")
		err := f.c.objectPages(ctx, ep, func(pep string, items []json.RawMessage) error {
			f.progress.Pages++
			return f.services(ctx, pep, items, probe)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (f *fetcher) incremental(ctx context.Context, sum *ptv.Summary) error {
	since := f.q.Since.UTC().Add(-f.c.SinceOverlap).Format(DateParam)
	var ids []string
	idSet := map[string]bool{}
	addOnce := func(id string) {
		if !idSet[id] {
			idSet[id] = true
			ids = append(ids, id)
		}
	}
	err := f.c.guidPages(ctx, "Service?date="+since, func(items []Item) error {
		f.progress.Pages++
		for _, it := range items {
			addOnce(it.ID)
		}
		f.report()
		return nil
	})
	if err != nil {
		return err
	}
	// A channel edited on its own leaves its services' modified alone; the
	// listings that show it must be rewritten all the same.
	var chIDs []string
	err = f.c.guidPages(ctx, "ServiceChannel?date="+since, func(items []Item) error {
		f.progress.Pages++
		for _, it := range items {
			chIDs = append(chIDs, it.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = f.c.list(ctx, "ServiceChannel", chIDs, func(ep string, items []json.RawMessage) error {
		for _, raw := range items {
			var ch Channel
			if err := decode(ep, "channel", raw, &ch); err != nil {
				if err := f.skip(err); err != nil {
					return err
				}
				continue
			}
			for _, s := range ch.Services {
				if s.Service != nil && s.Service.ID != "" {
					addOnce(s.Service.ID)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = f.c.list(ctx, "Service", ids, func(ep string, items []json.RawMessage) error {
		return f.services(ctx, ep, items, true)
	})
	if err != nil {
		return err
	}
	if err := f.changedOrgs(ctx, since); err != nil {
		return err
	}
	for _, st := range []struct {
		param  string
		status ptv.Status
	}{{"Withdrawn", ptv.StatusWithdrawn}, {"Archived", ptv.StatusArchived}} {
		err := f.c.guidPages(ctx, "Service?status="+st.param+"&date="+since, func(items []Item) error {
			f.progress.Pages++
			for _, it := range items {
				f.removed = append(f.removed, ptv.Removal{ID: it.ID, Status: st.status, Name: it.Name})
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	sum.Removed = f.removed
	f.report()
	return nil
}

// changedOrgs hands over, in batches without listings, the organizations
// changed since the last sync that this sync has not already delivered: a
// renamed organization does not touch its services' modified.
func (f *fetcher) changedOrgs(ctx context.Context, since string) error {
	var ids []string
	err := f.c.guidPages(ctx, "Organization?date="+since, func(items []Item) error {
		f.progress.Pages++
		for _, it := range items {
			if _, done := f.orgs[it.ID]; !done {
				ids = append(ids, it.ID)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for len(ids) > 0 {
		n := min(len(ids), MaxGuids)
		m := &mapper{known: f.q.KnownMunicipality}
		orgs, err := f.readOrgs(ctx, m, ids[:n])
		if err != nil {
			return err
		}
		ids = ids[n:]
		b := &ptv.Batch{Warnings: m.warnings}
		for _, o := range orgs {
			b.Organizations = append(b.Organizations, *o)
		}
		f.warnings += len(m.warnings)
		f.report()
		if len(orgs) > 0 {
			if err := f.fn(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// readOrgs reads organizations by id into the cache and returns them.
func (f *fetcher) readOrgs(ctx context.Context, m *mapper, ids []string) ([]*ptv.Organization, error) {
	var out []*ptv.Organization
	err := f.c.list(ctx, "Organization", ids, func(ep string, items []json.RawMessage) error {
		for _, raw := range items {
			o, org, ok, err := read(f, ep, "organization", raw, m.organization)
			if !ok {
				if err != nil {
					return err
				}
				continue
			}
			f.orgs[o.ID] = &org
			f.progress.Organizations++
			out = append(out, &org)
		}
		return nil
	})
	return out, err
}

// inScope checks a service read from an unfiltered list against the query.
func (f *fetcher) inScope(s *Service, l *ptv.Listing, nationwideOnly bool) bool {
	if l.Area.Nationwide && f.q.Nationwide {
		return true
	}
	if nationwideOnly {
		return false
	}
	for _, m := range l.Area.Municipalities {
		if f.munis[m] {
			return true
		}
	}
	for _, o := range s.Organizations {
		if o.Organization != nil && f.orgScope[strings.ToLower(o.Organization.ID)] {
			return true
		}
	}
	return false
}

// classMatch applies the service-class filter: a code matches itself and
// its subclasses ("P3" matches "P3.7"), a URI matches either URI form.
func (f *fetcher) classMatch(l *ptv.Listing, s *Service) bool {
	if len(f.q.ServiceClasses) == 0 {
		return true
	}
	for _, want := range f.q.ServiceClasses {
		if want == "all" {
			return true
		}
		for _, c := range s.ServiceClasses {
			code := deref(c.Code)
			if code != "" && (code == want || strings.HasPrefix(code, want+".")) ||
				c.URI == want || deref(c.NewURI) == want {
				return true
			}
		}
	}
	return false
}

// services decodes one page or list of services, keeps those wanted, reads
// their channels and organizations and hands them over as a batch.
func (f *fetcher) services(ctx context.Context, ep string, items []json.RawMessage, checkScope bool) error {
	m := &mapper{known: f.q.KnownMunicipality}
	b := &ptv.Batch{}
	for _, raw := range items {
		var s Service
		if err := decode(ep, "service", raw, &s); err != nil {
			if err := f.skip(err); err != nil {
				return err
			}
			f.skippedServices++
			continue
		}
		if f.seen[s.ID] {
			continue // nationwide services are in every municipality's list
		}
		l, err := m.service(ep, &s, raw)
		if err != nil {
			if err := f.skip(err); err != nil {
				return err
			}
			f.skippedServices++
			continue
		}
		nationwideOnly := checkScope && len(f.munis) == 0 && len(f.orgScope) == 0
		if checkScope && !f.inScope(&s, &l, nationwideOnly) || !f.classMatch(&l, &s) {
			if !f.q.Since.IsZero() {
				f.removed = append(f.removed, ptv.Removal{ID: s.ID, Status: StatusOutOfScope, Name: l.Names["fi"], Modified: l.Modified})
			}
			continue
		}
		if l.Status != ptv.StatusPublished {
			f.removed = append(f.removed, ptv.Removal{ID: s.ID, Status: l.Status, Name: l.Names["fi"], Modified: l.Modified})
			continue
		}
		f.seen[s.ID] = true
		b.Listings = append(b.Listings, l)
	}
	if len(b.Listings) == 0 {
		f.warnings += len(m.warnings)
		f.report()
		return nil
	}
	if err := f.resolveChannels(ctx, m, b); err != nil {
		return err
	}
	if err := f.resolveOrgs(ctx, m, b); err != nil {
		return err
	}
	b.Warnings = m.warnings
	f.warnings += len(m.warnings)
	f.progress.Services += len(b.Listings)
	f.report()
	return f.fn(b)
}

func (f *fetcher) resolveChannels(ctx context.Context, m *mapper, b *ptv.Batch) error {
	var want []string
	wanted := map[string]bool{}
	for _, l := range b.Listings {
		for _, cn := range l.Connections {
			if _, ok := f.channels[cn.ChannelID]; !ok && !wanted[cn.ChannelID] {
				wanted[cn.ChannelID] = true
				want = append(want, cn.ChannelID)
			}
		}
	}
	if len(f.channels)+len(want) > channelCacheMax {
		// Keep what this batch needs, drop the rest.
		keep := map[string]*ptv.Channel{}
		for _, l := range b.Listings {
			for _, cn := range l.Connections {
				if ch, ok := f.channels[cn.ChannelID]; ok {
					keep[cn.ChannelID] = ch
				}
			}
		}
		f.channels = keep
	}
	err := f.c.list(ctx, "ServiceChannel", want, func(ep string, items []json.RawMessage) error {
		for _, raw := range items {
			c, ch, ok, err := read(f, ep, "channel", raw, m.channel)
			if !ok {
				if err != nil {
					return err
				}
				continue
			}
			f.channels[c.ID] = ch // nil for a channel left out, so it is not asked again
			if ch != nil {
				f.progress.Channels++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := range b.Listings {
		l := &b.Listings[i]
		for j := range l.Connections {
			cn := &l.Connections[j]
			ch, ok := f.channels[cn.ChannelID]
			if !ok {
				// PTV lists only published links, so this is a channel that
				// went away between the two requests.
				m.warn("ServiceChannel/list", "service", l.ID, "serviceChannels", "channel %s not found; connection kept without it", cn.ChannelID)
				f.channels[cn.ChannelID] = nil
			}
			cn.Channel = ch
		}
	}
	return nil
}

func (f *fetcher) resolveOrgs(ctx context.Context, m *mapper, b *ptv.Batch) error {
	var want []string
	need := map[string]bool{}
	note := func(id string) {
		if id == "" || need[id] {
			return
		}
		need[id] = true
		if _, ok := f.orgs[id]; !ok {
			want = append(want, id)
		}
	}
	for _, l := range b.Listings {
		note(l.Organization.ID)
		for _, o := range l.Others {
			note(o.ID)
		}
		for _, cn := range l.Connections {
			if cn.Channel != nil {
				note(cn.Channel.OrganizationID)
			}
		}
	}
	if _, err := f.readOrgs(ctx, m, want); err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(need)) {
		o, ok := f.orgs[id]
		if !ok {
			m.warn("Organization/list", "organization", id, "", "organization not found")
			f.orgs[id] = nil
			continue
		}
		if o != nil {
			b.Organizations = append(b.Organizations, *o)
		}
	}
	return nil
}
