package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// Care pathways: reading them, resolved to a place, and saving them. The
// exported methods hold the rules every surface obeys (the JSON handlers
// below and the web's pages alike):
//
//   - anyone reads published pathways; drafts are seen only by those who
//     may propose pathways (anyone else gets NotFound, as if there were
//     none);
//   - anyone who edits listings (auth.Scope of auth.Edit: editors and
//     admins) may propose a pathway: create one as a draft, or change a
//     draft and keep it a draft;
//   - publishing, and any change to a published pathway (unpublishing
//     it too), is auth.Publish: admins only;
//   - an update names the version it read; any other is a Conflict.

// ReservedSlugs are path segments of the pathway pages that a pathway's
// slug may not take (/pathways/new, /pathways/coverage).
var ReservedSlugs = []string{"new", "coverage"}

// pathwaysOff is the error while the server has no pathway store.
func (a *API) pathwaysOff() error {
	if a.Pathways == nil {
		return apperr.Errorf(apperr.Unavailable, "care pathways are not enabled")
	}
	return nil
}

// CanProposePathway reports whether u may save pathway drafts: nil, or
// Unauthorized (nobody logged in) or Forbidden.
func CanProposePathway(u *users.User) error {
	_, _, err := auth.Scope(u, auth.Edit)
	return err
}

// CanPublishPathway reports whether u may publish pathways and change
// published ones.
func CanPublishPathway(u *users.User) error {
	return auth.Can(u, auth.Publish, auth.Resource{Kind: auth.KindPathway})
}

// Pathway returns the pathway with the slug as u may see it: a draft is
// NotFound unless u may propose pathways.
func (a *API) Pathway(ctx context.Context, u *users.User, slug string) (pathways.Pathway, error) {
	if err := a.pathwaysOff(); err != nil {
		return pathways.Pathway{}, err
	}
	p, err := a.Pathways.Pathway(ctx, slug)
	if err != nil {
		return p, err
	}
	if p.Status != pathways.StatusPublished && CanProposePathway(u) != nil {
		return pathways.Pathway{}, apperr.Keyed(apperr.NotFound, "err.not_found", "pathway %q not found", slug)
	}
	return p, nil
}

// PathwayList returns the published pathways, and the drafts too when u
// may propose pathways.
func (a *API) PathwayList(ctx context.Context, u *users.User) ([]pathways.Pathway, error) {
	if err := a.pathwaysOff(); err != nil {
		return nil, err
	}
	return a.Pathways.Pathways(ctx, CanProposePathway(u) == nil)
}

// ResolvePathway resolves p for the place, with the contact details u may
// see. Unlike pathways.Store.Resolve, an unknown municipality is an
// Invalid error (key err.pathway_place) that also lists the networks one
// may give instead; an unknown network lists them too (the store's
// err.unknown_network_list).
func (a *API) ResolvePathway(ctx context.Context, u *users.User, p pathways.Pathway, municipality, network string) (pathways.Resolved, error) {
	if err := a.pathwaysOff(); err != nil {
		return pathways.Resolved{}, err
	}
	if municipality != "" && network == "" {
		if _, err := a.Store.Municipality(ctx, municipality); apperr.Is(err, apperr.Invalid) {
			nets, nerr := a.Store.Networks(ctx)
			if nerr != nil {
				return pathways.Resolved{}, nerr
			}
			slugs := make([]string, len(nets))
			for i, n := range nets {
				slugs[i] = n.Slug
			}
			m, merr := a.Store.Municipalities(ctx)
			if merr != nil {
				return pathways.Resolved{}, merr
			}
			names := make([]string, len(m.List))
			for i, x := range m.List {
				names[i] = x.NameFI + " (" + x.Code + ")"
			}
			// The page shows the short catalogue text; the API's message
			// lists every valid place.
			e := apperr.Keyed(apperr.Invalid, "err.pathway_place",
				"unknown municipality %q: give a three-digit code or a Finnish or Swedish name (listed at /api/v1/municipalities), or a network: one of %s",
				municipality, strings.Join(slugs, ", "))
			e.Message = fmt.Sprintf("unknown municipality %q: give one of these municipalities (code or Finnish or Swedish name): %s; or a network: one of %s",
				municipality, strings.Join(names, ", "), strings.Join(slugs, ", "))
			return pathways.Resolved{}, e
		} else if err != nil {
			return pathways.Resolved{}, err
		}
	}
	return a.Pathways.Resolve(ctx, p, pathways.Where{Municipality: municipality, Network: network, Viewer: auth.Level(u)})
}

// SavePathway creates p (create) or updates it at p.Version, for u.
// Unauthorized without a user; Forbidden when u may not propose
// pathways, or publishes, or changes a published pathway, without
// auth.Publish; Invalid (each problem naming its step) for a malformed
// pathway or a reserved slug; NotFound for an unknown slug; Conflict when
// p.Version is stale or a new pathway's slug is taken. Nothing is saved
// unless all of it is valid. On success p is the stored pathway.
func (a *API) SavePathway(ctx context.Context, u *users.User, p *pathways.Pathway, create bool) error {
	_, err := a.SaveOrProposePathway(ctx, u, p, create)
	return err
}

// SaveOrProposePathway is SavePathway, except that an editor's change to
// a published pathway is kept as a proposal for an admin to publish
// (proposed is then true) instead of being refused.
func (a *API) SaveOrProposePathway(ctx context.Context, u *users.User, p *pathways.Pathway, create bool) (proposed bool, err error) {
	if err := a.pathwaysOff(); err != nil {
		return false, err
	}
	if err := CanProposePathway(u); err != nil {
		return false, err
	}
	if !create && CanPublishPathway(u) != nil {
		before, err := a.Pathways.Pathway(ctx, p.Slug)
		if err != nil {
			return false, err
		}
		if before.Status == pathways.StatusPublished {
			if p.Version != before.Version {
				return false, conflictPathway(p.Slug, p.Version)
			}
			return true, a.Pathways.Propose(ctx, p)
		}
	}
	return false, a.savePathway(ctx, u, p, create)
}

func (a *API) savePathway(ctx context.Context, u *users.User, p *pathways.Pathway, create bool) error {
	if strings.TrimSpace(p.Status) == pathways.StatusPublished {
		if err := CanPublishPathway(u); err != nil {
			return err
		}
	}
	if create {
		if slices.Contains(ReservedSlugs, strings.TrimSpace(p.Slug)) {
			var fs apperr.Fields
			fs.Add("slug", "err.slug_reserved", "%q is reserved: choose another slug", strings.TrimSpace(p.Slug))
			return fs.Err()
		}
		if err := a.Pathways.Create(ctx, p); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				var fs apperr.Fields
				fs.Add("slug", "err.slug_taken", "a pathway %q already exists", p.Slug)
				e := apperr.As(fs.Err())
				e.Code = apperr.Conflict
				return e
			}
			return err
		}
		a.waitIndexed(ctx)
		return nil
	}
	before, err := a.Pathways.Pathway(ctx, p.Slug)
	if err != nil {
		return err
	}
	if before.Status == pathways.StatusPublished {
		if err := CanPublishPathway(u); err != nil {
			return err
		}
	}
	if p.Version != before.Version {
		return conflictPathway(p.Slug, p.Version)
	}
	if err := a.Pathways.Update(ctx, p); err != nil {
		return err
	}
	a.waitIndexed(ctx)
	return nil
}

func conflictPathway(slug string, have int) error {
	return apperr.Keyed(apperr.Conflict, "err.conflict",
		"pathway %q was changed by someone else (your version %d is stale); reload and merge", slug, have)
}

// --- JSON ---

// PathwaySummary is one pathway of the list.
type PathwaySummary struct {
	Slug        string    `json:"slug"`
	Title       l10n.Text `json:"title"`
	Situation   l10n.Text `json:"situation,omitzero"`
	TargetGroup string    `json:"target_group"`
	Status      string    `json:"status"`
	Version     int       `json:"version"`
	URL         string    `json:"url"`
}

// ResolvedPathway is a pathway resolved for a place: the pathway as
// stored, whose steps also carry the services they refer to there.
type ResolvedPathway struct {
	pathways.Pathway
	Steps    []ResolvedStep     `json:"steps"`
	Place    pathways.Place     `json:"place"`
	Contacts []services.Contact `json:"contacts"`
}

// ResolvedStep is a step as stored (its targets are the definition:
// named services or criteria) with the services they resolve to.
type ResolvedStep struct {
	pathways.Step
	Services []Target `json:"services"` // nearest first, at most pathways.TargetLimit
	Total    int      `json:"total"`    // all matching services
	Local    int      `json:"local"`    // of them, those nearer than national
}

// Target is one service a resolved step refers to, and why.
type Target struct {
	ID               string           `json:"id"`
	Name             l10n.Text        `json:"name"`
	URL              string           `json:"url"`               // the service's page in the directory
	Website          string           `json:"website,omitempty"` // the service's own site
	Reason           string           `json:"reason"`
	Tier             pathways.Tier    `json:"tier"`
	Explicit         bool             `json:"explicit"`
	DeliveryModes    []string         `json:"delivery_modes"`
	Anonymous        *bool            `json:"anonymous"`
	ReferralRequired *bool            `json:"referral_required"`
	VerifiedAt       *time.Time       `json:"verified_at"`
	ReviewBy         *time.Time       `json:"review_by"`
	Phones           []services.Phone `json:"phones,omitempty"`
}

// NewResolvedPathway shapes a resolution for the API.
func NewResolvedPathway(res pathways.Resolved) ResolvedPathway {
	out := ResolvedPathway{Pathway: res.Pathway, Steps: make([]ResolvedStep, len(res.Steps)), Place: res.Place, Contacts: res.Contacts}
	for i, st := range res.Steps {
		rs := ResolvedStep{Step: st.Step, Services: make([]Target, 0, len(st.Services)), Total: st.Total, Local: st.Local}
		for _, m := range st.Services {
			s := m.Service
			modes := []string(s.DeliveryModes)
			if modes == nil {
				modes = []string{}
			}
			rs.Services = append(rs.Services, Target{ID: s.ID, Name: s.Name, URL: "/services/" + s.ID, Website: s.URL,
				Reason: m.Reason, Tier: m.Tier, Explicit: m.Explicit, DeliveryModes: modes, Anonymous: s.Anonymous,
				ReferralRequired: s.ReferralRequired, VerifiedAt: m.VerifiedAt, ReviewBy: m.ReviewBy, Phones: s.Phones})
		}
		out.Steps[i] = rs
	}
	if out.Contacts == nil {
		out.Contacts = []services.Contact{}
	}
	return out
}

// ListPathways answers GET /api/v1/pathways: the published pathways (and
// drafts, for those who may propose them), in display order.
func (a *API) ListPathways(w http.ResponseWriter, r *http.Request) error {
	if _, err := query(r, "lang"); err != nil {
		return err
	}
	all, err := a.PathwayList(r.Context(), userOf(r))
	if err != nil {
		return err
	}
	items := make([]PathwaySummary, len(all))
	for i, p := range all {
		items[i] = PathwaySummary{Slug: p.Slug, Title: p.Title, Situation: p.Situation, TargetGroup: p.TargetGroup,
			Status: p.Status, Version: p.Version, URL: "/pathways/" + p.Slug}
	}
	writeJSON(w, http.StatusOK, list(items, len(items), len(items), 0))
	return nil
}

// GetPathway answers GET /api/v1/pathways/{slug}[?municipality=|network=]:
// the pathway with its version as ETag; given a place, its steps also
// list the services they refer to there, with the place and the contact
// persons to consult.
func (a *API) GetPathway(w http.ResponseWriter, r *http.Request) error {
	slug, err := idVar(r, "slug")
	if err != nil {
		return err
	}
	q, err := query(r, "municipality", "network", "lang")
	if err != nil {
		return err
	}
	p, err := a.Pathway(r.Context(), userOf(r), slug)
	if err != nil {
		return err
	}
	muni, net := q.Get("municipality"), q.Get("network")
	if muni == "" && net == "" {
		writeOne(w, p.Version, p)
		return nil
	}
	res, err := a.ResolvePathway(r.Context(), userOf(r), p, muni, net)
	if err != nil {
		return err
	}
	writeOne(w, p.Version, NewResolvedPathway(res))
	return nil
}

// CreatePathway answers POST /api/v1/pathways: 201 with the stored
// pathway, its Location and ETag.
func (a *API) CreatePathway(w http.ResponseWriter, r *http.Request) error {
	if err := CanProposePathway(userOf(r)); err != nil {
		return err
	}
	var p pathways.Pathway
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	p.Meta = services.Meta{}
	if err := a.SavePathway(r.Context(), userOf(r), &p, true); err != nil {
		return err
	}
	writeCreated(w, "/api/v1/pathways/"+p.Slug, p.Version, p)
	return nil
}

// UpdatePathway answers PUT /api/v1/pathways/{slug}: the whole pathway,
// with If-Match (or its version). 409 when stale.
func (a *API) UpdatePathway(w http.ResponseWriter, r *http.Request) error {
	slug, err := idVar(r, "slug")
	if err != nil {
		return err
	}
	if err := CanProposePathway(userOf(r)); err != nil {
		return err
	}
	var p pathways.Pathway
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	switch {
	case p.Slug == "":
		p.Slug = slug
	case p.Slug != slug:
		var fs apperr.Fields
		fs.Add("slug", "err.slug_mismatch", "must match the slug in the address (%s)", slug)
		return fs.Err()
	}
	v, err := IfMatch(r, p.Version)
	if err != nil {
		return err
	}
	p.Version = v
	proposed, err := a.SaveOrProposePathway(r.Context(), userOf(r), &p, false)
	if err != nil {
		return err
	}
	if proposed {
		// Kept for an admin to publish; the published version is as it was.
		writeJSON(w, http.StatusAccepted, map[string]any{"proposed": true, "pathway": p})
		return nil
	}
	writeOne(w, p.Version, p)
	return nil
}
