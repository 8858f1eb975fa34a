package services

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/users"
)

// The write path of listings (services and contact persons, and the kinds
// to come). Every write is a method of Listings that takes the acting user
// (a person, or a system identity such as users.System("seed")), and in
// one transaction reads the stored row, decides with auth.Can on what it
// read, validates once, and writes the row, the change log and the audit
// entry. Pages, the JSON API, the seed and the importers only call these
// methods; none of them holds a rule of its own:
//
//   - auth.Can decides on the stored listing and on the submitted one, so
//     that an editor can neither change another network's listing (also
//     not by guessing its id) nor move theirs out of their network;
//   - un-archiving is restoring (auth.Restore: admins only);
//   - an update names the version it read; any other is a Conflict,
//     checked on the row read in the transaction and again by the
//     UPDATE ... WHERE version = ?;
//   - an update that sends no status keeps the stored one, so that
//     editing an archived listing cannot bring it back;
//   - after a person's write, the caller's request waits (db.Settle) until
//     search shows it.

// kind is what the write path needs to know of one listing kind T.
type kind[T any] struct {
	entity string // change log, audit log and auth.Resource kind
	// place is the field that puts a listing into networks: a refusal to
	// put it where it was submitted is reported on it.
	place string
	// fields gives the bookkeeping shared by every listing kind.
	fields func(*T) common
	// check normalises x and validates it with its references.
	check func(ref *Reference, x *T) error
	// resource is the auth.Resource of x.
	resource func(ref *Reference, x T) auth.Resource
	// load reads one stored row: NotFound when there is none.
	load func(ctx context.Context, q getter, id string) (T, error)
	// insert writes new rows (Meta set) and their derived rows.
	insert func(ctx context.Context, tx *db.Tx, list []T) error
	// update writes x over the stored row at x's version, and its derived
	// rows; zero rows written is a Conflict.
	update func(ctx context.Context, tx *db.Tx, x *T) error
	// unseen copies into x, from the stored listing, the fields a writer
	// of level l may not see (a contact's admins-only e-mail for an
	// editor): their form never showed them, so what it sends for them is
	// not a change. nil when the kind has none.
	unseen func(l users.Level, x *T, stored T)
	// keep copies into x the bookkeeping that no write by a person sets
	// (where a listing came from, and the sync's records), from the stored
	// listing, or clears it for a new one (stored nil); nil when the kind
	// has none.
	keep func(x *T, stored *T)
}

// getter is the database or a transaction.
type getter interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	Rebind(query string) string
}

// common points at the fields every listing has.
type common struct {
	id         *string
	status     *string
	verifiedAt **time.Time
	reviewBy   **time.Time
	meta       *Meta
}

// Listings is the read and write path of one listing kind: Store.Services
// and Store.Contacts.
type Listings[T any] struct {
	s *Store
	k *kind[T]
}

// Fields points at the id and the bookkeeping (version, times) of x.
func (l *Listings[T]) Fields(x *T) (id *string, meta *Meta) {
	c := l.k.fields(x)
	return c.id, c.meta
}

// Entity returns the kind's name in the change log and the audit log.
func (l *Listings[T]) Entity() string { return l.k.entity }

// Get returns one stored listing, or NotFound.
func (l *Listings[T]) Get(ctx context.Context, id string) (T, error) {
	return l.k.load(ctx, l.s.db, id)
}

// Resource returns the auth.Resource of x: what auth.Can decides on.
func (l *Listings[T]) Resource(ctx context.Context, x T) (auth.Resource, error) {
	ref, err := l.s.Reference(ctx)
	if err != nil {
		return auth.Resource{}, err
	}
	return l.k.resource(ref, x), nil
}

// MayEdit reports whether u may edit the stored listing x: nil, or
// auth.Can's Unauthorized or Forbidden. Pages use it to offer the tools;
// the writes decide again on what they read.
func (l *Listings[T]) MayEdit(ctx context.Context, u *users.User, x T) error {
	res, err := l.Resource(ctx, x)
	if err != nil {
		return err
	}
	return auth.Can(u, auth.Edit, res)
}

// Check normalises x and validates it with its references, as Save will,
// without writing: a form reports its own faults and these at once.
func (l *Listings[T]) Check(ctx context.Context, x *T) error {
	ref, err := l.s.Reference(ctx)
	if err != nil {
		return err
	}
	return l.k.check(ref, x)
}

// placement turns a refusal to put a listing where it was submitted into
// an error on the field that places it (area or network), so that a form
// can show it there. Other errors pass unchanged.
func placement(err error, field string) error {
	e := apperr.As(err)
	if e == nil || e.Key != auth.KeyForbiddenNetwork {
		return err
	}
	return &apperr.Error{Code: apperr.Forbidden, Key: e.Key, Message: e.Message,
		Fields: []apperr.FieldError{{Field: field, Key: e.Key, Message: e.Message}}}
}

// Save creates x (create) or updates it at its version, as u. Unauthorized
// without a user; Forbidden when u may not edit the stored listing or put
// the submitted one where it says (a field error on the placing field), or
// un-archives without the right to restore; Invalid for bad fields and
// unknown references; NotFound for an unknown id; Conflict when the
// version is not the stored one, or the id of a new listing is taken. On
// success x is the stored listing with its new version.
func (l *Listings[T]) Save(ctx context.Context, u *users.User, x *T, create bool) error {
	if create {
		return l.Create(ctx, u, x)
	}
	if _, _, err := auth.Scope(u, auth.Edit); err != nil {
		return err
	}
	ref, err := l.s.Reference(ctx)
	if err != nil {
		return err
	}
	y := *x
	c := l.k.fields(&y)
	err = l.s.db.InTx(db.WithActor(ctx, u.ID), func(tx *db.Tx) error {
		before, err := l.k.load(ctx, tx, *c.id)
		if err != nil {
			return err
		}
		// Whose listing it is decides before anything about the new one.
		if err := auth.Can(u, auth.Edit, l.k.resource(ref, before)); err != nil {
			return err
		}
		b := l.k.fields(&before)
		if *c.status == "" {
			*c.status = *b.status
		}
		l.keep(&y, &before)
		if l.k.unseen != nil {
			l.k.unseen(auth.Level(u), &y, before)
		}
		if err := l.k.check(ref, &y); err != nil {
			return err
		}
		if err := placement(auth.Can(u, auth.Edit, l.k.resource(ref, y)), l.k.place); err != nil {
			return err
		}
		if *b.status == StatusArchived && *c.status != StatusArchived {
			if err := auth.Can(u, auth.Restore, l.k.resource(ref, before)); err != nil {
				return err
			}
		}
		return l.write(ctx, tx, before, &y, "update")
	})
	if err != nil {
		return err
	}
	*x = y
	l.s.db.Settle(ctx)
	return nil
}

// Create stores new listings at version 1, as u, in one transaction: all
// or none. Errors as Save; with several listings, an error names the
// listing it is about. A person's single save waits for search; a bulk
// load (the seed, an importer) does not.
func (l *Listings[T]) Create(ctx context.Context, u *users.User, list ...*T) error {
	if _, _, err := auth.Scope(u, auth.Edit); err != nil {
		return err
	}
	ref, err := l.s.Reference(ctx)
	if err != nil {
		return err
	}
	xs := make([]T, len(list))
	for i, x := range list {
		xs[i] = *x
		if u.Role != users.RoleSystem {
			// Only the seed and importers say where a listing came from.
			l.keep(&xs[i], nil)
		}
		err := l.k.check(ref, &xs[i])
		if err == nil {
			err = verifiedNotAhead(l.k.fields(&xs[i]), l.s.db.Now())
		}
		if err == nil {
			err = placement(auth.Can(u, auth.Edit, l.k.resource(ref, xs[i])), l.k.place)
		}
		if err != nil {
			if len(list) > 1 {
				return fmt.Errorf("%s %s: %w", l.k.entity, *l.k.fields(&xs[i]).id, err)
			}
			return err
		}
	}
	err = l.s.db.InTx(db.WithActor(ctx, u.ID), func(tx *db.Tx) error {
		for i := range xs {
			*l.k.fields(&xs[i]).meta = Meta{Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		}
		return l.k.insert(ctx, tx, xs)
	})
	if err != nil {
		return err
	}
	for i := range list {
		*list[i] = xs[i]
	}
	if len(list) == 1 {
		l.s.db.Settle(ctx)
	}
	return nil
}

func (l *Listings[T]) keep(x, stored *T) {
	if l.k.keep != nil {
		l.k.keep(x, stored)
	}
}

// write saves after over before: the row at after's version, its derived
// rows, and the change-log and audit entries of action.
func (l *Listings[T]) write(ctx context.Context, tx *db.Tx, before T, after *T, action string) error {
	a, b := l.k.fields(after), l.k.fields(&before)
	if a.meta.Version != b.meta.Version {
		return db.Conflict(l.k.entity, *a.id, a.meta.Version)
	}
	if err := verifiedNotAhead(a, tx.Now); err != nil {
		return err
	}
	a.meta.CreatedAt, a.meta.UpdatedAt = b.meta.CreatedAt, tx.Now
	if err := l.k.update(ctx, tx, after); err != nil {
		return err
	}
	a.meta.Version++
	return tx.Record(ctx, l.k.entity, *a.id, action, before, *after)
}

// change is the one path of every one-click action on a stored listing:
// it reads the listing at id, checks that u may do action to it and that
// version is current, lets edit change it (edit returns false when there
// is nothing to change), validates and saves it as audit action.
func (l *Listings[T]) change(ctx context.Context, u *users.User, id string, version int, action auth.Action, audit string,
	edit func(x *T, now time.Time) bool) (T, error) {
	var out T
	if _, _, err := auth.Scope(u, auth.Edit); err != nil {
		return out, err
	}
	ref, err := l.s.Reference(ctx)
	if err != nil {
		return out, err
	}
	wrote := false
	err = l.s.db.InTx(db.WithActor(ctx, u.ID), func(tx *db.Tx) error {
		before, err := l.k.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := auth.Can(u, action, l.k.resource(ref, before)); err != nil {
			return err
		}
		if v := l.k.fields(&before).meta.Version; v != version {
			return db.Conflict(l.k.entity, id, version)
		}
		// A second read: edit and check may change slices that before
		// shares, and before is what the audit log keeps.
		x, err := l.k.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if !edit(&x, tx.Now.UTC().Truncate(time.Second)) {
			out = before
			return nil
		}
		if err := l.k.check(ref, &x); err != nil {
			return err
		}
		wrote = true
		out = x
		return l.write(ctx, tx, before, &out, audit)
	})
	if err != nil {
		return out, err
	}
	if wrote {
		l.s.db.Settle(ctx)
	}
	return out, nil
}

// Verify marks the listing still correct at version: verified now, to be
// reviewed after ReviewInterval. Errors as Save.
func (l *Listings[T]) Verify(ctx context.Context, u *users.User, id string, version int) (T, error) {
	return l.change(ctx, u, id, version, auth.Edit, "verify", func(x *T, now time.Time) bool {
		c := l.k.fields(x)
		review := now.Add(ReviewInterval)
		*c.verifiedAt, *c.reviewBy = &now, &review
		return true
	})
}

// Archive hides the listing from lists, pages and search (a soft delete,
// restorable by an admin). Archiving an archived listing at its version
// writes nothing, and still needs the right to edit it. Errors as Save.
func (l *Listings[T]) Archive(ctx context.Context, u *users.User, id string, version int) (T, error) {
	return l.change(ctx, u, id, version, auth.Edit, "archive", func(x *T, _ time.Time) bool {
		c := l.k.fields(x)
		if *c.status == StatusArchived {
			return false
		}
		*c.status = StatusArchived
		return true
	})
}

// Unarchive makes an archived listing active again: auth.Restore (admins).
func (l *Listings[T]) Unarchive(ctx context.Context, u *users.User, id string, version int) (T, error) {
	return l.change(ctx, u, id, version, auth.Restore, "unarchive", func(x *T, _ time.Time) bool {
		c := l.k.fields(x)
		if *c.status == StatusArchived {
			*c.status = StatusActive
		}
		return true
	})
}

// RestoreVersion saves the listing as the audit entry auditID left it, on
// top of the current version: itself a recorded change. auth.Restore
// (admins); NotFound when the entry is not one of this listing's or left
// nothing (a deletion).
func (l *Listings[T]) RestoreVersion(ctx context.Context, u *users.User, id string, auditID int64, version int) (T, error) {
	var old T
	e, err := l.s.db.AuditEntryByID(ctx, l.k.entity, id, auditID)
	if err != nil {
		return old, err
	}
	if len(e.After) == 0 || string(e.After) == "null" {
		return old, apperr.Keyed(apperr.NotFound, "err.not_found", "audit entry %d holds no version to restore", auditID)
	}
	if err := json.Unmarshal(e.After, &old); err != nil {
		return old, fmt.Errorf("audit entry %d: %w", auditID, err)
	}
	return l.change(ctx, u, id, version, auth.Restore, "restore", func(x *T, _ time.Time) bool {
		cur := *x
		*x = old
		c := l.k.fields(x)
		*c.id, *c.meta = id, *l.k.fields(&cur).meta
		l.keep(x, &cur)
		return true
	})
}

// verifiedNotAhead refuses a verification date later than today (a day's
// grace for clocks and time zones): a listing "verified" in 2999 would
// never fall due for review.
func verifiedNotAhead(c common, now time.Time) error {
	if v := *c.verifiedAt; v != nil && v.After(now.Add(24*time.Hour)) {
		var fs apperr.Fields
		fs.Add("verified_at", "err.future", "must not be in the future")
		return fs.Err()
	}
	return nil
}
