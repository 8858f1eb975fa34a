package search_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/pathways"
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
	return indexFor(t, d, seededStore(t, d), filepath.Join(t.TempDir(), "index"))
}

// seededStore loads the real seed data into d.
func seededStore(t testing.TB, d *db.DB) *services.Store {
	t.Helper()
	st := services.NewStore(d)
	data, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Apply(context.Background(), st, data, seed.Options{}); err != nil {
		t.Fatal(err)
	}
	return st
}

func indexFor(t testing.TB, d *db.DB, st *services.Store, dir string) *fixture {
	t.Helper()
	f, err := buildIndex(d, st, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.index.Close() })
	return f
}

// buildIndex opens the index in dir and syncs it; the caller closes it.
func buildIndex(d *db.DB, st *services.Store, dir string) (*fixture, error) {
	compounds, err := search.LoadCompounds(seed.Files, "compounds.txt")
	if err != nil {
		return nil, err
	}
	syn, err := search.LoadSynonyms(seed.Files, "synonyms.yaml")
	if err != nil {
		return nil, err
	}
	ix, _, err := search.Open(search.Config{Dir: dir, Compounds: compounds, Synonyms: syn})
	if err != nil {
		return nil, err
	}
	sources := append(search.ListingSources(st), search.PathwaySource(pathways.NewStore(d, st)))
	s := &search.Syncer{Index: ix, DB: d, Store: st, Sources: sources}
	if _, err := s.Sync(context.Background(), nil); err != nil {
		ix.Close()
		return nil, err
	}
	return &fixture{db: d, store: st, index: ix, syncer: s}, nil
}

func sqliteFixture(t testing.TB) *fixture { return newFixture(t, dbtest.SQLite(t)) }
