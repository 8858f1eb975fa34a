package services

import (
	"context"
	"fmt"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
)

var organizationCols = []string{"id", "name", "description", "kind", "url", "email", "phone",
	"verified_at", "review_by", "version", "created_at", "updated_at"}

var (
	selectOrganization = `SELECT id, name, description, kind, url, email, phone, verified_at, review_by, version, created_at, updated_at FROM organizations`
	insertOrganization = insertSQL("organizations", organizationCols)
	updateOrganization = updateSQL("organizations", "id", organizationCols)
)

// Organization returns one organization, or a NotFound error.
func (s *Store) Organization(ctx context.Context, id string) (Organization, error) {
	var o Organization
	err := s.db.GetContext(ctx, &o, s.db.Rebind(selectOrganization+` WHERE id = ?`), id)
	return o, db.NotFoundIf(err, "organization", id)
}

// CreateOrganization stores a new organization at version 1. An existing
// id is a Conflict.
func (s *Store) CreateOrganization(ctx context.Context, o *Organization) error {
	x := *o
	x.Normalize()
	if err := x.Validate(); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		x.Meta = Meta{Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		if _, err := tx.NamedExecContext(ctx, insertOrganization, x); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.Errorf(apperr.Conflict, "organization %q already exists", x.ID)
			}
			return fmt.Errorf("insert organization %s: %w", x.ID, err)
		}
		return tx.Record(ctx, EntityOrganization, x.ID, "create", nil, x)
	})
	s.forget()
	if err == nil {
		*o = x
	}
	return err
}

// UpdateOrganization saves o if o.Version is still the stored version;
// otherwise it returns a Conflict (or NotFound). On success o carries the
// new version.
func (s *Store) UpdateOrganization(ctx context.Context, o *Organization) error {
	x := *o
	x.Normalize()
	if err := x.Validate(); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var before Organization
		if err := tx.GetContext(ctx, &before, tx.Rebind(selectOrganization+` WHERE id = ?`), x.ID); err != nil {
			return db.NotFoundIf(err, "organization", x.ID)
		}
		x.CreatedAt, x.UpdatedAt = before.CreatedAt, tx.Now
		res, err := tx.NamedExecContext(ctx, updateOrganization, x)
		if err != nil {
			return fmt.Errorf("update organization %s: %w", x.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.Conflict("organization", x.ID, x.Version)
		}
		x.Version++
		return tx.Record(ctx, EntityOrganization, x.ID, "update", before, x)
	})
	s.forget()
	if err == nil {
		*o = x
	}
	return err
}
