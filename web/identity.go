package web

import (
	"context"
	"net/http"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
)

// IdentityFrom returns the request's identity; anonymous when nobody is
// logged in.
func IdentityFrom(ctx context.Context) auth.Identity { return auth.IdentityFrom(ctx) }

// identify reads the session cookie. A valid session puts the user in the
// request context (and makes them the actor of every write); an ended or
// forged one is cleared and the request goes on anonymously. When the
// session cannot be read (the database does not answer), the cookie is
// kept and the request answered 503: an outage must not log everyone
// out, nor turn their writes into "not logged in". Requests without the
// cookie are never given one.
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
		switch {
		case err == nil:
		case auth.IsEnrolmentRequired(err):
			// An admin's enrolment-only session is good for the TOTP
			// pages only, which read them themselves: keep the cookie.
			next.ServeHTTP(w, r)
			return
		case apperr.Is(err, apperr.Unauthorized):
			http.SetCookie(w, auth.ClearSessionCookie(s.cfg.SecureCookies))
			next.ServeHTTP(w, r)
			return
		default:
			s.log.Warn("session lookup failed", "err", err)
			s.unavailable(w, r)
			return
		}
		ctx := auth.WithIdentity(r.Context(), auth.Identity{User: &u, Session: sess, Token: c.Value})
		ctx = db.WithActor(ctx, u.ID)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// unavailable answers 503 in the user's language (JSON on the API), for a
// request that needs the database while it does not answer.
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request) {
	err := apperr.Keyed(apperr.Unavailable, "err.unavailable", "the directory is temporarily unavailable; try again in a moment")
	w.Header().Set("Retry-After", "30")
	s.refuse(w, r, err)
}
