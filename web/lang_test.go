package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serie-verkosto/directory/internal/seedtest"
)

// Without lang, a page follows the browser's Accept-Language among fi, sv
// and en; a link or the language switch still wins; nothing is stored (no
// cookie) and caches are told the page varies by the header.
func TestAcceptLanguage(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{pathways: true})
	c := s.anon()
	for _, tt := range []struct {
		accept, query, want string
		linkLang            string // the lang links on the page carry
		browser             string // the language the browser asks for
	}{
		{"", "", "fi", "", "fi"},
		{"sv-FI,sv;q=0.9,en;q=0.5", "", "sv", "", "sv"},
		{"en-US,en;q=0.9", "", "en", "", "en"},
		{"de-DE, en;q=0.5", "", "en", "", "en"},
		{"de-DE", "", "fi", "", "fi"},
		{"nb", "", "fi", "", "fi"},
		{"sv-FI", "?lang=fi", "fi", "fi", "sv"},
		{"sv-FI", "?lang=en", "en", "en", "sv"},
		{"", "?lang=sv", "sv", "sv", "fi"},
		{";;;q=x,,", "", "fi", "", "fi"},
		{strings.Repeat("sv-FI;q=0.1,", 400), "", "sv", "", "sv"},
	} {
		res, body := c.do(t, http.MethodGet, "/pathways"+tt.query, nil, http.Header{"Accept-Language": {tt.accept}})
		if res.StatusCode != http.StatusOK {
			t.Errorf("%q %s: %d", tt.accept, tt.query, res.StatusCode)
			continue
		}
		doc := parse(t, body)
		if lang, _ := doc.Find("html").Attr("lang"); lang != tt.want {
			t.Errorf("%q %s: page in %q, want %q", tt.accept, tt.query, lang, tt.want)
		}
		if len(res.Cookies()) > 0 {
			t.Errorf("%q %s: sets a cookie", tt.accept, tt.query)
		}
		if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept-Language") {
			t.Errorf("%q %s: Vary %q", tt.accept, tt.query, res.Header.Values("Vary"))
		}
		href, _ := doc.Find(`a.pw-title, li.pw-item a`).First().Attr("href")
		got := ""
		if i := strings.Index(href, "lang="); i >= 0 {
			got = href[i+5:]
		}
		if got != tt.linkLang {
			t.Errorf("%q %s: a pathway link %q carries lang %q, want %q", tt.accept, tt.query, href, got, tt.linkLang)
		}
		// The switch leads to each language: the browser's without lang.
		doc.Find(`a[hreflang]`).Each(func(_ int, a *goquery.Selection) {
			l, _ := a.Attr("hreflang")
			h, _ := a.Attr("href")
			has := strings.Contains(h, "lang="+l)
			if has == (l == tt.browser) {
				t.Errorf("%q %s: the switch to %s is %q", tt.accept, tt.query, l, h)
			}
		})
	}
}
