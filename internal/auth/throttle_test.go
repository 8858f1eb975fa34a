package auth_test

import (
	"context"
	"fmt"
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
		f := setup(t, d, auth.Options{AccountBurst: 3, AccountEvery: time.Minute, AddrBurst: 1000})
		f.user(t, "known@example.org", users.RoleEditor, "etela")
		var answers []*apperr.Error
		for _, email := range []string{"known@example.org", "nobody@example.org"} {
			for i := range 3 {
				// Every attempt from another address: the account
				// throttle alone counts.
				_, _, err := f.auth.Login(ctx, auth.Credentials{Email: email, Password: "wrong password!", Addr: fmt.Sprintf("198.51.100.%d", i)})
				wantErr(t, err, apperr.Unauthorized, auth.KeyLoginFailed)
			}
			// The fourth is refused, even with the right password.
			_, _, err := f.auth.Login(ctx, auth.Credentials{Email: email, Password: password, Addr: "203.0.113.9"})
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
		_, _, err := f.auth.Login(ctx, auth.Credentials{Email: " KNOWN@example.org", Password: password, Addr: "203.0.113.10"})
		wantErr(t, err, apperr.TooMany, auth.KeyThrottled)
		// Other accounts are not held up.
		_, _, err = f.auth.Login(ctx, auth.Credentials{Email: "third@example.org", Password: password, Addr: "203.0.113.9"})
		wantErr(t, err, apperr.Unauthorized, auth.KeyLoginFailed)
		// One more attempt a minute later.
		f.clock.Add(time.Minute)
		if _, _, err := f.auth.Login(ctx, auth.Credentials{Email: "known@example.org", Password: password, Addr: "203.0.113.9"}); err != nil {
			t.Errorf("a minute later: %v", err)
		}
		_, _, err = f.auth.Login(ctx, auth.Credentials{Email: "known@example.org", Password: password, Addr: "203.0.113.9"})
		wantErr(t, err, apperr.TooMany, auth.KeyThrottled)
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
