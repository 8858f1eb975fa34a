// Package dbtest opens real databases for tests: a fresh SQLite file per
// test always, and a fresh PostgreSQL schema per test when
// DIRECTORY_TEST_POSTGRES holds a DSN. Where that variable is set, a
// server that cannot be reached fails the test instead of skipping it.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/serie-verkosto/directory/internal/db"
)

// PostgresEnv names the variable holding the PostgreSQL test DSN.
const PostgresEnv = "DIRECTORY_TEST_POSTGRES"

// SQLite returns a migrated database in a new SQLite file.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "test.db"))
}

// PostgresDSN returns a DSN for a fresh, empty schema on the test server,
// dropped when the test ends; the test is skipped when no server is
// configured.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("%s not set: PostgreSQL tests skipped", PostgresEnv)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		t.Fatalf("postgres %s: %v", PostgresEnv, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("postgres from %s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	// A test's schema is dropped when it ends: waiting for each commit
	// to reach the disk buys nothing and was most of a PostgreSQL test's
	// time. The server still orders and isolates every transaction.
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres returns a migrated database in a fresh schema.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	return open(t, PostgresDSN(t))
}

// Open opens and migrates the database at dsn, closed when the test ends.
func Open(t testing.TB, dsn string) *db.DB { t.Helper(); return open(t, dsn) }

func open(t testing.TB, dsn string) *db.DB {
	t.Helper()
	ctx := context.Background()
	// A test's database is thrown away: commits need not wait for the disk.
	d, err := db.Open(ctx, dsn, db.Synchronous(db.SyncNormal))
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

// Each runs f once per available dialect, as subtests named after them.
func Each(t *testing.T, f func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, Postgres(t)) })
}
