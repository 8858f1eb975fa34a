package search

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/services"
)

// Source turns stored listings of one entity type into documents.
type Source interface {
	// Entity is the change-log entity name this source answers for.
	Entity() string
	// Docs builds the documents of ids; an id that no longer exists (or
	// must not be searchable) is missing from the result and is deleted.
	Docs(ctx context.Context, env *Env, ids []string) ([]Doc, error)
	// IDs lists every id, for a rebuild.
	IDs(ctx context.Context) ([]string, error)
}

// Syncer keeps the index a projection of the database: it applies the
// change log in batches from the index's checkpoint. It is woken by local
// writes, by PostgreSQL NOTIFY from other instances, and by a slow poll.
type Syncer struct {
	Index   *Index
	DB      *db.DB
	Store   *services.Store
	Sources []Source
	Log     *slog.Logger
	// DSN, for PostgreSQL, is listened on for NOTIFY wake-ups.
	DSN string
	// Poll is the fallback interval (default 3 s).
	Poll time.Duration
	// Batch is the number of documents per index batch (default 2000):
	// a batch's analysis is the most memory a rebuild holds at once.
	Batch int

	wake chan struct{}
	// started and finished count syncs; WaitFor waits for a sync that
	// started after it was called.
	mu       sync.Mutex
	started  uint64
	finished uint64
	caught   chan struct{} // closed and replaced whenever a sync finishes
	// heal asks the next sync to reset the damaged index (Heal); healed
	// is when the last reset was asked for.
	heal   atomic.Bool
	healMu sync.Mutex
	healed time.Time
}

// healEvery is the least time between two rebuilds of a damaged index: a
// fault that is not in the index (a bug, a full disk) would otherwise
// rebuild it over and over.
const healEvery = 10 * time.Minute

// Heal is told that a search found the index damaged (Index.OnDamaged):
// the next sync, soon, replaces it with an empty one and rebuilds that
// from the database, while searches answer from what is filled in again.
func (s *Syncer) Heal(err error) {
	s.healMu.Lock()
	wait := time.Until(s.healed.Add(healEvery))
	if wait <= 0 {
		s.healed, wait = time.Now(), 0
	} else {
		s.healed = s.healed.Add(healEvery)
	}
	s.healMu.Unlock()
	if s.Log != nil {
		s.Log.Error("search index damaged: rebuilding it from the database", "err", err, "in", wait.Round(time.Second))
	}
	time.AfterFunc(wait, func() {
		s.heal.Store(true)
		s.Wake()
	})
}

func (s *Syncer) init() {
	if s.wake == nil {
		s.wake = make(chan struct{}, 1)
		s.caught = make(chan struct{})
	}
	if s.Log == nil {
		s.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.Batch == 0 {
		s.Batch = 2000
	}
	if s.Poll == 0 {
		s.Poll = 3 * time.Second
	}
}

// Wake asks for a sync soon; it never blocks. The Syncer is the
// database's db.Follower.
func (s *Syncer) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Syncer) env(ctx context.Context) (*Env, error) {
	ref, err := s.Store.Reference(ctx)
	if err != nil {
		return nil, err
	}
	// The snapshot is never modified; Networks is cloned as Store.Networks
	// would, for documents that keep it.
	e := &Env{Now: s.DB.Now(), Vocab: ref.Vocab, Munis: ref.Munis, Networks: slices.Clone(ref.Networks),
		Orgs: make(map[string]services.Organization, len(ref.Orgs))}
	for _, o := range ref.Orgs {
		e.Orgs[o.ID] = o
	}
	s.Index.SetReference(ref)
	return e, nil
}

// Sync applies every change up to the current horizon and returns the
// position reached. An index without a checkpoint is rebuilt from the
// database instead. progress, when set, is told how far a rebuild is.
func (s *Syncer) Sync(ctx context.Context, progress func(done, total int)) (db.Position, error) {
	s.init()
	s.mu.Lock()
	s.started++
	gen := s.started
	s.mu.Unlock()
	if s.heal.Swap(false) {
		if err := s.Index.Reset(); err != nil {
			s.heal.Store(true)
			return db.Position{}, fmt.Errorf("reset the damaged search index: %w", err)
		}
	}
	cp, ok, err := s.Index.Checkpoint()
	if err != nil {
		return cp, err
	}
	// Read the horizon before the data: a change made meanwhile is then
	// read again next time, which is harmless, since documents are built
	// from the current rows.
	to, err := s.DB.Horizon(ctx)
	if err != nil {
		return cp, err
	}
	switch {
	case ok && to == cp:
		// Nothing new, but a process that opens an up-to-date index
		// still needs the municipalities to recognise places.
		if !s.Index.hasReference() {
			ref, err := s.Store.Reference(ctx)
			if err != nil {
				return cp, err
			}
			s.Index.SetReference(ref)
		}
	case !ok:
		env, err := s.env(ctx)
		if err != nil {
			return cp, err
		}
		if err := s.rebuild(ctx, env, to, progress); err != nil {
			return cp, err
		}
	default:
		env, err := s.env(ctx)
		if err != nil {
			return cp, err
		}
		if err := s.apply(ctx, env, cp, to); err != nil {
			return cp, err
		}
	}
	s.mu.Lock()
	if gen > s.finished {
		s.finished = gen
	}
	close(s.caught)
	s.caught = make(chan struct{})
	s.mu.Unlock()
	return to, nil
}

// apply indexes the entities changed between from and to. Vocabulary and
// organization changes alter the labels in many documents; they trigger a
// rebuild of the documents that show them.
func (s *Syncer) apply(ctx context.Context, env *Env, from, to db.Position) error {
	changes, err := s.DB.ChangesSince(ctx, from)
	if err != nil {
		return err
	}
	ids := map[string][]string{}
	seen := map[string]bool{}
	everything := false
	for _, c := range changes {
		switch c.Entity {
		case services.EntityVocabulary, services.EntityOrganization, services.EntityNetwork:
			// Labels, and a network's coverage (which decides the networks
			// and places of the services and contacts in it), show in many
			// documents. The store's copy of the reference data may be
			// older than the change (another instance wrote it).
			s.Store.Changed(c.Entity)
			everything = true
		}
		k := c.Entity + "/" + c.EntityID
		if !seen[k] {
			seen[k] = true
			ids[c.Entity] = append(ids[c.Entity], c.EntityID)
		}
	}
	if everything {
		if env, err = s.env(ctx); err != nil {
			return err
		}
		for _, src := range s.Sources {
			all, err := src.IDs(ctx)
			if err != nil {
				return err
			}
			ids[src.Entity()] = all
		}
	}
	return s.write(ctx, env, ids, to, nil)
}

func (s *Syncer) rebuild(ctx context.Context, env *Env, to db.Position, progress func(done, total int)) error {
	defer rebuildGC()()
	ids := map[string][]string{}
	for _, src := range s.Sources {
		all, err := src.IDs(ctx)
		if err != nil {
			return err
		}
		ids[src.Entity()] = all
	}
	return s.write(ctx, env, ids, to, progress)
}

// write builds the documents of ids and commits them in batches; the last
// batch carries the checkpoint. Documents are built by several workers
// while the previous batch is written.
func (s *Syncer) write(ctx context.Context, env *Env, ids map[string][]string, to db.Position, progress func(done, total int)) error {
	type job struct {
		src Source
		ids []string
	}
	var jobs []job
	total := 0
	for _, src := range s.Sources {
		list := ids[src.Entity()]
		total += len(list)
		for len(list) > 0 {
			n := min(s.Batch, len(list))
			jobs = append(jobs, job{src, list[:n]})
			list = list[n:]
		}
	}
	type built struct {
		docs []Doc
		job  job
		err  error
	}
	results := make([]chan built, len(jobs))
	for i := range results {
		results[i] = make(chan built, 1)
	}
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for i, j := range jobs {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				docs, err := j.src.Docs(ctx, env, j.ids)
				results[i] <- built{docs, j, err}
			}()
		}
	}()
	// Bleve analyzes a batch's documents in parallel but builds its
	// segment on one core; with two batches in flight, one is analyzed
	// while the other's segment is built. Batches hold disjoint
	// documents, so their order does not matter, except that the last,
	// which carries the checkpoint, is committed after all the others.
	var (
		inflight = make(chan struct{}, commitsInFlight)
		wg       sync.WaitGroup
		mu       sync.Mutex
		done     int
		failed   error
	)
	commit := func(batch *Batch, cp *db.Position, n int) {
		err := s.Index.Commit(batch, cp)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if failed == nil {
				failed = err
			}
			return
		}
		done += n
		if progress != nil {
			progress(done, total)
		}
	}
	firstErr := func() error {
		mu.Lock()
		defer mu.Unlock()
		return failed
	}
	defer wg.Wait()
	for i := range jobs {
		var b built
		select {
		case b = <-results[i]:
			// The next batch may be built: only a few wait at a time,
			// so that a rebuild never holds every document in memory.
			<-sem
		case <-ctx.Done():
			return ctx.Err()
		}
		if b.err != nil {
			return fmt.Errorf("index %s: %w", b.job.src.Entity(), b.err)
		}
		if err := firstErr(); err != nil {
			return err
		}
		batch := s.Index.NewBatch()
		present := map[string]bool{}
		for _, d := range b.docs {
			if err := batch.Put(d); err != nil {
				return err
			}
			present[d.ID] = true
		}
		typ := docType(b.job.src.Entity())
		for _, id := range b.job.ids {
			if !present[id] {
				batch.Delete(typ, id)
			}
		}
		if i == len(jobs)-1 {
			wg.Wait()
			if err := firstErr(); err != nil {
				return err
			}
			commit(batch, &to, len(b.job.ids))
			return firstErr()
		}
		select {
		case inflight <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-inflight }()
			commit(batch, nil, len(b.job.ids))
		}()
	}
	return s.Index.Commit(s.Index.NewBatch(), &to)
}

// commitsInFlight is how many batches are written at once.
const commitsInFlight = 2

func docType(entity string) string {
	switch entity {
	case services.EntityService:
		return TypeService
	case services.EntityContact:
		return TypeContact
	case services.EntityNetwork:
		return TypeNetwork
	default:
		return entity
	}
}

// Run syncs until ctx ends: at once, then whenever woken or polled. On
// PostgreSQL it also listens for NOTIFY so that writes of other instances
// show up without waiting for the poll.
func (s *Syncer) Run(ctx context.Context) {
	s.init()
	if s.DSN != "" && s.DB.Dialect == db.Postgres {
		l := pq.NewListener(s.DSN, time.Second, time.Minute, func(ev pq.ListenerEventType, err error) {
			if err != nil {
				s.Log.Warn("search: notify listener", "err", err)
			}
		})
		if err := l.Listen("directory_changes"); err != nil {
			s.Log.Warn("search: cannot listen for changes; polling only", "err", err)
		} else {
			defer l.Close()
			go func() {
				for {
					select {
					case <-ctx.Done():
						return
					case <-l.Notify:
						// nil after a reconnect: sync anyway, notifications
						// may have been lost while disconnected.
						s.Wake()
					}
				}
			}()
		}
	}
	t := time.NewTicker(s.Poll)
	defer t.Stop()
	for {
		if _, err := s.Sync(ctx, nil); err != nil && ctx.Err() == nil {
			s.Log.Error("search: sync failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
	}
}

// WaitFor blocks until the index has applied every change committed before
// the call (a sync that started after it has finished), or ctx ends. A
// write path calls it so that the writer sees the change in search at once.
// It needs Run to be running.
func (s *Syncer) WaitFor(ctx context.Context) error {
	s.init()
	s.mu.Lock()
	want := s.started + 1
	s.mu.Unlock()
	s.Wake()
	for {
		s.mu.Lock()
		reached := s.finished >= want
		wait := s.caught
		s.mu.Unlock()
		if reached {
			return nil
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return apperr.Errorf(apperr.Unavailable, "search index has not caught up yet")
		}
	}
}

// CaughtUp reports whether the index has applied the whole change log.
func (s *Syncer) CaughtUp(ctx context.Context) error {
	if s.Index.Damaged() {
		return apperr.Errorf(apperr.Unavailable, "search index damaged: rebuilding it")
	}
	cp, ok, err := s.Index.Checkpoint()
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Errorf(apperr.Unavailable, "search index is being built")
	}
	behind, err := s.DB.Behind(ctx, cp)
	if err != nil {
		return &apperr.Error{Code: apperr.Unavailable, Message: "database unreachable", Err: err}
	}
	if behind {
		return apperr.Errorf(apperr.Unavailable, "search index is catching up")
	}
	return nil
}

// rebuildGC lets the garbage collector run less often during a full
// rebuild, which allocates heavily and briefly, within a soft memory limit
// that keeps the process well under 1 GiB (or twice the live heap, when
// that is more); it returns the restore. At
// 100,000 services this took a rebuild from 4,960 to 5,390 documents per
// second at 819 MB peak resident memory (GOGC=200 without a limit: 5,700/s
// at 1.13 GB), when it was measured, before the analyzers remembered
// words (analyzer.go). A GOGC or GOMEMLIMIT the operator set is left alone.
func rebuildGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	rebuilding.mu.Lock()
	defer rebuilding.mu.Unlock()
	if rebuilding.n == 0 {
		rebuilding.gc = debug.SetGCPercent(rebuildGCPercent)
		rebuilding.limit = debug.SetMemoryLimit(-1)
		// Twice the live heap at least: a large directory's serving
		// process must not spend the rebuild collecting garbage.
		debug.SetMemoryLimit(min(rebuilding.limit, max(rebuildMemoryLimit, 2*liveHeap())))
	}
	rebuilding.n++
	return func() {
		rebuilding.mu.Lock()
		defer rebuilding.mu.Unlock()
		if rebuilding.n--; rebuilding.n == 0 {
			debug.SetGCPercent(rebuilding.gc)
			debug.SetMemoryLimit(rebuilding.limit)
		}
	}
}

// liveHeap is the heap the last garbage collection kept.
func liveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}

// rebuilding counts the rebuilds running in this process (tests run
// several), so that the last one to finish restores the settings.
var rebuilding struct {
	mu    sync.Mutex
	n, gc int
	limit int64
}

const (
	rebuildGCPercent   = 150
	rebuildMemoryLimit = 768 << 20
)
