// Package seedtest gives tests a database holding the embedded seed, as
// the program's first start leaves it. Seeding is a fifth of a second;
// tests that need it number in the dozens, so a SQLite test gets a copy of
// a file seeded once per test binary, and a PostgreSQL test a fresh schema
// seeded for it.
package seedtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/seed"
)

// SQLite returns a migrated, seeded database in a new SQLite file.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	b, err := template()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "test.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dbtest.Open(t, path)
}

// Postgres returns a migrated, seeded database in a fresh PostgreSQL
// schema; the test is skipped when no server is configured.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	d := dbtest.Postgres(t)
	if err := apply(d); err != nil {
		t.Fatal(err)
	}
	return d
}

// Each runs f once per available dialect with a seeded database, as
// subtests named after them.
func Each(t *testing.T, f func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, Postgres(t)) })
}

var tmpl struct {
	once sync.Once
	b    []byte
	err  error
}

// template is the seeded SQLite file's bytes, built on first use. The file
// is closed (so its write-ahead log is checkpointed into it) and removed
// once read: nothing is left behind in the temporary directory.
func template() ([]byte, error) {
	tmpl.once.Do(func() {
		dir, err := os.MkdirTemp("", "seedtest-")
		if err != nil {
			tmpl.err = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "seed.db")
		tmpl.b, tmpl.err = build(path)
	})
	return tmpl.b, tmpl.err
}

func build(path string) ([]byte, error) {
	ctx := context.Background()
	d, err := db.Open(ctx, path, db.Synchronous(db.SyncNormal))
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	if err := apply(d); err != nil {
		d.Close()
		return nil, err
	}
	if err := d.Close(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		return nil, fmt.Errorf("seedtest: %s-wal outlived the close", path)
	}
	return os.ReadFile(path)
}

func apply(d *db.DB) error {
	data, err := seed.Parse(seed.Files)
	if err != nil {
		return err
	}
	if _, err := seed.Apply(db.WithActor(context.Background(), "seed"), services.NewStore(d), data, seed.Options{}); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}
