package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runMainEnv makes the test binary the program: the fault tests start it
// as a process of its own, so that they can kill it with SIGKILL.
const runMainEnv = "DIRECTORY_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main() // exits
	}
	os.Exit(m.Run())
}

// A proc is the program serving in a process of its own.
type proc struct {
	cmd  *exec.Cmd
	base string
	log  *syncWriter
	done chan struct{}
}

// startProc runs "serve" with args (and a free --addr) in a new process
// whose environment holds nothing of the test's DIRECTORY_ variables, and
// waits until /readyz says ready.
func startProc(t *testing.T, args ...string) *proc {
	t.Helper()
	addr := freeAddr(t)
	p := &proc{base: "http://" + addr, log: &syncWriter{w: &bytes.Buffer{}}, done: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], append([]string{"serve", "--addr", addr}, args...)...)
	p.cmd.Env = []string{runMainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
	p.cmd.Stdout, p.cmd.Stderr = io.Discard, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.kill)
	p.waitReady(t, 90*time.Second)
	return p
}

// waitReady polls /readyz until it answers 200.
func (p *proc) waitReady(t *testing.T, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		res, err := http.Get(p.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.done:
			t.Fatalf("the server exited:\n%s", p.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not become ready (%v):\n%s", err, p.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL, as a crash or a power cut would:
// nothing is shut down, flushed or closed.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop ends the process as an operator would (SIGTERM) and waits.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Errorf("the server did not stop:\n%s", p.log)
		p.kill()
	}
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, like a person's browser as far as the server can tell.
type browser struct {
	*http.Client
	base string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{Client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, base: base}
}

// do sends a request with an optional JSON body and returns the status
// and the body; err only for a failed exchange (a dropped connection).
func (b *browser) do(ctx context.Context, method, path, body string, header http.Header) (int, http.Header, string, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, r)
	if err != nil {
		return 0, nil, "", err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := b.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(out), err
}

// login logs in with the form, as a person would.
func (b *browser) login(t *testing.T, email, password string) {
	t.Helper()
	form := url.Values{"email": {email}, "password": {password}}.Encode()
	status, _, body, err := b.do(context.Background(), http.MethodPost, "/login", form,
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
	if err != nil || status != http.StatusSeeOther {
		t.Fatalf("login: %d %v\n%.500s", status, err, body)
	}
}

// cookies returns the jar's cookies for the server.
func (b *browser) cookies() []*http.Cookie {
	u, _ := url.Parse(b.base)
	return b.Jar.Cookies(u)
}
