package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// AuditEntry is one row of the audit log: who did what to an entity and
// when, with the entity as it was before and after (nil when it did not
// exist on that side).
type AuditEntry struct {
	ID       int64           `db:"id" json:"id"`
	At       time.Time       `db:"at" json:"at"`
	Actor    string          `db:"actor" json:"actor"`
	Entity   string          `db:"entity" json:"entity"`
	EntityID string          `db:"entity_id" json:"entity_id"`
	Action   string          `db:"action" json:"action"`
	Before   json.RawMessage `db:"-" json:"before"`
	After    json.RawMessage `db:"-" json:"after"`
}

type auditScan struct {
	AuditEntry
	BeforeJSON *string `db:"before_json"`
	AfterJSON  *string `db:"after_json"`
}

func (a auditScan) entry() AuditEntry {
	e := a.AuditEntry
	e.At = e.At.UTC()
	if a.BeforeJSON != nil {
		e.Before = json.RawMessage(*a.BeforeJSON)
	}
	if a.AfterJSON != nil {
		e.After = json.RawMessage(*a.AfterJSON)
	}
	return e
}

const auditCols = `id, at, actor, entity, entity_id, action, before_json, after_json`

// History returns the audit log of one entity, newest first. It only
// reads: the audit log is append-only, and nothing in this package updates
// or deletes its rows. An entity without history answers an empty list.
func (d *DB) History(ctx context.Context, entity, id string) ([]AuditEntry, error) {
	var rows []auditScan
	err := d.SelectContext(ctx, &rows, d.Rebind(`SELECT `+auditCols+` FROM audit_log
		WHERE entity = ? AND entity_id = ? ORDER BY id DESC`), entity, id)
	if err != nil {
		return nil, fmt.Errorf("history of %s %s: %w", entity, id, err)
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, nil
}

// AuditEntryByID returns one audit row of the entity, or NotFound when
// there is none with that id for that entity (so that an id of another
// entity's row finds nothing).
func (d *DB) AuditEntryByID(ctx context.Context, entity, id string, auditID int64) (AuditEntry, error) {
	var r auditScan
	err := d.GetContext(ctx, &r, d.Rebind(`SELECT `+auditCols+` FROM audit_log
		WHERE id = ? AND entity = ? AND entity_id = ?`), auditID, entity, id)
	if err != nil {
		return AuditEntry{}, NotFoundIf(err, "audit entry", fmt.Sprint(auditID))
	}
	return r.entry(), nil
}
