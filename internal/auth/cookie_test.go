package auth_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/auth"
)

func TestSessionCookie(t *testing.T) {
	for _, c := range []struct {
		secure bool
		want   []string
		not    []string
	}{
		{false, []string{"directory_session=tok", "Path=/", "HttpOnly", "SameSite=Lax"}, []string{"Secure", "Domain", "Expires", "Max-Age", "__Host-"}},
		{true, []string{"__Host-directory_session=tok", "Path=/", "HttpOnly", "SameSite=Lax", "Secure"}, []string{"Domain", "Expires", "Max-Age"}},
	} {
		got := auth.SessionCookie("tok", c.secure).String()
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("secure=%v: %q lacks %q", c.secure, got, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(got, n) {
				t.Errorf("secure=%v: %q has %q", c.secure, got, n)
			}
		}
		clear := auth.ClearSessionCookie(c.secure)
		if clear.Name != auth.CookieName(c.secure) || clear.MaxAge >= 0 || clear.Value != "" || !strings.Contains(clear.String(), "Max-Age=0") {
			t.Errorf("clearing cookie %q", clear.String())
		}
		if _, err := http.ParseSetCookie(got); err != nil {
			t.Errorf("%q does not parse: %v", got, err)
		}
	}
}
