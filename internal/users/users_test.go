package users_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/users"
)

const password = "correct horse battery staple"

var now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func setup(t *testing.T, d *db.DB) (*users.Store, context.Context) {
	t.Helper()
	d.Now = func() time.Time { return now }
	ctx := db.WithActor(context.Background(), "u-admin")
	for _, s := range []string{"etela", "pohjoinen"} {
		if _, err := d.ExecContext(ctx, d.Rebind(`INSERT INTO networks (slug, name, created_at, updated_at) VALUES (?, ?, ?, ?)`), s, `{}`, now, now); err != nil {
			t.Fatal(err)
		}
	}
	return users.NewStore(d), ctx
}

func create(t *testing.T, st *users.Store, ctx context.Context, email, role string, networks ...string) users.User {
	t.Helper()
	u := users.User{Email: email, Name: "Testi", Role: role, Networks: networks}
	if err := st.Create(ctx, &u, password); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestManageUsers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st, ctx := setup(t, d)
		admin := create(t, st, ctx, "admin@example.org", users.RoleAdmin)
		ed := create(t, st, ctx, "ed@example.org", users.RoleEditor, "pohjoinen", "etela")
		create(t, st, ctx, "member@example.org", users.RoleMember)

		got, err := st.ByID(ctx, ed.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"etela", "pohjoinen"}, got.Networks); diff != "" {
			t.Errorf("networks (-want +got):\n%s", diff)
		}
		if nets, err := st.Networks(ctx, ed.ID); err != nil || !cmp.Equal(nets, got.Networks) {
			t.Errorf("Networks: %v, %v", nets, err)
		}
		_, err = st.ByID(ctx, "u-nobody")
		if !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown id: %v", err)
		}
		list, err := st.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var emails []string
		for _, u := range list {
			emails = append(emails, u.Email)
		}
		if diff := cmp.Diff([]string{"admin@example.org", "ed@example.org", "member@example.org"}, emails); diff != "" {
			t.Errorf("list (-want +got):\n%s", diff)
		}
		if !cmp.Equal(list[1].Networks, []string{"etela", "pohjoinen"}) {
			t.Errorf("listed networks %v", list[1].Networks)
		}

		// Update: optimistic, validated, networks rewritten.
		got.Networks, got.Name = []string{"etela"}, "Uusi Nimi"
		if err := st.Update(ctx, &got); err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || got.Name != "Uusi Nimi" {
			t.Errorf("after update: %+v", got)
		}
		stale := got
		stale.Version = 1
		if err := st.Update(ctx, &stale); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("stale update: %v", err)
		}
		bad := got
		bad.Networks = []string{"ei-ole"}
		if err := st.Update(ctx, &bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown network: %v", err)
		}
		bad = got
		bad.Email = "admin@example.org"
		if err := st.Update(ctx, &bad); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("e-mail in use: %v", err)
		}
		bad = got
		bad.Role = "root"
		if err := st.Update(ctx, &bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("bad role: %v", err)
		}
		if again, _ := st.ByID(ctx, ed.ID); !cmp.Equal(again.Networks, []string{"etela"}) || again.Version != 2 {
			t.Errorf("a refused update changed the user: %+v", again)
		}

		// Passwords.
		if err := st.SetPassword(ctx, ed.ID, "short"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("short password: %v", err)
		}
		if err := st.SetPassword(ctx, "u-nobody", "a long enough password"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown user: %v", err)
		}
		temp, err := st.ResetPassword(ctx, ed.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, _ = st.ByID(ctx, ed.ID)
		if len(temp) < users.MinPasswordLen || !users.CheckPassword(got.PasswordHash, temp) || users.CheckPassword(got.PasswordHash, password) {
			t.Errorf("reset password %q does not work alone", temp)
		}
		if got.PasswordChangedAt == nil || !got.PasswordChangedAt.Equal(now) || got.SessionEpoch != 1 {
			t.Errorf("after reset: changed at %v, epoch %d", got.PasswordChangedAt, got.SessionEpoch)
		}

		// The last active admin stays.
		if err := st.Deactivate(ctx, admin.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("deactivating the last admin: %v", err)
		}
		a, _ := st.ByID(ctx, admin.ID)
		a.Role = users.RoleMember
		if err := st.Update(ctx, &a); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("demoting the last admin: %v", err)
		}
		if err := st.Deactivate(ctx, ed.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.ByID(ctx, ed.ID); got.Active || got.SessionEpoch != 2 {
			t.Errorf("after deactivation: active %v, epoch %d", got.Active, got.SessionEpoch)
		}
		if err := st.Activate(ctx, ed.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.ByID(ctx, ed.ID); !got.Active {
			t.Error("not active again")
		}
	})
}

func TestTOTPState(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st, ctx := setup(t, d)
		u := create(t, st, ctx, "m@example.org", users.RoleMember)
		if err := st.SetTOTPSecret(ctx, "u-nobody", "AAAA"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown user: %v", err)
		}
		if err := st.SetTOTPSecret(ctx, u.ID, "SECRETONE"); err != nil {
			t.Fatal(err)
		}
		// Not enabled: no step can be used.
		if ok, err := st.UseTOTPStep(ctx, u.ID, 10); ok || err != nil {
			t.Errorf("step used while pending: %v, %v", ok, err)
		}
		if err := st.EnableTOTP(ctx, u.ID, "OTHERSECRET", 5); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("enabling another secret: %v", err)
		}
		if err := st.EnableTOTP(ctx, u.ID, "SECRETONE", 5); err != nil {
			t.Fatal(err)
		}
		if err := st.SetTOTPSecret(ctx, u.ID, "SECRETTWO"); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("new secret while enabled: %v", err)
		}
		for _, c := range []struct {
			step int64
			ok   bool
		}{{5, false}, {4, false}, {6, true}, {6, false}, {8, true}, {7, false}} {
			if ok, err := st.UseTOTPStep(ctx, u.ID, c.step); ok != c.ok || err != nil {
				t.Errorf("step %d: %v, %v; want %v", c.step, ok, err, c.ok)
			}
		}
		if err := st.DisableTOTP(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := st.ByID(ctx, u.ID)
		if got.TOTPEnabled || got.TOTPSecret != "" || got.TOTPLastStep != 0 {
			t.Errorf("after disabling: %+v", got)
		}
	})
}

// The audit log records every account write, by whom, and never a
// password hash or a TOTP secret.
func TestAuditHoldsNoSecrets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st, ctx := setup(t, d)
		create(t, st, ctx, "admin@example.org", users.RoleAdmin)
		u := create(t, st, ctx, "m@example.org", users.RoleMember)
		steps := []func() error{
			func() error { return st.SetPassword(ctx, u.ID, "another long password") },
			func() error { _, err := st.ResetPassword(ctx, u.ID); return err },
			func() error { return st.SetTOTPSecret(ctx, u.ID, "JBSWY3DPEHPK3PXPJBSWY3DP") },
			func() error { return st.EnableTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXPJBSWY3DP", 1) },
			func() error { return st.DisableTOTP(ctx, u.ID) },
			func() error { return st.Deactivate(ctx, u.ID) },
			func() error { return st.Activate(ctx, u.ID) },
		}
		for i, step := range steps {
			if err := step(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		var rows []struct {
			Actor  string  `db:"actor"`
			Action string  `db:"action"`
			Before *string `db:"before_json"`
			After  *string `db:"after_json"`
		}
		if err := d.SelectContext(ctx, &rows, d.Rebind(`SELECT actor, action, before_json, after_json FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id`), users.EntityUser, u.ID); err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, r := range rows {
			actions = append(actions, r.Action)
			if r.Actor != "u-admin" {
				t.Errorf("%s by %q", r.Action, r.Actor)
			}
			for _, j := range []*string{r.Before, r.After} {
				if j != nil && (strings.Contains(*j, "argon2") || strings.Contains(*j, "JBSWY3DP") || strings.Contains(strings.ToLower(*j), "secret") || strings.Contains(*j, "password_hash")) {
					t.Errorf("%s audit holds a secret: %s", r.Action, *j)
				}
			}
		}
		want := []string{"create", users.ActionPassword, users.ActionReset, users.ActionTOTPEnable, users.ActionTOTPDisable, users.ActionDeactivate, users.ActionActivate}
		if diff := cmp.Diff(want, actions); diff != "" {
			t.Errorf("audited actions (-want +got):\n%s", diff)
		}
	})
}

// TestPasswordHashCost: a test binary hashes cheaply, and a hash made by
// the program with OWASP's cost (19 MiB, 2 passes) still checks, so
// accounts made either way log in.
func TestPasswordHashCost(t *testing.T) {
	h, err := users.HashPassword("oikea hevonen patteri")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h, "$m=8,t=1,p=1$") {
		t.Errorf("a test binary hashes with %s", h)
	}
	// Made by HashPassword outside a test binary.
	const program = "$argon2id$v=19$m=19456,t=2,p=1$G93Na0qW7lADnnTFlG/ezQ$AS7L3UKKoXweAx8ixNjxYu11T0RRx5F+ZqorEuZY0EQ"
	for _, hash := range []string{h, program} {
		if !users.CheckPassword(hash, "oikea hevonen patteri") {
			t.Errorf("%s: the right password is refused", hash)
		}
		if users.CheckPassword(hash, "oikea hevonen patter") {
			t.Errorf("%s: a wrong password is accepted", hash)
		}
	}
}

// TestLookupErrorHoldsNoEmail: when the database fails, the error of a
// lookup by e-mail (which reaches the log) does not hold the address.
func TestLookupErrorHoldsNoEmail(t *testing.T) {
	d := dbtest.SQLite(t)
	us := users.NewStore(d)
	d.Close()
	_, err := us.ByEmail(context.Background(), "salainen.osoite@example.org")
	if err == nil || apperr.Is(err, apperr.NotFound) {
		t.Fatalf("lookup on a closed database: %v", err)
	}
	if strings.Contains(err.Error(), "salainen") {
		t.Errorf("the error holds the e-mail: %v", err)
	}
}
