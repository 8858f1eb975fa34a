package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/tokens"
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
		if bearerRequest(r) {
			s.identifyBearer(w, r, next)
			return
		}
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

// API token throttles: a token's requests, and refused tokens per client
// address (a token is 256 random bits, so this only keeps a broken or
// hostile client from loading the database).
const (
	TokenRate           = rate.Limit(20) // requests per second, after the burst
	TokenBurst          = 200
	TokenFailsPerMinute = 10
	TokenFailBurst      = 20
)

// bearerRequest reports whether r is an API request that carries its own
// credential (an Authorization header): it is identified by that alone,
// never by a cookie.
func bearerRequest(r *http.Request) bool {
	return r.Header.Get("Authorization") != "" && strings.HasPrefix(r.URL.Path, "/api/")
}

// identifyBearer identifies an API request by its bearer token: as the
// token's editor or admin, scoped to its networks, the audit log's actor
// "token:<name>". A missing, malformed, unknown or revoked token is a 401
// (RFC 6750); too many requests are a 429. The database being away is a
// 503: the token may be good.
func (s *Server) identifyBearer(w http.ResponseWriter, r *http.Request, next http.Handler) {
	scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	secret = strings.TrimSpace(secret)
	now := time.Now()
	var t tokens.Token
	var err error = apperr.Keyed(apperr.Unauthorized, "err.token", "the token is not valid (unknown, revoked or mistyped)")
	if strings.EqualFold(scheme, "Bearer") && secret != "" && s.cfg.Tokens != nil {
		t, err = s.cfg.Tokens.Authenticate(r.Context(), secret)
	}
	switch {
	case apperr.Is(err, apperr.Unauthorized):
		if !s.tokenFail.Allow(auth.AddrKey(clientAddr(r)), now) {
			err = tooManyTokenRequests(w)
		} else {
			w.Header().Set("WWW-Authenticate", `Bearer realm="directory", error="invalid_token"`)
		}
		s.refuse(w, r, err)
		return
	case err != nil:
		s.refuse(w, r, err)
		return
	case !s.tokenUse.Allow(t.Name, now):
		s.refuse(w, r, tooManyTokenRequests(w))
		return
	}
	u := t.User()
	ctx := auth.WithIdentity(r.Context(), auth.Identity{User: u})
	next.ServeHTTP(w, r.WithContext(db.WithActor(ctx, u.ID)))
}

func newTokenFailLimiter() *auth.Limiter {
	return auth.NewLimiter(rate.Every(time.Minute/TokenFailsPerMinute), TokenFailBurst, auth.DefaultMaxKeys)
}

func tooManyTokenRequests(w http.ResponseWriter) error {
	w.Header().Set("Retry-After", "1")
	return apperr.Keyed(apperr.TooMany, "err.token_throttled", "too many requests with this token; slow down")
}

// crossOriginProtection refuses cross-origin writes of browsers (their
// cookies would go along). An API request with its own credential (a bearer
// token) carries none a page could borrow: no CSRF defence is needed, and
// a browser cannot send one cross-origin without a preflight, which only
// reads are granted.
func crossOriginProtection(next http.Handler) http.Handler {
	protected := http.NewCrossOriginProtection().Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if bearerRequest(r) {
			next.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}
