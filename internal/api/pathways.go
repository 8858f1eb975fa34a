package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/params"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/services"
)

// Care pathways: the JSON adapter of the pathway use cases. Who sees
// drafts, proposes and publishes is decided in internal/pathways (Read,
// List, Save), by the one policy; the handlers parse, call and render.

// pathwaysOff is the error while the server has no pathway store.
func (a *API) pathwaysOff() error {
	if a.Pathways == nil {
		return apperr.Errorf(apperr.Unavailable, "care pathways are not enabled")
	}
	return nil
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
	Consult  *pathways.Consult  `json:"consult"` // the network to consult; null where none is known
	Contacts []services.Contact `json:"contacts"`
}

// ResolvedStep is a step as stored (its targets are the definition:
// named services or criteria) with the services they resolve to.
type ResolvedStep struct {
	pathways.Step
	Services []StepService `json:"services"` // nearest first, at most pathways.TargetLimit
	Total    int           `json:"total"`    // all matching services
	Local    int           `json:"local"`    // of them, those nearer than national
	Unfit    int           `json:"unfit"`    // services of the place left out as the client's age does not fit them
}

// StepService is one service a resolved step refers to, and why.
type StepService struct {
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
	out := ResolvedPathway{Pathway: res.Pathway, Steps: make([]ResolvedStep, len(res.Steps)), Place: res.Place, Consult: res.Consult, Contacts: res.Contacts}
	for i, st := range res.Steps {
		rs := ResolvedStep{Step: st.Step, Services: make([]StepService, 0, len(st.Services)), Total: st.Total, Local: st.Local, Unfit: st.Unfit}
		for _, m := range st.Services {
			s := m.Service
			modes := []string(s.DeliveryModes)
			if modes == nil {
				modes = []string{}
			}
			rs.Services = append(rs.Services, StepService{ID: s.ID, Name: s.Name, URL: "/services/" + s.ID, Website: s.URL,
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
	if err := a.pathwaysOff(); err != nil {
		return err
	}
	all, err := a.Pathways.List(r.Context(), userOf(r))
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
	q, err := query(r, "municipality", "network", "age", "client_lang", "lang")
	if err != nil {
		return err
	}
	age, err := params.Age(q)
	if err != nil {
		return err
	}
	clientLang, err := params.ClientLang(q)
	if err != nil {
		return err
	}
	if err := a.pathwaysOff(); err != nil {
		return err
	}
	p, err := a.Pathways.Read(r.Context(), userOf(r), slug)
	if err != nil {
		return err
	}
	muni, net := q.Get("municipality"), q.Get("network")
	if muni == "" && net == "" {
		writeOne(w, p.Meta, p)
		return nil
	}
	res, err := a.Pathways.ResolveFor(r.Context(), userOf(r), p, pathways.Where{Municipality: muni, Network: net, Age: age, Lang: clientLang})
	if err != nil {
		return err
	}
	// What a pathway resolves to at a place changes with the services
	// there, not only with the pathway's version: the ETag says both.
	body, err := json.Marshal(NewResolvedPathway(res))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", `"`+strconv.Itoa(p.Version)+"-"+strings.Trim(BodyETag(body), `"`)+`"`)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err = w.Write(append(body, '\n'))
	return err
}

// CreatePathway answers POST /api/v1/pathways: 201 with the stored
// pathway, its Location and ETag.
func (a *API) CreatePathway(w http.ResponseWriter, r *http.Request) error {
	// Refused before the body is read (Save decides again), so that a
	// stranger learns nothing about the body's faults.
	if err := pathways.MayPropose(userOf(r)); err != nil {
		return err
	}
	var p pathways.Pathway
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	p.Meta = services.Meta{}
	if err := a.pathwaysOff(); err != nil {
		return err
	}
	if _, err := a.Pathways.Save(r.Context(), userOf(r), &p, true); err != nil {
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
	// Refused before the body is read (Save decides again), so that a
	// stranger learns nothing about the body's faults.
	if err := pathways.MayPropose(userOf(r)); err != nil {
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
	if err := a.pathwaysOff(); err != nil {
		return err
	}
	proposed, err := a.Pathways.Save(r.Context(), userOf(r), &p, false)
	if err != nil {
		return err
	}
	if proposed {
		// Kept for an admin to publish; the published version is as it was.
		writeJSON(w, http.StatusAccepted, ProposedPathway{Proposed: true, Pathway: p})
		return nil
	}
	writeOne(w, p.Meta, p)
	return nil
}
