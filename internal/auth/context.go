package auth

import (
	"context"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/users"
)

// Identity is who makes a request: nobody (anonymous), or a logged-in user
// with their session.
type Identity struct {
	User    *users.User
	Session Session
	Token   string
	// Unknown marks a request whose session could not be read (the
	// database does not answer): it goes on as anonymous, and whatever
	// needs the login answers Unavailable (see Unknown) rather than
	// "log in", since the person is still logged in.
	Unknown bool
}

type identityKey struct{}

// WithIdentity returns ctx carrying id.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the identity in ctx; anonymous when there is none.
func IdentityFrom(ctx context.Context) Identity {
	if id, ok := ctx.Value(identityKey{}).(Identity); ok {
		return id
	}
	return Identity{}
}

// ErrSessionUnknown is the error of a request that needs its login while
// its session cannot be read (Identity.Unknown).
func ErrSessionUnknown() error {
	return apperr.Keyed(apperr.Unavailable, "err.unavailable", "the directory is temporarily unavailable; try again in a moment")
}

// NotLoggedIn returns err, except that a refusal for want of a login
// (Unauthorized) of a request whose session could not be read becomes
// ErrSessionUnknown: the person is logged in; the database is away.
func NotLoggedIn(ctx context.Context, err error) error {
	if IdentityFrom(ctx).Unknown && apperr.Is(err, apperr.Unauthorized) {
		return ErrSessionUnknown()
	}
	return err
}

// Level is what members-only fields the identity may read.
func (id Identity) Level() users.Level { return Level(id.User) }
