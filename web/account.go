package web

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // session times are shown in Finnish time wherever the server runs

	"github.com/gorilla/mux"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/users"
)

// Logging in and out, and the pages of one's own account: sessions,
// password and two-step verification (TOTP).

// finnishTime is where the directory's people are; times of day are
// shown in it.
var finnishTime = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Helsinki"); err == nil {
		return loc
	}
	return time.UTC
}()

// Clock formats a time of day the Finnish way (d.m.yyyy h.mm).
func (b *Base) Clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(finnishTime).Format("2.1.2006 15.04")
}

// accountsOff is the error of the account pages when the server has no
// authenticator (a read-only deployment, or tests of other things).
func (s *Server) accountsOff() error {
	if s.cfg.Auth == nil || s.cfg.Users == nil {
		return apperr.Errorf(apperr.Unavailable, "accounts are not enabled")
	}
	return nil
}

// sessionToken is the session cookie's value, or "".
func (s *Server) sessionToken(r *http.Request) string {
	c, err := r.Cookie(auth.CookieName(s.cfg.SecureCookies))
	if err != nil {
		return ""
	}
	return c.Value
}

func (s *Server) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, auth.SessionCookie(token, s.cfg.SecureCookies))
}

// trustDevice gives the browser that has just logged in its device
// cookie, so that its later logins are throttled apart from anyone
// guessing the account's password elsewhere. The login stands without it:
// a failure here is logged, not shown.
func (s *Server) trustDevice(w http.ResponseWriter, r *http.Request, userID, device string) {
	token, err := s.cfg.Auth.TrustDevice(r.Context(), userID, device)
	if err != nil {
		s.cfg.Log.Warn("login device not recorded", "err", err)
		return
	}
	http.SetCookie(w, auth.DeviceCookie(token, s.cfg.SecureCookies))
}

// loggedIn wraps a page for logged-in users: an anonymous GET is sent to
// the login page (and back after it), anything else is 401.
func (s *Server) loggedIn(h pageHandler) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, b *Base) error {
		if err := s.accountsOff(); err != nil {
			return err
		}
		if b.User == nil {
			if IdentityFrom(r.Context()).Unknown {
				return auth.ErrSessionUnknown()
			}
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				return redirect(w, r, b.LoginURL())
			}
			return auth.Can(nil, auth.Edit, auth.Resource{})
		}
		return h(w, r, b)
	}
}

// LoginURL is the login page, returning to this page afterwards.
func (b *Base) LoginURL() string {
	next := b.req.URL.Path
	if b.req.Method != http.MethodGet || next == "/login" {
		next = ""
	}
	return b.URL("login", "?", "next", next)
}

// MayEdit reports whether the user edits any listings (the dashboard).
func (b *Base) MayEdit() bool {
	_, _, err := auth.Scope(b.User, auth.Edit)
	return err == nil
}

// IsAdmin reports whether the user manages users.
func (b *Base) IsAdmin() bool { return auth.Can(b.User, auth.AdminUsers, auth.Resource{}) == nil }

// --- login ---

// LoginView is the login form.
type LoginView struct {
	*Base
	Form     *Form
	Email    Input
	Password Input
	Code     Input
	NeedCode bool
	Next     string
}

func (s *Server) loginView(b *Base, email, next string, form *Form, needCode bool) *LoginView {
	k := newKit(b, "login", form, nil)
	v := &LoginView{Base: b, Form: k.form, Next: next, NeedCode: needCode,
		Email: k.Typed("email", "email", email), Password: k.Typed("password", "password", ""), Code: k.Text("code", "")}
	v.Email.Autocomplete, v.Password.Autocomplete, v.Code.Autocomplete = "username", "current-password", "one-time-code"
	v.Code.Hint = b.T("login.code.hint")
	b.Title = b.T("login.title")
	return v
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, b *Base) error {
	if err := s.accountsOff(); err != nil {
		return err
	}
	next := safeNext(r.URL.Query().Get("next"), "")
	if b.User != nil {
		return redirect(w, r, safeNext(next, b.homeFor()))
	}
	return s.render(w, b, "login", s.loginView(b, "", next, nil, false))
}

// homeFor is where a user lands after login: editors and admins on their
// dashboard, members on the home page.
func (b *Base) homeFor() string {
	if b.MayEdit() {
		return b.URL("dashboard")
	}
	return b.URL("home")
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, b *Base) error {
	if err := s.accountsOff(); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	email, next := f.Get("email"), safeNext(f.Get("next"), "")
	host, _, err := net.SplitHostPort(clientAddr(r))
	if err != nil {
		host = clientAddr(r)
	}
	device := ""
	if c, err := r.Cookie(auth.DeviceCookieName(s.cfg.SecureCookies)); err == nil {
		device = c.Value
	}
	token, u, err := s.cfg.Auth.Login(r.Context(), auth.Credentials{Email: email, Password: f.Get("password"),
		Code: f.Get("code"), Addr: host, Device: device, UserAgent: r.UserAgent()})
	switch {
	case err == nil:
		s.setSession(w, token)
		s.trustDevice(w, r, u.ID, device)
		b.User = &u
		return redirect(w, r, safeNext(next, b.homeFor()))
	case auth.IsEnrolmentRequired(err):
		s.setSession(w, token)
		s.trustDevice(w, r, u.ID, device)
		return redirect(w, r, b.URL("account.totp", "?", "next", next))
	case apperr.Is(err, apperr.Unauthorized), apperr.Is(err, apperr.TooMany):
		form := &Form{Errors: map[string]string{}, Message: b.errorMessage(err)}
		need := auth.IsTOTPRequired(err) || apperr.As(err).Key == auth.KeyTOTPInvalid
		if apperr.As(err).Key == auth.KeyTOTPInvalid {
			form.Errors["code"] = form.Message
		}
		b.Status = apperr.HTTPStatus(err)
		return s.render(w, b, "login", s.loginView(b, email, next, form, need || f.Get("code") != ""))
	default:
		return err
	}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, b *Base) error {
	if err := s.accountsOff(); err != nil {
		return err
	}
	if tok := s.sessionToken(r); tok != "" {
		if err := s.cfg.Auth.Logout(r.Context(), tok); err != nil {
			return err
		}
	}
	http.SetCookie(w, auth.ClearSessionCookie(s.cfg.SecureCookies))
	return redirect(w, r, b.URL("home"))
}

// --- sessions ---

// SessionsView lists the user's sessions.
type SessionsView struct {
	*Base
	Sessions []SessionRow
	Done     string
}

// SessionRow is one session, marked when it is the one in use.
type SessionRow struct {
	auth.Session
	Current bool
}

func (s *Server) sessions(w http.ResponseWriter, r *http.Request, b *Base) error {
	id := IdentityFrom(r.Context())
	list, err := s.cfg.Auth.ListSessions(r.Context(), id.User.ID)
	if err != nil {
		return err
	}
	v := &SessionsView{Base: b}
	if r.URL.Query().Get("done") == "ended" {
		v.Done = b.T("sessions.ended")
	}
	cur := auth.SessionID(id.Token)
	for _, x := range list {
		v.Sessions = append(v.Sessions, SessionRow{Session: x, Current: x.ID == cur})
	}
	b.Title, b.Nav = b.T("sessions.title"), "account"
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "sessions", v)
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request, b *Base) error {
	id := IdentityFrom(r.Context())
	sid := mux.Vars(r)["id"]
	if err := s.cfg.Auth.EndSession(r.Context(), id.User.ID, sid); err != nil {
		return err
	}
	if sid == auth.SessionID(id.Token) {
		http.SetCookie(w, auth.ClearSessionCookie(s.cfg.SecureCookies))
		return redirect(w, r, b.URL("login"))
	}
	return redirect(w, r, b.URL("account.sessions", "?", "done", "ended"))
}

// --- password ---

// PasswordView is the form for changing one's password.
type PasswordView struct {
	*Base
	Form                   *Form
	Current, New, Repeated Input
	Done                   bool
}

func (s *Server) passwordView(b *Base, form *Form) *PasswordView {
	k := newKit(b, "account", form, nil)
	v := &PasswordView{Base: b, Form: k.form, Current: k.Typed("current_password", "password", ""),
		New: k.Typed("password", "password", ""), Repeated: k.Typed("password2", "password", "")}
	v.Current.Autocomplete, v.New.Autocomplete, v.Repeated.Autocomplete = "current-password", "new-password", "new-password"
	v.New.Hint = b.T("password.hint", users.MinPasswordLen)
	b.Title, b.Nav = b.T("password.title"), "account"
	return v
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request, b *Base) error {
	v := s.passwordView(b, nil)
	v.Done = r.URL.Query().Get("done") == "1"
	return s.render(w, b, "password", v)
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, b *Base) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	if f.Get("password") != f.Get("password2") {
		var fs apperr.Fields
		fs.Add("password2", "err.password_mismatch", "does not match the new password")
		return s.passwordFailed(w, b, fs.Err())
	}
	token, err := s.cfg.Auth.ChangePassword(r.Context(), IdentityFrom(r.Context()).Token, f.Get("current_password"), f.Get("password"), r.UserAgent())
	if err != nil {
		return s.passwordFailed(w, b, err)
	}
	s.setSession(w, token)
	return redirect(w, r, b.URL("account.password", "?", "done", "1"))
}

func (s *Server) passwordFailed(w http.ResponseWriter, b *Base, err error) error {
	form := b.formError(err, newKit(b, "account", nil, nil).fieldLabel)
	if form == nil {
		return err
	}
	b.Status = apperr.HTTPStatus(err)
	return s.render(w, b, "password", s.passwordView(b, form))
}

// --- two-step verification ---

// TOTPView sets up, shows or turns off two-step verification.
type TOTPView struct {
	*Base
	Form    *Form
	Code    Input
	Enabled bool
	// Secret is the pending secret in groups of four, for typing into an
	// app that cannot scan the QR code.
	Secret string
	Admin  bool
	Enrol  bool // an admin who must set it up before going on
	Next   string
	Done   string
}

// totpURL is the otpauth URL of a pending secret, as auth.BeginTOTP makes
// it, for the QR code.
func totpURL(secret, email string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", auth.DefaultIssuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	v.Set("period", "30")
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + auth.DefaultIssuer + ":" + email, RawQuery: v.Encode()}
	return u.String()
}

func group4(s string) string {
	var parts []string
	for len(s) > 4 {
		parts = append(parts, s[:4])
		s = s[4:]
	}
	return strings.Join(append(parts, s), " ")
}

// enrolUser returns the user of the session cookie, accepting an
// admin's enrolment-only session. Anonymous GETs go to the login page.
func (s *Server) enrolUser(w http.ResponseWriter, r *http.Request, b *Base) (users.User, bool, error) {
	if err := s.accountsOff(); err != nil {
		return users.User{}, false, err
	}
	sess, u, err := s.cfg.Auth.EnrolmentSession(r.Context(), s.sessionToken(r))
	if err != nil {
		if r.Method == http.MethodGet {
			return u, false, redirect(w, r, b.LoginURL())
		}
		return u, false, err
	}
	return u, sess.EnrolOnly, nil
}

func (s *Server) totpView(b *Base, u users.User, enrol bool, form *Form, next string) *TOTPView {
	k := newKit(b, "account", form, nil)
	v := &TOTPView{Base: b, Form: k.form, Code: k.Text("code", ""), Enabled: u.TOTPEnabled,
		Admin: u.Role == users.RoleAdmin, Enrol: enrol, Next: next}
	v.Code.Autocomplete = "one-time-code"
	if !u.TOTPEnabled {
		v.Secret = group4(u.TOTPSecret)
	}
	b.Title, b.Nav = b.T("totp.title"), "account"
	return v
}

func (s *Server) totpPage(w http.ResponseWriter, r *http.Request, b *Base) error {
	u, enrol, err := s.enrolUser(w, r, b)
	if err != nil || u.ID == "" {
		return err
	}
	if !u.TOTPEnabled && u.TOTPSecret == "" {
		e, err := s.cfg.Auth.BeginTOTP(r.Context(), s.sessionToken(r))
		if err != nil {
			return err
		}
		u.TOTPSecret = e.Secret
	}
	v := s.totpView(b, u, enrol, nil, safeNext(r.URL.Query().Get("next"), ""))
	switch r.URL.Query().Get("done") {
	case "on":
		v.Done = b.T("totp.done.on")
	case "off":
		v.Done = b.T("totp.done.off")
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "totp", v)
}

func (s *Server) totpConfirm(w http.ResponseWriter, r *http.Request, b *Base) error {
	u, enrol, err := s.enrolUser(w, r, b)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	next := safeNext(r.PostForm.Get("next"), "")
	token, err := s.cfg.Auth.ConfirmTOTP(r.Context(), s.sessionToken(r), r.PostForm.Get("code"), r.UserAgent())
	if err != nil {
		return s.totpFailed(w, r, b, u, enrol, next, err)
	}
	s.setSession(w, token)
	if next != "" {
		return redirect(w, r, next)
	}
	return redirect(w, r, b.URL("account.totp", "?", "done", "on"))
}

func (s *Server) totpDisable(w http.ResponseWriter, r *http.Request, b *Base) error {
	if err := parseForm(r); err != nil {
		return err
	}
	token, err := s.cfg.Auth.DisableTOTP(r.Context(), IdentityFrom(r.Context()).Token, r.PostForm.Get("code"), r.UserAgent())
	if err != nil {
		return s.totpFailed(w, r, b, *b.User, false, "", err)
	}
	s.setSession(w, token)
	return redirect(w, r, b.URL("account.totp", "?", "done", "off"))
}

func (s *Server) totpFailed(w http.ResponseWriter, r *http.Request, b *Base, u users.User, enrol bool, next string, err error) error {
	form := b.formError(err, newKit(b, "account", nil, nil).fieldLabel)
	if form == nil {
		return err
	}
	// The user as stored now: a restarted enrolment has a new secret.
	if fresh, ferr := s.cfg.Users.ByID(r.Context(), u.ID); ferr == nil {
		u = fresh
	}
	b.Status = apperr.HTTPStatus(err)
	return s.render(w, b, "totp", s.totpView(b, u, enrol, form, next))
}

// totpQR serves the pending secret's QR code from its own URL: the
// Content-Security-Policy allows no data: images.
func (s *Server) totpQR(w http.ResponseWriter, r *http.Request, b *Base) error {
	if err := s.accountsOff(); err != nil {
		return err
	}
	_, u, err := s.cfg.Auth.EnrolmentSession(r.Context(), s.sessionToken(r))
	if err != nil {
		return err
	}
	if u.TOTPEnabled || u.TOTPSecret == "" {
		return apperr.Keyed(apperr.NotFound, "err.not_found", "no enrolment in progress")
	}
	png, err := auth.QRCodePNG(totpURL(u.TOTPSecret, u.Email), 240)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(png)
	return err
}
