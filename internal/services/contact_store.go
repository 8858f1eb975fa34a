package services

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/users"
)

var contactCols = []string{"id", "name", "sort_name", "title", "profession", "organization_id", "organization",
	"email", "phone", "network_slug", "role", "languages", "visibility", "source", "status", "verified_at", "review_by",
	"version", "created_at", "updated_at"}

var (
	selectContact = "SELECT c." + strings.Join(contactCols, ", c.") + " FROM contacts c"
	insertContact = insertSQL("contacts", contactCols)
	updateContact = updateSQL("contacts", "id", contactCols)
)

// Contact returns one contact person as stored (every field; callers show
// it through ForViewer), or a NotFound error.
func (s *Store) Contact(ctx context.Context, id string) (Contact, error) {
	return s.Contacts.Get(ctx, id)
}

// ContactFilter selects contact persons. Empty fields do not filter.
type ContactFilter struct {
	Network      string
	Municipality string // the networks covering it
	Role         string
	// IncludeArchived lists archived contacts too (hidden by default).
	IncludeArchived bool
	// ModifiedAfter, when set, keeps the contacts changed at or after it.
	ModifiedAfter time.Time
	Limit         int
	Offset        int
}

// FindContacts returns one page of contact persons, regional contacts
// first, then by name, and the total count.
func (s *Store) FindContacts(ctx context.Context, f ContactFilter) ([]Contact, int, error) {
	limit, offset, err := paging(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	var (
		where []string
		args  []any
	)
	if !f.IncludeArchived {
		where = append(where, "c.status <> 'archived'")
	}
	var fs apperr.Fields
	fs.OneOf("role", f.Role, ContactRoles...)
	if f.Network != "" {
		ref, err := s.Reference(ctx)
		if err != nil {
			return nil, 0, err
		}
		ref.CheckFilters(&fs, FilterValues{Network: f.Network})
	}
	if err := fs.Err(); err != nil {
		return nil, 0, err
	}
	if f.Network != "" {
		where = append(where, `c.network_slug = ?`)
		args = append(args, f.Network)
	}
	if f.Municipality != "" {
		m, err := s.Municipality(ctx, f.Municipality)
		if err != nil {
			return nil, 0, err
		}
		where = append(where, `c.network_slug IN (SELECT network_slug FROM network_municipalities WHERE municipality_code = ?)`)
		args = append(args, m.Code)
	}
	if f.Role != "" {
		where = append(where, `c.role = ?`)
		args = append(args, f.Role)
	}
	if !f.ModifiedAfter.IsZero() {
		where = append(where, `c.updated_at >= ?`)
		args = append(args, f.ModifiedAfter.UTC())
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.GetContext(ctx, &total, s.db.Rebind(`SELECT COUNT(*) FROM contacts c`+cond), args...); err != nil {
		return nil, 0, fmt.Errorf("count contacts: %w", err)
	}
	var list []Contact
	q := selectContact + cond + ` ORDER BY CASE c.role WHEN 'regional-contact' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, c.sort_name, c.id LIMIT ? OFFSET ?`
	if err := s.db.SelectContext(ctx, &list, s.db.Rebind(q), append(args, limit, offset)...); err != nil {
		return nil, 0, fmt.Errorf("find contacts: %w", err)
	}
	return list, total, nil
}

// checkContact normalises and validates c, including its references.
func checkContact(ref *Reference, c *Contact) error {
	c.Normalize()
	err := c.Validate(ref.Vocab)
	var fs apperr.Fields
	if e := apperr.As(err); e != nil {
		fs = e.Fields
	}
	if c.NetworkSlug != "" {
		if _, ok := ref.Network(string(c.NetworkSlug)); !ok {
			fs.Add("network", "err.unknown_network", "unknown network %q", c.NetworkSlug)
		}
	}
	if c.OrganizationID != "" {
		if _, ok := ref.Organization(string(c.OrganizationID)); !ok {
			fs.Add("organization_id", "err.unknown_organization", "unknown organization %q", c.OrganizationID)
		}
	}
	c.SortName = sortName(c.Name)
	return fs.Err()
}

// contactKind is the write path's knowledge of contact persons.
var contactKind = &kind[Contact]{
	entity: EntityContact,
	place:  "network",
	fields: func(c *Contact) common {
		return common{id: &c.ID, status: &c.Status, verifiedAt: &c.VerifiedAt, reviewBy: &c.ReviewBy, meta: &c.Meta}
	},
	check:    checkContact,
	resource: func(_ *Reference, c Contact) auth.Resource { return ContactResource(c) },
	unseen: func(l users.Level, x *Contact, stored Contact) {
		for _, f := range VisibilityFields {
			if levelOf(stored.Visibility[f]) <= l {
				continue
			}
			if x.Visibility == nil {
				x.Visibility = Visibility{}
			}
			x.Visibility[f] = stored.Visibility[f]
			switch f {
			case "email":
				x.Email = stored.Email
			case "phone":
				x.Phone = stored.Phone
			}
		}
	},
	load: func(ctx context.Context, q getter, id string) (Contact, error) {
		var c Contact
		err := q.GetContext(ctx, &c, q.Rebind(selectContact+` WHERE c.id = ?`), id)
		return c, db.NotFoundIf(err, "contact", id)
	},
	insert: func(ctx context.Context, tx *db.Tx, list []Contact) error {
		for _, c := range list {
			if _, err := tx.NamedExecContext(ctx, insertContact, c); err != nil {
				if db.IsUniqueViolation(err) {
					return apperr.Errorf(apperr.Conflict, "contact %q already exists", c.ID)
				}
				return fmt.Errorf("insert contact %s: %w", c.ID, err)
			}
			if err := tx.Record(ctx, EntityContact, c.ID, "create", nil, c); err != nil {
				return err
			}
		}
		return nil
	},
	update: func(ctx context.Context, tx *db.Tx, c *Contact) error {
		res, err := tx.NamedExecContext(ctx, updateContact, c)
		if err != nil {
			return fmt.Errorf("update contact %s: %w", c.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.Conflict("contact", c.ID, c.Version)
		}
		return nil
	},
}

// ContactIDs returns the ids of every contact person not archived.
func (s *Store) ContactIDs(ctx context.Context) ([]string, error) {
	var ids []string
	if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM contacts WHERE status <> 'archived' ORDER BY id`); err != nil {
		return nil, fmt.Errorf("contact ids: %w", err)
	}
	return ids, nil
}
