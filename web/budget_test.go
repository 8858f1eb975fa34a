package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/api"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/benchtest"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/seed"
	"github.com/serie-verkosto/directory/web"
)

// budgetPages are the pages a visitor opens; each must stay under the
// page budget with everything it loads.
var budgetPages = []string{
	"/", "/?lang=sv", "/?lang=en",
	"/search?q=terapia", "/search?q=Tampere", "/search?q=lastensuojleu", "/search?q=zzzzqqq",
	"/services", "/services?municipality=837", "/services?target_group=worried-about-own-thoughts&offset=20",
	"/services/serie-tukipalvelu", "/networks", "/networks/pirkanmaa", "/contacts",
	"/pathways", "/pathways/epaily-esitutkinnassa?municipality=837",
	"/pathways/epaily-esitutkinnassa/all?municipality=837", "/pathways/epaily-esitutkinnassa/handout?municipality=837",
	"/help", "/help?municipality=091", "/login", "/ei-ole",
}

// pageBudget is issue 6's limit: HTML, CSS and scripts together, before
// compression.
const pageBudget = 100 * 1024

var assetRef = regexp.MustCompile(`<(?:link rel="stylesheet" href|script src)="([^"]+)"`)

// weigh fetches a page and everything it loads from h and returns the
// page's status and size and its assets' size. An asset that does not
// load, or a page that loads no stylesheet, is an error: the weight would
// be too low.
func weigh(h http.Handler, path string) (status, page, assets int, err error) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body := rec.Body.Bytes()
	refs := assetRef.FindAllSubmatch(body, -1)
	if len(refs) == 0 {
		return rec.Code, len(body), 0, fmt.Errorf("%s loads no stylesheet or script", path)
	}
	for _, m := range refs {
		a := httptest.NewRecorder()
		h.ServeHTTP(a, httptest.NewRequest(http.MethodGet, string(m[1]), nil))
		if a.Code != http.StatusOK {
			return rec.Code, len(body), assets, fmt.Errorf("%s: asset %s: status %d", path, m[1], a.Code)
		}
		assets += a.Body.Len()
	}
	return rec.Code, len(body), assets, nil
}

// TestPageWeight keeps every page under the budget on the seed data (the
// benchmark below weighs them with 100,000 services).
func TestPageWeight(t *testing.T) {
	s := newSite(t, seedtest.SQLite(t), siteOptions{search: true, pathways: true})
	h := s.srv.Config.Handler
	for _, p := range budgetPages {
		status, page, assets, err := weigh(h, p)
		if err != nil {
			t.Error(err)
		}
		if status != http.StatusOK && !(p == "/ei-ole" && status == http.StatusNotFound) {
			t.Errorf("%s: status %d", p, status)
		}
		if page+assets > pageBudget {
			t.Errorf("%s: %d bytes (page %d, CSS and scripts %d), over the budget of %d", p, page+assets, page, assets, pageBudget)
		}
		t.Logf("%-70s %6d bytes (page %d + assets %d)", p, page+assets, page, assets)
	}
}

// BenchmarkPages renders each page of budgetPages on the seed data plus
// DIRECTORY_BENCH_SERVICES synthetic services (default 100,000) and
// reports server-side render time (p50, p99) and weight:
//
//	go test ./web -run '^$' -bench Pages -benchtime 100x
//
// DIRECTORY_BENCH_DATA reuses a data directory made with `directory seed
// --data DIR --synthetic 100000` (its index is built or caught up once).
func BenchmarkPages(b *testing.B) {
	h, closeSite, err := openBenchSite(b)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(closeSite)
	for _, p := range budgetPages {
		b.Run(p, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			var (
				status, page, assets int
				err                  error
			)
			for range b.N {
				start := time.Now()
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
				times = append(times, time.Since(start))
				status = rec.Code
			}
			b.StopTimer()
			if status >= 500 {
				b.Fatalf("%s: status %d", p, status)
			}
			if _, page, assets, err = weigh(h, p); err != nil {
				b.Fatal(err)
			}
			benchtest.ReportLatency(b, times)
			b.ReportMetric(float64(page+assets)/1024, "KB")
		})
	}
}

func openBenchSite(b *testing.B) (h http.Handler, closeSite func(), err error) {
	ctx := context.Background()
	var closers []func()
	closeSite = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	defer func() {
		if err != nil {
			closeSite()
		}
	}()
	dir, fresh := os.Getenv("DIRECTORY_BENCH_DATA"), false
	if dir == "" {
		if dir, err = os.MkdirTemp("", "directory-pages-"); err != nil {
			return nil, nil, err
		}
		fresh = true
		closers = append(closers, func() { os.RemoveAll(dir) })
	}
	d, st, err := benchtest.Open(ctx, dir, fresh)
	if err != nil {
		return nil, nil, err
	}
	closers = append(closers, func() { d.Close() })
	sc, err := seed.SearchConfig(filepath.Join(dir, "index"))
	if err != nil {
		return nil, nil, err
	}
	ix, _, err := search.Open(sc)
	if err != nil {
		return nil, nil, err
	}
	closers = append(closers, func() { ix.Close() })
	paths := pathways.NewStore(d, st)
	sy := &search.Syncer{Index: ix, DB: d, Store: st, Sources: append(search.ListingSources(st), search.PathwaySource(paths))}
	start := time.Now()
	if _, err := sy.Sync(ctx, nil); err != nil {
		return nil, nil, err
	}
	n, _ := st.CountServices(ctx)
	b.Logf("%d services; index ready in %s", n, time.Since(start).Round(time.Millisecond))
	us := users.NewStore(d)
	au, err := auth.New(d, us, auth.Options{})
	if err != nil {
		return nil, nil, err
	}
	srv, err := web.New(web.Config{Store: st, Index: ix, Pathways: paths, Auth: au, Users: us, API: api.New(st, ix, paths, nil)})
	if err != nil {
		return nil, nil, err
	}
	return srv.Handler(), closeSite, nil
}
