package web

import (
	"context"
	"log/slog"
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
// kept and the request goes on anonymously with its identity marked
// Unknown: what anyone may see still answers (a search from the index),
// and what needs the login answers 503 (auth.NotLoggedIn), since an
// outage must not log everyone out, nor turn their writes into "not
// logged in". Requests without the cookie are never given one.
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
			// Every request of a logged-in person fails alike while
			// the database is away: the log says so at debug level,
			// /readyz once. Anything else is worth a warning.
			level := slog.LevelDebug
			if !db.Unreachable(err) {
				level = slog.LevelWarn
			}
			s.log.Log(r.Context(), level, "session lookup failed", "err", err)
			next.ServeHTTP(w, r.WithContext(auth.WithIdentity(r.Context(), auth.Identity{Unknown: true})))
			return
		}
		ctx := auth.WithIdentity(r.Context(), auth.Identity{User: &u, Session: sess, Token: c.Value})
		ctx = db.WithActor(ctx, u.ID)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
