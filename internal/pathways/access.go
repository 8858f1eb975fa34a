package pathways

import (
	"context"
	"fmt"
	"strings"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/users"
)

// Who sees and changes pathways, decided by the one policy (auth.Can):
//
//   - anyone reads published pathways; drafts are seen only by those who
//     may propose pathways (anyone else gets NotFound, as if there were
//     none);
//   - those who may propose (auth.Propose: editors with a network, and
//     admins) create drafts, change drafts and keep them drafts, and
//     propose changes to published pathways for an admin to publish;
//   - publishing, and any change to a published pathway (unpublishing
//     it too), is auth.Publish: admins only;
//   - an update names the version it read; any other is a Conflict.
//
// The use cases below and in save.go and proposals.go apply these rules;
// the web pages and the JSON API only call them.

// resource is what every pathway is to the policy: pathways belong to no
// network.
var resource = auth.Resource{Kind: auth.KindPathway}

// MayPropose reports whether u may save drafts, propose changes to
// published pathways and read drafts: nil, or Unauthorized (nobody
// logged in) or Forbidden. For adapters deciding what to offer; the use
// cases decide again themselves.
func MayPropose(u *users.User) error { return auth.Can(u, auth.Propose, resource) }

// MayPublish reports whether u may publish pathways and change published
// ones: nil, Unauthorized or Forbidden.
func MayPublish(u *users.User) error { return auth.Can(u, auth.Publish, resource) }

// MayEdit reports whether u may open p in the editor and save it: a draft
// when u may propose, a published pathway when u may publish. (Those who
// may only propose may still send a change to a published pathway, which
// Save keeps as a proposal.)
func MayEdit(u *users.User, p Pathway) bool {
	return MayPropose(u) == nil && (p.Status != StatusPublished || MayPublish(u) == nil)
}

// Read returns the pathway with the slug as viewer may see it: a draft is
// NotFound unless viewer may propose pathways, as if there were none.
func (s *Store) Read(ctx context.Context, viewer *users.User, slug string) (Pathway, error) {
	p, err := s.Pathway(ctx, slug)
	if err != nil {
		return p, err
	}
	if p.Status != StatusPublished && MayPropose(viewer) != nil {
		return Pathway{}, apperr.Keyed(apperr.NotFound, "err.not_found", "pathway %q not found", slug)
	}
	return p, nil
}

// List returns the published pathways, and the drafts too when viewer
// may propose pathways, in display order.
func (s *Store) List(ctx context.Context, viewer *users.User) ([]Pathway, error) {
	return s.Pathways(ctx, MayPropose(viewer) == nil)
}

// ResolveFor resolves p for a municipality or a network, with the
// contact details viewer may see (auth.Level). Unlike Resolve, an
// unknown municipality is an Invalid error (key err.pathway_place) that
// also lists the networks one may give instead; an unknown network lists
// them too (err.unknown_network_list).
func (s *Store) ResolveFor(ctx context.Context, viewer *users.User, p Pathway, w Where) (Resolved, error) {
	if w.Municipality != "" && w.Network == "" {
		if _, err := s.svc.Municipality(ctx, w.Municipality); apperr.Is(err, apperr.Invalid) {
			return Resolved{}, s.unknownPlace(ctx, w.Municipality)
		} else if err != nil {
			return Resolved{}, err
		}
	}
	w.Viewer = auth.Level(viewer)
	return s.Resolve(ctx, p, w)
}

// unknownPlace is the error of an unknown municipality: the page shows
// the short catalogue text; the API's message lists every valid place.
func (s *Store) unknownPlace(ctx context.Context, municipality string) error {
	nets, err := s.svc.Networks(ctx)
	if err != nil {
		return err
	}
	slugs := make([]string, len(nets))
	for i, n := range nets {
		slugs[i] = n.Slug
	}
	m, err := s.svc.Municipalities(ctx)
	if err != nil {
		return err
	}
	names := make([]string, len(m.List))
	for i, x := range m.List {
		names[i] = x.NameFI + " (" + x.Code + ")"
	}
	e := apperr.Keyed(apperr.Invalid, "err.pathway_place",
		"unknown municipality %q: give a three-digit code or a Finnish or Swedish name (listed at /api/v1/municipalities), or a network: one of %s",
		municipality, strings.Join(slugs, ", "))
	e.Message = fmt.Sprintf("unknown municipality %q: give one of these municipalities (code or Finnish or Swedish name): %s; or a network: one of %s",
		municipality, strings.Join(names, ", "), strings.Join(slugs, ", "))
	return e
}
