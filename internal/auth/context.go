package auth

import (
	"context"

	"github.com/serie-verkosto/directory/internal/users"
)

// Identity is who makes a request: nobody (anonymous), or a logged-in user
// with their session.
type Identity struct {
	User    *users.User
	Session Session
	Token   string
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

// Level is what members-only fields the identity may read.
func (id Identity) Level() users.Level { return Level(id.User) }
