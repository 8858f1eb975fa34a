package ptvimport_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/ptv/ptvtest"
	"github.com/serie-verkosto/directory/internal/ptvimport"
)

// BenchmarkImport imports a generated catalogue of 10,000 services and
// 20,000 channels from a local test server into SQLite, then syncs it
// again with nothing changed (incremental, and a full read):
//
//	go test ./internal/ptvimport -run XXX -bench Import -benchtime 1x
//
// (DIRECTORY_TEST_POSTGRES set: the same on PostgreSQL with -bench ImportPostgres.)
func BenchmarkImport(b *testing.B) {
	benchImport(b, false)
}

func BenchmarkImportPostgres(b *testing.B) {
	benchImport(b, true)
}

func benchImport(b *testing.B, pg bool) {
	const n = 10000
	ds := ptvtest.Synthetic(n)
	for b.Loop() {
		d := dbtest.SQLite(b)
		if pg {
			d = dbtest.Postgres(b)
		}
		e := newEnvTB(b, d, ds)
		opts := ptvimport.Options{Municipalities: []string{"091", "564", "853", "837"}}
		start := time.Now()
		rep, err := e.im.Run(context.Background(), opts)
		if err != nil || rep.Created != n {
			b.Fatalf("import: %v\n%s", err, rep)
		}
		took := time.Since(start)
		b.ReportMetric(float64(n)/took.Seconds(), "services/s")

		e.now = e.now.Add(time.Hour)
		start = time.Now()
		rep, err = e.im.Run(context.Background(), opts)
		if err != nil || rep.Created+rep.Updated != 0 {
			b.Fatalf("re-sync: %v\n%s", err, rep)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/no-change-sync")

		opts.Full = true
		start = time.Now()
		rep, err = e.im.Run(context.Background(), opts)
		if err != nil || rep.Unchanged != n {
			b.Fatalf("full re-sync: %v\n%s", err, rep)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/no-change-full-sync")
	}
	b.ReportMetric(peakRSS(), "peak-RSS-MB")
}

// peakRSS is the process's peak resident set (VmHWM) in MB.
func peakRSS() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
