package web_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/serie-verkosto/directory/internal/browsertest"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/users"
)

// TestBrowserJourneys drives headless Chromium through what professionals
// and help seekers do, in one browser and one seeded directory with search
// and care pathways: find services for a municipality, search and follow a
// result, filter by a facet, follow a pathway's branch for a municipality,
// switch language, reach the help-seeker page and leave it quickly, land on
// a missing page, and (last, since it logs in) edit a listing and find the
// change in search. axe-core checks every page on the way and fails the
// test on any serious or critical violation; the anonymous journeys must
// set no cookie and send no request off the server's origin. Screenshots
// of the main pages at phone and desktop width go to testdata/output.
func TestBrowserJourneys(t *testing.T) {
	t.Parallel()
	ctx := browsertest.Browser(t)
	var referers []string
	var refMu sync.Mutex
	neutral := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" { // not the browser's own favicon request
			refMu.Lock()
			referers = append(referers, r.Header.Get("Referer"))
			refMu.Unlock()
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="fi"><title>Sää</title><h1>Sää tänään</h1></html>`)
	}))
	defer neutral.Close()
	s := newSite(t, seedtest.SQLite(t), siteOptions{search: true, pathways: true, exit: neutral.URL + "/"})
	b := newTab(t, ctx, s.srv.URL)
	a := newAxe(t)

	t.Run("services for a municipality", func(t *testing.T) {
		step := b.step(t)
		b.do(t, step,
			chromedp.Navigate(b.url("/")),
			chromedp.WaitVisible(chromedp.ID("municipality")),
		)
		a.check(t, step, "home")
		b.do(t, step,
			chromedp.SetValue(chromedp.ID("municipality"), "837"),
			chromedp.Click(chromedp.CSS(`form[action="/services"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`ol.results`)),
		)
		if h1 := run(t, step, chromedp.Text(chromedp.CSS("h1"))); !strings.Contains(h1, "Tampere") {
			t.Errorf("h1 = %q, want the chosen municipality", h1)
		}
		consult := run(t, step, chromedp.Text(chromedp.CSS("aside.consult")))
		if !strings.Contains(consult, "Anne Saarinen") || !strings.Contains(consult, "anne.saarinen@setlementtitampere.fi") {
			t.Errorf("consultation panel = %q, want Pirkanmaa's regional contact", consult)
		}
		if n := run(t, step, chromedp.Evaluate[int](`document.querySelectorAll('ol.results > li').length`)); n == 0 {
			t.Error("no services listed for Tampere")
		}
		a.check(t, step, "services for Tampere")
	})

	t.Run("search and follow a result", func(t *testing.T) {
		step := b.step(t)
		b.do(t, step,
			chromedp.Navigate(b.url("/")),
			chromedp.SendKeys(chromedp.ID("q"), "seksuaalit"),
		)
		// Typing offers the best matches' titles (suggest.js).
		offered := run(t, step, chromedp.Poll[[]string](
			`[...document.querySelectorAll('#q-suggestions option')].map(o => o.value).filter(Boolean).length > 0 &&
			 [...document.querySelectorAll('#q-suggestions option')].map(o => o.value)`, chromedp.WithPollingTimeout(10*time.Second)))
		if !slices.ContainsFunc(offered, func(s string) bool { return strings.Contains(strings.ToLower(s), "seksuaali") }) {
			t.Errorf("typing %q offered %v", "seksuaalit", offered)
		}
		b.do(t, step,
			chromedp.SetValue(chromedp.ID("q"), "seksuaaliterapia"),
			chromedp.Click(chromedp.CSS(`form.sitesearch button`)),
			chromedp.WaitVisible(chromedp.CSS(`ol.results`)),
		)
		a.check(t, step, "search results")
		first := run(t, step, chromedp.Text(chromedp.CSS(`ol.results > li:first-child h2 a`)))
		if !strings.Contains(strings.ToLower(first), "seksuaaliterapia") {
			t.Errorf("first result %q, want a sex therapy service", first)
		}
		b.do(t, step,
			chromedp.Click(chromedp.CSS(`ol.results > li:first-child h2 a`)),
			chromedp.WaitVisible(chromedp.CSS(`article.listing`)),
		)
		if h1 := run(t, step, chromedp.Text(chromedp.CSS("h1"))); h1 != first {
			t.Errorf("followed %q, landed on %q", first, h1)
		}
		if loc := run(t, step, chromedp.Location()); !strings.Contains(loc, "/services/") {
			t.Errorf("result led to %s", loc)
		}
		a.check(t, step, "service")
	})

	t.Run("how to get in touch", func(t *testing.T) {
		if err := s.store.Services.Create(context.Background(), users.System("test"), channelService()); err != nil {
			t.Fatal(err)
		}
		step := b.step(t)
		b.do(t, step,
			chromedp.Navigate(b.url("/services/kanavatesti")),
			chromedp.WaitVisible(chromedp.CSS(`a.tel`)),
		)
		if href := run(t, step, chromedp.Evaluate[string](`document.querySelector('a.tel').getAttribute('href')`)); href != "tel:+358400000001" {
			t.Errorf("tel link %q", href)
		}
		if n := run(t, step, chromedp.Evaluate[int](`document.querySelectorAll('.location address, table.hours-table').length`)); n < 2 {
			t.Errorf("address and hours table: %d elements", n)
		}
		a.check(t, step, "service with channels")
	})

	t.Run("filter by a facet", func(t *testing.T) {
		step := b.step(t)
		b.do(t, step,
			chromedp.Navigate(b.url("/search?q=terapia")),
			chromedp.WaitVisible(chromedp.CSS(`nav.facets`)),
		)
		before := run(t, step, chromedp.Text(chromedp.CSS(`p.count`)))
		facet := run(t, step, chromedp.Text(chromedp.CSS(`nav.facets ul li:first-child a`)))
		b.do(t, step,
			chromedp.Click(chromedp.CSS(`nav.facets ul li:first-child a`)),
			chromedp.WaitVisible(chromedp.CSS(`p.active-filters`)),
		)
		active := run(t, step, chromedp.Text(chromedp.CSS(`p.active-filters`)))
		if !strings.Contains(active, facet) {
			t.Errorf("active filters %q, want the chosen facet %q", active, facet)
		}
		loc := run(t, step, chromedp.Location())
		if u, _ := url.Parse(loc); u == nil || u.Query().Get("q") != "terapia" || len(u.Query()) < 2 {
			t.Errorf("facet link %s lost the query or added no filter", loc)
		}
		t.Logf("facet %q: %q -> %q", facet, before, run(t, step, chromedp.Text(chromedp.CSS(`p.count`))))
		a.check(t, step, "search filtered by a facet")
	})

	t.Run("pathway for a municipality", func(t *testing.T) {
		step := b.step(t)
		b.do(t, step,
			chromedp.Navigate(b.url("/pathways")),
			chromedp.WaitVisible(chromedp.CSS(`ol.pw-list`)),
		)
		a.check(t, step, "pathways")
		b.do(t, step,
			chromedp.Click(chromedp.CSS(`a[href="/pathways/epaily-esitutkinnassa"]`)),
			chromedp.WaitVisible(chromedp.CSS(`article.pathway`)),
			chromedp.SetValue(chromedp.ID("municipality"), "837"),
			chromedp.Click(chromedp.CSS(`form:has(#municipality) button`)),
			chromedp.WaitVisible(chromedp.CSS(`p.pw-chosen`)),
		)
		if chosen := run(t, step, chromedp.Text(chromedp.CSS(`p.pw-chosen`))); !strings.Contains(chosen, "Tampere") {
			t.Errorf("pathway resolved for %q, want Tampere", chosen)
		}
		if consult := run(t, step, chromedp.Text(chromedp.CSS(`aside.pw-consult`))); !strings.Contains(consult, "Anne Saarinen") {
			t.Errorf("pathway consultation panel %q, want Pirkanmaa's contact", consult)
		}
		a.check(t, step, "pathway for Tampere")
		// Walk on until a decision, then take its first branch.
		for i := 0; i < 12; i++ {
			if n := run(t, step, chromedp.Evaluate[int](`document.querySelectorAll('.pw-decision a').length`)); n > 0 {
				break
			}
			b.do(t, step, chromedp.Click(chromedp.CSS(`p.pw-next a`)), chromedp.WaitVisible(chromedp.CSS(`p.pw-chosen`)))
		}
		target := run(t, step, chromedp.Text(chromedp.CSS(`.pw-decision li:first-child .pw-goto`)))
		b.do(t, step,
			chromedp.Click(chromedp.CSS(`.pw-decision li:first-child a`)),
			chromedp.WaitVisible(chromedp.CSS(`p.pw-chosen`)),
		)
		current := run(t, step, chromedp.Evaluate[int](
			`[...document.querySelectorAll('nav.pw-steps li')].findIndex(li => li.querySelector('[aria-current="step"]')) + 1`))
		if want := strings.TrimSpace(strings.TrimPrefix(target, "→")); !strings.Contains(want, fmt.Sprint(current)) {
			t.Errorf("the branch promised %q, the current step is %d", target, current)
		}
		if loc := run(t, step, chromedp.Location()); !strings.Contains(loc, "municipality=837") {
			t.Errorf("the branch lost the municipality: %s", loc)
		}
		a.check(t, step, "pathway branch")
	})

	t.Run("pathway step on a phone and the composed handout", func(t *testing.T) {
		step := b.step(t)
		b.do(t, step,
			chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
			chromedp.Navigate(b.url("/pathways/huolissaan-omista-ajatuksista?municipality=564&age=40")),
			chromedp.WaitVisible(chromedp.CSS(`p.pw-chosen`)),
			chromedp.Click(chromedp.CSS(`nav.pw-steps a[href*="step=nimeton-tuki"]`)),
			chromedp.WaitVisible(chromedp.ID("step-nimeton-tuki")),
		)
		defer b.do(t, step, chromedp.EmulateReset())
		// The step link scrolls its step into view, below the place form
		// and the list of steps.
		top := run(t, step, chromedp.Evaluate[float64](`document.getElementById('step-nimeton-tuki').getBoundingClientRect().top`))
		if top < -2 || top > 200 {
			t.Errorf("on a phone the step starts %.0f px from the top of the screen", top)
		}
		a.check(t, step, "pathway step on a phone")
		// Compose the handout in Swedish: SeriE support is ticked first.
		b.do(t, step,
			chromedp.SetValue(chromedp.CSS(`form.pw-handout select[name="client_lang"]`), "sv"),
			chromedp.Click(chromedp.CSS(`form.pw-handout button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`main.handout`)),
		)
		if h1 := run(t, step, chromedp.Text(chromedp.CSS("h1"))); h1 != "Kontaktuppgifter för stöd" {
			t.Errorf("handout h1 %q", h1)
		}
		if first := run(t, step, chromedp.Text(chromedp.CSS("li.svc h2"))); first != "SeriE-stödtjänsten" {
			t.Errorf("the handout starts with %q", first)
		}
		a.check(t, step, "composed handout")
	})

	t.Run("switch language", func(t *testing.T) {
		step := b.step(t)
		b.do(t, step,
			chromedp.Navigate(b.url("/")),
			chromedp.Click(chromedp.CSS(`nav.langs a[hreflang="sv"]`)),
			chromedp.WaitReady(chromedp.CSS(`html[lang="sv"]`)),
		)
		if h1 := run(t, step, chromedp.Text(chromedp.CSS("h1"))); h1 != "Vart hänvisa, vem fråga" {
			t.Errorf("Swedish home page h1 = %q", h1)
		}
		a.check(t, step, "home in Swedish")
		// The language stays in the URL as one follows links.
		b.do(t, step,
			chromedp.Click(chromedp.CSS(`nav.main-nav a[href^="/services"]`)),
			chromedp.WaitReady(chromedp.CSS(`html[lang="sv"] ol.results`)),
			chromedp.Click(chromedp.CSS(`nav.langs a[hreflang="en"]`)),
			chromedp.WaitReady(chromedp.CSS(`html[lang="en"] ol.results`)),
		)
		if loc := run(t, step, chromedp.Location()); !strings.Contains(loc, "/services") || !strings.Contains(loc, "lang=en") {
			t.Errorf("switching language on the services page led to %s", loc)
		}
		a.check(t, step, "services in English")
		b.do(t, step,
			chromedp.Navigate(b.url("/?lang=xx")),
			chromedp.WaitReady(chromedp.CSS(`html[lang="fi"]`)),
		)
	})

	t.Run("help seeker", func(t *testing.T) {
		step := b.step(t)
		b.do(t, step,
			chromedp.Navigate(b.url("/")),
			chromedp.Click(chromedp.CSS(`section.help a`)),
			chromedp.WaitVisible(chromedp.CSS(`a.quick-exit`)),
		)
		title := run(t, step, chromedp.Title())
		if title != "Tukea ja neuvontaa" {
			t.Errorf("help page title %q, want the neutral %q", title, "Tukea ja neuvontaa")
		}
		if n := run(t, step, chromedp.Evaluate[int](`document.querySelectorAll('ul.help-services > li').length`)); n == 0 {
			t.Error("the help page lists no anonymous services")
		}
		a.check(t, step, "help seeker")
	})

	t.Run("API page from the footer", func(t *testing.T) {
		step := b.step(t)
		b.do(t, step,
			chromedp.Navigate(b.url("/")),
			chromedp.Click(chromedp.CSS(`footer .api-link a`)),
			chromedp.WaitVisible(chromedp.CSS(`table.list`)),
		)
		if rows := run(t, step, chromedp.Text(chromedp.CSS(`table.list`))); !strings.Contains(rows, "/api/v1/services/{id}") {
			t.Errorf("the API page lists %q", rows)
		}
		a.check(t, step, "API page")
	})

	t.Run("missing page", func(t *testing.T) {
		step := b.step(t)
		b.do(t, step,
			chromedp.Navigate(b.url("/ei-tallaista-sivua?lang=sv")),
			chromedp.WaitReady(chromedp.CSS(`html[lang="sv"] #q-main`)),
		)
		if h1 := run(t, step, chromedp.Text(chromedp.CSS("h1"))); h1 != "Sidan hittades inte" {
			t.Errorf("404 h1 = %q", h1)
		}
		a.check(t, step, "not found")
		b.do(t, step,
			chromedp.SetValue(chromedp.ID("q-main"), "Tammerfors"),
			chromedp.Click(chromedp.CSS(`main form[role="search"] button`)),
			chromedp.WaitReady(chromedp.CSS(`html[lang="sv"] ol.results`)),
		)
	})

	t.Run("anonymous visits leave no trace", func(t *testing.T) {
		step := b.step(t)
		cookies := run(t, step, func(ctx context.Context, tg *chromedp.Target) (network.GetCookiesResult, error) {
			return cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{s.srv.URL + "/"}})
		})
		if len(cookies.Cookies) > 0 {
			t.Errorf("anonymous visits set cookies: %v", cookies.Cookies)
		}
		b.sameOrigin(t)
	})

	t.Run("quick exit", func(t *testing.T) {
		for _, how := range []string{"button", "escape key", "button after choosing a municipality"} {
			tab, closeTab := chromedp.NewContext(ctx)
			if err := chromedp.Do(tab); err != nil { // opens the tab, without a deadline
				t.Fatal(err)
			}
			step, cancel := context.WithTimeout(tab, 30*time.Second)
			leave := chromedp.Click(chromedp.CSS(`a.quick-exit`))
			if how == "escape key" {
				leave = chromedp.KeyEvent(kb.Escape)
			}
			b.do(t, step,
				chromedp.Navigate(b.url("/")),
				chromedp.Navigate(b.url("/help")),
				chromedp.WaitVisible(chromedp.CSS(`a.quick-exit`)),
			)
			depth := run(t, step, chromedp.Evaluate[int](`history.length`))
			if how == "button after choosing a municipality" {
				// The form reloads the help page: that must not leave a
				// second copy of it in the history.
				b.do(t, step,
					chromedp.SetValue(chromedp.ID("municipality"), "837"),
					chromedp.Click(chromedp.CSS(`main form[action="/help"] button`)),
					chromedp.WaitReady(chromedp.CSS(`#municipality option[value="837"][selected]`)),
				)
			}
			b.do(t, step, leave, chromedp.WaitVisible(chromedp.CSS(`h1`)))
			if loc := run(t, step, chromedp.Location()); !strings.HasPrefix(loc, neutral.URL) {
				t.Errorf("%s: quick exit led to %s, want the neutral site", how, loc)
			}
			if got := run(t, step, chromedp.Evaluate[int](`history.length`)); got != depth {
				t.Errorf("%s: history grew from %d to %d entries: the help page must be replaced, not left behind", how, depth, got)
			}
			b.do(t, step, chromedp.Evaluate[chromedp.Void](`history.back()`))
			if loc := waitLocation(t, step, func(loc string) bool { return !strings.HasPrefix(loc, neutral.URL) }); loc != b.url("/") {
				t.Errorf("%s: Back led to %s, want the page before the help page", how, loc)
			}
			cancel()
			closeTab()
		}
		refMu.Lock()
		defer refMu.Unlock()
		if len(referers) == 0 {
			t.Fatal("the neutral site saw no visit")
		}
		for _, r := range referers {
			if r != "" {
				t.Errorf("the neutral site learned where the visitor came from: Referer %q", r)
			}
		}
	})

	t.Run("axe-core finds violations", func(t *testing.T) {
		// A page with known faults: the check above must not pass
		// because axe-core did not run.
		if a.src == "" {
			t.Skip("no axe-core")
		}
		tab, closeTab := chromedp.NewContext(ctx)
		defer closeTab()
		if err := chromedp.Do(tab); err != nil {
			t.Fatal(err)
		}
		step, cancel := context.WithTimeout(tab, 30*time.Second)
		defer cancel()
		b.do(t, step, chromedp.Navigate("about:blank"), chromedp.Evaluate[chromedp.Void](
			`document.documentElement.lang = "fi"; document.body.innerHTML = '<main><h1>x</h1><input type="text"><img src="data:,"></main>'`))
		r, err := a.audit(step)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{}
		for _, v := range r.Violations {
			ids[v.ID] = v.Impact
		}
		if ids["label"] != "critical" || ids["image-alt"] != "critical" {
			t.Errorf("axe-core missed an unlabelled field or an image without alt: %v", r.Violations)
		}
	})

	t.Run("print", func(t *testing.T) {
		// Service and pathway pages print without the site's controls;
		// the help page prints without its quick exit.
		tab, closeTab := chromedp.NewContext(ctx)
		defer closeTab()
		if err := chromedp.Do(tab); err != nil {
			t.Fatal(err)
		}
		step, cancel := context.WithTimeout(tab, 30*time.Second)
		defer cancel()
		b.do(t, step, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}))
		for _, p := range []struct{ path, content string }{
			{"/services/serie-tukipalvelu", "article.listing"},
			{"/pathways/epaily-esitutkinnassa/all?municipality=837", "main h1"},
			{"/help", "ul.help-services"},
		} {
			b.do(t, step, chromedp.Navigate(b.url(p.path)), chromedp.WaitReady(chromedp.CSS(p.content)))
			shown := run(t, step, chromedp.Evaluate[map[string]bool](`(() => {
				const shown = sel => [...document.querySelectorAll(sel)].some(e => getComputedStyle(e).display !== 'none');
				return {nav: shown('header.site nav'), search: shown('form.sitesearch'), footer: shown('footer.site'),
					exit: shown('.quick-exit-bar'), content: shown('`+p.content+`')};
			})()`))
			for _, hidden := range []string{"nav", "search", "footer", "exit"} {
				if shown[hidden] {
					t.Errorf("%s: the %s is printed", p.path, hidden)
				}
			}
			if !shown["content"] {
				t.Errorf("%s: the content (%s) is not printed", p.path, p.content)
			}
		}
	})

	// Screenshots before logging in, so that they show what the public sees.
	shots := shotTab(t, ctx)
	for _, p := range []struct{ path, name string }{
		{"/", "home"}, {"/?lang=sv", "home-sv"}, {"/search?q=terapia", "search"},
		{"/services/serie-tukipalvelu", "service"}, {"/pathways/epaily-esitutkinnassa?municipality=837", "pathway"},
		{"/networks/pirkanmaa", "network"}, {"/help", "help"}, {"/ei-ole", "not-found"},
	} {
		shot(t, shots, b.url(p.path), p.name+"-desktop.png", 1280)
		shot(t, shots, b.url(p.path), p.name+"-phone.png", 360)
	}

	t.Run("editor edits and finds the change in search", func(t *testing.T) {
		step := b.step(t)
		b.do(t, step,
			chromedp.Navigate(b.url("/login")),
			chromedp.WaitVisible(chromedp.ID("f-email")),
		)
		a.check(t, step, "login")
		b.do(t, step,
			chromedp.SetValue(chromedp.ID("f-email"), s.emails["editorA"]),
			chromedp.SetValue(chromedp.ID("f-password"), testPassword),
			chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`table.dash`)),
		)
		if h1 := run(t, step, chromedp.Text(chromedp.CSS("h1"))); h1 != "Työpöytä" {
			t.Errorf("after login h1 = %q", h1)
		}
		a.check(t, step, "dashboard")
		b.do(t, step,
			chromedp.Navigate(b.url("/services/"+svcA+"/edit")),
			chromedp.WaitVisible(chromedp.CSS(`form.edit`)),
		)
		a.check(t, step, "edit service")
		b.do(t, step,
			chromedp.SetValue(chromedp.ID("f-description-fi"), "Selaimella päivitetty kuvaus: vertaistukiryhmä."),
			chromedp.SetValue(chromedp.ID("f-email"), "ei osoite"),
			chromedp.Click(chromedp.CSS(`form.edit p.actions button`)),
			chromedp.WaitVisible(chromedp.CSS(`.error-summary`)),
		)
		if screenshots() {
			saveShot(t, run(t, step, chromedp.FullScreenshot(100)), "edit-service-errors.png")
		}
		kept := run(t, step, chromedp.Evaluate[string](`document.getElementById('f-description-fi').value`))
		if kept != "Selaimella päivitetty kuvaus: vertaistukiryhmä." {
			t.Errorf("the description was not kept on error: %q", kept)
		}
		a.check(t, step, "edit service with errors")
		b.do(t, step,
			chromedp.SetValue(chromedp.ID("f-email"), "tuki@example.org"),
			chromedp.Click(chromedp.CSS(`form.edit p.actions button`)),
			chromedp.WaitVisible(chromedp.CSS(`section.tools`)),
		)
		if lead := run(t, step, chromedp.Text(chromedp.CSS("p.lead"))); !strings.Contains(lead, "Selaimella päivitetty kuvaus") {
			t.Errorf("the listing page shows %q", lead)
		}
		if got := s.service(t, svcA); got.Email != "tuki@example.org" {
			t.Errorf("stored e-mail %q", got.Email)
		}
		b.do(t, step,
			chromedp.SetValue(chromedp.ID("q"), "vertaistukiryhmä"),
			chromedp.Click(chromedp.CSS(`form.sitesearch button`)),
			chromedp.WaitVisible(chromedp.CSS(`ol.results`)),
		)
		if first := run(t, step, chromedp.Text(chromedp.CSS(`ol.results > li:first-child h2 a`))); !strings.Contains(first, svcA) {
			t.Errorf("search for the new words found %q first, want the edited listing", first)
		}
		shot(t, shots, b.url("/dashboard"), "dashboard-desktop.png", 1280)
		shot(t, shots, b.url("/services/"+svcA+"/edit"), "edit-service-desktop.png", 1280)
		shot(t, shots, b.url("/services/"+svcA+"/edit"), "edit-service-phone.png", 360)
	})

	t.Run("admin keeps the consultation networks", func(t *testing.T) {
		step := b.step(t)
		// The admin's session (login with TOTP is covered elsewhere).
		admin := s.as(t, "admin").cookie
		run(t, step, func(ctx context.Context, tg *chromedp.Target) (struct{}, error) {
			_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: admin.Name, Value: admin.Value, URL: s.srv.URL + "/"})
			return struct{}{}, err
		})
		b.do(t, step,
			chromedp.Navigate(b.url("/admin/consultation")),
			chromedp.WaitVisible(chromedp.CSS(`table.list`)),
		)
		a.check(t, step, "consultation networks")
		b.do(t, step,
			chromedp.Click(chromedp.CSS(`table.list a[href$="/pohjanmaan-hyvinvointialue"]`)),
			chromedp.WaitVisible(chromedp.CSS(`form.stacked`)),
		)
		a.check(t, step, "consultation network form")
		b.do(t, step,
			chromedp.SetValue(chromedp.ID("f-note-fi"), "Sovittu Turun verkoston kanssa."),
			chromedp.Click(chromedp.CSS(`form.stacked button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`p.notice-ok`)),
		)
		if row := run(t, step, chromedp.Text(chromedp.CSS(`table.list`))); !strings.Contains(row, "Sovittu Turun verkoston kanssa.") {
			t.Errorf("the saved reason is not listed")
		}
		// An integration's API token: made on the admin page, shown once.
		b.do(t, step,
			chromedp.Navigate(b.url("/admin/tokens")),
			chromedp.WaitVisible(chromedp.CSS(`form.stacked`)),
			chromedp.SetValue(chromedp.ID("f-name"), "selain-integraatio"),
			chromedp.Click(chromedp.CSS(`input[name="networks"]`)),
			chromedp.Click(chromedp.CSS(`form.stacked button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.password-once code`)),
		)
		a.check(t, step, "API tokens")
		if code := run(t, step, chromedp.Text(chromedp.CSS(`.password-once code`))); !strings.HasPrefix(code, "srd_") {
			t.Errorf("the token shown is %q", code)
		}
		b.do(t, step,
			chromedp.Navigate(b.url("/admin/import")),
			chromedp.WaitVisible(chromedp.CSS(`input[type="file"]`)),
		)
		a.check(t, step, "spreadsheet import")
	})
	a.report(t)
}

// tab is the browser tab the journeys run in; it records every request
// the page makes.
type tab struct {
	ctx    context.Context
	origin string
	mu     sync.Mutex
	seen   []string
}

func newTab(t *testing.T, ctx context.Context, origin string) *tab {
	t.Helper()
	b := &tab{ctx: ctx, origin: origin}
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			b.mu.Lock()
			b.seen = append(b.seen, e.Request.URL)
			b.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *tab) url(path string) string { return b.origin + path }

// step is a bounded stretch of work in the tab.
func (b *tab) step(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// do runs actions and fails the test, with the page's address, on error.
func (b *tab) do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("at %s: %v", loc, err)
	}
}

// waitLocation waits until the tab's address satisfies ok, and returns it.
func waitLocation(t *testing.T, ctx context.Context, ok func(string) bool) string {
	t.Helper()
	for {
		if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil && ok(loc) {
			return loc
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the page's address did not change: %v", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// sameOrigin fails the test for any request that left the server.
func (b *tab) sameOrigin(t *testing.T) {
	t.Helper()
	o, _ := url.Parse(b.origin)
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.seen) == 0 {
		t.Fatal("no requests were recorded: the check would prove nothing")
	}
	for _, u := range b.seen {
		p, err := url.Parse(u)
		if err != nil || p.Host != o.Host {
			t.Errorf("request left the server's origin: %s", u)
		}
	}
}

// axe runs axe-core, the npm package that .ci/run installs into
// testdata/axe, in the page and keeps every result for a report.
type axe struct {
	src     string
	results []axePage
}

type axePage struct {
	Name       string
	URL        string
	Passes     int
	Incomplete []string
	Violations []axeViolation
}

// axeOutcome is what axeRun returns.
type axeOutcome struct {
	URL        string         `json:"url"`
	Passes     int            `json:"passes"`
	Incomplete []string       `json:"incomplete"`
	Violations []axeViolation `json:"violations"`
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

const axePath = "testdata/axe/node_modules/axe-core/axe.min.js"

func newAxe(t *testing.T) *axe {
	t.Helper()
	src, err := os.ReadFile(axePath)
	if errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("DIRECTORY_REQUIRE_BROWSER") != "" {
			t.Fatalf("%s is missing: run `npm ci --prefix web/testdata/axe` (as .ci/run does)", axePath)
		}
		t.Logf("%s is missing (npm ci --prefix web/testdata/axe): accessibility checks skipped", axePath)
		return &axe{}
	}
	if err != nil {
		t.Fatal(err)
	}
	return &axe{src: string(src)}
}

// axeRun asks for WCAG 2.1 A and AA and axe's best practices.
const axeRun = `axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
  resultTypes: ['violations']
}).then(r => ({
  url: location.pathname + location.search,
  passes: r.passes.length,
  incomplete: r.incomplete.map(v => v.id + ' at ' + v.nodes.map(n => n.target.join(' ') + ' (' + ((n.any[0] && n.any[0].message) || '') + ')').join(', ')),
  violations: r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help,
    nodes: v.nodes.map(n => n.target.join(' '))}))
}))`

// check runs axe-core on the tab's page and fails the test on serious or
// critical violations; the rest go to the report.
func (a *axe) check(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if a.src == "" {
		return
	}
	r, err := a.audit(ctx)
	if err != nil {
		t.Fatalf("axe-core on %s: %v", name, err)
	}
	a.results = append(a.results, axePage{Name: name, URL: r.URL, Passes: r.Passes, Incomplete: r.Incomplete, Violations: r.Violations})
	for _, v := range r.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("axe-core on %s (%s): %s violation %s: %s at %s", name, r.URL, v.Impact, v.ID, v.Help, strings.Join(v.Nodes, ", "))
		}
	}
}

// audit injects axe-core into the tab's page and runs it.
func (a *axe) audit(ctx context.Context) (axeOutcome, error) {
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](a.src)); err != nil {
		return axeOutcome{}, fmt.Errorf("inject: %w", err)
	}
	return chromedp.Run(ctx, chromedp.Evaluate[axeOutcome](axeRun, chromedp.EvalAwaitPromise))
}

// report writes every page's axe-core results to testdata/output/axe.txt.
func (a *axe) report(t *testing.T) {
	t.Helper()
	if a.src == "" {
		return
	}
	var sb strings.Builder
	impacts := map[string]int{}
	for _, p := range a.results {
		fmt.Fprintf(&sb, "%s (%s): %d rules passed, %d violations, to review by hand: %v\n", p.Name, p.URL, p.Passes, len(p.Violations), p.Incomplete)
		for _, v := range p.Violations {
			impacts[v.Impact]++
			fmt.Fprintf(&sb, "  %s %s: %s (%d nodes: %s)\n", v.Impact, v.ID, v.Help, len(v.Nodes), strings.Join(v.Nodes, ", "))
		}
	}
	var summary []string
	for k, n := range impacts {
		summary = append(summary, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(summary)
	fmt.Fprintf(&sb, "pages checked: %d; violations by impact: %s\n", len(a.results), strings.Join(summary, ", "))
	saveFile(t, "axe.txt", []byte(sb.String()))
	t.Log("\n" + sb.String())
}

// shotTab opens the tab that pages are looked at in, at set widths: one
// tab for all of them, beside the journeys' own (a tab costs more than a
// page load).
func shotTab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	tab, closeTab := chromedp.NewContext(ctx)
	t.Cleanup(closeTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	return tab
}

// shot loads u at a width and checks that nothing makes it scroll
// sideways; with DIRECTORY_SCREENSHOTS it saves a full-page screenshot to
// testdata/output for a person to look at (it is compared with nothing).
func shot(t *testing.T, tab context.Context, u, name string, width int64) {
	t.Helper()
	step, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(step, chromedp.EmulateViewport(width, 800), chromedp.Navigate(u)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	// Readable at this width: nothing makes the page scroll sideways.
	if w := run(t, step, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`)); w > width {
		t.Errorf("%s: the page is %d px wide in a %d px window", name, w, width)
	}
	if screenshots() {
		saveShot(t, run(t, step, chromedp.FullScreenshot(100)), name)
	}
}

// screenshots says whether to save the pages' pictures for a reviewer
// (DIRECTORY_SCREENSHOTS=1): taking them is half of the browser tests'
// time, and they check nothing a reader of the test output would see.
func screenshots() bool { return os.Getenv("DIRECTORY_SCREENSHOTS") != "" }

func saveShot(t *testing.T, png []byte, name string) { saveFile(t, name, png) }

func saveFile(t *testing.T, name string, b []byte) {
	t.Helper()
	dir := filepath.Join("testdata", "output")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs one browser action and fails the test on error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
