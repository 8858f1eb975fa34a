package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/pquerna/otp/totp"
	"golang.org/x/time/rate"

	"github.com/serie-verkosto/directory/internal/api"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/corrections"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/hsds"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/tokens"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/seed"
	"github.com/serie-verkosto/directory/web"
)

// The tests of accounts, editing, history, verification, dashboards and
// correction reports run the whole server (web.New with a real store,
// authenticator and user store) over a seeded database, and talk to it
// over HTTP as a browser or an API client would.

// testPassword is every test user's password.
const testPassword = "a long test passphrase"

// totpSecret is the admin's TOTP secret (base32).
const totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// Network A (the editor's own) and network B (another).
const (
	netA = "pirkanmaa"
	netB = "turku"
)

// testClock is a settable clock, installed as db.DB.Now.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testTokenBurst is how many requests a token may make in a test site.
const testTokenBurst = 50

// site is a served directory with users.
type site struct {
	db     *db.DB
	clock  *testClock
	store  *services.Store
	users  *users.Store
	auth   *auth.Authenticator
	corr   *corrections.Store
	srv    *httptest.Server
	log    *syncBuffer
	index  *search.Index
	syncer *search.Syncer
	people map[string]users.User // by role name: admin, editorA, editorA2, editorB, member
	emails map[string]string
}

type siteOptions struct {
	search   bool         // build an index and run its syncer
	pathways bool         // serve the seeded care pathways (and index them with search)
	exit     string       // the help page's quick-exit address
	auth     auth.Options // throttles and timeouts
}

// newSite seeds d, adds the test users and listings and serves it.
func newSite(t *testing.T, d *db.DB, o siteOptions) *site {
	t.Helper()
	ctx := context.Background()
	clk := &testClock{t: time.Now().UTC()}
	d.Now = clk.Now
	st := services.NewStore(d)
	us := users.NewStore(d)
	if o.auth.AddrBurst == 0 {
		o.auth.AddrBurst = 1000
	}
	au, err := auth.New(d, us, o.auth)
	if err != nil {
		t.Fatal(err)
	}
	s := &site{db: d, clock: clk, store: st, users: us, auth: au, corr: corrections.NewStore(d), log: &syncBuffer{},
		people: map[string]users.User{}, emails: map[string]string{}}
	for _, p := range []struct {
		key, role, name string
		networks        []string
	}{
		{"admin", users.RoleAdmin, "Aino Admin", nil},
		{"editorA", users.RoleEditor, "Eeva Editori", []string{netA}},
		{"editorA2", users.RoleEditor, "Erkki Toinen", []string{netA}},
		{"editorB", users.RoleEditor, "Bertta Turku", []string{netB}},
		{"member", users.RoleMember, "Matti Jäsen", nil},
	} {
		u := users.User{Email: strings.ToLower(p.key) + "@example.org", Name: p.name, Role: p.role, Networks: p.networks}
		if err := us.Create(db.WithActor(ctx, "test"), &u, testPassword); err != nil {
			t.Fatalf("create %s: %v", p.key, err)
		}
		if p.role == users.RoleAdmin {
			if err := us.SetTOTPSecret(ctx, u.ID, totpSecret); err != nil {
				t.Fatal(err)
			}
			if err := us.EnableTOTP(ctx, u.ID, totpSecret, 0); err != nil {
				t.Fatal(err)
			}
		}
		s.people[p.key], s.emails[p.key] = u, u.Email
	}
	s.addListings(t)
	cfg := web.Config{Store: st, Log: slog.New(slog.NewTextHandler(s.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Auth: au, Users: us, Corrections: s.corr, QuickExit: o.exit, Tokens: tokens.NewStore(d),
		// A token's throttle that a slow (-race) run cannot refill.
		TokenRate: rate.Every(time.Hour), TokenBurst: testTokenBurst}
	sources := search.ListingSources(st)
	if o.pathways {
		cfg.Pathways = pathways.NewStore(d, st)
		sources = append(sources, search.PathwaySource(cfg.Pathways))
	}
	if o.search {
		sc, err := seed.SearchConfig(filepath.Join(t.TempDir(), "index"))
		if err != nil {
			t.Fatal(err)
		}
		ix, _, err := search.Open(sc)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		sy := &search.Syncer{Index: ix, DB: d, Store: st, Sources: sources, Poll: time.Hour}
		if _, err := sy.Sync(ctx, nil); err != nil {
			t.Fatal(err)
		}
		d.Follower = sy
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { sy.Run(rctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
		cfg.Index = ix
		s.index, s.syncer = ix, sy
	}
	a := api.New(st, cfg.Index, cfg.Pathways, cfg.Log)
	cfg.API, cfg.HSDS = a, &hsds.Server{Store: st, Index: cfg.Index, API: a}
	srv, err := web.New(cfg)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	s.srv = httptest.NewServer(srv.Handler())
	t.Cleanup(s.srv.Close)
	return s
}

// Test listings: a service and a contact in each of networks A and B.
const (
	svcA     = "test-palvelu-a"
	svcB     = "test-palvelu-b"
	contactA = "test-henkilo-a"
	contactB = "test-henkilo-b"
	// secretPhone is contact A's members-only phone number.
	secretPhone = "+358 40 123 9876"
)

func testService(id, network string) *services.Service {
	return &services.Service{ID: id, Name: l10n.Text{FI: "Testipalvelu " + id, SV: "Testtjänst " + id},
		Description:  l10n.Text{FI: "Alkuperäinen kuvaus."},
		TargetGroups: db.List[string]{"worried-about-own-thoughts"}, ServiceTypes: db.List[string]{"counselling"},
		Area: services.Area{Networks: []string{network}}, Status: services.StatusActive}
}

func (s *site) addListings(t *testing.T) {
	t.Helper()
	ctx := db.WithActor(context.Background(), "test")
	for id, n := range map[string]string{svcA: netA, svcB: netB} {
		if err := s.store.Services.Create(ctx, users.System("test"), testService(id, n)); err != nil {
			t.Fatalf("CreateService %s: %v", id, err)
		}
	}
	for id, n := range map[string]string{contactA: netA, contactB: netB} {
		c := &services.Contact{ID: id, Name: "Henkilö " + id, Role: "regional-contact", NetworkSlug: db.Ref(n),
			Email: id + "@example.org", Phone: secretPhone, Visibility: services.Visibility{"phone": services.Members}}
		if err := s.store.Contacts.Create(ctx, users.System("test"), c); err != nil {
			t.Fatalf("CreateContact %s: %v", id, err)
		}
	}
}

// client is a browser or API client with at most one session cookie.
type client struct {
	s      *site
	cookie *http.Cookie
	// device is the browser's device cookie, kept across logouts.
	device *http.Cookie
	// header is added to every request (Origin, Sec-Fetch-Site...).
	header http.Header
}

func (s *site) anon() *client { return &client{s: s, header: http.Header{}} }

// as logs in the test user key (admins with their TOTP code).
func (s *site) as(t *testing.T, key string) *client {
	t.Helper()
	if key == "anon" {
		return s.anon()
	}
	c := s.anon()
	form := url.Values{"email": {s.emails[key]}, "password": {testPassword}}
	if s.people[key].Role == users.RoleAdmin {
		code, err := totp.GenerateCode(totpSecret, s.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		form.Set("code", code)
	}
	res, body := c.post(t, "/login", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: status %d\n%s", key, res.StatusCode, body)
	}
	if c.cookie == nil {
		t.Fatalf("login %s: no session cookie", key)
	}
	if s.people[key].Role == users.RoleAdmin {
		// A TOTP code is good once: the next admin login is a step later.
		s.clock.Add(30 * time.Second)
	}
	return c
}

// do sends a request; a Set-Cookie of the session replaces the client's
// cookie (or clears it).
func (c *client) do(t *testing.T, method, path string, body io.Reader, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, c.s.srv.URL+path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	if c.device != nil {
		req.AddCookie(c.device)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range res.Cookies() {
		if ck.Name == auth.CookieName(false) {
			if ck.MaxAge < 0 || ck.Value == "" {
				c.cookie = nil
			} else {
				c.cookie = &http.Cookie{Name: ck.Name, Value: ck.Value}
			}
		}
		if ck.Name == auth.DeviceCookieName(false) {
			c.device = &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	return res, b
}

func (c *client) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	return c.do(t, http.MethodGet, path, nil, nil)
}

func (c *client) post(t *testing.T, path string, form url.Values) (*http.Response, []byte) {
	t.Helper()
	return c.do(t, http.MethodPost, path, strings.NewReader(form.Encode()),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}

// page GETs an HTML page and parses it, checking the status.
func (c *client) page(t *testing.T, path string, status int) *goquery.Document {
	t.Helper()
	res, body := c.get(t, path)
	if res.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d\n%.2000s", path, res.StatusCode, status, body)
	}
	return parse(t, body)
}

func parse(t *testing.T, body []byte) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// sendJSON sends a JSON body with the given headers.
func (c *client) sendJSON(t *testing.T, method, path string, v any, header http.Header) (*http.Response, []byte) {
	t.Helper()
	var body io.Reader
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	for k, vs := range header {
		h[k] = vs
	}
	return c.do(t, method, path, body, h)
}

// formValues returns what a browser would submit from the form matching
// sel: inputs (checked boxes only), selects and textareas.
func formValues(doc *goquery.Document, sel string) (string, url.Values) {
	form := doc.Find(sel).First()
	action, _ := form.Attr("action")
	v := url.Values{}
	form.Find("input[name], select[name], textarea[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		if _, off := s.Attr("disabled"); off {
			return
		}
		switch goquery.NodeName(s) {
		case "input":
			typ, _ := s.Attr("type")
			val, _ := s.Attr("value")
			switch typ {
			case "checkbox", "radio":
				if _, on := s.Attr("checked"); on {
					if val == "" {
						val = "on"
					}
					v.Add(name, val)
				}
			case "submit", "button", "image", "reset":
			default:
				v.Add(name, val)
			}
		case "textarea":
			v.Add(name, s.Text())
		case "select":
			_, multiple := s.Attr("multiple")
			chosen := s.Find("option[selected]")
			if chosen.Length() == 0 && !multiple {
				chosen = s.Find("option").First()
			}
			chosen.Each(func(_ int, o *goquery.Selection) {
				val, ok := o.Attr("value")
				if !ok {
					val = o.Text()
				}
				v.Add(name, val)
			})
		}
	})
	return action, v
}

// editForm loads a listing's edit form as the client and returns its
// action and values.
func (c *client) editForm(t *testing.T, path string) (string, url.Values) {
	t.Helper()
	doc := c.page(t, path, http.StatusOK)
	return formValues(doc, "form.edit")
}

// auditCount is the number of audit rows, to show that a refused request
// wrote nothing.
func (s *site) auditCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := s.db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	return n
}

func (s *site) service(t *testing.T, id string) services.Service {
	t.Helper()
	svc, err := s.store.Service(context.Background(), id)
	if err != nil {
		t.Fatalf("Service %s: %v", id, err)
	}
	return svc
}

func (s *site) contact(t *testing.T, id string) services.Contact {
	t.Helper()
	c, err := s.store.Contact(context.Background(), id)
	if err != nil {
		t.Fatalf("Contact %s: %v", id, err)
	}
	return c
}

// noAddresses fails when the server's log holds a client address.
func (s *site) noAddresses(t *testing.T) {
	t.Helper()
	if logs := s.log.String(); strings.Contains(logs, "127.0.0.1") {
		t.Errorf("the log records a client address:\n%s", logs)
	}
}

// errorText is the text of the field error tied to an input by
// aria-describedby.
func errorText(doc *goquery.Document, inputID string) string {
	in := doc.Find("#" + inputID)
	ids, _ := in.Attr("aria-describedby")
	for _, id := range strings.Fields(ids) {
		if e := doc.Find("#" + id + ".field-error"); e.Length() > 0 {
			return strings.TrimSpace(e.Text())
		}
	}
	return ""
}

// totpCode is the TOTP code of secret at now.
func totpCode(t *testing.T, secret string, now time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	return code
}
