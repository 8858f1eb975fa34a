// Package accounts holds the admins' use cases on accounts: list them,
// create one, reset a password or a lost second factor, deactivate and
// activate, change e-mail, name, role and networks. Each takes the acting
// user and is decided by the one policy (auth.Can of auth.AdminUsers).
//
// They live beside package users, not in it, because the policy does:
// package auth builds on users (a session's user), so users cannot ask
// auth.Can. Nor in auth, which is about who someone is (logins,
// sessions, second factors) and the policy itself, not about managing
// accounts. The writes still run in users.Store's transactions: each
// reads the account in its transaction and asks the policy there (a
// users.Guard) before it writes the row and the audit entry.
package accounts

import (
	"context"
	"crypto/rand"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/users"
)

// Accounts runs the admins' use cases over a user store.
type Accounts struct{ users *users.Store }

// New returns the account use cases over us.
func New(us *users.Store) *Accounts { return &Accounts{users: us} }

// MayManage reports whether u may manage accounts: nil, Unauthorized
// (nobody logged in) or Forbidden. For adapters deciding what to offer;
// every use case decides again.
func MayManage(u *users.User) error {
	return auth.Can(u, auth.AdminUsers, auth.Resource{Kind: auth.KindUser})
}

// as returns the context and the store of actor's writes: the audit log
// names actor, and each write asks the policy about the account it read
// in its transaction. The policy is asked first here too, before any
// account is read, so that a refused actor learns nothing (not even
// whether an id exists: Forbidden, never NotFound).
func (a *Accounts) as(ctx context.Context, actor *users.User) (context.Context, *users.Store, error) {
	if err := MayManage(actor); err != nil {
		return ctx, nil, err
	}
	guarded := a.users.Guarded(func(target users.User) error {
		return auth.Can(actor, auth.AdminUsers, auth.Resource{Kind: auth.KindUser})
	})
	return db.WithActor(ctx, actor.ID), guarded, nil
}

// write runs one account write for actor (see as).
func (a *Accounts) write(ctx context.Context, actor *users.User, w func(ctx context.Context, us *users.Store) error) error {
	ctx, us, err := a.as(ctx, actor)
	if err != nil {
		return err
	}
	return w(ctx, us)
}

// List returns every account, active or not, ordered by e-mail, for
// actor: Unauthorized or Forbidden unless actor may manage accounts.
func (a *Accounts) List(ctx context.Context, actor *users.User) ([]users.User, error) {
	if err := MayManage(actor); err != nil {
		return nil, err
	}
	return a.users.List(ctx)
}

// Create stores a new active account for actor, with a random first
// password that it returns to be handed over once (only its hash is
// stored; the user changes it). Only editors keep networks. Unauthorized
// or Forbidden unless actor may manage accounts; Invalid for bad fields,
// an unknown network, or (on the email field) an e-mail in use. On
// success u is the stored account.
func (a *Accounts) Create(ctx context.Context, actor *users.User, u *users.User) (password string, err error) {
	ctx, us, err := a.as(ctx, actor)
	if err != nil {
		return "", err
	}
	x := *u
	if x.Role != users.RoleEditor {
		x.Networks = nil
	}
	password = rand.Text() // 26 base32 characters, 130 bits
	if err := us.Create(ctx, &x, password); apperr.Is(err, apperr.Conflict) {
		// On the e-mail's field, so that a form shows it there.
		var fs apperr.Fields
		fs.Add("email", "err.email_taken", "is already in use")
		e := apperr.As(fs.Err())
		e.Err = err
		return "", e
	} else if err != nil {
		return "", err
	}
	*u = x
	return password, nil
}

// Update saves the e-mail, name, role and networks of u for actor, if
// u.Version is still the stored version (users.Store.Update): Invalid,
// NotFound, Conflict (stale, e-mail in use, the last active admin
// demoted), or Unauthorized or Forbidden unless actor may manage
// accounts.
func (a *Accounts) Update(ctx context.Context, actor *users.User, u *users.User) error {
	return a.write(ctx, actor, func(ctx context.Context, us *users.Store) error { return us.Update(ctx, u) })
}

// ResetPassword gives the account a new random password for actor to
// hand over, ends its sessions and returns the password: NotFound, or
// Unauthorized or Forbidden unless actor may manage accounts.
func (a *Accounts) ResetPassword(ctx context.Context, actor *users.User, id string) (string, error) {
	ctx, us, err := a.as(ctx, actor)
	if err != nil {
		return "", err
	}
	return us.ResetPassword(ctx, id)
}

// Deactivate refuses the account's future logins and ends its sessions,
// for actor: NotFound; Conflict for the last active admin; Unauthorized
// or Forbidden unless actor may manage accounts.
func (a *Accounts) Deactivate(ctx context.Context, actor *users.User, id string) error {
	return a.write(ctx, actor, func(ctx context.Context, us *users.Store) error { return us.Deactivate(ctx, id) })
}

// Activate lets a deactivated account log in again, for actor: NotFound,
// or Unauthorized or Forbidden unless actor may manage accounts.
func (a *Accounts) Activate(ctx context.Context, actor *users.User, id string) error {
	return a.write(ctx, actor, func(ctx context.Context, us *users.Store) error { return us.Activate(ctx, id) })
}

// ResetTOTP removes the account's second factor (a lost device) and ends
// its sessions, for actor: NotFound, or Unauthorized or Forbidden unless
// actor may manage accounts.
func (a *Accounts) ResetTOTP(ctx context.Context, actor *users.User, id string) error {
	return a.write(ctx, actor, func(ctx context.Context, us *users.Store) error { return us.DisableTOTP(ctx, id) })
}
