package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/users"
)

// Session is a login as its user may see it in their list of sessions.
// It carries nothing secret: ID is a prefix of the token's hash.
type Session struct {
	ID         string    `json:"id"`
	UserID     string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	UserAgent  string    `json:"user_agent"`
	// EnrolOnly marks the session of an admin who must set up TOTP
	// before anything else.
	EnrolOnly bool `json:"-"`
}

type sessionRow struct {
	TokenHash  string     `db:"token_hash"`
	UserID     string     `db:"user_id"`
	Epoch      int        `db:"epoch"`
	EnrolOnly  bool       `db:"enrol_only"`
	CreatedAt  time.Time  `db:"created_at"`
	LastSeenAt time.Time  `db:"last_seen_at"`
	ExpiresAt  time.Time  `db:"expires_at"`
	UserAgent  string     `db:"user_agent"`
	RevokedAt  *time.Time `db:"revoked_at"`
}

const sessionCols = `token_hash, user_id, epoch, enrol_only, created_at, last_seen_at, expires_at, user_agent, revoked_at`

func (r sessionRow) session() Session {
	return Session{ID: r.TokenHash[:sessionIDLen], UserID: r.UserID, CreatedAt: r.CreatedAt.UTC(), LastSeenAt: r.LastSeenAt.UTC(),
		ExpiresAt: r.ExpiresAt.UTC(), UserAgent: r.UserAgent, EnrolOnly: r.EnrolOnly}
}

// live reports whether the session may be used at now by u.
func (a *Authenticator) live(r sessionRow, u users.User, now time.Time) bool {
	return r.RevokedAt == nil && now.Before(r.ExpiresAt) && now.Sub(r.LastSeenAt) < a.opts.IdleTimeout &&
		r.Epoch == u.SessionEpoch && u.Active && r.UserID == u.ID
}

// Tokens are 32 random bytes in unpadded URL-safe base64 (43 characters).
const (
	tokenBytes   = 32
	tokenLen     = 43
	sessionIDLen = 12
)

// NewToken returns a new random token: a session's, a device's, or the
// secret of an API token (package tokens).
func NewToken() string {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the stored form of a token (its SHA-256, in hex), or
// false when token is not one NewToken could have made.
func HashToken(token string) (string, bool) {
	if len(token) != tokenLen {
		return "", false
	}
	if b, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(b) != tokenBytes {
		return "", false
	}
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:]), true
}

// SessionID returns the public id of the session a token names (as in
// Session.ID), so that a page can mark the current session; "" for a
// malformed token.
func SessionID(token string) string {
	h, ok := HashToken(token)
	if !ok {
		return ""
	}
	return h[:sessionIDLen]
}

// newSession stores a session for u and returns its token. It also drops
// u's sessions that can no longer be used, so the table does not grow
// with every login.
func (a *Authenticator) newSession(ctx context.Context, u users.User, enrolOnly bool, userAgent string) (string, error) {
	token := NewToken()
	h, _ := HashToken(token)
	err := a.db.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM sessions WHERE user_id = ? AND (expires_at <= ? OR revoked_at IS NOT NULL OR epoch <> ?)`),
			u.ID, tx.Now, u.SessionEpoch)
		if err != nil {
			return fmt.Errorf("drop old sessions: %w", err)
		}
		life := a.opts.AbsoluteTimeout
		if enrolOnly {
			life = a.opts.EnrolTimeout
		}
		r := sessionRow{TokenHash: h, UserID: u.ID, Epoch: u.SessionEpoch, EnrolOnly: enrolOnly, CreatedAt: tx.Now,
			LastSeenAt: tx.Now, ExpiresAt: tx.Now.Add(life), UserAgent: SummarizeUserAgent(userAgent)}
		_, err = tx.NamedExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, epoch, enrol_only, created_at, last_seen_at, expires_at, user_agent)
			VALUES (:token_hash, :user_id, :epoch, :enrol_only, :created_at, :last_seen_at, :expires_at, :user_agent)`, r)
		if err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// session loads and checks the session of token, and its user, and marks
// it used. enrol says whether an enrolment-only session will do.
func (a *Authenticator) session(ctx context.Context, token string, enrol bool) (Session, users.User, error) {
	h, ok := HashToken(token)
	if !ok {
		return Session{}, users.User{}, errSessionEnded()
	}
	var r sessionRow
	err := a.db.GetContext(ctx, &r, a.db.Rebind(`SELECT `+sessionCols+` FROM sessions WHERE token_hash = ?`), h)
	if err := db.NotFoundIf(err, "session", ""); apperr.Is(err, apperr.NotFound) {
		return Session{}, users.User{}, errSessionEnded()
	} else if err != nil {
		return Session{}, users.User{}, err
	}
	u, err := a.users.ByID(ctx, r.UserID)
	if apperr.Is(err, apperr.NotFound) {
		return Session{}, users.User{}, errSessionEnded()
	} else if err != nil {
		return Session{}, users.User{}, err
	}
	now := a.now()
	if !a.live(r, u, now) {
		return Session{}, users.User{}, errSessionEnded()
	}
	if r.EnrolOnly && !enrol {
		return Session{}, users.User{}, errEnrolRequired()
	}
	// Sliding idle expiry, written at most once per TouchInterval.
	if now.Sub(r.LastSeenAt) >= a.opts.TouchInterval {
		_, err := a.db.ExecContext(ctx, a.db.Rebind(`UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?`), now, h, now)
		if err != nil {
			return Session{}, users.User{}, fmt.Errorf("touch session: %w", err)
		}
		r.LastSeenAt = now
	}
	return r.session(), u, nil
}

// Session returns the session the token names and its user, and marks the
// session used. Unauthorized (KeySessionEnded) for a malformed, unknown,
// revoked or expired token, or a user since deactivated or whose password
// or TOTP changed; Forbidden (KeyEnrolRequired) for an enrolment-only
// session, whose admin the handler sends to enrolment.
func (a *Authenticator) Session(ctx context.Context, token string) (Session, users.User, error) {
	return a.session(ctx, token, false)
}

// EnrolmentSession is Session for the TOTP enrolment page: it also
// accepts the enrolment-only session Login gives an admin without TOTP.
func (a *Authenticator) EnrolmentSession(ctx context.Context, token string) (Session, users.User, error) {
	return a.session(ctx, token, true)
}

// Logout ends the session the token names. Ending an unknown or already
// ended session is not an error: the result is the same.
func (a *Authenticator) Logout(ctx context.Context, token string) error {
	h, ok := HashToken(token)
	if !ok {
		return nil
	}
	_, err := a.db.ExecContext(ctx, a.db.Rebind(`UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL`), a.now(), h)
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// ListSessions returns the user's sessions that can still be used, the
// most recently used first. NotFound when there is no such user.
func (a *Authenticator) ListSessions(ctx context.Context, userID string) ([]Session, error) {
	u, err := a.users.ByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := a.now()
	var rows []sessionRow
	err = a.db.SelectContext(ctx, &rows, a.db.Rebind(`SELECT `+sessionCols+` FROM sessions
		WHERE user_id = ? AND revoked_at IS NULL AND epoch = ? AND expires_at > ? ORDER BY last_seen_at DESC, token_hash`),
		u.ID, u.SessionEpoch, now)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	out := []Session{}
	for _, r := range rows {
		if a.live(r, u, now) {
			out = append(out, r.session())
		}
	}
	return out, nil
}

func validSessionID(id string) bool {
	if len(id) != sessionIDLen {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

// EndSession ends the user's session with the public id (Session.ID).
// NotFound when the user has no such session that is not already ended:
// another user's session id finds nothing.
func (a *Authenticator) EndSession(ctx context.Context, userID, id string) error {
	if !validSessionID(id) {
		return apperr.Keyed(apperr.NotFound, "err.not_found", "session %q not found", id)
	}
	res, err := a.db.ExecContext(ctx, a.db.Rebind(`UPDATE sessions SET revoked_at = ?
		WHERE user_id = ? AND substr(token_hash, 1, 12) = ? AND revoked_at IS NULL`), a.now(), userID, id)
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Keyed(apperr.NotFound, "err.not_found", "session %q not found", id)
	}
	return nil
}

// EndOtherSessions ends every session of the user but the one the token
// names ("log out everywhere else"). It returns how many it ended.
func (a *Authenticator) EndOtherSessions(ctx context.Context, userID, token string) (int, error) {
	h, _ := HashToken(token)
	res, err := a.db.ExecContext(ctx, a.db.Rebind(`UPDATE sessions SET revoked_at = ?
		WHERE user_id = ? AND token_hash <> ? AND revoked_at IS NULL`), a.now(), userID, h)
	if err != nil {
		return 0, fmt.Errorf("end sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Purge deletes sessions that expired or were revoked more than a day
// ago, login throttle buckets that have filled up again and devices unused
// for DeviceLifetime, and returns how many sessions it deleted. Logins
// already drop their user's dead sessions; a regular call (serve's
// housekeeping, hourly) catches users who never come back and keeps the
// throttle table to the attempts of the last hour or so.
func (a *Authenticator) Purge(ctx context.Context) (int64, error) {
	now := a.now()
	cut := now.Add(-24 * time.Hour)
	res, err := a.db.ExecContext(ctx, a.db.Rebind(`DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?`), cut, cut)
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	if _, err := a.throttle.purge(ctx, now); err != nil {
		return 0, err
	}
	if _, err := a.db.ExecContext(ctx, a.db.Rebind(`DELETE FROM login_devices WHERE last_used_at < ?`), now.Add(-DeviceLifetime)); err != nil {
		return 0, fmt.Errorf("purge login devices: %w", err)
	}
	return res.RowsAffected()
}

// ChangePassword lets the user of the session replace their password,
// given the current one. Every session of the user ends, and a new one
// starts for the caller: the returned token replaces the cookie.
// Unauthorized when the session has ended; TooMany when the account has
// tried too often; Invalid with field "current_password"
// (KeyPasswordWrong) for a wrong current password, or field "password"
// for a new password too short or too long.
func (a *Authenticator) ChangePassword(ctx context.Context, token, current, next, userAgent string) (string, error) {
	_, u, err := a.Session(ctx, token)
	if err != nil {
		return "", err
	}
	if err := a.allowUser(ctx, u); err != nil {
		return "", err
	}
	ok := false
	if len(current) <= users.MaxPasswordLen {
		if ok, err = a.checkPassword(ctx, u.PasswordHash, current); err != nil {
			return "", err
		}
	}
	if !ok {
		var fs apperr.Fields
		fs.Add("current_password", KeyPasswordWrong, "is not your current password")
		return "", fs.Err()
	}
	if err := a.users.SetPassword(db.WithActor(ctx, u.ID), u.ID, next); err != nil {
		return "", err
	}
	u, err = a.users.ByID(ctx, u.ID)
	if err != nil {
		return "", err
	}
	return a.newSession(ctx, u, false, userAgent)
}
