package accounts_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/accounts"
	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/users"
)

// The account use cases decide who manages accounts, without HTTP: every
// actor tries every action on an account of its own making, and the
// outcome is "ok" or the apperr code; a refusal writes nothing.
func TestUseCaseMatrix(t *testing.T) {
	const (
		ok = "ok"
		U  = string(apperr.Unauthorized)
		F  = string(apperr.Forbidden)
		N  = string(apperr.NotFound)
	)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := db.WithActor(context.Background(), "test")
		now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
		for _, s := range []string{"etela", "pohjoinen"} {
			if _, err := d.ExecContext(ctx, d.Rebind(`INSERT INTO networks (slug, name, created_at, updated_at) VALUES (?, ?, ?, ?)`), s, `{}`, now, now); err != nil {
				t.Fatal(err)
			}
		}
		us := users.NewStore(d)
		mk := func(email, role string, networks ...string) *users.User {
			u := users.User{Email: email, Name: "Testi", Role: role, Networks: networks}
			if err := us.Create(ctx, &u, "correct horse battery staple"); err != nil {
				t.Fatal(err)
			}
			return &u
		}
		admin := mk("admin@example.org", users.RoleAdmin)
		gone := mk("gone@example.org", users.RoleAdmin)
		if err := us.Deactivate(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		gone.Active = false
		actors := []struct {
			name string
			u    *users.User
		}{
			{"anonymous", nil},
			{"member", mk("member@example.org", users.RoleMember)},
			{"editor A", mk("a@example.org", users.RoleEditor, "etela")},
			{"editor B", mk("b@example.org", users.RoleEditor, "pohjoinen")},
			{"admin", admin},
			{"inactive admin", gone},
		}
		acc := accounts.New(us)
		outcome := func(err error) string {
			if err == nil {
				return ok
			}
			return string(apperr.CodeOf(err))
		}
		n := 0
		// target makes the account an action is tried on.
		target := func(t *testing.T) *users.User {
			n++
			return mk(fmt.Sprintf("target-%d@example.org", n), users.RoleEditor, "etela")
		}
		actions := []struct {
			name string
			want []string // in the order of actors
			run  func(t *testing.T, actor *users.User) string
		}{
			{"list", []string{U, F, F, F, ok, U}, func(t *testing.T, actor *users.User) string {
				list, err := acc.List(ctx, actor)
				if err == nil && len(list) != 5 { // the actors' accounts
					t.Errorf("listed %d accounts", len(list))
				}
				return outcome(err)
			}},
			{"create", []string{U, F, F, F, ok, U}, func(t *testing.T, actor *users.User) string {
				n++
				u := users.User{Email: fmt.Sprintf("new-%d@example.org", n), Name: "Uusi", Role: users.RoleMember, Networks: []string{"etela"}}
				password, err := acc.Create(ctx, actor, &u)
				if err == nil {
					if len(password) < users.MinPasswordLen || u.ID == "" || len(u.Networks) != 0 {
						t.Errorf("created %+v with password %q", u, password)
					}
					if _, err := us.ByID(ctx, u.ID); err != nil {
						t.Errorf("not stored: %v", err)
					}
				}
				return outcome(err)
			}},
			{"update", []string{U, F, F, F, ok, U}, func(t *testing.T, actor *users.User) string {
				u := target(t)
				u.Name = "Uusi nimi"
				return outcome(acc.Update(ctx, actor, u))
			}},
			{"reset password", []string{U, F, F, F, ok, U}, func(t *testing.T, actor *users.User) string {
				password, err := acc.ResetPassword(ctx, actor, target(t).ID)
				if err == nil && len(password) < users.MinPasswordLen {
					t.Errorf("password %q", password)
				}
				return outcome(err)
			}},
			{"deactivate", []string{U, F, F, F, ok, U}, func(t *testing.T, actor *users.User) string {
				u := target(t)
				err := acc.Deactivate(ctx, actor, u.ID)
				if got, _ := us.ByID(ctx, u.ID); got.Active != (err != nil) {
					t.Errorf("active %v after %v", got.Active, err)
				}
				return outcome(err)
			}},
			{"activate", []string{U, F, F, F, ok, U}, func(t *testing.T, actor *users.User) string {
				u := target(t)
				if err := us.Deactivate(ctx, u.ID); err != nil {
					t.Fatal(err)
				}
				return outcome(acc.Activate(ctx, actor, u.ID))
			}},
			{"reset second factor", []string{U, F, F, F, ok, U}, func(t *testing.T, actor *users.User) string {
				return outcome(acc.ResetTOTP(ctx, actor, target(t).ID))
			}},
			// An unknown account is NotFound only to those who may manage
			// accounts: to anyone else it is refused like any other.
			{"deactivate unknown", []string{U, F, F, F, N, U}, func(t *testing.T, actor *users.User) string {
				return outcome(acc.Deactivate(ctx, actor, "u-no-such"))
			}},
		}
		for _, a := range actions {
			for i, actor := range actors {
				t.Run(a.name+"/"+actor.name, func(t *testing.T) {
					before := auditRows(t, d)
					got := a.run(t, actor.u)
					if got != a.want[i] {
						t.Errorf("got %s, want %s", got, a.want[i])
					}
					if got != ok {
						// The fixture's own rows: a target made, and deactivated.
						fixture := map[string]int{"update": 1, "reset password": 1, "deactivate": 1, "activate": 2, "reset second factor": 1}[a.name]
						if rows := auditRows(t, d) - before; rows != fixture {
							t.Errorf("a refusal wrote %d audit rows", rows-fixture)
						}
					}
				})
			}
		}
		// The audit log names the admin who acted.
		u := target(t)
		if err := acc.Deactivate(ctx, admin, u.ID); err != nil {
			t.Fatal(err)
		}
		hist, err := d.History(ctx, users.EntityUser, u.ID)
		if err != nil || len(hist) == 0 || hist[0].Actor != admin.ID || hist[0].Action != users.ActionDeactivate {
			t.Errorf("history %+v, %v; want the admin's deactivation first", hist, err)
		}
		// An e-mail in use is the e-mail field's problem.
		dup := users.User{Email: "member@example.org", Name: "Toinen", Role: users.RoleMember}
		_, err = acc.Create(ctx, admin, &dup)
		if e := apperr.As(err); e == nil || len(e.Fields) != 1 || e.Fields[0].Field != "email" || e.Fields[0].Key != "err.email_taken" {
			t.Errorf("taken e-mail: %v", err)
		}
	})
}

// The guard a use case passes is asked inside the transaction, about the
// account as read there, and a refusal writes nothing.
func TestGuardSeesTheStoredAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := db.WithActor(context.Background(), "test")
		us := users.NewStore(d)
		u := users.User{Email: "x@example.org", Name: "X", Role: users.RoleMember}
		if err := us.Create(ctx, &u, "correct horse battery staple"); err != nil {
			t.Fatal(err)
		}
		var seen []string
		refuse := us.Guarded(func(target users.User) error {
			seen = append(seen, target.Email)
			return apperr.Errorf(apperr.Forbidden, "no")
		})
		if err := refuse.Deactivate(ctx, u.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("deactivate: %v", err)
		}
		nu := users.User{Email: "y@example.org", Name: "Y", Role: users.RoleMember}
		if err := refuse.Create(ctx, &nu, "correct horse battery staple"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("create: %v", err)
		}
		if got, _ := us.ByID(ctx, u.ID); !got.Active {
			t.Errorf("the refused deactivation was saved")
		}
		if _, err := us.ByEmail(ctx, "y@example.org"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("the refused account was created: %v", err)
		}
		if want := []string{"x@example.org", "y@example.org"}; fmt.Sprint(seen) != fmt.Sprint(want) {
			t.Errorf("the guard saw %v, want %v", seen, want)
		}
	})
}

func auditRows(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	return n
}
