// Package auth logs people in and keeps their sessions, and decides in one
// place what each of them may do (see Can in policy.go).
//
// Logins are throttled in the database (see Login), and an unknown account, a wrong password and an inactive account give the
// same answer, in about the same time: a dummy argon2id hash is checked
// when the account does not exist. Sessions live in the database; the
// browser holds a random token of which only the SHA-256 is stored. A
// session ends after 30 minutes without use, 12 hours after login, at
// logout, and when the user's password, TOTP or active state changes.
package auth

import (
	"context"
	"crypto/rand"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/users"
)

// Defaults of Options.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
	DefaultEnrolTimeout    = 15 * time.Minute
	DefaultTouchInterval   = time.Minute
	DefaultAccountBurst    = 10
	DefaultAccountEvery    = time.Minute
	DefaultUntrustedBurst  = 50
	DefaultUntrustedEvery  = 20 * time.Second
	DefaultAddrBurst       = 30
	DefaultAddrEvery       = 10 * time.Second
	// DefaultMaxKeys bounds an in-memory Limiter (correction reports).
	DefaultMaxKeys = 10000
	DefaultIssuer  = "SeriE directory"
)

// Options tune the authenticator; zero fields take the defaults above.
type Options struct {
	// IdleTimeout ends a session not used for this long.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after login, used or not.
	AbsoluteTimeout time.Duration
	// EnrolTimeout ends an enrolment-only session (an admin who must set
	// up TOTP before anything else).
	EnrolTimeout time.Duration
	// TouchInterval is how often a session's last use is written: a
	// session in use writes at most once per interval, not per request.
	TouchInterval time.Duration
	// AccountBurst login attempts on an account from one client are
	// allowed at once, then one per AccountEvery: from a browser that has
	// logged in to the account before (its device cookie), or else from
	// one address. The account is the e-mail as typed, known or not, so
	// that the throttle says nothing about which accounts exist. The same
	// bucket, per user, holds password changes and TOTP codes.
	AccountBurst int
	AccountEvery time.Duration
	// UntrustedBurst attempts on an account from all clients without its
	// device cookie together are allowed at once, then one per
	// UntrustedEvery: the bound on guessing from many addresses, which
	// the account's trusted browsers are not held by.
	UntrustedBurst int
	UntrustedEvery time.Duration
	// AddrBurst login attempts per client address (IPv6: per /64) on any
	// accounts are allowed at once, then one per AddrEvery.
	AddrBurst int
	AddrEvery time.Duration
	// Issuer names the directory in authenticator apps.
	Issuer string
	// Hashing bounds the password checks that run at once (each takes
	// argon2id's 19 MiB) and HashQueue how many more may wait for one; a
	// login beyond both is refused at once with KeyBusy. Default: the
	// processors, at least two; sixteen times that (a wait costs no
	// memory, and a room of people logging in at once should get in).
	Hashing, HashQueue int
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt := func(d *int, v int) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.IdleTimeout, DefaultIdleTimeout)
	def(&o.AbsoluteTimeout, DefaultAbsoluteTimeout)
	def(&o.EnrolTimeout, DefaultEnrolTimeout)
	def(&o.TouchInterval, DefaultTouchInterval)
	def(&o.AccountEvery, DefaultAccountEvery)
	def(&o.AddrEvery, DefaultAddrEvery)
	def(&o.UntrustedEvery, DefaultUntrustedEvery)
	defInt(&o.AccountBurst, DefaultAccountBurst)
	defInt(&o.UntrustedBurst, DefaultUntrustedBurst)
	defInt(&o.AddrBurst, DefaultAddrBurst)
	defInt(&o.Hashing, max(2, runtime.GOMAXPROCS(0)))
	defInt(&o.HashQueue, 16*o.Hashing)
	if o.Issuer == "" {
		o.Issuer = DefaultIssuer
	}
	return o
}

// Authenticator logs users in and keeps their sessions. It is safe for
// concurrent use, also by several processes on one database.
type Authenticator struct {
	db       *db.DB
	users    *users.Store
	opts     Options
	throttle *throttle
	// dummyHash is checked for unknown accounts, so that they take as
	// long as known ones.
	dummyHash string
	// hashing holds a token for each password check running; waiting
	// counts the logins waiting for one.
	hashing chan struct{}
	waiting atomic.Int64
}

// New returns an authenticator over the database and user store.
func New(d *db.DB, us *users.Store, o Options) (*Authenticator, error) {
	o = o.withDefaults()
	dummy, err := users.HashPassword(rand.Text())
	if err != nil {
		return nil, fmt.Errorf("dummy hash: %w", err)
	}
	return &Authenticator{
		db:        d,
		users:     us,
		opts:      o,
		throttle:  &throttle{db: d},
		dummyHash: dummy,
		hashing:   make(chan struct{}, o.Hashing),
	}, nil
}

// checkPassword checks password against hash when a hashing slot is free
// or comes free while the login waits in the bounded queue: a flood of
// logins (known accounts or not) holds at most Hashing hashes' memory,
// and those beyond the queue are refused at once rather than piling up.
func (a *Authenticator) checkPassword(ctx context.Context, hash, password string) (bool, error) {
	select {
	case a.hashing <- struct{}{}:
	default:
		if a.waiting.Add(1) > int64(a.opts.HashQueue) {
			a.waiting.Add(-1)
			return false, errBusy()
		}
		select {
		case a.hashing <- struct{}{}:
			a.waiting.Add(-1)
		case <-ctx.Done():
			a.waiting.Add(-1)
			return false, ctx.Err()
		}
	}
	defer func() { <-a.hashing }()
	return users.CheckPassword(hash, password), nil
}

func (a *Authenticator) now() time.Time { return a.db.Now().UTC().Truncate(time.Microsecond) }

// Message keys of the errors this package returns: the web layer's
// catalogues say them in the user's language, and handlers tell them apart
// with the Is* functions below.
const (
	KeyLoginFailed      = "err.login_failed"      // Unauthorized
	KeyThrottled        = "err.throttled"         // TooMany
	KeyBusy             = "err.login_busy"        // TooMany: every hashing slot taken
	KeyTOTPRequired     = "err.totp_required"     // Unauthorized: ask for the code
	KeyTOTPInvalid      = "err.totp_invalid"      // Unauthorized at login; Invalid field "code" elsewhere
	KeyEnrolRequired    = "err.totp_enrol"        // Forbidden: send the admin to TOTP enrolment
	KeySessionEnded     = "err.session_ended"     // Unauthorized: log in again
	KeyLoginRequired    = "err.login_required"    // Unauthorized
	KeyForbidden        = "err.forbidden"         // Forbidden
	KeyForbiddenNetwork = "err.forbidden_network" // Forbidden: another network's listing
	KeyPasswordWrong    = "err.password_wrong"    // Invalid field "current_password"
	KeyAdminNeedsTOTP   = "err.admin_totp"        // Forbidden: admins cannot turn TOTP off
)

func errLoginFailed() error {
	return apperr.Keyed(apperr.Unauthorized, KeyLoginFailed, "wrong e-mail or password")
}

func errBusy() error {
	return apperr.Keyed(apperr.TooMany, KeyBusy, "too many logins at once; try again in a moment")
}

func errThrottled() error {
	return apperr.Keyed(apperr.TooMany, KeyThrottled, "too many login attempts; wait a minute and try again")
}

func errTOTPRequired() error {
	return apperr.Keyed(apperr.Unauthorized, KeyTOTPRequired, "enter the code from your authenticator app")
}

func errTOTPInvalid() error {
	return apperr.Keyed(apperr.Unauthorized, KeyTOTPInvalid, "wrong or expired code")
}

func errEnrolRequired() error {
	return apperr.Keyed(apperr.Forbidden, KeyEnrolRequired, "admins must set up two-step verification before going on")
}

func errSessionEnded() error {
	return apperr.Keyed(apperr.Unauthorized, KeySessionEnded, "your session has ended; log in again")
}

func hasKey(err error, key string) bool {
	e := apperr.As(err)
	return e != nil && e.Key == key
}

// IsTOTPRequired reports whether a login failed only for want of a TOTP
// code: the form should ask for it and post the credentials again.
func IsTOTPRequired(err error) bool { return hasKey(err, KeyTOTPRequired) }

// IsEnrolmentRequired reports whether the user is an admin without TOTP,
// who must be sent to the enrolment page. Login returns it together with
// an enrolment-only session token, which Session refuses with it and
// EnrolmentSession accepts.
func IsEnrolmentRequired(err error) bool { return hasKey(err, KeyEnrolRequired) }

// IsThrottled reports whether a login was refused for too many attempts.
func IsThrottled(err error) bool { return hasKey(err, KeyThrottled) }

// Credentials are what a login form posts, with where it came from.
type Credentials struct {
	Email    string
	Password string
	// Code is the TOTP code, needed when the user has TOTP on.
	Code string
	// Addr is the client's address ("ip" or "ip:port") for the throttle.
	// It is neither stored nor logged.
	Addr string
	// Device is the browser's device cookie, if any (see TrustDevice).
	Device string
	// UserAgent is the User-Agent header; only a summary such as
	// "Firefox, Linux" is stored, for the user's list of sessions.
	UserAgent string
}

// allowLogin charges a login attempt to its buckets (see Login) and
// reports whether all of them allowed it. Known and unknown accounts are
// charged alike.
func (a *Authenticator) allowLogin(ctx context.Context, email string, c Credentials, now time.Time) (bool, error) {
	o := a.opts
	dev, trusted, err := a.trustedDevice(ctx, email, c.Device, now)
	if err != nil {
		return false, err
	}
	if trusted {
		// Its own bucket only: the owner's browser behind the same
		// address as an attacker (an office's or a campus's) gets in.
		return a.throttle.allow(ctx, now, bucket{"device\x00" + dev, o.AccountBurst, o.AccountEvery})
	}
	addr := AddrKey(c.Addr)
	return a.throttle.allow(ctx, now,
		bucket{"addr\x00" + addr, o.AddrBurst, o.AddrEvery},
		bucket{"account-addr\x00" + email + "\x00" + addr, o.AccountBurst, o.AccountEvery},
		bucket{"account\x00" + email, o.UntrustedBurst, o.UntrustedEvery})
}

// allowUser charges a signed-in user's attempt at their password or TOTP
// code, refused with KeyThrottled when they have tried too often.
func (a *Authenticator) allowUser(ctx context.Context, u users.User) error {
	ok, err := a.throttle.allow(ctx, a.now(), bucket{"user\x00" + u.ID, a.opts.AccountBurst, a.opts.AccountEvery})
	if err != nil {
		return err
	}
	if !ok {
		return errThrottled()
	}
	return nil
}

// maxEmailLen is the longest address SMTP allows; longer input cannot be
// an account.
const maxEmailLen = 254

// Login checks the credentials and starts a session. It returns the
// session token for the cookie (shown once, never stored) and the user.
//
// Every attempt is charged to the throttle before the password is
// checked: to the bucket of the browser's device cookie when it names a
// browser that has logged in to the account, or else to the address's
// bucket (any account), the bucket of the account from this address and
// the bucket of the account from all untrusted clients. An attacker thus
// fills buckets the account's owner does not need, whether they come
// back in a browser they used before or from another address.
//
// Errors, all *apperr.Error: TooMany (KeyThrottled) when the account or
// the address has tried too often; Unauthorized with KeyLoginFailed and
// one message, "wrong e-mail or password", for an unknown account, a wrong
// password or an inactive account alike; Unauthorized with
// KeyTOTPRequired when the user has TOTP on and no code was given, and
// KeyTOTPInvalid when the code is wrong, expired or already used.
//
// An admin without TOTP gets a Forbidden error with KeyEnrolRequired
// together with a token and the user: the token names an enrolment-only
// session, good for BeginTOTP and ConfirmTOTP and nothing else.
func (a *Authenticator) Login(ctx context.Context, c Credentials) (string, users.User, error) {
	email := strings.ToLower(strings.TrimSpace(c.Email))
	now := a.now()
	if ok, err := a.allowLogin(ctx, email, c, now); err != nil {
		return "", users.User{}, err
	} else if !ok {
		return "", users.User{}, errThrottled()
	}
	if email == "" || len(email) > maxEmailLen || len(c.Password) > users.MaxPasswordLen {
		if _, err := a.checkPassword(ctx, a.dummyHash, c.Password[:min(len(c.Password), users.MaxPasswordLen)]); err != nil {
			return "", users.User{}, err
		}
		return "", users.User{}, errLoginFailed()
	}
	u, err := a.users.ByEmail(ctx, email)
	if apperr.Is(err, apperr.NotFound) {
		if _, err := a.checkPassword(ctx, a.dummyHash, c.Password); err != nil {
			return "", users.User{}, err
		}
		return "", users.User{}, errLoginFailed()
	} else if err != nil {
		return "", users.User{}, fmt.Errorf("login: %w", err)
	}
	if ok, err := a.checkPassword(ctx, u.PasswordHash, c.Password); err != nil {
		return "", users.User{}, err
	} else if !ok || !u.Active {
		return "", users.User{}, errLoginFailed()
	}
	if u.TOTPEnabled {
		if strings.TrimSpace(c.Code) == "" {
			return "", users.User{}, errTOTPRequired()
		}
		step, ok := matchTOTP(u.TOTPSecret, c.Code, now, u.TOTPLastStep)
		if !ok {
			return "", users.User{}, errTOTPInvalid()
		}
		// Recording the step is the replay check that holds across
		// concurrent logins: only one of two uses of a code wins.
		if fresh, err := a.users.UseTOTPStep(ctx, u.ID, step); err != nil {
			return "", users.User{}, fmt.Errorf("login: %w", err)
		} else if !fresh {
			return "", users.User{}, errTOTPInvalid()
		}
	} else if u.Role == users.RoleAdmin {
		token, err := a.newSession(ctx, u, true, c.UserAgent)
		if err != nil {
			return "", users.User{}, err
		}
		return token, u, errEnrolRequired()
	}
	token, err := a.newSession(ctx, u, false, c.UserAgent)
	if err != nil {
		return "", users.User{}, err
	}
	return token, u, nil
}
