package web

import (
	"context"
	"net/http"

	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
)

// IdentityFrom returns the request's identity; anonymous when nobody is
// logged in.
func IdentityFrom(ctx context.Context) auth.Identity { return auth.IdentityFrom(ctx) }

// identify reads the session cookie. A valid session puts the user in the
// request context (and makes them the actor of every write); an ended or
// forged one is cleared and the request goes on anonymously. Requests
// without the cookie are never given one.
func (s *Server) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Auth == nil {
			next.ServeHTTP(w, r)
			return
		}
		c, err := r.Cookie(auth.CookieName(s.cfg.SecureCookies))
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		sess, u, err := s.cfg.Auth.Session(r.Context(), c.Value)
		if err != nil {
			// An admin's enrolment-only session is good for the TOTP
			// pages only, which read it themselves: keep the cookie.
			if !auth.IsEnrolmentRequired(err) {
				http.SetCookie(w, auth.ClearSessionCookie(s.cfg.SecureCookies))
			}
			next.ServeHTTP(w, r)
			return
		}
		ctx := auth.WithIdentity(r.Context(), auth.Identity{User: &u, Session: sess, Token: c.Value})
		ctx = db.WithActor(ctx, u.ID)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
