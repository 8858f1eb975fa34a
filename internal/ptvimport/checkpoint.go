package ptvimport

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/db"
)

// checkpoint is how far a scope of the catalogue has been read and stored:
// the next incremental read asks for what changed since ChangedTo. It is
// saved only after a run succeeds, so a run that fails half-way is read
// again from the same point (its written batches are then unchanged and
// write nothing).
type checkpoint struct {
	Source    string     `db:"source"`
	ChangedTo time.Time  `db:"changed_to"`
	FullAt    *time.Time `db:"full_at"`
	UpdatedAt time.Time  `db:"updated_at"`
}

func loadCheckpoint(ctx context.Context, d *db.DB, source string) (checkpoint, bool, error) {
	var cp checkpoint
	err := d.GetContext(ctx, &cp, d.Rebind(`SELECT source, changed_to, full_at, updated_at FROM import_checkpoints WHERE source = ?`), source)
	if errors.Is(err, sql.ErrNoRows) {
		return checkpoint{Source: source}, false, nil
	}
	if err != nil {
		return cp, false, fmt.Errorf("import checkpoint %s: %w", source, err)
	}
	cp.ChangedTo = cp.ChangedTo.UTC()
	if cp.FullAt != nil {
		t := cp.FullAt.UTC()
		cp.FullAt = &t
	}
	return cp, true, nil
}

func saveCheckpoint(ctx context.Context, d *db.DB, cp checkpoint) error {
	_, err := d.ExecContext(ctx, d.Rebind(`INSERT INTO import_checkpoints (source, changed_to, full_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (source) DO UPDATE SET changed_to = excluded.changed_to, full_at = excluded.full_at, updated_at = excluded.updated_at`),
		cp.Source, cp.ChangedTo.UTC(), cp.FullAt, cp.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("save import checkpoint %s: %w", cp.Source, err)
	}
	return nil
}

// Scopes are the scopes imported before, as options: a server's periodic
// sync keeps each of them current.
func Scopes(ctx context.Context, d *db.DB) ([]Options, error) {
	var keys []string
	if err := d.SelectContext(ctx, &keys, `SELECT source FROM import_checkpoints WHERE source LIKE 'ptv%' ORDER BY source`); err != nil {
		return nil, fmt.Errorf("import checkpoints: %w", err)
	}
	var out []Options
	for _, k := range keys {
		o, err := parseScope(k)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// parseScope reads a scope key (scopeKey) back into options.
func parseScope(key string) (Options, error) {
	var o Options
	parts := strings.Fields(key)
	if len(parts) == 0 || parts[0] != "ptv" {
		return o, fmt.Errorf("import checkpoint %q: not a PTV scope", key)
	}
	for _, p := range parts[1:] {
		name, list, _ := strings.Cut(p, "=")
		values := strings.Split(list, ",")
		switch name {
		case "municipalities":
			o.Municipalities = values
		case "organizations":
			o.Organizations = values
		case "classes":
			o.ServiceClasses = values
		case "nationwide":
			o.Nationwide = true
		default:
			return o, fmt.Errorf("import checkpoint %q: unknown part %q", key, p)
		}
	}
	return o, nil
}
