package services

import (
	"context"
	"fmt"
	"strings"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
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
	var c Contact
	err := s.db.GetContext(ctx, &c, s.db.Rebind(selectContact+` WHERE c.id = ?`), id)
	return c, db.NotFoundIf(err, "contact", id)
}

// ContactFilter selects contact persons. Empty fields do not filter.
type ContactFilter struct {
	Network      string
	Municipality string // the networks covering it
	Role         string
	// IncludeArchived lists archived contacts too (hidden by default).
	IncludeArchived bool
	Limit           int
	Offset          int
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
	if f.Network != "" {
		if _, err := s.Network(ctx, f.Network); apperr.Is(err, apperr.NotFound) {
			return nil, 0, apperr.Keyed(apperr.Invalid, "err.unknown_network", "unknown network %q", f.Network)
		} else if err != nil {
			return nil, 0, err
		}
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
		if !contains(ContactRoles, f.Role) {
			return nil, 0, apperr.Errorf(apperr.Invalid, "unknown role %q: use one of %s", f.Role, strings.Join(ContactRoles, ", "))
		}
		where = append(where, `c.role = ?`)
		args = append(args, f.Role)
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

func (s *Store) checkContact(ctx context.Context, c *Contact) error {
	c.Normalize()
	vocab, err := s.Vocabularies(ctx)
	if err != nil {
		return err
	}
	err = c.Validate(vocab)
	var fs apperr.Fields
	if e := apperr.As(err); e != nil {
		fs = e.Fields
	}
	if c.NetworkSlug != "" {
		if _, err := s.Network(ctx, string(c.NetworkSlug)); apperr.Is(err, apperr.NotFound) {
			fs.Add("network", "err.unknown_network", "unknown network %q", c.NetworkSlug)
		} else if err != nil {
			return err
		}
	}
	if c.OrganizationID != "" {
		if _, err := s.Organization(ctx, string(c.OrganizationID)); apperr.Is(err, apperr.NotFound) {
			fs.Add("organization_id", "err.unknown_organization", "unknown organization %q", c.OrganizationID)
		} else if err != nil {
			return err
		}
	}
	c.SortName = sortName(c.Name)
	return fs.Err()
}

// CreateContact stores a new contact person at version 1.
func (s *Store) CreateContact(ctx context.Context, c *Contact) error {
	x := *c
	if err := s.checkContact(ctx, &x); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		x.Meta = Meta{Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		if _, err := tx.NamedExecContext(ctx, insertContact, x); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.Errorf(apperr.Conflict, "contact %q already exists", x.ID)
			}
			return fmt.Errorf("insert contact %s: %w", x.ID, err)
		}
		return tx.Record(ctx, EntityContact, x.ID, "create", nil, x)
	})
	if err == nil {
		*c = x
	}
	return err
}

// UpdateContact saves c if c.Version is still the stored version; otherwise
// it returns a Conflict, or NotFound for an unknown id.
func (s *Store) UpdateContact(ctx context.Context, c *Contact) error {
	x := *c
	if err := s.checkContact(ctx, &x); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var before Contact
		if err := tx.GetContext(ctx, &before, tx.Rebind(selectContact+` WHERE c.id = ?`), x.ID); err != nil {
			return db.NotFoundIf(err, "contact", x.ID)
		}
		x.CreatedAt, x.UpdatedAt = before.CreatedAt, tx.Now
		res, err := tx.NamedExecContext(ctx, updateContact, x)
		if err != nil {
			return fmt.Errorf("update contact %s: %w", x.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.Conflict("contact", x.ID, x.Version)
		}
		x.Version++
		return tx.Record(ctx, EntityContact, x.ID, "update", before, x)
	})
	if err == nil {
		*c = x
	}
	return err
}

// ContactIDs returns the ids of every contact person not archived.
func (s *Store) ContactIDs(ctx context.Context) ([]string, error) {
	var ids []string
	if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM contacts WHERE status <> 'archived' ORDER BY id`); err != nil {
		return nil, fmt.Errorf("contact ids: %w", err)
	}
	return ids, nil
}
