// Package browsertest starts headless Chromium for tests through chromedp.
// Tests skip when no browser is installed, unless DIRECTORY_REQUIRE_BROWSER
// is set (as CI does), where a missing browser fails them.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser returns a chromedp context of a fresh headless Chromium with an
// empty profile, closed when the test ends.
func Browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("DIRECTORY_CHROMIUM")
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		if os.Getenv("DIRECTORY_REQUIRE_BROWSER") != "" {
			t.Fatal("DIRECTORY_REQUIRE_BROWSER is set but no Chromium was found (install Debian's chromium or set DIRECTORY_CHROMIUM)")
		}
		t.Skip("no Chromium found: browser tests skipped")
	}
	// The flags keep Chromium from reaching out to the network on its own:
	// this machine has none, and a privacy test must see only our requests.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
		// Pages follow Accept-Language; the tests read them in Finnish,
		// the directory's default, unless a test asks for another.
		chromedp.Flag("accept-lang", "fi"),
		chromedp.Flag("lang", "fi"),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first call starts the browser and must not carry a timeout: it
	// would stop the browser with it. Steps get their own timeouts.
	start := make(chan error, 1)
	go func() { start <- chromedp.Do(ctx) }()
	select {
	case err := <-start:
		if err != nil {
			t.Fatalf("start Chromium %s: %v", path, err)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("Chromium %s did not start within a minute", path)
	}
	return ctx
}
