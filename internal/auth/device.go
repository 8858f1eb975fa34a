package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/serie-verkosto/directory/internal/db"
)

// Device cookies (OWASP's "Slow Down Online Guessing Attacks with Device
// Cookies"): after a login succeeds the browser gets a long-lived random
// token naming it as one that has logged in to the account. Later login
// attempts carrying it are throttled in a bucket of their own, so someone
// guessing the account's password from elsewhere, who fills the account's
// bucket for untrusted clients, does not lock its owner out.
const (
	// DeviceLifetime is how long an unused device stays trusted; each
	// login from it starts the time again.
	DeviceLifetime = 180 * 24 * time.Hour
	// maxDevices is how many browsers an account trusts at once; a login
	// from one more forgets the one used longest ago.
	maxDevices = 10
)

// trustedDevice reports whether device is the cookie of a browser that
// has logged in to the account of email within DeviceLifetime, and returns
// its token hash.
func (a *Authenticator) trustedDevice(ctx context.Context, email, device string, now time.Time) (string, bool, error) {
	h, ok := HashToken(device)
	if !ok {
		return "", false, nil
	}
	var n int
	err := a.db.GetContext(ctx, &n, a.db.Rebind(`SELECT COUNT(*) FROM login_devices d JOIN users u ON u.id = d.user_id
		WHERE d.token_hash = ? AND u.email = ? AND d.last_used_at > ?`), h, email, now.Add(-DeviceLifetime))
	if err != nil {
		return "", false, fmt.Errorf("login device: %w", err)
	}
	return h, n > 0, nil
}

// TrustDevice records that the browser holding the device cookie (empty
// when it has none) has just logged in as the user, and returns the cookie
// to set: the same token, used again, when it already named this user's
// browser, or a new one. Call it after Login succeeds (also when it asks an
// admin to enrol in TOTP: the password was right).
func (a *Authenticator) TrustDevice(ctx context.Context, userID, device string) (string, error) {
	now := a.now()
	if h, ok := HashToken(device); ok {
		res, err := a.db.ExecContext(ctx, a.db.Rebind(`UPDATE login_devices SET last_used_at = ? WHERE token_hash = ? AND user_id = ?`), now, h, userID)
		if err != nil {
			return "", fmt.Errorf("trust device: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return device, nil
		}
	}
	token := NewToken()
	h, _ := HashToken(token)
	err := a.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO login_devices (token_hash, user_id, created_at, last_used_at) VALUES (?, ?, ?, ?)`),
			h, userID, now, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM login_devices WHERE user_id = ? AND token_hash NOT IN
			(SELECT token_hash FROM login_devices WHERE user_id = ? ORDER BY last_used_at DESC, created_at DESC LIMIT ?)`), userID, userID, maxDevices)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("trust device: %w", err)
	}
	return token, nil
}
