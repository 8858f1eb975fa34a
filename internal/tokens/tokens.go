// Package tokens holds the API tokens of integrations: another system
// writes through the JSON API with "Authorization: Bearer <token>" as a
// named editor or admin, scoped to its networks exactly like a session of
// that role, and audited under the token's name. A token is shown once
// when it is made; only its SHA-256 is stored.
package tokens

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/users"
)

// Prefix starts every token, so that one found in a log or a repository
// is recognisable (and secret scanners can look for it).
const Prefix = "srd_"

// ActorPrefix starts the audit log's actor of a token's writes: the
// actor is "token:<name>".
const ActorPrefix = "token:"

// EntityToken names tokens in the audit log.
const EntityToken = "api_token"

// Roles are the roles a token may have: it writes, so it is an editor or
// an admin; reading needs no token.
var Roles = []string{users.RoleEditor, users.RoleAdmin}

// Token is an integration's API token (never its secret).
type Token struct {
	Name       string     `db:"name" json:"name"`
	Role       string     `db:"role" json:"role"`
	Networks   []string   `db:"-" json:"networks"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	CreatedBy  string     `db:"created_by" json:"created_by"`
	RevokedAt  *time.Time `db:"revoked_at" json:"revoked_at"`
	LastUsedAt *time.Time `db:"last_used_at" json:"last_used_at"`
}

// User is the identity a request with the token acts as.
func (t Token) User() *users.User {
	return &users.User{ID: ActorPrefix + t.Name, Name: t.Name, Role: t.Role,
		Networks: slices.Clone(t.Networks), Active: t.RevokedAt == nil}
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// Validate checks the name, the role and that an editor has networks.
func (t *Token) Validate() error {
	var fs apperr.Fields
	if !nameRE.MatchString(t.Name) {
		fs.Add("name", "err.token_name", "must be 1 to 63 lowercase letters, digits, dots, hyphens or underscores, starting with a letter or digit")
	}
	fs.OneOf("role", t.Role, Roles...)
	if t.Role == "" {
		fs.Add("role", "err.required", "is required")
	}
	if t.Role == users.RoleEditor && len(t.Networks) == 0 {
		fs.Add("networks", "err.editor_network", "an editor needs at least one network to edit")
	}
	return fs.Err()
}

// Store keeps the tokens.
type Store struct {
	db *db.DB
}

// NewStore returns the tokens of d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// mayManage: admins (who manage accounts) and programs run by the
// operator (the command line) make and revoke tokens.
func mayManage(u *users.User) error {
	if u != nil && u.Active && u.Role == users.RoleSystem {
		return nil
	}
	return auth.Can(u, auth.AdminUsers, auth.Resource{Kind: auth.KindUser})
}

// Add stores a new token for t and returns its secret, which is shown
// once and never again. Conflict when the name is taken (by a revoked
// token too: the audit log names it).
func (s *Store) Add(ctx context.Context, actor *users.User, t *Token) (string, error) {
	if err := mayManage(actor); err != nil {
		return "", err
	}
	x := *t
	x.Name = strings.TrimSpace(x.Name)
	x.Networks = slices.Compact(slices.Sorted(slices.Values(x.Networks)))
	if x.Role == users.RoleAdmin {
		x.Networks = nil // an admin's scope is everything
	}
	if err := x.Validate(); err != nil {
		return "", err
	}
	secret := Prefix + auth.NewToken()
	hash, _ := auth.HashToken(strings.TrimPrefix(secret, Prefix))
	x.CreatedBy, x.RevokedAt, x.LastUsedAt = actor.ID, nil, nil
	err := s.db.InTx(db.WithActor(ctx, actor.ID), func(tx *db.Tx) error {
		x.CreatedAt = tx.Now
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO api_tokens (name, role, token_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)`),
			x.Name, x.Role, hash, x.CreatedAt, x.CreatedBy)
		if db.IsUniqueViolation(err) {
			return apperr.Keyed(apperr.Conflict, "err.token_name_taken", "a token named %q exists (or existed); choose another name", x.Name)
		} else if err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		for _, n := range x.Networks {
			_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO api_token_networks (token_name, network_slug) VALUES (?, ?)`), x.Name, n)
			if db.IsForeignKeyViolation(err) {
				var fs apperr.Fields
				fs.Add("networks", "err.unknown_network", "unknown network %q", n)
				return fs.Err()
			} else if err != nil {
				return fmt.Errorf("token network %s: %w", n, err)
			}
		}
		return tx.Audit(ctx, EntityToken, x.Name, "create", nil, x)
	})
	if err != nil {
		return "", err
	}
	*t = x
	return secret, nil
}

// Revoke ends the token at once. NotFound for an unknown name; revoking
// a revoked token changes nothing.
func (s *Store) Revoke(ctx context.Context, actor *users.User, name string) error {
	if err := mayManage(actor); err != nil {
		return err
	}
	return s.db.InTx(db.WithActor(ctx, actor.ID), func(tx *db.Tx) error {
		before, err := get(ctx, tx, name)
		if err != nil {
			return err
		}
		if before.RevokedAt != nil {
			return nil
		}
		after := before
		after.RevokedAt = &tx.Now
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE api_tokens SET revoked_at = ? WHERE name = ?`), tx.Now, name); err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		return tx.Audit(ctx, EntityToken, name, "revoke", before, after)
	})
}

// List returns every token, the active first, by name.
func (s *Store) List(ctx context.Context, actor *users.User) ([]Token, error) {
	if err := mayManage(actor); err != nil {
		return nil, err
	}
	var list []Token
	if err := s.db.SelectContext(ctx, &list, `SELECT name, role, created_at, created_by, revoked_at, last_used_at
		FROM api_tokens ORDER BY (revoked_at IS NOT NULL), name`); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	var rows []struct {
		Token   string `db:"token_name"`
		Network string `db:"network_slug"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT token_name, network_slug FROM api_token_networks ORDER BY token_name, network_slug`); err != nil {
		return nil, fmt.Errorf("list token networks: %w", err)
	}
	for i := range list {
		for _, r := range rows {
			if r.Token == list[i].Name {
				list[i].Networks = append(list[i].Networks, r.Network)
			}
		}
	}
	return list, nil
}

// lastUsedEvery is how stale last_used_at may be: a busy integration does
// not write a row on every request.
const lastUsedEvery = time.Minute

// Authenticate returns the token a secret names. Unauthorized, the same
// for all, when it is malformed, unknown or revoked.
func (s *Store) Authenticate(ctx context.Context, secret string) (Token, error) {
	refused := apperr.Keyed(apperr.Unauthorized, "err.token", "the token is not valid (unknown, revoked or mistyped)")
	hash, ok := auth.HashToken(strings.TrimPrefix(secret, Prefix))
	if !ok || !strings.HasPrefix(secret, Prefix) {
		return Token{}, refused
	}
	var t Token
	err := s.db.GetContext(ctx, &t, s.db.Rebind(`SELECT name, role, created_at, created_by, revoked_at, last_used_at
		FROM api_tokens WHERE token_hash = ?`), hash)
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, refused
	} else if err != nil {
		return Token{}, fmt.Errorf("read token: %w", err)
	}
	if t.RevokedAt != nil {
		return Token{}, refused
	}
	if err := s.db.SelectContext(ctx, &t.Networks, s.db.Rebind(`SELECT network_slug FROM api_token_networks WHERE token_name = ? ORDER BY network_slug`), t.Name); err != nil {
		return Token{}, fmt.Errorf("read token networks: %w", err)
	}
	now := s.db.Now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= lastUsedEvery {
		// Best effort: a failed stamp must not refuse a valid token.
		_, _ = s.db.ExecContext(ctx, s.db.Rebind(`UPDATE api_tokens SET last_used_at = ? WHERE name = ?`), now, t.Name)
		t.LastUsedAt = &now
	}
	return t, nil
}

// get reads one token in tx (without its networks: the audit needs only
// the row's state).
func get(ctx context.Context, tx *db.Tx, name string) (Token, error) {
	var t Token
	err := tx.GetContext(ctx, &t, tx.Rebind(`SELECT name, role, created_at, created_by, revoked_at, last_used_at FROM api_tokens WHERE name = ?`), name)
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.Keyed(apperr.NotFound, "err.token_unknown", "no token named %q", name)
	} else if err != nil {
		return t, fmt.Errorf("read token %s: %w", name, err)
	}
	return t, nil
}
