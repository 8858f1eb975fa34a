package search_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/seed"
)

func ids(t *testing.T, f *fixture, q string) []string {
	t.Helper()
	r, err := f.index.Search(context.Background(), search.Request{Q: q, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.Type+"/"+h.ID)
	}
	return out
}

func newService(id, name string) *services.Service {
	return &services.Service{ID: id, Name: l10n.T(name, "", ""), TargetGroups: []string{"suspected"},
		ServiceTypes: []string{"counselling"}, Area: services.Area{Municipalities: []string{"837"}}}
}

// A write shows in search once the syncer has run; an update replaces the
// document and archiving removes it.
func TestSyncAppliesChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		s := newService("test-kumquat", "Kumkvattiklinikka")
		if err := f.store.Services.Create(ctx, users.System("test"), s); err != nil {
			t.Fatal(err)
		}
		if got := ids(t, f, "kumkvatti"); len(got) != 0 {
			t.Fatalf("found before sync: %v", got)
		}
		if _, err := f.syncer.Sync(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if got := ids(t, f, "kumkvattiklinikka"); len(got) != 1 || got[0] != "service/test-kumquat" {
			t.Fatalf("after create: %v", got)
		}
		s.Name.FI = "Papaijaklinikka"
		if err := f.store.Services.Save(ctx, users.System("test"), s, false); err != nil {
			t.Fatal(err)
		}
		f.syncer.Sync(ctx, nil)
		if got := ids(t, f, "kumkvattiklinikka"); len(got) != 0 {
			t.Errorf("old name still found: %v", got)
		}
		if got := ids(t, f, "papaijaklinikka"); len(got) != 1 {
			t.Errorf("new name not found: %v", got)
		}
		s.Status = services.StatusArchived
		if err := f.store.Services.Save(ctx, users.System("test"), s, false); err != nil {
			t.Fatal(err)
		}
		f.syncer.Sync(ctx, nil)
		if got := ids(t, f, "papaijaklinikka"); len(got) != 0 {
			t.Errorf("archived service still found: %v", got)
		}
		if err := f.syncer.CaughtUp(ctx); err != nil {
			t.Errorf("caught up: %v", err)
		}
	})
}

// Run wakes on a local write: the change is searchable within a second,
// and WaitFor returns once it is.
func TestWriteVisibleWithinASecond(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := newFixture(t, d)
		d.Follower = f.syncer
		f.syncer.Poll = time.Hour // only the wake-up may deliver it
		go f.syncer.Run(ctx)
		if err := f.store.Services.Create(ctx, users.System("test"), newService("test-quince", "Kvittenikeskus")); err != nil {
			t.Fatal(err)
		}
		wctx, wcancel := context.WithTimeout(ctx, time.Second)
		defer wcancel()
		if err := f.syncer.WaitFor(wctx); err != nil {
			t.Fatalf("not visible within a second: %v", err)
		}
		if got := ids(t, f, "kvittenikeskus"); len(got) != 1 {
			t.Errorf("after WaitFor: %v", got)
		}
	})
}

// On PostgreSQL a transaction can take a lower seq and commit after one
// with a higher seq. The syncer must still index it.
func TestOutOfOrderCommitIsNotSkipped(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	f := newFixture(t, d)

	slow, err := d.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Rollback()
	// The slow transaction takes its seq first ...
	if _, err := slow.ExecContext(ctx, `INSERT INTO change_log (entity, entity_id, op, changed_at) VALUES ('service', 'test-slow', 'upsert', now())`); err != nil {
		t.Fatal(err)
	}
	// ... a fast one takes a later seq and commits.
	if err := f.store.Services.Create(ctx, users.System("test"), newService("test-fast", "Nopeaklinikka")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.syncer.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// The slow one now writes its row and commits.
	s := newService("test-slow", "Hidasklinikka")
	if _, err := slow.ExecContext(ctx, `INSERT INTO services (id, name, sort_name, target_groups, service_types, area, national, status, version, created_at, updated_at)
		VALUES ('test-slow', $1, 'hidasklinikka', '["suspected"]', '["counselling"]', '{"municipalities":["837"]}', false, 'active', 1, now(), now())`, s.Name); err != nil {
		t.Fatal(err)
	}
	if err := slow.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.syncer.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, f, "nopeaklinikka"); len(got) != 1 {
		t.Errorf("fast change: %v", got)
	}
	if got := ids(t, f, "hidasklinikka"); len(got) != 1 {
		t.Errorf("the change that committed out of order was skipped: %v", got)
	}
}

// A missing, corrupt or outdated index is rebuilt from the database.
func TestIndexRebuiltWhenBroken(t *testing.T) {
	d := dbtest.SQLite(t)
	f := newFixture(t, d)
	dir := filepath.Join(t.TempDir(), "index")
	want, _ := f.index.Count()

	for _, tt := range []struct {
		name   string
		break_ func(t *testing.T)
	}{
		{"missing", func(t *testing.T) { os.RemoveAll(dir) }},
		{"corrupt", func(t *testing.T) {
			os.RemoveAll(dir)
			os.MkdirAll(dir, 0o755)
			os.WriteFile(filepath.Join(dir, "index_meta.json"), []byte("{not json"), 0o644)
		}},
		{"garbage store", func(t *testing.T) {
			os.WriteFile(filepath.Join(dir, "store", "root.bolt"), []byte("garbage"), 0o644)
		}},
		{"zeros in a segment", func(t *testing.T) {
			// What a bad disk block leaves: Bleve opens the index, and
			// searches fail reading it. The footer's checksum tells.
			segs, _ := filepath.Glob(filepath.Join(dir, "store", "*.zap"))
			if len(segs) == 0 {
				t.Fatal("no segment to damage")
			}
			f, err := os.OpenFile(segs[0], os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteAt(make([]byte, 512), 64); err != nil {
				t.Fatal(err)
			}
			f.Close()
			sc, err := seed.SearchConfig(dir)
			if err != nil {
				t.Fatal(err)
			}
			ix, rebuilt, err := search.Open(sc)
			if err != nil || !rebuilt || !strings.Contains(ix.RebuildReason(), "damaged") {
				t.Fatalf("Open on a damaged segment: rebuilt %v, reason %q, %v", rebuilt, ix.RebuildReason(), err)
			}
			ix.Close()
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.break_(t)
			g := indexFor(t, d, f.store, dir)
			if n, _ := g.index.Count(); n != want {
				t.Errorf("rebuilt index has %d documents, want %d", n, want)
			}
			if got := ids(t, g, "lastensuojelu"); len(got) == 0 {
				t.Error("rebuilt index finds nothing")
			}
			g.index.Close()
		})
	}
}

// Two instances share one PostgreSQL, each with its own index. A write
// through one reaches the other's index through NOTIFY, well before the
// (here: hour-long) poll.
func TestNotifyWakesOtherInstances(t *testing.T) {
	dsn := dbtest.PostgresDSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	open := func() *db.DB {
		d, err := db.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return d
	}
	a := newFixture(t, open())
	db2 := open()
	b := indexFor(t, db2, services.NewStore(db2), filepath.Join(t.TempDir(), "index"))
	b.syncer.DSN = dsn
	b.syncer.Poll = time.Hour
	go b.syncer.Run(ctx)
	time.Sleep(300 * time.Millisecond) // let the listener connect
	if err := a.store.Services.Create(ctx, users.System("test"), newService("test-notify", "Ilmoitusklinikka")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for len(ids(t, b, "ilmoitusklinikka")) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the other instance did not see the write within 2 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReopenedIndexKnowsPlaces restarts on an index that is already up to
// date: with nothing to apply, the syncer must still give the index the
// municipalities, or a municipality filter is refused and places in
// queries are not recognised until the next write.
func TestReopenedIndexKnowsPlaces(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	st := seededStore(t, d)
	dir := filepath.Join(t.TempDir(), "index")
	first, err := buildIndex(d, st, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.index.Close(); err != nil {
		t.Fatal(err)
	}
	again := indexFor(t, d, st, dir)
	res, err := again.index.Search(ctx, search.Request{Q: "terapia", Municipality: "837"})
	if err != nil {
		t.Fatalf("municipality filter after a restart: %v", err)
	}
	if res.Place == nil || res.Place.Code != "837" {
		t.Errorf("place = %+v, want Tampere", res.Place)
	}
	res, err = again.index.Search(ctx, search.Request{Q: "Tammerfors"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Place == nil || res.Place.Code != "837" {
		t.Errorf("a place named in the query after a restart: place = %+v, want Tampere", res.Place)
	}
}

// TestDamagedIndexHealsWhileServing: a segment damaged under a running
// directory makes the first search that reads it a 503 (Unavailable, not
// an internal error), /readyz-style readiness says so, and the syncer
// rebuilds the index from the database while it serves: search finds
// again, with no one running reindex.
func TestDamagedIndexHealsWhileServing(t *testing.T) {
	d := dbtest.SQLite(t)
	dir := filepath.Join(t.TempDir(), "index")
	built, err := buildIndex(d, seededStore(t, d), dir)
	if err != nil {
		t.Fatal(err)
	}
	// Opened again, as a directory starts: every segment is in a file.
	built.index.Close()
	f := indexFor(t, d, built.store, dir)
	f.index.SetResultCache(0)
	f.index.OnDamaged = f.syncer.Heal
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	want, _ := f.index.Count()
	if got := ids(t, f, "lastensuojelu"); len(got) == 0 {
		t.Fatal("nothing found before the damage")
	}
	// Zeros over the segments under the running index, as a bad disk
	// would leave them, once Bleve's merges after opening have settled.
	zaps := func() string {
		segs, _ := filepath.Glob(filepath.Join(dir, "store", "*.zap"))
		return strings.Join(segs, " ")
	}
	last, since := zaps(), time.Now()
	for deadline := time.Now().Add(20 * time.Second); time.Since(since) < time.Second && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if now := zaps(); now != last {
			last, since = now, time.Now()
		}
	}
	segs := strings.Fields(last)
	for _, s := range segs {
		fh, err := os.OpenFile(s, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		if st, err := fh.Stat(); err == nil && st.Size() > 400 {
			fh.WriteAt(make([]byte, st.Size()-300), 100)
		}
		fh.Close()
	}
	_, err = f.index.Search(ctx, search.Request{Q: "lastensuojelu"})
	if !apperr.Is(err, apperr.Unavailable) || strings.Contains(err.Error(), "lastensuojelu") {
		t.Errorf("a search of the damaged index: %v, want Unavailable without the query", err)
	}
	if err := f.syncer.CaughtUp(ctx); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("readiness with a damaged index: %v", err)
	}
	// The running directory's syncer heals it.
	done := make(chan struct{})
	go func() { f.syncer.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(20 * time.Second)
	for f.index.Damaged() || f.syncer.CaughtUp(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("not healed: damaged %v, ready: %v", f.index.Damaged(), f.syncer.CaughtUp(ctx))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n, _ := f.index.Count(); n != want {
		t.Errorf("the rebuilt index has %d documents, want %d", n, want)
	}
	if got := ids(t, f, "lastensuojelu"); len(got) == 0 {
		t.Error("nothing found after healing")
	}
}
