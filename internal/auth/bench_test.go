package auth_test

import (
	"context"
	"testing"

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
	a, err := auth.New(d, us, auth.Options{AccountBurst: 1 << 30, AddrBurst: 1 << 30})
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
