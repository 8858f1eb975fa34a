package db_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
)

func TestHistoryReadsTheAuditLog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := db.WithActor(context.Background(), "u-tester")
		type thing struct {
			Name    string `json:"name"`
			Version int    `json:"version"`
		}
		for i, w := range []struct {
			id            string
			before, after any
		}{
			{"a", nil, thing{"first", 1}},
			{"b", nil, thing{"other", 1}},
			{"a", thing{"first", 1}, thing{"second", 2}},
			{"a", thing{"second", 2}, nil},
		} {
			if err := d.InTx(ctx, func(tx *db.Tx) error { return tx.Audit(ctx, "thing", w.id, "write", w.before, w.after) }); err != nil {
				t.Fatalf("write %d: %v", i, err)
			}
		}
		hist, err := d.History(ctx, "thing", "a")
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 3 {
			t.Fatalf("%d entries, want 3", len(hist))
		}
		// Newest first, with before and after as written.
		if hist[0].After != nil || string(hist[2].Before) != "" {
			t.Errorf("deletion after %q, creation before %q: want none", hist[0].After, hist[2].Before)
		}
		var got thing
		if err := json.Unmarshal(hist[1].After, &got); err != nil || got != (thing{"second", 2}) {
			t.Errorf("middle entry after = %s (%v)", hist[1].After, err)
		}
		if hist[1].Actor != "u-tester" || hist[1].Entity != "thing" || hist[1].EntityID != "a" || hist[1].At.IsZero() {
			t.Errorf("entry %+v", hist[1])
		}
		if !(hist[0].ID > hist[1].ID && hist[1].ID > hist[2].ID) {
			t.Errorf("not newest first: %d %d %d", hist[0].ID, hist[1].ID, hist[2].ID)
		}
		if none, err := d.History(ctx, "thing", "nothing"); err != nil || len(none) != 0 {
			t.Errorf("history of nothing: %v, %v", none, err)
		}
		// One entry by id, only through its own entity.
		e, err := d.AuditEntryByID(ctx, "thing", "a", hist[1].ID)
		if err != nil || e.ID != hist[1].ID {
			t.Errorf("AuditEntryByID: %+v, %v", e, err)
		}
		if _, err := d.AuditEntryByID(ctx, "thing", "b", hist[1].ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another entity's entry: %v, want NotFound", err)
		}
		// The log cannot be edited.
		if _, err := d.ExecContext(ctx, `UPDATE audit_log SET actor = 'someone else'`); err == nil {
			t.Errorf("UPDATE of the audit log succeeded")
		}
		if _, err := d.ExecContext(ctx, `DELETE FROM audit_log`); err == nil {
			t.Errorf("DELETE from the audit log succeeded")
		}
	})
}
