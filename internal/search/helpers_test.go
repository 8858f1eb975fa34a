package search_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/seed"
)

type fixture struct {
	db     *db.DB
	store  *services.Store
	index  *search.Index
	syncer *search.Syncer
}

// newFixture seeds d with the real seed data and builds the index.
func newFixture(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	st := services.NewStore(d)
	data, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Apply(ctx, st, data, seed.Options{}); err != nil {
		t.Fatal(err)
	}
	return indexFor(t, d, st, filepath.Join(t.TempDir(), "index"))
}

func indexFor(t testing.TB, d *db.DB, st *services.Store, dir string) *fixture {
	t.Helper()
	compounds, err := search.LoadCompounds(seed.Files, "compounds.txt")
	if err != nil {
		t.Fatal(err)
	}
	syn, err := search.LoadSynonyms(seed.Files, "synonyms.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ix, _, err := search.Open(search.Config{Dir: dir, Compounds: compounds, Synonyms: syn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	s := &search.Syncer{Index: ix, DB: d, Store: st, Sources: search.ListingSources(st)}
	if _, err := s.Sync(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return &fixture{db: d, store: st, index: ix, syncer: s}
}

func sqliteFixture(t testing.TB) *fixture { return newFixture(t, dbtest.SQLite(t)) }
