package search_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/benchtest"
	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/internal/voikko"
)

// The benchmarks run on the seed data plus DIRECTORY_BENCH_SERVICES
// synthetic services (default 100,000), loaded once into a SQLite file:
//
//	go test ./internal/search -run '^$' -bench Query -benchtime 300x
//	go test ./internal/search -run '^$' -bench Rebuild -benchtime 2x
//
// The Query benchmarks run with the result cache off (every iteration
// searches); QueryWarm* and QueryMixed run with it on. Each runs with both
// engines: -bench 'Query.*/fast' for one.
var (
	benchOnce sync.Once
	benchFx   *fixture
	benchErr  error
	benchDir  string // removed by TestMain
)

// TestMain runs the package's tests and benchmarks with Voikko where it
// is installed (DIRECTORY_REQUIRE_VOIKKO=1 makes its absence a failure,
// as in CI; DIRECTORY_VOIKKO=off runs them with Snowball alone, to
// compare), and removes the benchmarks' directory (a 100,000-service
// database and index: most of a gigabyte) when the run ends.
func TestMain(m *testing.M) {
	if os.Getenv("DIRECTORY_VOIKKO") != "off" {
		a, err := voikko.Open()
		switch {
		case err == nil:
			search.SetMorphology(a)
		case os.Getenv("DIRECTORY_REQUIRE_VOIKKO") != "":
			fmt.Fprintln(os.Stderr, "DIRECTORY_REQUIRE_VOIKKO is set:", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	if benchFx != nil {
		benchFx.index.Close()
		benchFx.db.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchFixture(b testing.TB) *fixture {
	b.Helper()
	benchOnce.Do(func() {
		if benchDir, benchErr = os.MkdirTemp("", "directory-bench-"); benchErr != nil {
			return
		}
		d, st, err := benchtest.Open(context.Background(), benchDir, true)
		if err != nil {
			benchErr = err
			return
		}
		start := time.Now()
		if benchFx, benchErr = buildIndex(d, st, filepath.Join(benchDir, "index")); benchErr != nil {
			return
		}
		took := time.Since(start)
		docs, _ := benchFx.index.Count()
		b.Logf("built the index of %d documents in %s (%.0f documents/s)", docs, took.Round(time.Millisecond),
			float64(docs)/took.Seconds())
		// Searches are measured on the index at rest, as a server serves
		// it: Bleve merges the rebuild's segments in the background for
		// some seconds after the last batch.
		segs, settled := benchFx.index.Segments(), time.Now()
		for time.Since(settled) < 5*time.Second && time.Since(start) < 3*time.Minute {
			time.Sleep(500 * time.Millisecond)
			if n := benchFx.index.Segments(); n != segs {
				segs, settled = n, time.Now()
			}
		}
		b.Logf("%d segments after merging", segs)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchFx
}

// benchQuery reports the latency distribution of one request, with the
// result cache off: every iteration runs the search (cold).
func benchQuery(b *testing.B, r search.Request) { benchQueryCache(b, r, 0) }

// benchQueryWarm is benchQuery with the result cache on, as the server
// runs: after the first iteration the result comes from the cache.
func benchQueryWarm(b *testing.B, r search.Request) {
	benchQueryCache(b, r, search.DefaultResultCache)
}

// benchQueryCache runs the request with each engine (sub-benchmarks
// fast and bleve).
func benchQueryCache(b *testing.B, r search.Request, cache int) {
	f := benchFixture(b)
	f.index.SetResultCache(cache)
	defer f.index.SetResultCache(search.DefaultResultCache)
	defer f.index.SetEngine(search.EngineFast)
	for _, engine := range search.Engines {
		b.Run(engine, func(b *testing.B) {
			if err := f.index.SetEngine(engine); err != nil {
				b.Fatal(err)
			}
			timeSearches(b, f, func(int) search.Request { return r })
		})
	}
}

// timeSearches runs b.N searches, the i-th of req(i), and reports their
// latency distribution.
func timeSearches(b *testing.B, f *fixture, req func(i int) search.Request) {
	ctx := context.Background()
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, err := f.index.Search(ctx, req(i)); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	benchtest.ReportLatency(b, times)
}

func BenchmarkQuerySingleWord(b *testing.B) {
	benchQuery(b, search.Request{Q: "perheneuvola", NoFacets: true})
}
func BenchmarkQuerySingleWordFaceted(b *testing.B) { benchQuery(b, search.Request{Q: "perheneuvola"}) }
func BenchmarkQueryRareWord(b *testing.B) {
	benchQuery(b, search.Request{Q: "mielentilatutkimus", NoFacets: true})
}
func BenchmarkQueryCommonWord(b *testing.B) { benchQuery(b, search.Request{Q: "terapia"}) }
func BenchmarkQueryFuzzy(b *testing.B)      { benchQuery(b, search.Request{Q: "lastensuojleu"}) }
func BenchmarkQueryPlaceFaceted(b *testing.B) {
	benchQuery(b, search.Request{Q: "nuorisopsykiatria Tampereella", Type: "service", TargetGroup: "minor-harmful-sexual-behaviour"})
}
func BenchmarkQueryHalfTyped(b *testing.B) { benchQuery(b, search.Request{Q: "seksuaalit"}) }

// Relaxed matching: three words that few listings have together, so
// the listings with two of them follow (at 100,000 services: 13,000
// listings with two, a handful with all three; and 4 with two of three
// rarer words).
func BenchmarkQueryRelaxedThreeWords(b *testing.B) {
	benchQuery(b, search.Request{Q: "terapia vankila perhe"})
}
func BenchmarkQueryRelaxedThreeRareWords(b *testing.B) {
	benchQuery(b, search.Request{Q: "perheneuvola nuorisopsykiatria lastensuojelu"})
}

// A long question of twelve words, most of them common.
func BenchmarkQueryRelaxedLong(b *testing.B) {
	benchQuery(b, search.Request{Q: "miten nuori pääsee terapiaan kun perhe asuu Tampereella ja vanhempi on vankilassa eikä tiedä"})
}

func BenchmarkQueryWarmSingleWordFaceted(b *testing.B) {
	benchQueryWarm(b, search.Request{Q: "perheneuvola"})
}
func BenchmarkQueryWarmCommonWord(b *testing.B) { benchQueryWarm(b, search.Request{Q: "terapia"}) }
func BenchmarkQueryWarmFuzzy(b *testing.B)      { benchQueryWarm(b, search.Request{Q: "lastensuojleu"}) }

// BenchmarkQueryMixed runs a varied stream of requests (words, places,
// filters and pages) with the result cache on, as many users would: the
// first of each is cold, repeats are warm.
func BenchmarkQueryMixed(b *testing.B) {
	f := benchFixture(b)
	qs := []string{"perheneuvola", "terapia", "lastensuojelu", "nuorisopsykiatria", "päihdepalvelut", "seksuaaliterapia Oulussa",
		"sosiaalityö", "kriisi", "psykoterapia Tampere", "rikosuhrien tuki", "lastensuojleu", "perhene", "konsultaatio", "family", "barnskydd"}
	types := []string{"", "service", "contact"}
	timeSearches(b, f, func(i int) search.Request {
		return search.Request{Q: qs[i%len(qs)], Type: types[(i/len(qs))%len(types)], Offset: 20 * ((i / 45) % 3)}
	})
}

// BenchmarkRebuild measures a full rebuild from the database.
func BenchmarkRebuild(b *testing.B) {
	f := benchFixture(b)
	b.ResetTimer()
	for range b.N {
		dir := b.TempDir()
		start := time.Now()
		g := indexFor(b, f.db, f.store, filepath.Join(dir, "index"))
		docs, _ := g.index.Count()
		b.ReportMetric(float64(docs)/time.Since(start).Seconds(), "docs/s")
		g.index.Close()
	}
}

// BenchmarkWriteVisible measures from the start of a write to the change
// being searchable, with the syncer running as in the server.
func BenchmarkWriteVisible(b *testing.B) {
	f := benchFixture(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.db.Follower = f.syncer
	defer func() { f.db.Follower = nil }()
	go f.syncer.Run(ctx)
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		s := newService("bench-write-"+strconv.Itoa(i)+"-"+strconv.FormatInt(time.Now().UnixNano(), 36), "Kirjoitusklinikka")
		start := time.Now()
		if err := f.store.Services.Create(ctx, users.System("test"), s); err != nil {
			b.Fatal(err)
		}
		if err := f.syncer.WaitFor(ctx); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	benchtest.ReportLatency(b, times)
}
