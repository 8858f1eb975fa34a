package ptvimport

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
