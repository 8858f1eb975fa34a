package auth_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/users"
)

func TestThrottlePerAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, auth.Options{AccountBurst: 3, AccountEvery: time.Minute, UntrustedBurst: 1000, AddrBurst: 1000})
		f.user(t, "known@example.org", users.RoleEditor, "etela")
		var answers []*apperr.Error
		for _, email := range []string{"known@example.org", "nobody@example.org"} {
			for range 3 {
				_, _, err := f.auth.Login(ctx, auth.Credentials{Email: email, Password: "wrong password!", Addr: "198.51.100.1:4000"})
				wantErr(t, err, apperr.Unauthorized, auth.KeyLoginFailed)
			}
			// The fourth from the address is refused, even with the
			// right password.
			_, _, err := f.auth.Login(ctx, auth.Credentials{Email: email, Password: password, Addr: "198.51.100.1:4001"})
			wantErr(t, err, apperr.TooMany, auth.KeyThrottled)
			if !auth.IsThrottled(err) {
				t.Error("IsThrottled is false")
			}
			answers = append(answers, apperr.As(err))
		}
		if diff := cmp.Diff(answers[0], answers[1]); diff != "" {
			t.Errorf("throttled known and unknown accounts differ (-known +unknown):\n%s", diff)
		}
		// The e-mail is the key however it is typed.
		_, _, err := f.auth.Login(ctx, auth.Credentials{Email: " KNOWN@example.org", Password: password, Addr: "198.51.100.1"})
		wantErr(t, err, apperr.TooMany, auth.KeyThrottled)
		// Other accounts from the address are not held up, nor is the
		// account from another address (its owner somewhere else).
		_, _, err = f.auth.Login(ctx, auth.Credentials{Email: "third@example.org", Password: password, Addr: "198.51.100.1"})
		wantErr(t, err, apperr.Unauthorized, auth.KeyLoginFailed)
		if _, _, err := f.auth.Login(ctx, auth.Credentials{Email: "known@example.org", Password: password, Addr: "203.0.113.9"}); err != nil {
			t.Errorf("from another address: %v", err)
		}
		// One more attempt a minute later.
		f.clock.Add(time.Minute)
		if _, _, err := f.auth.Login(ctx, auth.Credentials{Email: "known@example.org", Password: password, Addr: "198.51.100.1"}); err != nil {
			t.Errorf("a minute later: %v", err)
		}
		_, _, err = f.auth.Login(ctx, auth.Credentials{Email: "known@example.org", Password: password, Addr: "198.51.100.1"})
		wantErr(t, err, apperr.TooMany, auth.KeyThrottled)
	})
}

// Guessing from many addresses fills the account's bucket for untrusted
// clients; the owner's browser, which has logged in before, still gets
// in, and so would a browser that later logs in with its device cookie.
func TestThrottleDeviceCookie(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, auth.Options{AccountBurst: 3, AccountEvery: time.Minute, UntrustedBurst: 5, UntrustedEvery: time.Minute, AddrBurst: 1000})
		owner := f.user(t, "owner@example.org", users.RoleEditor, "etela")
		other := f.user(t, "other@example.org", users.RoleEditor, "etela")
		device, err := f.auth.TrustDevice(ctx, owner.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if again, err := f.auth.TrustDevice(ctx, owner.ID, device); err != nil || again != device {
			t.Errorf("a trusted browser logging in again got a new cookie (%v)", err)
		}
		otherDevice, err := f.auth.TrustDevice(ctx, other.ID, "")
		if err != nil || otherDevice == device {
			t.Fatalf("the other account's device: %v", err)
		}
		attack := func(i int) error {
			_, _, err := f.auth.Login(ctx, auth.Credentials{Email: "owner@example.org", Password: "guess " + fmt.Sprint(i), Addr: fmt.Sprintf("198.51.100.%d", i)})
			return err
		}
		for i := range 5 {
			wantErr(t, attack(i), apperr.Unauthorized, auth.KeyLoginFailed)
		}
		wantErr(t, attack(99), apperr.TooMany, auth.KeyThrottled)

		for _, c := range []struct {
			name, device string
			ok           bool
		}{
			{"owner's browser", device, true},
			{"no device cookie", "", false},
			{"another account's browser", otherDevice, false},
			{"a made-up cookie", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false},
			{"not a token", "x", false},
		} {
			_, _, err := f.auth.Login(ctx, auth.Credentials{Email: "owner@example.org", Password: password, Addr: "203.0.113.50", Device: c.device})
			if c.ok && err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			if !c.ok {
				if e := apperr.As(err); e == nil || e.Key != auth.KeyThrottled {
					t.Errorf("%s: %v; want throttled", c.name, err)
				}
			}
		}
		// The device's own bucket holds guesses with a stolen cookie.
		for range 2 {
			_, _, err := f.auth.Login(ctx, auth.Credentials{Email: "owner@example.org", Password: "guess", Addr: "203.0.113.50", Device: device})
			wantErr(t, err, apperr.Unauthorized, auth.KeyLoginFailed)
		}
		_, _, err = f.auth.Login(ctx, auth.Credentials{Email: "owner@example.org", Password: password, Addr: "203.0.113.50", Device: device})
		wantErr(t, err, apperr.TooMany, auth.KeyThrottled)

		// A browser unused for longer than DeviceLifetime is a stranger.
		f.clock.Add(auth.DeviceLifetime + time.Hour)
		for i := range 5 {
			wantErr(t, attack(i), apperr.Unauthorized, auth.KeyLoginFailed)
		}
		_, _, err = f.auth.Login(ctx, auth.Credentials{Email: "owner@example.org", Password: password, Addr: "203.0.113.50", Device: device})
		wantErr(t, err, apperr.TooMany, auth.KeyThrottled)
	})
}

// The throttle lives in the database: another authenticator on it (a
// restarted process, a second instance) sees the same buckets, which
// hold neither the e-mail nor the address, and full ones are purged.
func TestThrottleShared(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		o := auth.Options{AccountBurst: 2, AccountEvery: time.Minute, UntrustedBurst: 1000, AddrBurst: 1000}
		f := setup(t, d, o)
		f.user(t, "known@example.org", users.RoleEditor, "etela")
		second, err := auth.New(d, f.users, o)
		if err != nil {
			t.Fatal(err)
		}
		try := func(a *auth.Authenticator) error {
			_, _, err := a.Login(ctx, auth.Credentials{Email: "known@example.org", Password: "wrong password!", Addr: "198.51.100.7"})
			return err
		}
		wantErr(t, try(f.auth), apperr.Unauthorized, auth.KeyLoginFailed)
		wantErr(t, try(second), apperr.Unauthorized, auth.KeyLoginFailed)
		wantErr(t, try(f.auth), apperr.TooMany, auth.KeyThrottled)
		wantErr(t, try(second), apperr.TooMany, auth.KeyThrottled)

		var keys []string
		if err := d.SelectContext(ctx, &keys, `SELECT key FROM login_throttle`); err != nil {
			t.Fatal(err)
		}
		if len(keys) != 3 {
			t.Errorf("%d buckets; want 3 (address, account and address, account)", len(keys))
		}
		for _, k := range keys {
			if strings.Contains(k, "known") || strings.Contains(k, "198.51") {
				t.Errorf("a bucket's key holds what it counts: %q", k)
			}
		}
		// Once every bucket has filled up again it is forgotten.
		f.clock.Add(time.Hour)
		if _, err := f.auth.Purge(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.GetContext(ctx, &n, `SELECT COUNT(*) FROM login_throttle`); err != nil || n != 0 {
			t.Errorf("%d buckets after purge (%v)", n, err)
		}
	})
}

// Concurrent attempts cannot overdraw a bucket: the charge is one
// conditional upsert.
func TestThrottleConcurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, auth.Options{AccountBurst: 5, AccountEvery: time.Hour, UntrustedBurst: 1000, AddrBurst: 1000})
		var wg sync.WaitGroup
		var throttled atomic.Int32
		for range 20 {
			wg.Go(func() {
				_, _, err := f.auth.Login(ctx, auth.Credentials{Email: "nobody@example.org", Password: "wrong password!", Addr: "198.51.100.8"})
				if auth.IsThrottled(err) {
					throttled.Add(1)
				} else if !apperr.Is(err, apperr.Unauthorized) {
					t.Errorf("login: %v", err)
				}
			})
		}
		wg.Wait()
		if n := throttled.Load(); n != 15 {
			t.Errorf("%d of 20 attempts throttled; want 15", n)
		}
	})
}

func TestThrottlePerAddress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, auth.Options{AddrBurst: 3, AddrEvery: time.Minute, AccountBurst: 1000})
		f.user(t, "known@example.org", users.RoleEditor, "etela")
		try := func(addr, email string) error {
			_, _, err := f.auth.Login(ctx, auth.Credentials{Email: email, Password: "wrong password!", Addr: addr})
			return err
		}
		for i := range 3 {
			wantErr(t, try("192.0.2.7:5000", fmt.Sprintf("u%d@example.org", i)), apperr.Unauthorized, auth.KeyLoginFailed)
		}
		// Another port is the same client; so is the same IPv4 mapped to IPv6.
		wantErr(t, try("192.0.2.7:6000", "known@example.org"), apperr.TooMany, auth.KeyThrottled)
		wantErr(t, try("[::ffff:192.0.2.7]:80", "x@example.org"), apperr.TooMany, auth.KeyThrottled)
		wantErr(t, try("192.0.2.8", "known@example.org"), apperr.Unauthorized, auth.KeyLoginFailed)

		// IPv6 clients are counted per /64.
		for i := range 3 {
			wantErr(t, try(fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1), "known@example.org"), apperr.Unauthorized, auth.KeyLoginFailed)
		}
		wantErr(t, try("2001:db8:1:2:ffff::1", "known@example.org"), apperr.TooMany, auth.KeyThrottled)
		wantErr(t, try("2001:db8:1:3::1", "known@example.org"), apperr.Unauthorized, auth.KeyLoginFailed)
	})
}

func TestAddrKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":                "192.0.2.1",
		"192.0.2.1:8080":           "192.0.2.1",
		"[::ffff:192.0.2.1]:80":    "192.0.2.1",
		"2001:db8::1":              "2001:db8::/64",
		"[2001:db8::abcd:1]:443":   "2001:db8::/64",
		"[fe80::1%eth0]:80":        "fe80::/64",
		"":                         "",
		"not an address":           "not an address",
		"unix:/run/directory.sock": "unix:/run/directory.sock",
	} {
		if got := auth.AddrKey(in); got != want {
			t.Errorf("AddrKey(%q) = %q; want %q", in, got, want)
		}
	}
}

// The limiter keeps at most its bound of keys, forgetting the least
// recently used, so a flood of new keys cannot grow memory.
func TestLimiterBounded(t *testing.T) {
	now := time.Unix(0, 0)
	l := auth.NewLimiter(rate.Every(time.Hour), 1, 3)
	if !l.Allow("hot", now) {
		t.Fatal("first event refused")
	}
	for i := range 100 {
		l.Allow(fmt.Sprint("flood", i), now)
		if l.Allow("hot", now) {
			t.Fatalf("after %d new keys the hot key was forgotten", i+1)
		}
	}
	if l.Len() != 3 {
		t.Errorf("remembers %d keys; want 3", l.Len())
	}
	// An idle key is forgotten and starts afresh.
	if !l.Allow("flood0", now) {
		t.Error("a forgotten key is still throttled")
	}
}

// An account trusts at most its ten most recently used browsers: a login
// from an eleventh forgets the one used longest ago.
func TestDevicesBounded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, auth.Options{AccountBurst: 1, AccountEvery: time.Hour, UntrustedBurst: 1, UntrustedEvery: time.Hour, AddrBurst: 1000})
		u := f.user(t, "many@example.org", users.RoleEditor, "etela")
		var devices []string
		for range 11 {
			dev, err := f.auth.TrustDevice(ctx, u.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			devices = append(devices, dev)
			f.clock.Add(time.Minute)
		}
		var n int
		if err := d.GetContext(ctx, &n, d.Rebind(`SELECT COUNT(*) FROM login_devices WHERE user_id = ?`), u.ID); err != nil || n != 10 {
			t.Errorf("%d devices kept (%v); want 10", n, err)
		}
		// Each trusted browser has a bucket of its own (burst 1); the
		// forgotten one shares the strangers' and finds it spent.
		login := func(dev string) error {
			_, _, err := f.auth.Login(ctx, auth.Credentials{Email: "many@example.org", Password: password, Addr: "198.51.100.9", Device: dev})
			return err
		}
		if err := login(""); err != nil {
			t.Fatalf("a stranger's first login: %v", err)
		}
		wantErr(t, login(devices[0]), apperr.TooMany, auth.KeyThrottled)
		for _, dev := range devices[1:] {
			if err := login(dev); err != nil {
				t.Errorf("a kept device: %v", err)
			}
		}
	})
}
