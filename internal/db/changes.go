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
// also holds a transaction id horizon: every transaction below Xmin had
// finished when the position was taken, so every change below it had been
// read; the next read takes every change at or above it again.
type Position struct {
	Seq  int64  `json:"seq"`
	Xmin uint64 `json:"xmin,omitempty"`
	// Open counts, on PostgreSQL, the changes at or above Xmin: a change
	// that commits out of order under the same horizon changes it, so
	// "nothing new" is never concluded wrongly.
	Open int64 `json:"open,omitempty"`
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
		if err := d.GetContext(ctx, &p.Open, `SELECT COUNT(*) FROM change_log WHERE txid >= $1::text::xid8`, x); err != nil {
			return p, fmt.Errorf("change log horizon: %w", err)
		}
	}
	seq, err := d.LatestSeq(ctx)
	if err != nil {
		return p, err
	}
	p.Seq = seq
	return p, nil
}

// ChangesSince returns the changes a reader at from may not have applied,
// oldest first: on SQLite those after from.Seq; on PostgreSQL every
// visible change of a transaction at or above from.Xmin. The latter may
// include changes already applied (a reader applies them again, which is
// harmless), but never misses one that committed out of order.
func (d *DB) ChangesSince(ctx context.Context, from Position) ([]Change, error) {
	var list []Change
	var err error
	if d.Dialect == Postgres {
		err = d.SelectContext(ctx, &list, `SELECT seq, entity, entity_id, op FROM change_log
			WHERE txid >= $1::text::xid8 ORDER BY seq`, strconv.FormatUint(from.Xmin, 10))
	} else {
		err = d.SelectContext(ctx, &list, `SELECT seq, entity, entity_id, op FROM change_log
			WHERE seq > ? ORDER BY seq`, from.Seq)
	}
	if err != nil {
		return nil, fmt.Errorf("read change log: %w", err)
	}
	return list, nil
}

// Behind reports whether the change log has grown past p.
func (d *DB) Behind(ctx context.Context, p Position) (bool, error) {
	seq, err := d.LatestSeq(ctx)
	if err != nil {
		return false, err
	}
	return seq > p.Seq, nil
}
