package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serie-verkosto/directory/internal/api"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/web"
)

// TestHelpPage checks the help-seeker page's discretion: a neutral title
// in each language, never cached, no cookie, a quick exit to the
// configured neutral site that works without JavaScript, and only
// services that can be used anonymously.
func TestHelpPage(t *testing.T) {
	s := newSite(t, seedtest.SQLite(t), siteOptions{exit: "https://weather.example/"})
	home := s.anon().page(t, "/", http.StatusOK)
	if href, _ := home.Find("section.help a").Attr("href"); href != "/help" {
		t.Errorf("home page's help link goes to %q, want /help", href)
	}
	for _, tt := range []struct{ path, title string }{
		{"/help", "Tukea ja neuvontaa"},
		{"/help?lang=sv", "Stöd och rådgivning"},
		{"/help?lang=en", "Support and advice"},
		{"/help?lang=xx", "Tukea ja neuvontaa"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			res, body := s.anon().get(t, tt.path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			if c := res.Header.Values("Set-Cookie"); len(c) > 0 {
				t.Errorf("cookies set: %v", c)
			}
			doc := parse(t, body)
			if title := doc.Find("title").Text(); title != tt.title {
				t.Errorf("title %q, want the neutral %q and nothing else", title, tt.title)
			}
			exit := doc.Find("a.quick-exit[data-quick-exit]")
			if href, _ := exit.Attr("href"); href != "https://weather.example/" {
				t.Errorf("quick exit goes to %q, want the configured neutral site", href)
			}
			if rel, _ := exit.Attr("rel"); rel != "noreferrer" {
				t.Errorf("quick exit rel %q: the neutral site must not learn where the visitor came from", rel)
			}
			if src, _ := doc.Find(`script[src*="quickexit"]`).Attr("src"); !strings.HasPrefix(src, "/static/quickexit.") {
				t.Errorf("script %q, want the quick-exit script from our origin", src)
			}
		})
	}

	names := func(doc *goquery.Document) []string {
		var out []string
		doc.Find("ul.help-services > li h3").Each(func(_ int, h *goquery.Selection) { out = append(out, h.Text()) })
		return out
	}
	helpDoc := s.anon().page(t, "/help", http.StatusOK)
	all := names(helpDoc)
	// Each listed service shows how to reach it, without where the
	// directory read it (the handout's form).
	serie := helpDoc.Find(`ul.help-services > li:contains("SeriE-tukipalvelu")`)
	if href, _ := serie.Find(`a[href="https://sexpo.fi/serie-verkosto"]`).Attr("href"); href == "" || strings.Contains(serie.Text(), "nähty") {
		t.Errorf("the SeriE support service's way in: %q", strings.Join(strings.Fields(serie.Text()), " "))
	}
	if len(all) == 0 {
		t.Fatal("no services listed")
	}
	for _, name := range all {
		if strings.HasPrefix(name, "Testipalvelu") {
			t.Errorf("%q listed: the test services are not anonymous", name)
		}
	}
	if !slices.Contains(all, "SeriE-tukipalvelu") {
		t.Errorf("the SeriE support service is missing from %v", all)
	}
	// Every listed service can be used anonymously.
	doc := s.anon().page(t, "/help?municipality=837", http.StatusOK)
	if doc.Find("ul.help-services > li").Length() == 0 {
		t.Fatal("no services listed for Tampere")
	}
	doc.Find("ul.help-services > li").Each(func(_ int, li *goquery.Selection) {
		if dd := li.Find("dd").First().Text(); dd != "Kyllä" {
			t.Errorf("%s: anonymous = %q", li.Find("h3").Text(), dd)
		}
	})
	if v, _ := doc.Find("#municipality option[selected]").Attr("value"); v != "837" {
		t.Errorf("chosen municipality not kept: %q", v)
	}
	// A mistake stays on the discreet page: same title, the quick exit
	// first, the error tied to the field.
	bad := s.anon().page(t, "/help?municipality=Atlantis", http.StatusBadRequest)
	if title := bad.Find("title").Text(); title != "Tukea ja neuvontaa" {
		t.Errorf("title on a mistake %q", title)
	}
	// Right after the skip link: the second stop of the Tab key.
	if second := bad.Find("body a").Eq(1); !second.Is("a.quick-exit") {
		t.Errorf("the second link is %q, want the quick exit", second.Text())
	}
	if d, _ := bad.Find("#municipality").Attr("aria-describedby"); d == "" || !strings.Contains(bad.Find("#"+d).Text(), "Atlantis") {
		t.Errorf("the unknown municipality is not named by the field: %q", d)
	}
	if bad.Find("ul.help-services > li").Length() == 0 {
		t.Error("a mistake in the municipality left the page without services")
	}
}

// TestQuickExitAddress refuses a quick-exit address that is not an absolute
// web address: a relative one would stay on the site, a javascript: one
// would run code.
func TestQuickExitAddress(t *testing.T) {
	st := services.NewStore(dbtest.SQLite(t))
	for _, u := range []string{"javascript:alert(1)", "/elsewhere", "ftp://example.org/", "https://"} {
		if _, err := web.New(web.Config{Store: st, API: api.New(st, nil, nil, nil), QuickExit: u}); err == nil {
			t.Errorf("quick exit %q accepted", u)
		}
	}
	if _, err := web.New(web.Config{Store: st, API: api.New(st, nil, nil, nil), QuickExit: "https://www.example.org/weather"}); err != nil {
		t.Errorf("a neutral https address refused: %v", err)
	}
}
