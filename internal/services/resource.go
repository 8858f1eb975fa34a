package services

import (
	"slices"

	"github.com/serie-verkosto/directory/internal/auth"
)

// ServiceNetworks returns the slugs of the networks a service area
// belongs to, sorted: the networks it names, and every network covering
// one of its municipalities or a municipality of one of its counties. The
// same rule as the network filter of Store.FindServices. A
// national area that names nothing else belongs to no network (only
// admins edit it). Municipalities may be given by code or name; m may be
// nil when the area names networks only.
func ServiceNetworks(area Area, networks []Network, m *Municipalities) []string {
	codes := map[string]bool{}
	counties := map[string]bool{}
	for _, c := range area.Counties {
		counties[c] = true
	}
	if m != nil {
		for _, ref := range area.Municipalities {
			if x, ok := m.Lookup(ref); ok {
				codes[x.Code] = true
			}
		}
	}
	var out []string
	for _, n := range networks {
		in := slices.Contains(area.Networks, n.Slug)
		for _, code := range n.Municipalities {
			if in {
				break
			}
			if codes[code] {
				in = true
			} else if m != nil && len(counties) > 0 {
				if x, ok := m.Lookup(code); ok && counties[x.CountySlug] {
					in = true
				}
			}
		}
		if in {
			out = append(out, n.Slug)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Resource is the auth.Resource of a service, for auth.Can: the networks
// its area belongs to, in ref's networks.
func (ref *Reference) Resource(s Service) auth.Resource {
	return auth.Resource{Kind: EntityService, Networks: ServiceNetworks(s.Area, ref.Networks, ref.Munis)}
}

// ContactResource is the auth.Resource of a contact person: the network
// the contact belongs to, if any (a contact of no network is for admins).
func ContactResource(c Contact) auth.Resource {
	r := auth.Resource{Kind: EntityContact}
	if c.NetworkSlug != "" {
		r.Networks = []string{string(c.NetworkSlug)}
	}
	return r
}
