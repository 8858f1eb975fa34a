package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/users"
)

// An unknown account, a wrong password and an inactive account must be
// told apart by nothing: same error, same message, no token, no user.
func TestLoginFailuresLookAlike(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, generous)
		f.user(t, "known@example.org", users.RoleEditor, "etela")
		gone := f.user(t, "gone@example.org", users.RoleMember)
		if err := f.users.Deactivate(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		var first *apperr.Error
		for _, c := range []struct{ name, email, password string }{
			{"unknown user", "nobody@example.org", password},
			{"wrong password", "known@example.org", "wrong horse battery staple"},
			{"wrong case of password", "known@example.org", strings.ToUpper(password)},
			{"inactive user, right password", "gone@example.org", password},
			{"empty e-mail", "", password},
			{"empty password", "known@example.org", ""},
			{"password too long", "known@example.org", strings.Repeat("x", users.MaxPasswordLen+1)},
			{"SQL in e-mail", "' OR '1'='1", password},
			{"e-mail too long", strings.Repeat("a", 300) + "@example.org", password},
		} {
			t.Run(c.name, func(t *testing.T) {
				token, u, err := f.auth.Login(ctx, auth.Credentials{Email: c.email, Password: c.password, Addr: "192.0.2.1"})
				if token != "" || u.ID != "" {
					t.Errorf("failed login gave token %q, user %q", token, u.ID)
				}
				e := apperr.As(err)
				if e == nil {
					t.Fatalf("err = %v", err)
				}
				if e.Code != apperr.Unauthorized || e.Key != auth.KeyLoginFailed || e.Message != "wrong e-mail or password" {
					t.Errorf("err = %+v", e)
				}
				if first == nil {
					first = e
				} else if diff := cmp.Diff(first, e); diff != "" {
					t.Errorf("error differs from the unknown user's (-unknown +this):\n%s", diff)
				}
			})
		}
	})
}

func TestLoginStartsSessionStoringOnlyTheHash(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, generous)
		want := f.user(t, "Editor@Example.org", users.RoleEditor, "etela")
		token, u, err := f.auth.Login(ctx, auth.Credentials{Email: "  EDITOR@example.org ", Password: password,
			UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"})
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != want.ID || len(token) != 43 {
			t.Fatalf("user %q, token %q", u.ID, token)
		}
		again := f.login(t, "editor@example.org")
		if again == token {
			t.Error("two logins gave the same token")
		}
		var stored []string
		if err := d.SelectContext(ctx, &stored, `SELECT token_hash FROM sessions ORDER BY created_at`); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(token))
		if len(stored) != 2 || (stored[0] != hex.EncodeToString(sum[:]) && stored[1] != hex.EncodeToString(sum[:])) {
			t.Errorf("stored %q; want the SHA-256 of the token among two", stored)
		}
		for _, s := range stored {
			if strings.Contains(s, token) || strings.Contains(s, again) {
				t.Error("a token is stored")
			}
		}
		s, su, err := f.auth.Session(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if su.ID != want.ID || s.ID != auth.SessionID(token) || s.UserAgent != "Firefox, Linux" {
			t.Errorf("session %+v of user %q", s, su.ID)
		}
		if !s.ExpiresAt.Equal(start.Add(12 * time.Hour)) {
			t.Errorf("expires at %v; want 12 hours after login", s.ExpiresAt)
		}
	})
}

func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, generous)
		f.user(t, "e@example.org", users.RoleEditor, "etela")

		// Idle: each use slides the 30 minutes; 30 minutes unused end it.
		token := f.login(t, "e@example.org")
		for range 3 {
			f.clock.Add(29 * time.Minute)
			if _, _, err := f.auth.Session(ctx, token); err != nil {
				t.Fatalf("used after 29 idle minutes: %v", err)
			}
		}
		f.clock.Add(30 * time.Minute)
		_, _, err := f.auth.Session(ctx, token)
		wantErr(t, err, apperr.Unauthorized, auth.KeySessionEnded)

		// Absolute: used every 20 minutes, it still ends 12 hours after login.
		loginAt := f.clock.Now()
		token = f.login(t, "e@example.org")
		for f.clock.Now().Sub(loginAt) < 12*time.Hour-20*time.Minute {
			f.clock.Add(20 * time.Minute)
			if _, _, err := f.auth.Session(ctx, token); err != nil {
				t.Fatalf("used %v after login: %v", f.clock.Now().Sub(loginAt), err)
			}
		}
		f.clock.Add(12*time.Hour - f.clock.Now().Sub(loginAt))
		_, _, err = f.auth.Session(ctx, token)
		wantErr(t, err, apperr.Unauthorized, auth.KeySessionEnded)
	})
}

// A session in use writes its last use at most once a minute.
func TestSessionTouchedAtMostOnceAMinute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, generous)
		u := f.user(t, "e@example.org", users.RoleEditor, "etela")
		token := f.login(t, "e@example.org")
		lastSeen := func() time.Time {
			t.Helper()
			list, err := f.auth.ListSessions(ctx, u.ID)
			if err != nil || len(list) != 1 {
				t.Fatalf("sessions %v, %v", list, err)
			}
			return list[0].LastSeenAt
		}
		for _, step := range []struct {
			after time.Duration
			want  time.Time
		}{
			{30 * time.Second, start},
			{29 * time.Second, start},
			{time.Second, start.Add(time.Minute)},
			{59 * time.Second, start.Add(time.Minute)},
			{2 * time.Second, start.Add(2*time.Minute + time.Second)},
		} {
			f.clock.Add(step.after)
			if _, _, err := f.auth.Session(ctx, token); err != nil {
				t.Fatal(err)
			}
			if got := lastSeen(); !got.Equal(step.want) {
				t.Errorf("at %v: last seen %v; want %v", f.clock.Now().Sub(start), got.Sub(start), step.want.Sub(start))
			}
		}
	})
}

func TestForgedTokensRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, generous)
		f.user(t, "e@example.org", users.RoleEditor, "etela")
		token := f.login(t, "e@example.org")
		var hash string
		if err := d.GetContext(ctx, &hash, `SELECT token_hash FROM sessions`); err != nil {
			t.Fatal(err)
		}
		flip := []byte(token)
		flip[10] ^= 1
		for name, forged := range map[string]string{
			"empty":              "",
			"short":              "abc",
			"random, well-made":  strings.Repeat("A", 43),
			"one character off":  string(flip),
			"the stored hash":    hash,
			"hash prefix":        hash[:43],
			"token and more":     token + "A",
			"SQL":                "' OR '1'='1' --                            ",
			"not base64":         strings.Repeat("*", 43),
			"padded base64":      token[:42] + "=",
			"session id":         auth.SessionID(token),
			"whitespace wrapped": " " + token,
		} {
			t.Run(name, func(t *testing.T) {
				_, _, err := f.auth.Session(ctx, forged)
				wantErr(t, err, apperr.Unauthorized, auth.KeySessionEnded)
			})
		}
		if _, _, err := f.auth.Session(ctx, token); err != nil {
			t.Errorf("the real token: %v", err)
		}
	})
}

func TestLogoutRevokes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, generous)
		f.user(t, "e@example.org", users.RoleEditor, "etela")
		token, other := f.login(t, "e@example.org"), f.login(t, "e@example.org")
		if err := f.auth.Logout(ctx, token); err != nil {
			t.Fatal(err)
		}
		_, _, err := f.auth.Session(ctx, token)
		wantErr(t, err, apperr.Unauthorized, auth.KeySessionEnded)
		if _, _, err := f.auth.Session(ctx, other); err != nil {
			t.Errorf("logout ended another session: %v", err)
		}
		// Logging out again, or with junk, is harmless.
		for _, tok := range []string{token, "", "junk"} {
			if err := f.auth.Logout(ctx, tok); err != nil {
				t.Errorf("logout %q: %v", tok, err)
			}
		}
	})
}

func TestPasswordChangeEndsEverySession(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, generous)
		u := f.user(t, "e@example.org", users.RoleEditor, "etela")
		f.user(t, "other@example.org", users.RoleEditor, "etela")
		t1, t2 := f.login(t, "e@example.org"), f.login(t, "e@example.org")
		bystander := f.login(t, "other@example.org")

		_, err := f.auth.ChangePassword(ctx, t1, "not my password", "a brand new passphrase", "")
		wantErr(t, err, apperr.Invalid, "")
		if e := apperr.As(err); len(e.Fields) != 1 || e.Fields[0].Field != "current_password" || e.Fields[0].Key != auth.KeyPasswordWrong {
			t.Errorf("fields %+v", e.Fields)
		}
		_, err = f.auth.ChangePassword(ctx, t1, password, "short", "")
		wantErr(t, err, apperr.Invalid, "")
		if _, _, err := f.auth.Session(ctx, t1); err != nil {
			t.Fatalf("a refused change ended the session: %v", err)
		}

		f.clock.Add(time.Minute)
		t3, err := f.auth.ChangePassword(ctx, t1, password, "a brand new passphrase", "")
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{t1, t2} {
			_, _, err := f.auth.Session(ctx, tok)
			wantErr(t, err, apperr.Unauthorized, auth.KeySessionEnded)
		}
		if _, _, err := f.auth.Session(ctx, t3); err != nil {
			t.Errorf("the new session: %v", err)
		}
		if _, _, err := f.auth.Session(ctx, bystander); err != nil {
			t.Errorf("another user's session: %v", err)
		}
		_, _, err = f.auth.Login(ctx, auth.Credentials{Email: "e@example.org", Password: password})
		wantErr(t, err, apperr.Unauthorized, auth.KeyLoginFailed)
		if _, _, err := f.auth.Login(ctx, auth.Credentials{Email: "e@example.org", Password: "a brand new passphrase"}); err != nil {
			t.Errorf("login with the new password: %v", err)
		}
		got, err := f.users.ByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.PasswordChangedAt == nil || !got.PasswordChangedAt.Equal(f.clock.Now()) {
			t.Errorf("password changed at %v", got.PasswordChangedAt)
		}

		// An admin's reset and a deactivation end sessions too.
		t4 := f.login2(t, "e@example.org", "a brand new passphrase")
		temp, err := f.users.ResetPassword(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = f.auth.Session(ctx, t4)
		wantErr(t, err, apperr.Unauthorized, auth.KeySessionEnded)
		t5 := f.login2(t, "e@example.org", temp)
		if err := f.users.Deactivate(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err = f.auth.Session(ctx, t5)
		wantErr(t, err, apperr.Unauthorized, auth.KeySessionEnded)
		// Reactivation does not bring old sessions back.
		if err := f.users.Activate(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err = f.auth.Session(ctx, t5)
		wantErr(t, err, apperr.Unauthorized, auth.KeySessionEnded)
	})
}

func (f *fixture) login2(t *testing.T, email, pw string) string {
	t.Helper()
	token, _, err := f.auth.Login(context.Background(), auth.Credentials{Email: email, Password: pw})
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return token
}

func TestListAndEndSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d, generous)
		u := f.user(t, "e@example.org", users.RoleEditor, "etela")
		o := f.user(t, "o@example.org", users.RoleEditor, "pohjoinen")
		t1 := f.login(t, "e@example.org")
		f.clock.Add(2 * time.Minute)
		t2 := f.login(t, "e@example.org")
		f.clock.Add(2 * time.Minute)
		t3 := f.login(t, "e@example.org")
		theirs := f.login(t, "o@example.org")
		if err := f.auth.Logout(ctx, t3); err != nil {
			t.Fatal(err)
		}

		list, err := f.auth.ListSessions(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, s := range list {
			ids = append(ids, s.ID)
			if s.UserAgent != "curl" {
				t.Errorf("user agent %q", s.UserAgent)
			}
		}
		if diff := cmp.Diff([]string{auth.SessionID(t2), auth.SessionID(t1)}, ids); diff != "" {
			t.Errorf("sessions, newest use first (-want +got):\n%s", diff)
		}

		// Another user's session id finds nothing, and ends nothing.
		err = f.auth.EndSession(ctx, u.ID, auth.SessionID(theirs))
		wantErr(t, err, apperr.NotFound, "")
		if _, _, err := f.auth.Session(ctx, theirs); err != nil {
			t.Errorf("their session: %v", err)
		}
		for _, bad := range []string{"", "zzzzzzzzzzzz", "' OR 1=1 --", auth.SessionID(t1)[:6]} {
			wantErr(t, f.auth.EndSession(ctx, u.ID, bad), apperr.NotFound, "")
		}

		if err := f.auth.EndSession(ctx, u.ID, auth.SessionID(t1)); err != nil {
			t.Fatal(err)
		}
		_, _, err = f.auth.Session(ctx, t1)
		wantErr(t, err, apperr.Unauthorized, auth.KeySessionEnded)
		wantErr(t, f.auth.EndSession(ctx, u.ID, auth.SessionID(t1)), apperr.NotFound, "")

		t4 := f.login(t, "e@example.org")
		n, err := f.auth.EndOtherSessions(ctx, u.ID, t4)
		if err != nil || n != 1 {
			t.Errorf("ended %d others, %v; want 1", n, err)
		}
		if _, _, err := f.auth.Session(ctx, t4); err != nil {
			t.Errorf("the current session: %v", err)
		}
		if list, _ := f.auth.ListSessions(ctx, o.ID); len(list) != 1 {
			t.Errorf("the other user has %d sessions; want 1", len(list))
		}

		// Purge keeps what may still be used.
		f.clock.Add(13 * time.Hour)
		t5 := f.login(t, "o@example.org")
		f.clock.Add(25 * time.Hour)
		if _, err := f.auth.Purge(ctx); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := d.GetContext(ctx, &left, `SELECT COUNT(*) FROM sessions`); err != nil {
			t.Fatal(err)
		}
		if left != 1 {
			t.Errorf("%d sessions left after purge; want 1 (%s)", left, auth.SessionID(t5))
		}
	})
}
