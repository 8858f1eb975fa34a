package users

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
)

// Audit actions of account writes. The audited values are Users, whose
// password hash and TOTP secret are never marshalled.
const (
	ActionUpdate      = "update"
	ActionPassword    = "password"
	ActionReset       = "password_reset"
	ActionDeactivate  = "deactivate"
	ActionActivate    = "activate"
	ActionTOTPEnable  = "totp_enable"
	ActionTOTPDisable = "totp_disable"
)

// queryer is what loading a user needs: the database or a transaction.
type queryer interface {
	sqlx.QueryerContext
	Rebind(string) string
}

// getUser loads the user whose col ("id" or "email", never user input)
// equals val, with networks, or NotFound.
func getUser(ctx context.Context, q queryer, col, val string) (User, error) {
	var u User
	if err := sqlx.GetContext(ctx, q, &u, q.Rebind(`SELECT `+userCols+` FROM users WHERE `+col+` = ?`), val); err != nil {
		if col == "email" {
			// Anyone types an e-mail at login: it stays out of the
			// error, which may reach the log.
			val = "(by e-mail)"
		}
		return u, db.NotFoundIf(err, "user", val)
	}
	if err := sqlx.SelectContext(ctx, q, &u.Networks, q.Rebind(`SELECT network_slug FROM user_networks WHERE user_id = ? ORDER BY network_slug`), u.ID); err != nil {
		return u, fmt.Errorf("user %s networks: %w", u.ID, err)
	}
	return u, nil
}

func (s *Store) load(ctx context.Context, col, val string) (User, error) {
	return getUser(ctx, s.db, col, val)
}

// ByID returns the user with the id, or NotFound.
func (s *Store) ByID(ctx context.Context, id string) (User, error) {
	return s.load(ctx, "id", id)
}

// Networks returns the slugs of the networks the user may edit (an
// editor's), sorted; NotFound when there is no such user.
func (s *Store) Networks(ctx context.Context, id string) ([]string, error) {
	u, err := s.ByID(ctx, id)
	return u.Networks, err
}

// List returns every user, active or not, ordered by e-mail, with their
// networks.
func (s *Store) List(ctx context.Context) ([]User, error) {
	var list []User
	if err := s.db.SelectContext(ctx, &list, `SELECT `+userCols+` FROM users ORDER BY email`); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	var rows []struct {
		UserID string `db:"user_id"`
		Slug   string `db:"network_slug"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT user_id, network_slug FROM user_networks ORDER BY user_id, network_slug`); err != nil {
		return nil, fmt.Errorf("user networks: %w", err)
	}
	byID := map[string][]string{}
	for _, r := range rows {
		byID[r.UserID] = append(byID[r.UserID], r.Slug)
	}
	for i := range list {
		list[i].Networks = byID[list[i].ID]
	}
	return list, nil
}

// modify runs one account write: it loads the user in the transaction,
// asks the guard (Guarded) about it, lets change edit a copy, saves the row (bumping version and updated_at,
// and, when endSessions, the session epoch), and audits before and after.
// change may return an error to refuse. NotFound when there is no user.
func (s *Store) modify(ctx context.Context, id, action string, endSessions bool, change func(tx *db.Tx, before User, u *User) error) (User, error) {
	var after User
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := getUser(ctx, tx, "id", id)
		if err != nil {
			return err
		}
		if err := s.allow(before); err != nil {
			return err
		}
		u := before
		if err := change(tx, before, &u); err != nil {
			return err
		}
		u.Version, u.UpdatedAt = before.Version+1, tx.Now
		if endSessions {
			u.SessionEpoch++
		}
		// The version condition keeps a concurrent write from being
		// overwritten even where reads do not block writers (PostgreSQL).
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE users SET email = ?, name = ?, role = ?,
			password_hash = ?, active = ?, totp_secret = ?, totp_enabled = ?, totp_last_step = ?,
			password_changed_at = ?, session_epoch = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?`),
			u.Email, u.Name, u.Role, u.PasswordHash, u.Active, u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep,
			u.PasswordChangedAt, u.SessionEpoch, u.Version, u.UpdatedAt, id, before.Version)
		if db.IsUniqueViolation(err) {
			return apperr.Errorf(apperr.Conflict, "a user with e-mail %s already exists", u.Email)
		} else if err != nil {
			return fmt.Errorf("update user %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.Conflict("user", id, before.Version)
		}
		after = u
		return tx.Audit(ctx, EntityUser, id, action, before, u)
	})
	return after, err
}

// keepAnAdmin refuses a change that would leave no active admin, so that
// someone can always manage the directory. (Best effort on PostgreSQL:
// two admins demoting each other at the same instant are not serialized.)
func keepAnAdmin(ctx context.Context, tx *db.Tx, before, after User) error {
	if before.Role != RoleAdmin || !before.Active || (after.Role == RoleAdmin && after.Active) {
		return nil
	}
	var n int
	err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM users WHERE role = ? AND active = ? AND id <> ?`), RoleAdmin, true, before.ID)
	if err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if n == 0 {
		return apperr.Keyed(apperr.Conflict, "err.last_admin", "the last active admin cannot be deactivated or demoted")
	}
	return nil
}

// Update saves u's e-mail, name, role and networks if u.Version is still
// the stored version. It returns Invalid for bad fields, NotFound, and
// Conflict for a stale version, an e-mail in use, or demoting the last
// active admin. Only editors keep networks. Password, TOTP and active
// state have their own methods.
func (s *Store) Update(ctx context.Context, u *User) error {
	x := *u
	x.Email = strings.ToLower(strings.TrimSpace(x.Email))
	x.Name = strings.TrimSpace(x.Name)
	if x.Role != RoleEditor {
		x.Networks = nil
	}
	if err := x.Validate("", false); err != nil {
		return err
	}
	after, err := s.modify(ctx, x.ID, ActionUpdate, false, func(tx *db.Tx, before User, u *User) error {
		if before.Version != x.Version {
			return db.Conflict("user", x.ID, x.Version)
		}
		u.Email, u.Name, u.Role, u.Networks = x.Email, x.Name, x.Role, x.Networks
		if err := keepAnAdmin(ctx, tx, before, *u); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM user_networks WHERE user_id = ?`), x.ID); err != nil {
			return fmt.Errorf("user %s networks: %w", x.ID, err)
		}
		for _, n := range x.Networks {
			_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO user_networks (user_id, network_slug) VALUES (?, ?)`), x.ID, n)
			if db.IsForeignKeyViolation(err) {
				return apperr.Errorf(apperr.Invalid, "unknown network %q", n)
			} else if err != nil {
				return fmt.Errorf("user network %s: %w", n, err)
			}
		}
		return nil
	})
	if err == nil {
		*u = after
	}
	return err
}

func (s *Store) setPassword(ctx context.Context, id, password, action string) error {
	var fs apperr.Fields
	if passwordErrors(&fs, password); fs.Err() != nil {
		return fs.Err()
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	_, err = s.modify(ctx, id, action, true, func(tx *db.Tx, _ User, u *User) error {
		now := tx.Now
		u.PasswordHash, u.PasswordChangedAt = hash, &now
		return nil
	})
	return err
}

// SetPassword replaces the user's password and ends every session of the
// user. The caller has checked who asks (the user, with their current
// password, or an admin). Invalid for a password too short or too long;
// NotFound when there is no such user.
func (s *Store) SetPassword(ctx context.Context, id, password string) error {
	return s.setPassword(ctx, id, password, ActionPassword)
}

// ResetPassword gives the user a new random password, ends every session
// of the user and returns the password for the admin to hand over. Only
// its hash is stored. NotFound when there is no such user.
func (s *Store) ResetPassword(ctx context.Context, id string) (string, error) {
	password := rand.Text() // 26 base32 characters, 130 bits
	if err := s.setPassword(ctx, id, password, ActionReset); err != nil {
		return "", err
	}
	return password, nil
}

// Deactivate refuses the user's future logins and ends every session of
// the user. NotFound when there is no such user; Conflict for the last
// active admin.
func (s *Store) Deactivate(ctx context.Context, id string) error {
	_, err := s.modify(ctx, id, ActionDeactivate, true, func(tx *db.Tx, before User, u *User) error {
		u.Active = false
		return keepAnAdmin(ctx, tx, before, *u)
	})
	return err
}

// Activate lets a deactivated user log in again. NotFound when there is no
// such user.
func (s *Store) Activate(ctx context.Context, id string) error {
	_, err := s.modify(ctx, id, ActionActivate, false, func(_ *db.Tx, _ User, u *User) error {
		u.Active = true
		return nil
	})
	return err
}

// SetTOTPSecret stores a pending TOTP secret, not yet enabled, replacing
// any earlier pending one. Conflict when the user already has TOTP
// enabled (disable it first); NotFound when there is no such user. Not
// audited as a change of its own: enabling is.
func (s *Store) SetTOTPSecret(ctx context.Context, id, secret string) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE users SET totp_secret = ?, totp_last_step = 0 WHERE id = ? AND totp_enabled = ?`), secret, id, false)
		if err != nil {
			return fmt.Errorf("user %s totp secret: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := getUser(ctx, tx, "id", id); err != nil {
				return err
			}
			return apperr.Keyed(apperr.Conflict, "err.totp_enabled", "two-step verification is already on")
		}
		return nil
	})
}

// EnableTOTP turns on the pending secret, secret, recording step as the
// newest step used, and ends every session of the user (the caller starts
// a new one). Conflict when TOTP is already on or the pending secret is no
// longer secret (enrolment started again elsewhere); NotFound when there
// is no such user.
func (s *Store) EnableTOTP(ctx context.Context, id, secret string, step int64) error {
	_, err := s.modify(ctx, id, ActionTOTPEnable, true, func(_ *db.Tx, before User, u *User) error {
		if before.TOTPEnabled {
			return apperr.Keyed(apperr.Conflict, "err.totp_enabled", "two-step verification is already on")
		}
		if before.TOTPSecret == "" || before.TOTPSecret != secret {
			return apperr.Keyed(apperr.Conflict, "err.totp_restart", "the enrolment was started again elsewhere; start over")
		}
		u.TOTPEnabled, u.TOTPLastStep = true, step
		return nil
	})
	return err
}

// DisableTOTP removes the user's TOTP secret, enabled or pending, and ends
// every session of the user: an admin's reset for a lost device, or a
// user turning the second factor off. NotFound when there is no such user.
func (s *Store) DisableTOTP(ctx context.Context, id string) error {
	_, err := s.modify(ctx, id, ActionTOTPDisable, true, func(_ *db.Tx, _ User, u *User) error {
		u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep = "", false, 0
		return nil
	})
	return err
}

// UseTOTPStep records that a code of the TOTP time step was accepted. It
// reports false, changing nothing, when step is not newer than the last
// step used (a replayed code) or TOTP is off. Login bookkeeping, not
// audited.
func (s *Store) UseTOTPStep(ctx context.Context, id string, step int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_enabled = ? AND totp_last_step < ?`), step, id, true, step)
	if err != nil {
		return false, fmt.Errorf("user %s totp step: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("user %s totp step: %w", id, err)
	}
	return n == 1, nil
}
