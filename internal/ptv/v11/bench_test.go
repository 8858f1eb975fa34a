package v11_test

import (
	"context"
	"testing"

	"github.com/serie-verkosto/directory/internal/ptv"
	"github.com/serie-verkosto/directory/internal/ptv/ptvtest"
)

// BenchmarkFetch reads 10,000 services with 20,000 channels from a local
// ptvtest server and maps them, reporting services per second. The target
// is 1,000 services/s or more.
func BenchmarkFetch(b *testing.B) {
	const n = 10000
	srv := ptvtest.NewServer(ptvtest.Synthetic(n))
	defer srv.Close()
	q := ptv.Query{Municipalities: []string{"091", "564", "837", "853"}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		c, err := newBenchClient(srv)
		if err != nil {
			b.Fatal(err)
		}
		services, channels := 0, 0
		_, err = c.Fetch(context.Background(), q, func(bt *ptv.Batch) error {
			services += len(bt.Listings)
			for _, l := range bt.Listings {
				channels += len(l.Connections)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if services != n || channels != 2*n {
			b.Fatalf("fetched %d services, %d connections", services, channels)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "services/s")
}
