package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/corrections"
	"github.com/serie-verkosto/directory/internal/services"
)

// The editor's dashboard: their networks' listings by urgency (overdue
// first, then due within 30 days, then the rest), the open correction
// reports, and the share of verified listings.

// DueSoon is how far ahead a review counts as due.
const DueSoon = 30 * 24 * time.Hour

// Urgency classes of a listing, in the dashboard's order.
const (
	UrgencyOverdue = "overdue"
	UrgencySoon    = "soon"
	UrgencyOK      = "ok"
)

var urgencyRank = map[string]int{UrgencyOverdue: 0, UrgencySoon: 1, UrgencyOK: 2}

// urgency classes a listing at now: never verified or past its review
// date is overdue; a review within DueSoon is soon.
func urgency(verifiedAt, reviewBy *time.Time, now time.Time) string {
	switch {
	case services.Overdue(verifiedAt, reviewBy, now):
		return UrgencyOverdue
	case reviewBy != nil && reviewBy.Sub(now) < DueSoon:
		return UrgencySoon
	}
	return UrgencyOK
}

// Share is how many of a set of listings are verified and not overdue.
type Share struct{ Verified, Total int }

// Percent is the share in whole percent (0 for no listings).
func (s Share) Percent() int {
	if s.Total == 0 {
		return 0
	}
	return s.Verified * 100 / s.Total
}

// DashItem is one listing on the dashboard.
type DashItem struct {
	Kind, ID, Name, Network string
	Version                 int
	VerifiedAt, ReviewBy    *time.Time
	Urgency                 string
}

// ReportRow is an open correction report with its listing.
type ReportRow struct {
	corrections.Report
	Name, URL string
}

// DashboardView is the dashboard.
type DashboardView struct {
	*Base
	All          bool
	Networks     []string
	Items        []DashItem
	Counts       map[string]int
	Share        Share
	Reports      []ReportRow
	ReportsTotal int
	// SourceChanges are the catalogue's changes to fields editors overrode.
	SourceChanges []SourceChangeRow
}

// networkListings returns the services and contacts of the networks (all
// of them when all), archived services left out.
func (s *Server) networkListings(ctx context.Context, networks []string, all bool) ([]services.Service, []services.Contact, error) {
	var svcs []services.Service
	seen := map[string]bool{}
	if all {
		ids, err := s.store.ServiceIDs(ctx)
		if err != nil {
			return nil, nil, err
		}
		if svcs, err = s.store.ServicesByID(ctx, ids); err != nil {
			return nil, nil, err
		}
		networks = []string{""}
	} else {
		for _, n := range networks {
			for off := 0; ; off += services.MaxLimit {
				page, total, err := s.store.FindServices(ctx, services.ServiceFilter{Network: n, Local: true, Limit: services.MaxLimit, Offset: off})
				if err != nil {
					return nil, nil, err
				}
				for _, x := range page {
					if !seen[x.ID] {
						seen[x.ID] = true
						svcs = append(svcs, x)
					}
				}
				if off+services.MaxLimit >= total {
					break
				}
			}
		}
	}
	contacts, err := s.networkContacts(ctx, networks)
	return svcs, contacts, err
}

// networkContacts returns every contact person of the networks ("" for
// all of them).
func (s *Server) networkContacts(ctx context.Context, networks []string) ([]services.Contact, error) {
	var contacts []services.Contact
	for _, n := range networks {
		for off := 0; ; off += services.MaxLimit {
			page, total, err := s.store.FindContacts(ctx, services.ContactFilter{Network: n, Limit: services.MaxLimit, Offset: off})
			if err != nil {
				return nil, err
			}
			contacts = append(contacts, page...)
			if off+services.MaxLimit >= total {
				break
			}
		}
	}
	return contacts, nil
}

// shareOf counts the verified listings among svcs and contacts at now.
func shareOf(svcs []services.Service, contacts []services.Contact, now time.Time) Share {
	var sh Share
	for _, x := range svcs {
		sh.Total++
		if services.Verified(x.VerifiedAt, x.ReviewBy, now) {
			sh.Verified++
		}
	}
	for _, c := range contacts {
		sh.Total++
		if services.Verified(c.VerifiedAt, c.ReviewBy, now) {
			sh.Verified++
		}
	}
	return sh
}

// NetworkShare is the share of verified listings of one network, for its
// page.
func (s *Server) NetworkShare(ctx context.Context, slug string) (Share, error) {
	// Counted in the store: a network may have thousands of services, and
	// the public page must not load them all.
	now := s.store.DB().Now()
	verified, total, err := s.store.VerifiedShare(ctx, services.ServiceFilter{Network: slug, Local: true}, now)
	if err != nil {
		return Share{}, err
	}
	contacts, err := s.networkContacts(ctx, []string{slug})
	if err != nil {
		return Share{}, err
	}
	sh := shareOf(nil, contacts, now)
	sh.Total += total
	sh.Verified += verified
	return sh, nil
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, b *Base) error {
	networks, all, err := auth.Scope(b.User, auth.Edit)
	if err != nil {
		return err
	}
	ctx := r.Context()
	svcs, contacts, err := s.networkListings(ctx, networks, all)
	if err != nil {
		return err
	}
	now := s.store.DB().Now()
	v := &DashboardView{Base: b, All: all, Counts: map[string]int{}, Share: shareOf(svcs, contacts, now),
		SourceChanges: sourceChangeRows(svcs, b.Lang)}
	for _, n := range networks {
		v.Networks = append(v.Networks, b.NetworkName(n))
	}
	for _, x := range svcs {
		name, _ := x.Name.Get(b.Lang)
		v.Items = append(v.Items, DashItem{Kind: services.EntityService, ID: x.ID, Name: name, Version: x.Version,
			VerifiedAt: x.VerifiedAt, ReviewBy: x.ReviewBy, Urgency: urgency(x.VerifiedAt, x.ReviewBy, now)})
	}
	for _, c := range contacts {
		it := DashItem{Kind: services.EntityContact, ID: c.ID, Name: c.Name, Version: c.Version,
			VerifiedAt: c.VerifiedAt, ReviewBy: c.ReviewBy, Urgency: urgency(c.VerifiedAt, c.ReviewBy, now)}
		if c.NetworkSlug != "" {
			it.Network = b.NetworkName(string(c.NetworkSlug))
		}
		v.Items = append(v.Items, it)
	}
	slices.SortStableFunc(v.Items, compareUrgency)
	for _, it := range v.Items {
		v.Counts[it.Urgency]++
	}
	if s.cfg.Corrections != nil {
		f, err := corrections.FilterFor(b.User)
		if err != nil {
			return err
		}
		f.Limit = corrections.MaxLimit
		reports, total, err := s.cfg.Corrections.ListOpen(ctx, f)
		if err != nil {
			return err
		}
		v.ReportsTotal = total
		for _, rep := range reports {
			v.Reports = append(v.Reports, s.reportRow(ctx, b, rep))
		}
	}
	b.Title, b.Nav = b.T("dashboard.title"), "dashboard"
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "dashboard", v)
}

// compareUrgency orders listings overdue first, then due soon, then the
// rest; within each, the earliest review date (none first), then by name.
func compareUrgency(a, b DashItem) int {
	if d := urgencyRank[a.Urgency] - urgencyRank[b.Urgency]; d != 0 {
		return d
	}
	switch {
	case a.ReviewBy == nil && b.ReviewBy != nil:
		return -1
	case a.ReviewBy != nil && b.ReviewBy == nil:
		return 1
	case a.ReviewBy != nil && !a.ReviewBy.Equal(*b.ReviewBy):
		return a.ReviewBy.Compare(*b.ReviewBy)
	}
	return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
}

func (s *Server) reportRow(ctx context.Context, b *Base, rep corrections.Report) ReportRow {
	row := ReportRow{Report: rep, Name: rep.EntityID, URL: b.URL(rep.Entity, "id", rep.EntityID)}
	switch rep.Entity {
	case services.EntityService:
		if x, err := s.store.Service(ctx, rep.EntityID); err == nil {
			row.Name, _ = x.Name.Get(b.Lang)
		}
	case services.EntityContact:
		if c, err := s.store.Contact(ctx, rep.EntityID); err == nil {
			row.Name = c.Name
		}
	}
	return row
}

// UrgencyText names an urgency class.
func (b *Base) UrgencyText(u string) string { return b.T("dashboard.urgency." + u) }
