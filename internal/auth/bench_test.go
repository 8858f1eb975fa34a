package auth_test

import (
	"context"
	"fmt"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"

	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/users"
)

// BenchmarkLoginFailure compares the time of a failed login for an
// unknown account and for a wrong password: they should be close, since
// the unknown account is checked against a dummy hash. (Compared by
// benchmark, not asserted by timers in tests.)
func BenchmarkLoginFailure(b *testing.B) {
	d := dbtest.SQLite(b)
	us := users.NewStore(d)
	u := users.User{Email: "known@example.org", Name: "Testi", Role: users.RoleMember}
	if err := us.Create(context.Background(), &u, password); err != nil {
		b.Fatal(err)
	}
	a, err := auth.New(d, us, auth.Options{AccountBurst: 1 << 30, UntrustedBurst: 1 << 30, AddrBurst: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, email string }{{"unknown", "nobody@example.org"}, {"wrong-password", "known@example.org"}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := a.Login(context.Background(), auth.Credentials{Email: c.email, Password: "wrong password!"}); err == nil {
					b.Fatal("logged in")
				}
			}
		})
	}
}

// BenchmarkLoginFlood sends 200 failing logins at once, from 200
// addresses, and reports the peak heap while they run (sampled) and the
// process's peak resident memory: the bound on concurrent password checks
// is what keeps these near Hashing × 19 MiB rather than 200 × 19 MiB.
// Logins beyond the queue are refused (KeyBusy) and counted.
//
//	go test ./internal/auth -run '^$' -bench LoginFlood -benchtime 3x
func BenchmarkLoginFlood(b *testing.B) {
	d := dbtest.SQLite(b)
	a, err := auth.New(d, users.NewStore(d), auth.Options{AccountBurst: 1 << 30, UntrustedBurst: 1 << 30, AddrBurst: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	a.UseFullCostDummy()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	var busy atomic.Int64
	for b.Loop() {
		var wg sync.WaitGroup
		for i := range 200 {
			wg.Go(func() {
				_, _, err := a.Login(context.Background(), auth.Credentials{Email: fmt.Sprintf("flood%d@example.org", i),
					Password: "wrong password!", Addr: fmt.Sprintf("198.51.%d.%d", i/250, i%250)})
				if e := apperr.As(err); e != nil && e.Key == auth.KeyBusy {
					busy.Add(1)
				} else if !apperr.Is(err, apperr.Unauthorized) {
					b.Errorf("login: %v", err)
				}
			})
		}
		wg.Wait()
	}
	close(stop)
	<-sampled
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(busy.Load())/float64(b.N), "busy/op")
	if hwm := vmHWM(); hwm > 0 {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-rss-MB")
	}
}

// vmHWM returns the process's peak resident memory in bytes where the
// system says it (Linux), else 0.
func vmHWM() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
