// Package users holds the accounts of people who edit or read members-only
// listings: their roles, the networks an editor may edit, and password
// hashing.
package users

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
)

// Roles, from most to least powerful.
const (
	RoleAdmin  = "admin"
	RoleEditor = "editor"
	RoleMember = "member"
)

// Roles lists the valid roles of accounts.
var Roles = []string{RoleAdmin, RoleEditor, RoleMember}

// RoleSystem is the role of a program that writes listings: the seed
// loader, an importer. It is no account's role (Validate refuses it, so
// nobody can log in with it); System makes such an identity.
const RoleSystem = "system"

// System returns the identity of a program that writes listings, such as
// "seed" or "import:ptv": the audit log names it as the actor of what it
// writes, and auth.Can lets it write listings of every network.
func System(name string) *User {
	return &User{ID: name, Name: name, Role: RoleSystem, Active: true}
}

// Level is a viewer's clearance: which members-only and admin-only
// fields they may read (auth.Level decides it for a user).
type Level int

// Viewer levels, from least to most.
const (
	LevelPublic Level = iota
	LevelMember
	LevelAdmin
)

// EntityUser names users in the audit log.
const EntityUser = "user"

// User is an account. PasswordHash and TOTPSecret never leave the server:
// they are not marshalled, so neither the API nor the audit log sees them.
type User struct {
	ID           string   `db:"id" json:"id"`
	Email        string   `db:"email" json:"email"`
	Name         string   `db:"name" json:"name"`
	Role         string   `db:"role" json:"role"`
	PasswordHash string   `db:"password_hash" json:"-"`
	Active       bool     `db:"active" json:"active"`
	Networks     []string `db:"-" json:"networks"`
	// TOTPSecret is the base32 TOTP secret: pending while TOTPEnabled is
	// false, empty when the user has none.
	TOTPSecret  string `db:"totp_secret" json:"-"`
	TOTPEnabled bool   `db:"totp_enabled" json:"totp_enabled"`
	// TOTPLastStep is the newest TOTP time step accepted, so that a code
	// is good once only.
	TOTPLastStep      int64      `db:"totp_last_step" json:"-"`
	PasswordChangedAt *time.Time `db:"password_changed_at" json:"password_changed_at"`
	// SessionEpoch is bumped to end every session of the user at once.
	SessionEpoch int       `db:"session_epoch" json:"-"`
	Version      int       `db:"version" json:"version"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
	UpdatedAt    time.Time `db:"updated_at" json:"updated_at"`
}

// userCols is the column list every SELECT of a user reads.
const userCols = `id, email, name, role, password_hash, active, totp_secret, totp_enabled, totp_last_step,
	password_changed_at, session_epoch, version, created_at, updated_at`

// MinPasswordLen is the shortest password accepted (NIST SP 800-63B).
const MinPasswordLen = 12

// MaxPasswordLen bounds hashing work per request.
const MaxPasswordLen = 256

// Validate checks the account fields and, when password is not empty, the
// password.
func (u *User) Validate(password string, checkPassword bool) error {
	var fs apperr.Fields
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		fs.Add("email", "err.email", "is not a valid e-mail address")
	}
	if strings.TrimSpace(u.Name) == "" {
		fs.Add("name", "err.required", "is required")
	} else if utf8.RuneCountInString(u.Name) > 200 {
		fs.Add("name", "err.too_long", "is too long (at most %d characters)", 200)
	}
	switch u.Role {
	case RoleAdmin, RoleMember:
	case RoleEditor:
		if len(u.Networks) == 0 {
			fs.Add("networks", "err.editor_network", "an editor needs at least one network to edit")
		}
	default:
		fs.Add("role", "err.role", "must be admin, editor or member")
	}
	if checkPassword {
		passwordErrors(&fs, password)
	}
	return fs.Err()
}

// passwordErrors adds the password's faults to fs.
func passwordErrors(fs *apperr.Fields, password string) {
	switch n := utf8.RuneCountInString(password); {
	case n < MinPasswordLen:
		fs.Add("password", "err.password_short", "must be at least %d characters", MinPasswordLen)
	case len(password) > MaxPasswordLen:
		fs.Add("password", "err.too_long", "is too long (at most %d bytes)", MaxPasswordLen)
	}
}

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// hashCost is the time and memory (KiB) of a new hash. A test binary
// (never the program: testing.Testing is false there) hashes with the
// least argon2id allows, because the tests check what is done with a
// password, not the hash's strength, and every test site creates five
// accounts: OWASP's cost made password hashing most of the suite's time.
// The cost is written into each hash, so CheckPassword reads either.
func hashCost() (time, memory uint32) {
	if testing.Testing() {
		return 1, 8 * argonThreads
	}
	return argonTime, argonMemory
}

// HashPassword returns an encoded argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	t, m := hashCost()
	key := argon2.IDKey([]byte(password), salt, t, m, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, m, t, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the encoded hash, in
// constant time for hashes of the same parameters.
func CheckPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Store loads and saves users.
type Store struct {
	db    *db.DB
	guard Guard
}

// Guard decides, inside a write's transaction, whether the write may go
// on, given the account it is about as stored (for a new account, as it
// would be stored): nil, or the error that refuses it. Package users
// cannot know the policy (package auth builds on users), so whoever
// knows it passes it in (see Guarded).
type Guard func(target User) error

// Guarded returns a store over the same database whose writes first ask
// g about the account they read in their transaction, and write nothing
// when it refuses. A store without a guard writes for trusted callers
// (the CLI, the authenticator acting for the user themselves). The TOTP
// bookkeeping of a login (SetTOTPSecret, UseTOTPStep) asks no guard: only
// the authenticator calls it, for the user logging in.
func (s *Store) Guarded(g Guard) *Store {
	c := *s
	c.guard = g
	return &c
}

// allow asks the guard, if any, about target.
func (s *Store) allow(target User) error {
	if s.guard == nil {
		return nil
	}
	return s.guard(target)
}

// NewStore returns a user store over d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "u-" + hex.EncodeToString(b)
}

// Create stores a new active user with the password hashed. An e-mail
// already in use is a Conflict; an unknown network is Invalid; a guard's
// refusal (Guarded), asked about the new account in the transaction, is
// returned as it is.
func (s *Store) Create(ctx context.Context, u *User, password string) error {
	x := *u
	x.Email = strings.ToLower(strings.TrimSpace(x.Email))
	x.Name = strings.TrimSpace(x.Name)
	if err := x.Validate(password, true); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	x.ID, x.PasswordHash, x.Active = newID(), hash, true
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		x.Version, x.CreatedAt, x.UpdatedAt = 1, tx.Now, tx.Now
		if err := s.allow(x); err != nil {
			return err
		}
		_, err := tx.NamedExecContext(ctx, `INSERT INTO users (id, email, name, role, password_hash, active, version, created_at, updated_at)
			VALUES (:id, :email, :name, :role, :password_hash, :active, :version, :created_at, :updated_at)`, x)
		if db.IsUniqueViolation(err) {
			return apperr.Errorf(apperr.Conflict, "a user with e-mail %s already exists", x.Email)
		} else if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		for _, n := range x.Networks {
			_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO user_networks (user_id, network_slug) VALUES (?, ?)`), x.ID, n)
			if db.IsForeignKeyViolation(err) {
				return apperr.Errorf(apperr.Invalid, "unknown network %q", n)
			} else if err != nil {
				return fmt.Errorf("user network %s: %w", n, err)
			}
		}
		return tx.Audit(ctx, EntityUser, x.ID, "create", nil, x)
	})
	if err == nil {
		*u = x
	}
	return err
}

// ByEmail returns the user with the e-mail address, or NotFound.
func (s *Store) ByEmail(ctx context.Context, email string) (User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	return s.load(ctx, "email", email)
}
