package db_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/serie-verkosto/directory/internal/db"
)

// TestSQLiteSynchronous: a commit waits for the disk unless the operator
// chose speed (PRAGMA synchronous: 2 is FULL, 1 NORMAL).
func TestSQLiteSynchronous(t *testing.T) {
	for _, tt := range []struct {
		opts []db.Option
		want int
	}{{nil, 2}, {[]db.Option{db.Synchronous(db.SyncFull)}, 2}, {[]db.Option{db.Synchronous(db.SyncNormal)}, 1}} {
		d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		var got int
		if err := d.Get(&got, "PRAGMA synchronous"); err != nil || got != tt.want {
			t.Errorf("synchronous = %d, %v; want %d", got, err, tt.want)
		}
		d.Close()
	}
	if _, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), db.Synchronous("off")); err == nil {
		t.Error("synchronous off was accepted")
	}
}
