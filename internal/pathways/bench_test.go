package pathways_test

import (
	"context"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/seed"
)

// BenchmarkResolve resolves a seed pathway with 100,000 synthetic services
// loaded (about 20 s to build, once). The target is under 5 ms per
// resolution. load-ms reports the one-time catalogue load that Warm does;
// "municipalities" resolves for each of the 308 in turn, so that the
// services listed are mostly read from the database, not the cache.
//
//	go test ./internal/pathways -run '^$' -bench BenchmarkResolve -benchtime 2000x
func BenchmarkResolve(b *testing.B) {
	ctx := context.Background()
	d := dbtest.SQLite(b)
	st, ps := seeded(b, d)
	if err := seed.AddSynthetic(ctx, st, 100_000, 1000, nil); err != nil {
		b.Fatal(err)
	}
	if err := d.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	// The pathway with the most criteria steps.
	p, err := ps.Pathway(ctx, "huolissaan-omista-ajatuksista")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := ps.Warm(ctx); err != nil {
		b.Fatal(err)
	}
	load := time.Since(start)

	for _, bc := range []struct {
		name  string
		where pathways.Where
	}{
		{"municipality", pathways.Where{Municipality: "Tampere"}},
		{"network", pathways.Where{Network: "pirkanmaa"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r, err := ps.Resolve(ctx, p, bc.where)
			if err != nil {
				b.Fatal(err)
			}
			if r.Steps[4].Total < 100 {
				b.Fatalf("step %s matched only %d services: is the synthetic data loaded?", r.Steps[4].ID, r.Steps[4].Total)
			}
			for b.Loop() {
				if _, err := ps.Resolve(ctx, p, bc.where); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(load.Milliseconds()), "load-ms")
		})
	}
	// Every municipality in turn: the services listed are mostly not in
	// the store's cache, so each resolution reads them from the database.
	b.Run("municipalities", func(b *testing.B) {
		munis, err := st.Municipalities(ctx)
		if err != nil {
			b.Fatal(err)
		}
		i := 0
		for b.Loop() {
			m := munis.List[i%len(munis.List)]
			i++
			if _, err := ps.Resolve(ctx, p, pathways.Where{Municipality: m.Code}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("coverage", func(b *testing.B) {
		for b.Loop() {
			if _, err := ps.Coverage(ctx, "pirkanmaa"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
