package services

import (
	"context"
	"fmt"
	"slices"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
)

var networkCols = []string{"slug", "name", "short_name", "description", "meeting", "member_info", "counties",
	"extra_municipalities", "goals", "professions", "newsletters", "position", "version", "created_at", "updated_at"}

var (
	selectNetwork = `SELECT slug, name, short_name, description, meeting, member_info, counties, extra_municipalities,
		goals, professions, newsletters, position, version, created_at, updated_at FROM networks`
	insertNetwork = insertSQL("networks", networkCols)
	updateNetwork = updateSQL("networks", "slug", networkCols)
)

// Network returns one network with its coverage, or a NotFound error.
func (s *Store) Network(ctx context.Context, slug string) (Network, error) {
	ref, err := s.Reference(ctx)
	if err != nil {
		return Network{}, err
	}
	n, ok := ref.Network(slug)
	if !ok {
		return n, apperr.Keyed(apperr.NotFound, "err.not_found", "network %q not found", slug)
	}
	return n, nil
}

func (s *Store) loadNetworks(ctx context.Context) ([]Network, error) {
	var list []Network
	if err := s.db.SelectContext(ctx, &list, selectNetwork+` ORDER BY position, slug`); err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	var rows []struct {
		Slug string `db:"network_slug"`
		Code string `db:"municipality_code"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT network_slug, municipality_code FROM network_municipalities ORDER BY network_slug, municipality_code`); err != nil {
		return nil, fmt.Errorf("network coverage: %w", err)
	}
	for i := range list {
		for _, r := range rows {
			if r.Slug == list[i].Slug {
				list[i].Municipalities = append(list[i].Municipalities, r.Code)
			}
		}
	}
	return list, nil
}

// NetworksFor returns the networks covering a municipality code.
func (s *Store) NetworksFor(ctx context.Context, code string) ([]Network, error) {
	all, err := s.Networks(ctx)
	if err != nil {
		return nil, err
	}
	var out []Network
	for _, n := range all {
		if slices.Contains(n.Municipalities, code) {
			out = append(out, n)
		}
	}
	return out, nil
}

// resolveCoverage checks the network's counties and municipalities and
// returns its whole coverage; explicit municipalities are normalised to
// codes.
func (s *Store) resolveCoverage(ctx context.Context, n *Network) ([]string, error) {
	m, err := s.Municipalities(ctx)
	if err != nil {
		return nil, err
	}
	var fs apperr.Fields
	var codes []string
	for i, c := range n.Counties {
		if _, ok := m.County(c); !ok {
			fs.Add(fmt.Sprintf("counties[%d]", i), "err.unknown_county", "unknown wellbeing services county %q", c)
		}
		codes = append(codes, m.InCounty(c)...)
	}
	for i, ref := range n.ExtraMunicipalities {
		x, ok := m.Lookup(ref)
		if !ok {
			fs.Add(fmt.Sprintf("municipalities[%d]", i), "err.unknown_municipality", "unknown municipality %q", ref)
			continue
		}
		n.ExtraMunicipalities[i] = x.Code
		codes = append(codes, x.Code)
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	if len(codes) == 0 {
		return nil, (apperr.Fields{{Field: "counties", Key: "err.area_empty", Message: "name at least one county or municipality"}}).Err()
	}
	return uniqSorted(codes), nil
}

func writeCoverage(ctx context.Context, tx *db.Tx, slug string, codes []string) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM network_municipalities WHERE network_slug = ?`), slug); err != nil {
		return fmt.Errorf("network %s coverage: %w", slug, err)
	}
	for _, c := range codes {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO network_municipalities (network_slug, municipality_code) VALUES (?, ?)`), slug, c); err != nil {
			return fmt.Errorf("network %s coverage %s: %w", slug, c, err)
		}
	}
	return nil
}

// CreateNetwork stores a new network. An existing slug is a Conflict.
func (s *Store) CreateNetwork(ctx context.Context, n *Network) error {
	return s.saveNetwork(ctx, n, true)
}

// UpdateNetwork saves n if n.Version is still the stored version; otherwise
// it returns a Conflict (or NotFound).
func (s *Store) UpdateNetwork(ctx context.Context, n *Network) error {
	return s.saveNetwork(ctx, n, false)
}

func (s *Store) saveNetwork(ctx context.Context, n *Network, create bool) error {
	x := *n
	x.ExtraMunicipalities = slices.Clone(x.ExtraMunicipalities)
	vocab, err := s.Vocabularies(ctx)
	if err != nil {
		return err
	}
	if err := x.Validate(vocab); err != nil {
		return err
	}
	codes, err := s.resolveCoverage(ctx, &x)
	if err != nil {
		return err
	}
	x.Municipalities = codes
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if create {
			x.Meta = Meta{Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
			if _, err := tx.NamedExecContext(ctx, insertNetwork, x); err != nil {
				if db.IsUniqueViolation(err) {
					return apperr.Errorf(apperr.Conflict, "network %q already exists", x.Slug)
				}
				return fmt.Errorf("insert network %s: %w", x.Slug, err)
			}
			if err := writeCoverage(ctx, tx, x.Slug, codes); err != nil {
				return err
			}
			return tx.Record(ctx, EntityNetwork, x.Slug, "create", nil, x)
		}
		var before Network
		if err := tx.GetContext(ctx, &before, tx.Rebind(selectNetwork+` WHERE slug = ?`), x.Slug); err != nil {
			return db.NotFoundIf(err, "network", x.Slug)
		}
		x.CreatedAt, x.UpdatedAt = before.CreatedAt, tx.Now
		res, err := tx.NamedExecContext(ctx, updateNetwork, x)
		if err != nil {
			return fmt.Errorf("update network %s: %w", x.Slug, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.Conflict("network", x.Slug, x.Version)
		}
		x.Version++
		if err := writeCoverage(ctx, tx, x.Slug, codes); err != nil {
			return err
		}
		return tx.Record(ctx, EntityNetwork, x.Slug, "update", before, x)
	})
	s.forget()
	if err == nil {
		*n = x
	}
	return err
}
