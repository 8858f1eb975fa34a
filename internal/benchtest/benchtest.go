// Package benchtest holds what the benchmarks share: the large synthetic
// directory they run on, and how they report latency.
package benchtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/seed"
)

// Services is how many synthetic services a benchmark adds to the seed
// data: DIRECTORY_BENCH_SERVICES, default 100,000.
func Services() (int, error) {
	v := os.Getenv("DIRECTORY_BENCH_SERVICES")
	if v == "" {
		return 100000, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("DIRECTORY_BENCH_SERVICES=%q: want a number of services", v)
	}
	return n, nil
}

// Open opens (creating and migrating it if need be) the SQLite database
// directory.db in dir. With fill set it loads the seed data and Services()
// synthetic services into it, and optimizes it for reading, as `directory
// seed --synthetic N` leaves it.
func Open(ctx context.Context, dir string, fill bool) (*db.DB, *services.Store, error) {
	d, err := db.Open(ctx, filepath.Join(dir, "directory.db"))
	if err != nil {
		return nil, nil, err
	}
	st := services.NewStore(d)
	if err := migrateAndFill(ctx, d, st, fill); err != nil {
		d.Close()
		return nil, nil, err
	}
	return d, st, nil
}

func migrateAndFill(ctx context.Context, d *db.DB, st *services.Store, fill bool) error {
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	if !fill {
		return nil
	}
	n, err := Services()
	if err != nil {
		return err
	}
	data, err := seed.Parse(seed.Files)
	if err != nil {
		return err
	}
	if _, err := seed.Apply(ctx, st, data, seed.Options{}); err != nil {
		return err
	}
	if err := seed.AddSynthetic(ctx, st, n, 2000, nil); err != nil {
		return err
	}
	return d.Optimize(ctx)
}

// ReportLatency adds the p50 and p99 of times, in milliseconds, to b's
// results (ns/op is the mean, which hides the tail).
func ReportLatency(b *testing.B, times []time.Duration) {
	if len(times) == 0 {
		return
	}
	s := slices.Sorted(slices.Values(times))
	pct := func(p float64) float64 { return float64(s[int(p*float64(len(s)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
