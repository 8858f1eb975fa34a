package auth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/users"
)

// clock is a settable test clock, installed as db.DB.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const password = "correct horse battery staple"

// start is the tests' time: the middle of a TOTP step, so that one step
// either side is a whole step away.
var start = time.Date(2026, 11, 1, 12, 0, 15, 0, time.UTC)

type fixture struct {
	d     *db.DB
	clock *clock
	users *users.Store
	auth  *auth.Authenticator
}

// generous keeps the throttles out of the way of tests about other things.
var generous = auth.Options{AccountBurst: 1000, UntrustedBurst: 1000, AddrBurst: 1000}

func setup(t *testing.T, d *db.DB, o auth.Options) *fixture {
	t.Helper()
	c := &clock{t: start}
	d.Now = c.Now
	us := users.NewStore(d)
	a, err := auth.New(d, us, o)
	if err != nil {
		t.Fatal(err)
	}
	addNetworks(t, d, "etela", "pohjoinen")
	return &fixture{d: d, clock: c, users: us, auth: a}
}

// addNetworks inserts bare networks, enough for editors to belong to.
func addNetworks(t *testing.T, d *db.DB, slugs ...string) {
	t.Helper()
	for _, s := range slugs {
		_, err := d.ExecContext(context.Background(), d.Rebind(`INSERT INTO networks (slug, name, created_at, updated_at) VALUES (?, ?, ?, ?)`),
			s, `{"fi":"`+s+`"}`, start, start)
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) user(t *testing.T, email, role string, networks ...string) users.User {
	t.Helper()
	u := users.User{Email: email, Name: "Testi " + role, Role: role, Networks: networks}
	if err := f.users.Create(db.WithActor(context.Background(), "test"), &u, password); err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) login(t *testing.T, email string) string {
	t.Helper()
	token, _, err := f.auth.Login(context.Background(), auth.Credentials{Email: email, Password: password, Addr: "192.0.2.1:1234", UserAgent: "curl/8.0"})
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return token
}

// wantErr fails unless err has the code and, when key is not empty, the
// message key.
func wantErr(t *testing.T, err error, code apperr.Code, key string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code || (key != "" && e.Key != key) {
		t.Fatalf("err = %v; want %s %s", err, code, key)
	}
}
