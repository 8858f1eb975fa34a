package auth

import (
	"context"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/users"
)

// TestLoginHashingBounded: with every hashing slot taken, a login waits in
// the queue; with the queue full too, the next is refused at once
// (KeyBusy, 429), known account or not; a waiting login whose request ends
// gives up; a slot coming free lets the waiting one through.
func TestLoginHashingBounded(t *testing.T) {
	d := dbtest.SQLite(t)
	a, err := New(d, users.NewStore(d), Options{Hashing: 1, HashQueue: 1, AccountBurst: 1000, UntrustedBurst: 1000, AddrBurst: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	login := func(ctx context.Context, email string) error {
		_, _, err := a.Login(ctx, Credentials{Email: email, Password: "väärä salasana", Addr: "198.51.100.7"})
		return err
	}
	waitFor := func(n int64) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); a.waiting.Load() != n; {
			if time.Now().After(deadline) {
				t.Fatalf("%d logins waiting, want %d", a.waiting.Load(), n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	a.hashing <- struct{}{} // the one slot, taken
	waited := make(chan error, 1)
	go func() { waited <- login(ctx, "odottaja@example.org") }()
	waitFor(1)
	err = login(ctx, "toinen@example.org")
	if e := apperr.As(err); e == nil || e.Code != apperr.TooMany || e.Key != KeyBusy {
		t.Errorf("a login beyond the queue: %v, want %s", err, KeyBusy)
	}
	// A waiting login whose request ends leaves the queue.
	<-a.hashing
	if err := <-waited; !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("the waiting login, once a slot came free: %v", err)
	}
	a.hashing <- struct{}{}
	cctx, cancel := context.WithCancel(ctx)
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- login(cctx, "kolmas@example.org") }()
	waitFor(1)
	cancel()
	if err := <-gaveUp; err == nil || apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("a login whose request ended: %v", err)
	}
	waitFor(0)
	<-a.hashing
	if err := login(ctx, "neljas@example.org"); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("with a slot free: %v", err)
	}
}
