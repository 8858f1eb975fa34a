package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pquerna/otp/totp"

	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/users"
)

func TestLoginLogoutAndLayout(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	c := s.anon()
	doc := c.page(t, "/login?next=/services/"+svcA+"/edit", http.StatusOK)
	if c.cookie != nil {
		t.Fatalf("the login page set a cookie")
	}
	action, v := formValues(doc, "main form")
	if action != "/login" || v.Get("next") != "/services/"+svcA+"/edit" || doc.Find("#f-code").Length() != 0 {
		t.Fatalf("login form: action %q values %v", action, v)
	}
	v.Set("email", strings.ToUpper(s.emails["editorA"]))
	v.Set("password", testPassword)
	res, _ := c.post(t, action, v)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/services/"+svcA+"/edit" || c.cookie == nil {
		t.Fatalf("login: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	for _, sc := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(sc, auth.DeviceCookieName(false)+"=") {
			continue // TestLoginDeviceCookie
		}
		for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(sc, want) {
				t.Errorf("cookie %q lacks %s", sc, want)
			}
		}
	}
	// The header names the user and offers the dashboard and logout;
	// the footer's login link is gone.
	doc = c.page(t, "/", http.StatusOK)
	if nav := doc.Find("nav.account").Text(); !strings.Contains(nav, "Eeva Editori") || !strings.Contains(nav, "Työpöytä") {
		t.Errorf("account menu %q", nav)
	}
	if doc.Find(`nav.account form[method="post"][action="/logout"] button`).Length() != 1 {
		t.Errorf("no logout button")
	}
	if doc.Find("footer .login-link").Length() != 0 {
		t.Errorf("the footer offers login to a logged-in user")
	}
	res, _ = c.get(t, "/")
	if cc := res.Header.Get("Cache-Control"); cc != "private, no-cache" {
		t.Errorf("logged-in page Cache-Control %q", cc)
	}
	// A redirect target elsewhere is ignored.
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example"} {
		c2 := s.anon()
		res, _ := c2.post(t, "/login", url.Values{"email": {s.emails["member"]}, "password": {testPassword}, "next": {next}})
		if loc := res.Header.Get("Location"); loc != "/" {
			t.Errorf("next=%q: redirected to %q", next, loc)
		}
	}
	// Logout ends the session on the server.
	old := c.cookie
	res, _ = c.post(t, "/logout", nil)
	if res.StatusCode != http.StatusSeeOther || c.cookie != nil {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	c.cookie = old
	if res, _ := c.get(t, "/dashboard"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the old cookie still works after logout: %d", res.StatusCode)
	}
	// Anonymous pages show the login link and set no cookie.
	a := s.anon()
	res, body := a.get(t, "/services/"+svcA)
	if len(res.Header.Values("Set-Cookie")) > 0 {
		t.Errorf("an anonymous page set a cookie")
	}
	if href, _ := parse(t, body).Find("footer .login-link a").Attr("href"); href != "/login?next=%2Fservices%2F"+svcA {
		t.Errorf("footer login link %q", href)
	}
	s.noAddresses(t)
}

func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	var last *http.Response
	var body []byte
	for range auth.DefaultAccountBurst + 1 {
		last, body = s.anon().post(t, "/login?lang=en", url.Values{"email": {s.emails["member"]}, "password": {"guess guess guess"}})
	}
	doc := parse(t, body)
	if last.StatusCode != http.StatusTooManyRequests || !strings.Contains(doc.Find(".error-summary").Text(), "Too many login attempts") {
		t.Errorf("status %d: %q", last.StatusCode, doc.Find(".error-summary").Text())
	}
	// Even the right password waits.
	res, _ := s.anon().post(t, "/login", url.Values{"email": {s.emails["member"]}, "password": {testPassword}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password while throttled: %d", res.StatusCode)
	}
}

// A browser that has logged in gets a device cookie and keeps it across
// logouts; while someone else's guesses hold the account from strangers,
// that browser still gets in.
func TestLoginDeviceCookie(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	owner := s.anon()
	res, _ := owner.post(t, "/login", url.Values{"email": {s.emails["member"]}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther || owner.device == nil {
		t.Fatalf("login: %d, device cookie %v", res.StatusCode, owner.device)
	}
	var dc *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == auth.DeviceCookieName(false) {
			dc = c
		}
	}
	if !dc.HttpOnly || dc.SameSite != http.SameSiteStrictMode || dc.MaxAge < 30*24*3600 {
		t.Errorf("device cookie %+v: want HttpOnly, SameSite=Strict and months of life", dc)
	}
	device := owner.device.Value
	owner.post(t, "/logout", nil)
	if owner.cookie != nil || owner.device == nil {
		t.Fatal("logout: the session should end and the device cookie stay")
	}

	attacker := s.anon()
	for range auth.DefaultAccountBurst + 1 {
		res, _ = attacker.post(t, "/login", url.Values{"email": {s.emails["member"]}, "password": {"guess guess guess"}})
	}
	if res.StatusCode != http.StatusTooManyRequests || attacker.device != nil {
		t.Fatalf("the attacker: %d, device cookie %v", res.StatusCode, attacker.device)
	}
	res, _ = owner.post(t, "/login", url.Values{"email": {s.emails["member"]}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther || owner.cookie == nil {
		t.Fatalf("the owner's browser during the attack: %d", res.StatusCode)
	}
	if owner.device.Value != device {
		t.Error("a trusted browser's device cookie changed at login")
	}
}

func TestTOTPLoginAndEnrolment(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	// An admin with TOTP is asked for the code, keeping the e-mail.
	c := s.anon()
	res, body := c.post(t, "/login", url.Values{"email": {s.emails["admin"]}, "password": {testPassword}})
	doc := parse(t, body)
	if res.StatusCode != http.StatusUnauthorized || doc.Find("#f-code").Length() != 1 || c.cookie != nil {
		t.Fatalf("without code: %d, code field %d", res.StatusCode, doc.Find("#f-code").Length())
	}
	if v, _ := doc.Find("#f-email").Attr("value"); v != s.emails["admin"] {
		t.Errorf("e-mail not kept: %q", v)
	}
	res, body = c.post(t, "/login", url.Values{"email": {s.emails["admin"]}, "password": {testPassword}, "code": {"000000"}})
	if res.StatusCode != http.StatusUnauthorized || errorText(parse(t, body), "f-code") == "" {
		t.Errorf("wrong code: %d", res.StatusCode)
	}

	// A new admin without TOTP must enrol before anything else.
	ctx := db.WithActor(context.Background(), "test")
	u := users.User{Email: "new.admin@example.org", Name: "Uusi Admin", Role: users.RoleAdmin}
	if err := s.users.Create(ctx, &u, testPassword); err != nil {
		t.Fatal(err)
	}
	c = s.anon()
	res, _ = c.post(t, "/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/account/totp") || c.cookie == nil {
		t.Fatalf("enrolment redirect: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// The enrolment-only session opens nothing else, and keeps its cookie.
	if res, _ := c.get(t, "/dashboard"); res.StatusCode != http.StatusSeeOther || c.cookie == nil {
		t.Errorf("dashboard in an enrolment session: %d, cookie %v", res.StatusCode, c.cookie != nil)
	}
	doc = c.page(t, "/account/totp", http.StatusOK)
	secret := strings.ReplaceAll(doc.Find("code.secret").Text(), " ", "")
	src, _ := doc.Find("img.qr").Attr("src")
	if secret == "" || src != "/account/totp/qr.png" {
		t.Fatalf("enrolment page: secret %q, QR %q", secret, src)
	}
	res, png := c.get(t, src)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(string(png), "\x89PNG") {
		t.Errorf("QR code: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// Reloading keeps the same pending secret.
	if again := strings.ReplaceAll(c.page(t, "/account/totp", 200).Find("code.secret").Text(), " ", ""); again != secret {
		t.Errorf("reloading changed the secret")
	}
	res, body = c.post(t, "/account/totp", url.Values{"code": {"123456"}})
	if res.StatusCode != http.StatusBadRequest || errorText(parse(t, body), "f-code") != "Koodi on väärä tai vanhentunut." {
		t.Errorf("wrong enrolment code: %d %q", res.StatusCode, errorText(parse(t, body), "f-code"))
	}
	code, err := totp.GenerateCode(secret, s.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	old := c.cookie
	res, _ = c.post(t, "/account/totp", url.Values{"code": {code}})
	if res.StatusCode != http.StatusSeeOther || c.cookie == nil || c.cookie.Value == old.Value {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	if res, _ := c.get(t, "/admin/users"); res.StatusCode != http.StatusOK {
		t.Errorf("admin after enrolment: %d", res.StatusCode)
	}
	// Admins cannot turn it off.
	doc = c.page(t, "/account/totp", 200)
	if doc.Find(`form[action="/account/totp/disable"]`).Length() != 0 {
		t.Errorf("an admin is offered to turn TOTP off")
	}
}

func TestSessionsAndPassword(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	one, two := s.as(t, "member"), s.as(t, "member")
	doc := one.page(t, "/account/sessions", http.StatusOK)
	rows := doc.Find("table.list tbody tr")
	if rows.Length() != 2 || doc.Find("tr.current").Length() != 1 {
		t.Fatalf("%d sessions listed", rows.Length())
	}
	// End the other session.
	action, _ := formValues(doc, "tbody tr:not(.current) form")
	if res, _ := one.post(t, action, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("end: %d", res.StatusCode)
	}
	if res, _ := two.get(t, "/account/sessions"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the ended session still works: %d", res.StatusCode)
	}
	// Another user's session id finds nothing.
	ed := s.as(t, "editorA")
	edDoc := ed.page(t, "/account/sessions", 200)
	edAction, _ := formValues(edDoc, "tbody tr form")
	if res, _ := one.post(t, edAction, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("ending another user's session: %d", res.StatusCode)
	}
	// Password: mismatch, wrong current, too short, then right.
	for _, tc := range []struct {
		current, next, again, field, msg string
	}{
		{testPassword, "a brand new passphrase", "something else entirely", "f-password2", "ei vastaa uutta salasanaa"},
		{"not my password", "a brand new passphrase", "a brand new passphrase", "f-current_password", "ei ole nykyinen salasanasi"},
		{testPassword, "short", "short", "f-password", "pitää olla vähintään 12 merkkiä"},
	} {
		res, body := one.post(t, "/account/password", url.Values{"current_password": {tc.current}, "password": {tc.next}, "password2": {tc.again}})
		doc := parse(t, body)
		if res.StatusCode != http.StatusBadRequest || errorText(doc, tc.field) != tc.msg {
			t.Errorf("%s: %d %q", tc.field, res.StatusCode, errorText(doc, tc.field))
		}
		if strings.Contains(string(body), tc.next) || strings.Contains(string(body), tc.current) {
			t.Errorf("a password was sent back")
		}
	}
	old := one.cookie
	res, _ := one.post(t, "/account/password", url.Values{"current_password": {testPassword}, "password": {"a brand new passphrase"}, "password2": {"a brand new passphrase"}})
	if res.StatusCode != http.StatusSeeOther || one.cookie == nil || one.cookie.Value == old.Value {
		t.Fatalf("change: %d", res.StatusCode)
	}
	if res, _ := one.get(t, "/account/sessions"); res.StatusCode != 200 {
		t.Errorf("the new cookie does not work: %d", res.StatusCode)
	}
	stale := s.anon()
	stale.cookie = old
	if res, _ := stale.get(t, "/account/sessions"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the old cookie works after a password change: %d", res.StatusCode)
	}
}

func TestAdminManagesUsers(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	admin := s.as(t, "admin")
	// Creating: field errors first.
	res, body := admin.post(t, "/admin/users/new", url.Values{"email": {"not-an-address"}, "name": {""}, "role": {"editor"}})
	doc := parse(t, body)
	if res.StatusCode != http.StatusBadRequest || errorText(doc, "f-email") == "" || errorText(doc, "f-name") == "" ||
		!strings.Contains(doc.Find("#f-networks .field-error").Text(), "verkosto") {
		t.Errorf("invalid user: %d; %q %q %q", res.StatusCode, errorText(doc, "f-email"), errorText(doc, "f-name"), doc.Find("#f-networks").Text())
	}
	res, body = admin.post(t, "/admin/users/new", url.Values{"email": {s.emails["member"]}, "name": {"Kaksoisolento"}, "role": {"member"}})
	if res.StatusCode != http.StatusBadRequest || errorText(parse(t, body), "f-email") != "osoitteella on jo käyttäjä" {
		t.Errorf("taken e-mail: %d %q", res.StatusCode, errorText(parse(t, body), "f-email"))
	}
	res, body = admin.post(t, "/admin/users/new", url.Values{"email": {"Uusi.Muokkaaja@Example.org"}, "name": {"Uusi Muokkaaja"},
		"role": {"editor"}, "networks": {netA}})
	if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d", res.StatusCode)
	}
	password := parse(t, body).Find(".password-once code").Text()
	if len(password) < 20 {
		t.Fatalf("no password shown: %q", password)
	}
	u, err := s.users.ByEmail(context.Background(), "uusi.muokkaaja@example.org")
	if err != nil || u.Role != users.RoleEditor || len(u.Networks) != 1 || u.Networks[0] != netA {
		t.Fatalf("created user %+v, %v", u, err)
	}
	login := func(pw string) int {
		res, _ := s.anon().post(t, "/login", url.Values{"email": {u.Email}, "password": {pw}})
		return res.StatusCode
	}
	if login(password) != http.StatusSeeOther {
		t.Errorf("the shown password does not log in")
	}
	// Reset, deactivate, activate.
	doc = admin.page(t, "/admin/users", 200)
	if !strings.Contains(doc.Find("table.list").Text(), "Uusi Muokkaaja") {
		t.Errorf("the new user is not listed")
	}
	res, body = admin.post(t, "/admin/users/"+u.ID+"/reset", nil)
	fresh := parse(t, body).Find(".password-once code").Text()
	if res.StatusCode != 200 || fresh == "" || fresh == password {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	if login(password) != http.StatusUnauthorized || login(fresh) != http.StatusSeeOther {
		t.Errorf("after reset the old password works or the new does not")
	}
	if res, _ := admin.post(t, "/admin/users/"+u.ID+"/deactivate", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("deactivate: %d", res.StatusCode)
	}
	if login(fresh) != http.StatusUnauthorized {
		t.Errorf("a deactivated user logs in")
	}
	if res, _ := admin.post(t, "/admin/users/"+u.ID+"/activate", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("activate: %d", res.StatusCode)
	}
	if login(fresh) != http.StatusSeeOther {
		t.Errorf("an activated user cannot log in")
	}
	if res, _ := admin.post(t, "/admin/users/u-nobody/reset", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown user: %d", res.StatusCode)
	}
	// The last admin stays.
	res, body = admin.post(t, "/admin/users/"+s.people["admin"].ID+"/deactivate", nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(string(body), "Viimeistä koordinaattoria") {
		t.Errorf("deactivating the last admin: %d", res.StatusCode)
	}
}
