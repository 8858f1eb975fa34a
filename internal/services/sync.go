package services

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/users"
)

// Imports: a source (the national service catalogue, later HSDS or CSV
// files) keeps the fields it owns current; the network keeps the rest.
// A sync never overwrites what the network curates (client situations,
// anonymity, reporting duties, how to refer, alerts), and never a field an
// editor has changed away from the source's value: a source's change to
// such a field waits on the listing (SourceChanges) until an editor takes
// it or keeps their own. A listing the source withdraws is archived (out
// of lists and search), never deleted, and comes back if the source
// publishes it again. Writes go through the listing write path's
// transaction, change log and audit log, with the importer as the actor.

// SourceOwned are the fields (by JSON name) a source owns by default.
var SourceOwned = []string{"name", "description", "organization", "languages", "cost", "service_types",
	"url", "email", "phones", "links", "locations", "area"}

// Incoming is one listing as a source gives it.
type Incoming struct {
	// Service holds the owned fields and Source (ID is the directory's id
	// for it); other fields are ignored for an existing listing and taken
	// as the first values of a new one.
	Service Service
	// Ended says the source no longer publishes it.
	Ended bool
}

// SyncResult counts what a sync wrote.
type SyncResult struct {
	Created, Updated, Unchanged, Ended int
	// Waiting counts changes to overridden fields left for an editor.
	Waiting int
	// Rejected are the listings left out because they were not valid
	// (the rest of the batch went ahead).
	Rejected []Rejected
}

// Rejected is an incoming listing a sync left out, and why.
type Rejected struct {
	ID, SourceID string
	Err          error
}

// Add adds o's counts to r.
func (r *SyncResult) Add(o SyncResult) {
	r.Created += o.Created
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.Ended += o.Ended
	r.Waiting += o.Waiting
	r.Rejected = append(r.Rejected, o.Rejected...)
}

// Sync writes a batch of incoming listings and their organizations in one
// transaction, as u (an importer's system identity: auth.Can decides), so
// that no listing is stored without its channels or its organization.
// owned names the fields the source owns (SourceOwned). A listing whose
// source values, source bookkeeping and status are as stored is not
// written at all: a sync that finds nothing new writes no change-log row.
// An invalid listing is left out (the stored one stays as it was) and
// named in the result's Rejected.
func (s *Store) Sync(ctx context.Context, u *users.User, orgs []Organization, list []Incoming, owned []string) (SyncResult, error) {
	var res SyncResult
	if err := auth.Can(u, auth.Edit, auth.Resource{Kind: EntityService}); err != nil {
		return res, err
	}
	if err := s.syncOrganizations(ctx, u, orgs); err != nil {
		return res, err
	}
	ref, err := s.Reference(ctx)
	if err != nil {
		return res, err
	}
	err = s.db.InTx(db.WithActor(ctx, u.ID), func(tx *db.Tx) error {
		res = SyncResult{}
		ids := make([]string, len(list))
		for i, in := range list {
			ids[i] = in.Service.ID
		}
		stored, err := servicesIn(ctx, tx, ids)
		if err != nil {
			return err
		}
		var fresh []Service
		for _, in := range list {
			before, ok := stored[in.Service.ID]
			if !ok {
				if in.Ended {
					continue // never had it, nothing to end
				}
				x := in.Service
				x.SourceValues, err = ownedValues(x, owned)
				if err != nil {
					return err
				}
				x.SourceChanges = nil
				x.Status = StatusActive
				x.Meta = Meta{Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
				if err := checkService(ref, &x); err != nil {
					res.Rejected = append(res.Rejected, Rejected{x.ID, x.Source.ID, err})
					continue
				}
				fresh = append(fresh, x)
				continue
			}
			after, what, err := merge(before, in, owned)
			if err != nil {
				return err
			}
			if what == nothing {
				res.Unchanged++
				continue
			}
			if err := checkService(ref, &after); err != nil {
				res.Rejected = append(res.Rejected, Rejected{after.ID, after.Source.ID, err})
				continue
			}
			after.CreatedAt, after.UpdatedAt = before.CreatedAt, tx.Now
			if err := serviceKind.update(ctx, tx, &after); err != nil {
				return err
			}
			after.Version++
			action := "sync"
			if what == ended {
				action = "end"
				res.Ended++
			} else {
				res.Updated++
			}
			res.Waiting += len(after.SourceChanges) - len(before.SourceChanges)
			if err := tx.Record(ctx, EntityService, after.ID, action, before, after); err != nil {
				return err
			}
		}
		if len(fresh) > 0 {
			if err := serviceKind.insert(ctx, tx, fresh); err != nil {
				return err
			}
		}
		res.Created = len(fresh)
		return nil
	})
	return res, err
}

// servicesIn reads the stored services with the ids in tx, by id.
func servicesIn(ctx context.Context, tx *db.Tx, ids []string) (map[string]Service, error) {
	out := map[string]Service{}
	if len(ids) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(selectService+` WHERE s.id IN (?)`, ids)
	if err != nil {
		return nil, err
	}
	var list []Service
	if err := tx.SelectContext(ctx, &list, tx.Rebind(q), args...); err != nil {
		return nil, fmt.Errorf("services by id: %w", err)
	}
	for _, x := range list {
		out[x.ID] = x
	}
	return out, nil
}

type mergeResult int

const (
	nothing mergeResult = iota
	changed
	ended
)

// merge applies an incoming listing to the stored one: the owned fields
// nobody overrode take the source's values; an overridden field the source
// changed gets a waiting SourceChange; status follows the source's.
func merge(before Service, in Incoming, owned []string) (Service, mergeResult, error) {
	src := in.Service.Source
	if in.Ended {
		// The source says only that it ended: the fields stay as they were.
		if before.Status == StatusArchived && before.Source.Status == src.Status {
			return before, nothing, nil
		}
		after := before
		after.Status, after.Source.Status = StatusArchived, src.Status
		return after, ended, nil
	}
	var at time.Time
	if src.Fetched != nil {
		at = *src.Fetched
	}
	cur, err := fieldsOf(before)
	if err != nil {
		return before, nothing, err
	}
	incoming, err := ownedValues(in.Service, owned)
	if err != nil {
		return before, nothing, err
	}
	what := nothing
	waiting := slices.Clone(before.SourceChanges)
	for _, f := range owned {
		nv, old := incoming[f], before.SourceValues[f]
		have := string(db.CompactJSON(cur[f]))
		overridden := old != "" && have != old
		switch {
		case !overridden && have != nv:
			cur[f] = json.RawMessage(nv)
			what = changed
		case overridden && nv == have:
			// The source now says what the editor said: nothing waits.
			waiting = slices.DeleteFunc(waiting, func(c SourceChange) bool { return c.Field == f })
		case overridden && nv != old:
			waiting = slices.DeleteFunc(waiting, func(c SourceChange) bool { return c.Field == f })
			waiting = append(waiting, SourceChange{Field: f, Value: nv, At: at})
		}
	}
	after := before
	if what == changed {
		raw, err := json.Marshal(cur)
		if err != nil {
			return before, nothing, err
		}
		after = Service{}
		if err := json.Unmarshal(raw, &after); err != nil {
			return before, nothing, fmt.Errorf("service %s: %w", before.ID, err)
		}
		after.SortName, after.National = before.SortName, before.National
	}
	after.SourceValues, after.SourceChanges = incoming, waiting
	if after.Status == StatusArchived && before.Source.Status != src.Status {
		// Ended by the source, published again by it: back in the
		// directory. An archive by an editor stays.
		after.Status, what = StatusActive, changed
	}
	sameSource := sameSourceFacts(before.Source, src)
	if what == nothing && sameSource && maps.Equal(before.SourceValues, incoming) &&
		slices.Equal(before.SourceChanges, waiting) {
		return before, nothing, nil
	}
	if what == nothing {
		what = changed
	}
	after.Source = src
	return after, what, nil
}

// sameSourceFacts compares what a source says of a listing, leaving out
// when it was fetched (which alone is no reason to write).
func sameSourceFacts(a, b Source) bool {
	a.Fetched, b.Fetched = nil, nil
	if (a.Modified == nil) != (b.Modified == nil) || (a.Modified != nil && !a.Modified.Equal(*b.Modified)) {
		return false
	}
	a.Modified, b.Modified = nil, nil
	return a == b
}

// fieldsOf is svc as JSON fields.
func fieldsOf(svc Service) (map[string]json.RawMessage, error) {
	raw, err := json.Marshal(svc)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	return m, json.Unmarshal(raw, &m)
}

// ownedValues are svc's values of the owned fields, as compact JSON.
func ownedValues(svc Service, owned []string) (SourceValues, error) {
	svc.Normalize()
	m, err := fieldsOf(svc)
	if err != nil {
		return nil, err
	}
	out := SourceValues{}
	for _, f := range owned {
		out[f] = string(db.CompactJSON(m[f]))
	}
	return out, nil
}

// syncOrganizations creates or updates the organizations a batch names,
// writing only those that differ from what is stored.
func (s *Store) syncOrganizations(ctx context.Context, u *users.User, orgs []Organization) error {
	for _, o := range orgs {
		o.Normalize()
		if err := o.Validate(); err != nil {
			return fmt.Errorf("organization %s: %w", o.ID, err)
		}
	}
	wrote := false
	err := s.db.InTx(db.WithActor(ctx, u.ID), func(tx *db.Tx) error {
		for _, o := range orgs {
			o.Normalize()
			var before Organization
			err := tx.GetContext(ctx, &before, tx.Rebind(selectOrganization+` WHERE id = ?`), o.ID)
			if apperr.Is(db.NotFoundIf(err, "organization", o.ID), apperr.NotFound) {
				o.Meta = Meta{Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
				if _, err := tx.NamedExecContext(ctx, insertOrganization, o); err != nil {
					return fmt.Errorf("insert organization %s: %w", o.ID, err)
				}
				wrote = true
				if err := tx.Record(ctx, EntityOrganization, o.ID, "sync", nil, o); err != nil {
					return err
				}
				continue
			} else if err != nil {
				return fmt.Errorf("organization %s: %w", o.ID, err)
			}
			o.Meta, o.VerifiedAt, o.ReviewBy = before.Meta, before.VerifiedAt, before.ReviewBy
			if same, _ := sameJSONOf(before, o); same {
				continue
			}
			o.UpdatedAt = tx.Now
			if _, err := tx.NamedExecContext(ctx, updateOrganization, o); err != nil {
				return fmt.Errorf("update organization %s: %w", o.ID, err)
			}
			o.Version++
			wrote = true
			if err := tx.Record(ctx, EntityOrganization, o.ID, "sync", before, o); err != nil {
				return err
			}
		}
		return nil
	})
	if wrote {
		s.forget()
	}
	return err
}

func sameJSONOf(a, b any) (bool, error) {
	x, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	y, err := json.Marshal(b)
	return bytes.Equal(x, y), err
}

// ResolveSourceChange answers a source's change to a field the editor
// overrode: accept takes the source's value, otherwise the editor's stays;
// either way the change no longer waits. As Listings.Save for u's right
// and version; NotFound when no change waits on the field.
func (s *Store) ResolveSourceChange(ctx context.Context, u *users.User, id string, version int, field string, accept bool) (Service, error) {
	audit := "keep-own"
	if accept {
		audit = "accept-source"
	}
	var missing bool
	out, err := s.Services.change(ctx, u, id, version, auth.Edit, audit, func(x *Service, _ time.Time) bool {
		i := slices.IndexFunc(x.SourceChanges, func(c SourceChange) bool { return c.Field == field })
		if i < 0 {
			missing = true
			return false
		}
		c := x.SourceChanges[i]
		x.SourceChanges = slices.Delete(slices.Clone(x.SourceChanges), i, i+1)
		if accept {
			m, err := fieldsOf(*x)
			if err != nil {
				return false
			}
			m[field] = json.RawMessage(c.Value)
			raw, _ := json.Marshal(m)
			var y Service
			if json.Unmarshal(raw, &y) == nil {
				y.Source, y.SourceValues, y.SourceChanges = x.Source, x.SourceValues, x.SourceChanges
				*x = y
			}
		}
		return true
	})
	if err == nil && missing {
		return out, apperr.Keyed(apperr.NotFound, "err.not_found", "no change of %q waits on service %q", field, id)
	}
	return out, err
}

// Sourced is what an importer needs to know of a stored listing it
// imported before: to end the ones a full read of the source no longer
// finds.
type Sourced struct {
	ID             string `db:"id"`
	OrganizationID db.Ref `db:"organization_id"`
	Area           Area   `db:"area"`
	Source         Source `db:"source"`
	Status         string `db:"status"`
}

// SourcedBy lists the stored listings imported from the source kind.
func (s *Store) SourcedBy(ctx context.Context, kind string) ([]Sourced, error) {
	// The source column is JSON written by encoding/json, which always
	// puts kind first: a plain LIKE works in both dialects.
	var list []Sourced
	err := s.db.SelectContext(ctx, &list, s.db.Rebind(
		`SELECT id, organization_id, area, source, status FROM services WHERE source LIKE ? ORDER BY id`),
		`{"kind":"`+kind+`"%`)
	if err != nil {
		return nil, fmt.Errorf("services from %s: %w", kind, err)
	}
	return slices.DeleteFunc(list, func(x Sourced) bool { return x.Source.Kind != kind }), nil
}

// CheckIncoming validates incoming listings as Sync would, against ref
// with orgs added (the organizations the same import brings), without
// writing: an importer that writes all or nothing asks first. It returns
// the listings that Sync would reject.
func CheckIncoming(ref *Reference, orgs []Organization, list []Incoming) []Rejected {
	all := append(slices.Clone(ref.Orgs), orgs...)
	r := NewReference(ref.Munis, ref.Vocab, ref.Networks, all)
	var out []Rejected
	for _, in := range list {
		if in.Ended {
			continue
		}
		x := in.Service
		if err := checkService(r, &x); err != nil {
			out = append(out, Rejected{x.ID, x.Source.ID, err})
		}
	}
	return out
}

// SyncBatch is how many listings SyncAll writes in one transaction: a
// batch's statements stay within the database's limits on variables.
const SyncBatch = 500

// SyncAll writes a whole import with Sync, in transactions of SyncBatch
// listings, the organizations with the first. An importer that checked
// every listing first (CheckIncoming) writes all of them unless the
// database fails midway; then the batches written stay, and running the
// same import again completes it, since a sync writes only what differs.
func (s *Store) SyncAll(ctx context.Context, u *users.User, orgs []Organization, list []Incoming, owned []string) (SyncResult, error) {
	var res SyncResult
	for from := 0; from < len(list) || (from == 0 && len(orgs) > 0); from += SyncBatch {
		r, err := s.Sync(ctx, u, orgs, list[from:min(from+SyncBatch, len(list))], owned)
		res.Add(r)
		if err != nil {
			return res, err
		}
		orgs = nil
		if len(list) == 0 {
			break
		}
	}
	return res, nil
}
