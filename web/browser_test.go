package web_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/serie-verkosto/directory/internal/browsertest"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/seed"
	"github.com/serie-verkosto/directory/web"
)

// TestBrowserFindServicesForMunicipality is what a professional does
// first: choose the client's municipality on the home page and get the
// services and the regional contact person there, with nothing leaving
// the server's origin and no cookie set.
func TestBrowserFindServicesForMunicipality(t *testing.T) {
	ctx := browsertest.Browser(t)
	d := dbtest.SQLite(t)
	st := services.NewStore(d)
	data, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Apply(context.Background(), st, data, seed.Options{}); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	origin, _ := url.Parse(ts.URL)

	var mu sync.Mutex
	var requested []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requested = append(requested, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}

	step, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = chromedp.Do(step,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{})
			return err
		}),
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("municipality")),
		chromedp.SetValue(chromedp.ID("municipality"), "837"),
		chromedp.Click(chromedp.CSS(`form[action="/services"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`ol.results`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	h1 := run(t, step, chromedp.Text(chromedp.CSS("h1")))
	consult := run(t, step, chromedp.Text(chromedp.CSS("aside.consult")))
	results := run(t, step, chromedp.Evaluate[int](`document.querySelectorAll('ol.results > li').length`))
	cookies := run(t, step, func(ctx context.Context, tg *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{})
	})
	if len(cookies.Cookies) > 0 {
		t.Errorf("anonymous visit set cookies: %v", cookies.Cookies)
	}
	if !strings.Contains(h1, "Tampere") {
		t.Errorf("h1 = %q, want the chosen municipality", h1)
	}
	if !strings.Contains(consult, "Anne Saarinen") || !strings.Contains(consult, "anne.saarinen@setlementtitampere.fi") {
		t.Errorf("consultation panel = %q, want Pirkanmaa's regional contact", consult)
	}
	if results == 0 {
		t.Error("no services listed for Tampere")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, u := range requested {
		p, err := url.Parse(u)
		if err != nil || p.Host != origin.Host {
			t.Errorf("request left the server's origin: %s", u)
		}
	}
	shot(t, ctx, ts.URL+"/services?municipality=837", "services-tampere-desktop.png", 1280)
	shot(t, ctx, ts.URL+"/services?municipality=837", "services-tampere-phone.png", 360)
}

// shot saves a full-page screenshot to testdata/output for a person to
// look at; it is not compared with anything.
func shot(t *testing.T, ctx context.Context, u, name string, width int64) {
	t.Helper()
	tab, closeTab := chromedp.NewContext(ctx) // a fresh tab in the same browser
	defer closeTab()
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	step, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(step, chromedp.EmulateViewport(width, 800), chromedp.Navigate(u)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	buf := run(t, step, chromedp.FullScreenshot(100))
	dir := filepath.Join("testdata", "output")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), buf, 0o644); err != nil {
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
