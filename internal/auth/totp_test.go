package auth_test

import (
	"context"
	"encoding/base32"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/users"
)

// RFC 6238 appendix B, SHA-1 rows, cut to the six digits we use (the
// low-order digits of the eight-digit values).
func TestTOTPMatchesRFC6238Vectors(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	for _, c := range []struct {
		unix int64
		code string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	} {
		at := time.Unix(c.unix, 0)
		step, ok := auth.MatchTOTP(secret, c.code, at, 0)
		if !ok || step != c.unix/30 {
			t.Errorf("at %d: code %s gave step %d, %v; want %d", c.unix, c.code, step, ok, c.unix/30)
		}
		// The same code a step before and after is still good (clock
		// skew), two steps away it is not.
		for _, d := range []struct {
			off time.Duration
			ok  bool
		}{{-30 * time.Second, true}, {30 * time.Second, true}, {-60 * time.Second, false}, {60 * time.Second, false}} {
			if _, ok := auth.MatchTOTP(secret, c.code, at.Add(d.off), 0); ok != d.ok {
				t.Errorf("at %d%+v: accepted %v; want %v", c.unix, d.off, ok, d.ok)
			}
		}
		// Not again once its step, or a newer one, was used.
		if _, ok := auth.MatchTOTP(secret, c.code, at, c.unix/30); ok {
			t.Errorf("at %d: a used step accepted", c.unix)
		}
		// Typed with spaces.
		if _, ok := auth.MatchTOTP(secret, c.code[:3]+" "+c.code[3:], at, 0); !ok {
			t.Errorf("at %d: %q with a space refused", c.unix, c.code)
		}
	}
	for _, bad := range []string{"", "28708", "2870822", "abcdef", "94287082"} {
		if _, ok := auth.MatchTOTP(secret, bad, time.Unix(59, 0), 0); ok {
			t.Errorf("code %q accepted", bad)
		}
	}
	if _, ok := auth.MatchTOTP("", "287082", time.Unix(59, 0), 0); ok {
		t.Error("accepted a code without a secret")
	}
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTOTPEnrolmentAndLogin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, generous)
		u := f.user(t, "e@example.org", users.RoleEditor, "etela")
		token := f.login(t, "e@example.org")

		_, err := f.auth.ConfirmTOTP(ctx, token, "123456", "")
		wantErr(t, err, apperr.Conflict, "err.totp_not_started")
		first, err := f.auth.BeginTOTP(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		// Starting again replaces the pending secret.
		enr, err := f.auth.BeginTOTP(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if enr.Secret == first.Secret || !strings.HasPrefix(enr.URL, "otpauth://totp/") || !strings.Contains(enr.URL, enr.Secret) {
			t.Fatalf("enrolment %+v", enr)
		}
		if png, err := auth.QRCodePNG(enr.URL, 200); err != nil || !strings.HasPrefix(string(png), "\x89PNG") {
			t.Errorf("QR code: %v", err)
		}
		// Not on yet: login needs no code.
		_ = f.login(t, "e@example.org")

		for _, bad := range []string{"", "000000", code(t, first.Secret, f.clock.Now()), code(t, enr.Secret, f.clock.Now().Add(-2*time.Minute))} {
			_, err := f.auth.ConfirmTOTP(ctx, token, bad, "")
			wantErr(t, err, apperr.Invalid, "")
			if e := apperr.As(err); e.Fields[0].Field != "code" || e.Fields[0].Key != auth.KeyTOTPInvalid {
				t.Errorf("code %q: %+v", bad, e.Fields)
			}
		}
		enrolledAt := f.clock.Now()
		full, err := f.auth.ConfirmTOTP(ctx, token, code(t, enr.Secret, enrolledAt), "")
		if err != nil {
			t.Fatal(err)
		}
		// Turning TOTP on ends the old sessions.
		_, _, err = f.auth.Session(ctx, token)
		wantErr(t, err, apperr.Unauthorized, auth.KeySessionEnded)
		if _, su, err := f.auth.Session(ctx, full); err != nil || !su.TOTPEnabled {
			t.Fatalf("new session: %v (TOTP on: %v)", err, su.TOTPEnabled)
		}
		_, err = f.auth.BeginTOTP(ctx, full)
		wantErr(t, err, apperr.Conflict, "")

		login := func(c string) error {
			_, _, err := f.auth.Login(ctx, auth.Credentials{Email: "e@example.org", Password: password, Code: c})
			return err
		}
		// Password first: a wrong one says nothing about TOTP.
		_, _, err = f.auth.Login(ctx, auth.Credentials{Email: "e@example.org", Password: "wrong password!", Code: "123456"})
		wantErr(t, err, apperr.Unauthorized, auth.KeyLoginFailed)
		err = login("")
		wantErr(t, err, apperr.Unauthorized, auth.KeyTOTPRequired)
		if !auth.IsTOTPRequired(err) {
			t.Error("IsTOTPRequired is false")
		}
		wantErr(t, login("000000"), apperr.Unauthorized, auth.KeyTOTPInvalid)
		// The code used to enrol is used up.
		wantErr(t, login(code(t, enr.Secret, enrolledAt)), apperr.Unauthorized, auth.KeyTOTPInvalid)

		f.clock.Add(30 * time.Second)
		now := f.clock.Now()
		if err := login(code(t, enr.Secret, now)); err != nil {
			t.Fatalf("fresh code: %v", err)
		}
		// Replayed within its window.
		wantErr(t, login(code(t, enr.Secret, now)), apperr.Unauthorized, auth.KeyTOTPInvalid)
		f.clock.Add(10 * time.Second)
		wantErr(t, login(code(t, enr.Secret, now)), apperr.Unauthorized, auth.KeyTOTPInvalid)
		// A phone a step ahead is accepted; then the older step is not.
		if err := login(code(t, enr.Secret, now.Add(30*time.Second))); err != nil {
			t.Fatalf("code of the next step: %v", err)
		}
		wantErr(t, login(code(t, enr.Secret, now)), apperr.Unauthorized, auth.KeyTOTPInvalid)
		// Expired: two steps old.
		f.clock.Add(2 * time.Minute)
		wantErr(t, login(code(t, enr.Secret, f.clock.Now().Add(-time.Minute))), apperr.Unauthorized, auth.KeyTOTPInvalid)

		// Turning it off needs a fresh code and ends the sessions.
		tok := f.loginCode(t, "e@example.org", code(t, enr.Secret, f.clock.Now()))
		_, err = f.auth.DisableTOTP(ctx, tok, code(t, enr.Secret, f.clock.Now()), "")
		wantErr(t, err, apperr.Invalid, "")
		f.clock.Add(30 * time.Second)
		tok2, err := f.auth.DisableTOTP(ctx, tok, code(t, enr.Secret, f.clock.Now()), "")
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = f.auth.Session(ctx, tok)
		wantErr(t, err, apperr.Unauthorized, auth.KeySessionEnded)
		if _, _, err := f.auth.Session(ctx, tok2); err != nil {
			t.Error(err)
		}
		if got, _ := f.users.ByID(ctx, u.ID); got.TOTPEnabled || got.TOTPSecret != "" {
			t.Errorf("after disabling: enabled %v, secret %q", got.TOTPEnabled, got.TOTPSecret)
		}
		_ = f.login(t, "e@example.org")
	})
}

func (f *fixture) loginCode(t *testing.T, email, c string) string {
	t.Helper()
	token, _, err := f.auth.Login(context.Background(), auth.Credentials{Email: email, Password: password, Code: c})
	if err != nil {
		t.Fatalf("login %s with code: %v", email, err)
	}
	return token
}

// An admin without TOTP gets an enrolment-only session, good for nothing
// but enrolling.
func TestAdminMustEnrol(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, generous)
		admin := f.user(t, "admin@example.org", users.RoleAdmin)
		f.user(t, "other-admin@example.org", users.RoleAdmin)

		token, u, err := f.auth.Login(ctx, auth.Credentials{Email: "admin@example.org", Password: password})
		wantErr(t, err, apperr.Forbidden, auth.KeyEnrolRequired)
		if !auth.IsEnrolmentRequired(err) || token == "" || u.ID != admin.ID {
			t.Fatalf("token %q, user %q, %v", token, u.ID, err)
		}
		_, _, err = f.auth.Session(ctx, token)
		wantErr(t, err, apperr.Forbidden, auth.KeyEnrolRequired)
		if _, _, err := f.auth.EnrolmentSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		// It is short-lived.
		f.clock.Add(16 * time.Minute)
		_, _, err = f.auth.EnrolmentSession(ctx, token)
		wantErr(t, err, apperr.Unauthorized, auth.KeySessionEnded)

		token, _, _ = f.auth.Login(ctx, auth.Credentials{Email: "admin@example.org", Password: password})
		enr, err := f.auth.BeginTOTP(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		full, err := f.auth.ConfirmTOTP(ctx, token, code(t, enr.Secret, f.clock.Now()), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, su, err := f.auth.Session(ctx, full); err != nil || su.ID != admin.ID {
			t.Fatalf("full session: %v", err)
		}
		_, _, err = f.auth.EnrolmentSession(ctx, token)
		wantErr(t, err, apperr.Unauthorized, auth.KeySessionEnded)

		// Admins cannot turn it off themselves; another admin resets it,
		// which ends the sessions and sends them back to enrolment.
		f.clock.Add(30 * time.Second)
		_, err = f.auth.DisableTOTP(ctx, full, code(t, enr.Secret, f.clock.Now()), "")
		wantErr(t, err, apperr.Forbidden, auth.KeyAdminNeedsTOTP)
		if err := f.users.DisableTOTP(ctx, admin.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err = f.auth.Session(ctx, full)
		wantErr(t, err, apperr.Unauthorized, auth.KeySessionEnded)
		_, _, err = f.auth.Login(ctx, auth.Credentials{Email: "admin@example.org", Password: password})
		wantErr(t, err, apperr.Forbidden, auth.KeyEnrolRequired)
	})
}

// Two logins racing with the same code: exactly one wins, on either
// database, because the step is claimed by one conditional UPDATE.
func TestTOTPCodeUsedOnceUnderRace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, generous)
		f.user(t, "e@example.org", users.RoleEditor, "etela")
		token := f.login(t, "e@example.org")
		enr, err := f.auth.BeginTOTP(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.auth.ConfirmTOTP(ctx, token, code(t, enr.Secret, f.clock.Now()), ""); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(30 * time.Second)
		c := code(t, enr.Secret, f.clock.Now())
		const n = 4
		errs := make(chan error, n)
		for range n {
			go func() {
				_, _, err := f.auth.Login(ctx, auth.Credentials{Email: "e@example.org", Password: password, Code: c})
				errs <- err
			}()
		}
		wins := 0
		for range n {
			if err := <-errs; err == nil {
				wins++
			} else if !apperr.Is(err, apperr.Unauthorized) {
				t.Errorf("unexpected error: %v", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d logins won with one code; want 1", wins)
		}
	})
}
