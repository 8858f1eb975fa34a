package db_test

import (
	"context"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
)

// Both dialects must have the same numbered migrations, so that a schema
// version means the same thing on either.
func TestMigrationsInStep(t *testing.T) {
	names := func(dir string) []string {
		entries, err := fs.ReadDir(os.DirFS("migrations"), dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	lite, pg := names("sqlite"), names("postgres")
	if !slices.Equal(lite, pg) {
		t.Errorf("migrations differ:\nsqlite:   %v\npostgres: %v", lite, pg)
	}
}

func TestSchemaVersionSameOnBoth(t *testing.T) {
	want := int64(-1)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		v, err := d.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want >= 0 && v != want {
			t.Errorf("schema version %d, the other dialect is at %d", v, want)
		}
		want = v
		// Migrating again is a no-op.
		if n, err := d.Migrate(ctx); err != nil || n != 0 {
			t.Errorf("second migrate applied %d, %v", n, err)
		}
	})
}

func TestTransactionRollsBackEverything(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		boom := apperr.Errorf(apperr.Invalid, "boom")
		err := d.InTx(ctx, func(tx *db.Tx) error {
			if err := tx.Record(ctx, "service", "x", "create", nil, map[string]string{"id": "x"}); err != nil {
				return err
			}
			return boom
		})
		if err != boom {
			t.Fatalf("err = %v", err)
		}
		var n int
		if err := d.GetContext(ctx, &n, `SELECT (SELECT COUNT(*) FROM change_log) + (SELECT COUNT(*) FROM audit_log)`); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("a failed transaction left %d log rows", n)
		}
	})
}

func TestUnreachablePostgresIsOneClearError(t *testing.T) {
	_, err := db.Open(context.Background(), "postgres://nobody:secret@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("opened a database on port 1")
	}
	msg := err.Error()
	if !strings.Contains(msg, "not reachable") || strings.Contains(msg, "secret") || strings.Contains(msg, "\n") {
		t.Errorf("error = %q; want one line saying not reachable, without the password", msg)
	}
}
