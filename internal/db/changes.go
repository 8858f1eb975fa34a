package db

import (
	"context"
	"fmt"
	"strconv"
)

// Position is a point in the change log that a reader has caught up to.
// On SQLite, writers are serialized, so sequence numbers become visible in
// order and the position is the last seq read. On PostgreSQL a transaction
// that took seq 10 may commit after one that took seq 11, so a plain
// "seq > last" read could skip 10 forever (DESIGN.md). There the position
// is a transaction id horizon instead: every transaction below Xmin has
// finished, so the rows with txid in [previous Xmin, Xmin) are complete
// when read, and none of a later commit falls below the new horizon.
type Position struct {
	Seq  int64  `json:"seq"`
	Xmin uint64 `json:"xmin,omitempty"`
}

// Change is one change-log row.
type Change struct {
	Seq      int64  `db:"seq"`
	Entity   string `db:"entity"`
	EntityID string `db:"entity_id"`
	Op       string `db:"op"`
}

// Horizon returns the position up to which the change log is complete now.
func (d *DB) Horizon(ctx context.Context) (Position, error) {
	var p Position
	if d.Dialect == Postgres {
		var x string
		if err := d.GetContext(ctx, &x, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text`); err != nil {
			return p, fmt.Errorf("change log horizon: %w", err)
		}
		xmin, err := strconv.ParseUint(x, 10, 64)
		if err != nil {
			return p, fmt.Errorf("change log horizon %q: %w", x, err)
		}
		p.Xmin = xmin
	}
	seq, err := d.LatestSeq(ctx)
	if err != nil {
		return p, err
	}
	p.Seq = seq
	return p, nil
}

// ChangesBetween returns the changes after from and up to to, oldest first.
// On PostgreSQL a changes whose transaction is at or above to.Xmin waits
// for the next horizon, even if it has committed.
func (d *DB) ChangesBetween(ctx context.Context, from, to Position) ([]Change, error) {
	var list []Change
	var err error
	if d.Dialect == Postgres {
		err = d.SelectContext(ctx, &list, `SELECT seq, entity, entity_id, op FROM change_log
			WHERE txid >= $1::text::xid8 AND txid < $2::text::xid8 ORDER BY seq`,
			strconv.FormatUint(from.Xmin, 10), strconv.FormatUint(to.Xmin, 10))
	} else {
		err = d.SelectContext(ctx, &list, `SELECT seq, entity, entity_id, op FROM change_log
			WHERE seq > ? AND seq <= ? ORDER BY seq`, from.Seq, to.Seq)
	}
	if err != nil {
		return nil, fmt.Errorf("read change log: %w", err)
	}
	return list, nil
}

// Behind reports whether the change log holds changes past p that a
// reader at p has not applied.
func (d *DB) Behind(ctx context.Context, p Position) (bool, error) {
	var n int
	var err error
	if d.Dialect == Postgres {
		err = d.GetContext(ctx, &n, `SELECT COUNT(*) FROM (SELECT 1 FROM change_log WHERE txid >= $1::text::xid8 LIMIT 1) x`,
			strconv.FormatUint(p.Xmin, 10))
	} else {
		err = d.GetContext(ctx, &n, `SELECT COUNT(*) FROM (SELECT 1 FROM change_log WHERE seq > ? LIMIT 1) x`, p.Seq)
	}
	if err != nil {
		return false, fmt.Errorf("change log: %w", err)
	}
	return n > 0, nil
}
