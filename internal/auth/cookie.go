package auth

import (
	"net/http"
	"time"
)

// Cookie names of the session token. Over TLS the __Host- prefix makes
// browsers insist on Secure, Path=/ and no Domain, so that no sibling
// host or plain-HTTP page can set or shadow the cookie.
const (
	cookieName       = "directory_session"
	secureCookieName = "__Host-directory_session"
)

// CookieName returns the name of the session cookie: prefixed with
// __Host- when secure (served over TLS, or behind a TLS proxy).
func CookieName(secure bool) string {
	if secure {
		return secureCookieName
	}
	return cookieName
}

// SessionCookie returns the cookie carrying a session token: HttpOnly (no
// script reads it), SameSite=Lax (not sent on cross-site posts), for the
// whole site, Secure when secure, and without an expiry, so it ends with
// the browser; the server ends the session itself after 30 idle minutes
// or 12 hours.
func SessionCookie(token string, secure bool) *http.Cookie {
	return &http.Cookie{Name: CookieName(secure), Value: token, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
}

// ClearSessionCookie returns a cookie that makes the browser forget the
// session cookie (at logout, or when the session has ended).
func ClearSessionCookie(secure bool) *http.Cookie {
	c := SessionCookie("", secure)
	c.MaxAge = -1
	return c
}

// Cookie names of the device cookie (see TrustDevice).
const (
	deviceCookieName       = "directory_device"
	secureDeviceCookieName = "__Host-directory_device"
)

// DeviceCookieName returns the name of the device cookie, prefixed like
// the session cookie's when secure.
func DeviceCookieName(secure bool) string {
	if secure {
		return secureDeviceCookieName
	}
	return deviceCookieName
}

// DeviceCookie returns the cookie naming a browser that has logged in:
// HttpOnly, SameSite=Strict (only the login form, on this site, needs
// it), kept for DeviceLifetime. It says nothing but that this browser
// logged in before; it never logs anyone in.
func DeviceCookie(token string, secure bool) *http.Cookie {
	return &http.Cookie{Name: DeviceCookieName(secure), Value: token, Path: "/", MaxAge: int(DeviceLifetime / time.Second),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode}
}
