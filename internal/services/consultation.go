package services

import (
	"context"
	"fmt"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
)

// EntityConsultation names a county's consultation network in the change
// log and the audit log.
const EntityConsultation = "consultation"

// Consultation is the SeriE network a wellbeing services county's
// professionals consult: its own network where one works there, else the
// one an admin chose (the seed's choice follows the collaboration areas of
// the university hospitals). Every county has one, so that a pathway
// resolved anywhere names someone to ask.
type Consultation struct {
	County  string    `db:"county_slug" json:"county" yaml:"county"`
	Network string    `db:"network_slug" json:"network" yaml:"network"`
	Note    l10n.Text `db:"note" json:"note,omitzero" yaml:"note"` // why this network
	Meta    `yaml:"-"`
}

var consultationCols = []string{"county_slug", "network_slug", "note", "version", "created_at", "updated_at"}

var (
	selectConsultation = `SELECT county_slug, network_slug, note, version, created_at, updated_at FROM consultation_networks`
	insertConsultation = insertSQL("consultation_networks", consultationCols)
	updateConsultation = updateSQL("consultation_networks", "county_slug", consultationCols)
)

// Consultations returns every county's consultation network, by county.
func (s *Store) Consultations(ctx context.Context) ([]Consultation, error) {
	var list []Consultation
	if err := s.db.SelectContext(ctx, &list, selectConsultation+` ORDER BY county_slug`); err != nil {
		return nil, fmt.Errorf("list consultation networks: %w", err)
	}
	return list, nil
}

// Consultation returns the county's consultation network, or NotFound.
func (s *Store) Consultation(ctx context.Context, county string) (Consultation, error) {
	var c Consultation
	err := s.db.GetContext(ctx, &c, s.db.Rebind(selectConsultation+` WHERE county_slug = ?`), county)
	return c, db.NotFoundIf(err, "consultation network of county", county)
}

// SaveConsultation stores the county's consultation network: a new one
// when c.Version is 0, else only if c.Version is still the stored version
// (a Conflict otherwise). The county and the network must exist. The
// audit log names actor (a user's id) as the writer.
func (s *Store) SaveConsultation(ctx context.Context, actor string, c *Consultation) error {
	x := *c
	x.Note = x.Note.Trimmed()
	ref, err := s.Reference(ctx)
	if err != nil {
		return err
	}
	var fs apperr.Fields
	if _, ok := ref.Munis.County(x.County); !ok {
		fs.Add("county", "err.unknown_county", "unknown wellbeing services county %q", x.County)
	}
	if _, ok := ref.Network(x.Network); !ok {
		fs.Add("network", "err.unknown_network", "unknown network %q", x.Network)
	}
	CheckText(&fs, "note", x.Note, false, 1000)
	if err := fs.Err(); err != nil {
		return err
	}
	err = s.db.InTx(db.WithActor(ctx, actor), func(tx *db.Tx) error {
		if x.Version == 0 {
			x.Meta = Meta{Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
			if _, err := tx.NamedExecContext(ctx, insertConsultation, x); err != nil {
				if db.IsUniqueViolation(err) {
					return db.Conflict("consultation network of county", x.County, 0)
				}
				return fmt.Errorf("insert consultation network of %s: %w", x.County, err)
			}
			return tx.Record(ctx, EntityConsultation, x.County, "create", nil, x)
		}
		var before Consultation
		if err := tx.GetContext(ctx, &before, tx.Rebind(selectConsultation+` WHERE county_slug = ?`), x.County); err != nil {
			return db.NotFoundIf(err, "consultation network of county", x.County)
		}
		x.CreatedAt, x.UpdatedAt = before.CreatedAt, tx.Now
		res, err := tx.NamedExecContext(ctx, updateConsultation, x)
		if err != nil {
			return fmt.Errorf("update consultation network of %s: %w", x.County, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.Conflict("consultation network of county", x.County, x.Version)
		}
		x.Version++
		return tx.Record(ctx, EntityConsultation, x.County, "update", before, x)
	})
	if err == nil {
		*c = x
	}
	return err
}
