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
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/pquerna/otp/totp"

	"github.com/serie-verkosto/directory/internal/api"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/seed"
	"github.com/serie-verkosto/directory/web"
)

// The care pathway pages and API (issue 4), run as the whole server over
// a seeded database with the pathway store, an authenticator and users
// who log in through POST /login.

const (
	pwPassword = "a long pathway passphrase"
	pwSecret   = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU" // the admin's TOTP secret

	// Seed pathways the tests follow.
	pwWorried  = "huolissaan-omista-ajatuksista"
	pwSuspect  = "epaily-esitutkinnassa"
	pwMinor    = "alaikaisen-haitallinen-seksuaalinen-kaytos"
	pwMinorGap = "arvio" // adolescent psychiatry: national only in Pirkanmaa, local in the capital region
)

// testAdmin reads what the tests check behind the pages' backs (pending
// proposals, which only those who may propose see).
var testAdmin = &users.User{ID: "u-test-admin", Role: users.RoleAdmin, Active: true}

// pwSite is a served directory with care pathways and users.
type pwSite struct {
	db    *db.DB
	store *services.Store
	paths *pathways.Store
	srv   *httptest.Server
	mu    sync.Mutex
	now   time.Time
	users map[string]users.User // admin, editor, member
}

func (s *pwSite) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

func newPathwaySite(t *testing.T, d *db.DB) *pwSite {
	t.Helper()
	ctx := db.WithActor(context.Background(), "test")
	s := &pwSite{db: d, now: time.Now().UTC(), users: map[string]users.User{}}
	d.Now = s.clock
	s.store = services.NewStore(d)
	s.paths = pathways.NewStore(d, s.store)
	us := users.NewStore(d)
	for _, p := range []struct {
		key, role string
		networks  []string
	}{{"admin", users.RoleAdmin, nil}, {"editor", users.RoleEditor, []string{"pirkanmaa"}}, {"member", users.RoleMember, nil}} {
		u := users.User{Email: "pw-" + p.key + "@example.org", Name: "Test " + p.key, Role: p.role, Networks: p.networks}
		if err := us.Create(ctx, &u, pwPassword); err != nil {
			t.Fatal(err)
		}
		if p.role == users.RoleAdmin {
			if err := us.SetTOTPSecret(ctx, u.ID, pwSecret); err != nil {
				t.Fatal(err)
			}
			if err := us.EnableTOTP(ctx, u.ID, pwSecret, 0); err != nil {
				t.Fatal(err)
			}
		}
		s.users[p.key] = u
	}
	au, err := auth.New(d, us, auth.Options{AddrBurst: 1000})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{Store: s.store, Pathways: s.paths, Auth: au, Users: us, API: api.New(s.store, nil, s.paths, nil),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewServer(srv.Handler())
	t.Cleanup(s.srv.Close)
	return s
}

// pwClient is a browser or API client, logged in or not.
type pwClient struct {
	s      *pwSite
	cookie *http.Cookie
}

func (s *pwSite) anon() *pwClient { return &pwClient{s: s} }

// as logs in through POST /login (admins with their TOTP code).
func (s *pwSite) as(t *testing.T, key string) *pwClient {
	t.Helper()
	c := s.anon()
	u := s.users[key]
	form := url.Values{"email": {u.Email}, "password": {pwPassword}}
	if u.Role == users.RoleAdmin {
		code, err := totp.GenerateCode(pwSecret, s.clock())
		if err != nil {
			t.Fatal(err)
		}
		form.Set("code", code)
		defer func() { // a code is good once: the next login is a step later
			s.mu.Lock()
			s.now = s.now.Add(30 * time.Second)
			s.mu.Unlock()
		}()
	}
	res, body := c.post(t, "/login", form)
	if res.StatusCode != http.StatusSeeOther || c.cookie == nil {
		t.Fatalf("login %s: status %d, cookie %v\n%.1000s", key, res.StatusCode, c.cookie, body)
	}
	return c
}

func (c *pwClient) do(t *testing.T, method, path string, body io.Reader, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, c.s.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if c.cookie != nil {
		req.AddCookie(c.cookie)
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
		if ck.Name == auth.CookieName(false) && ck.Value != "" && ck.MaxAge >= 0 {
			c.cookie = &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	return res, b
}

func (c *pwClient) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	return c.do(t, http.MethodGet, path, nil, nil)
}

func (c *pwClient) post(t *testing.T, path string, form url.Values) (*http.Response, []byte) {
	t.Helper()
	return c.do(t, http.MethodPost, path, strings.NewReader(form.Encode()),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}

func (c *pwClient) sendJSON(t *testing.T, method, path string, v any, header http.Header) (*http.Response, []byte) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	for k, vs := range header {
		h[k] = vs
	}
	return c.do(t, method, path, bytes.NewReader(b), h)
}

// page GETs an HTML page, checks its status and its structure, and parses it.
func (c *pwClient) page(t *testing.T, path string, status int) (*http.Response, *goquery.Document) {
	t.Helper()
	res, body := c.get(t, path)
	if res.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d\n%.3000s", path, res.StatusCode, status, body)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	checkPathwayPage(t, path, doc)
	return res, doc
}

// getJSON GETs path, checks the status and decodes the body into v.
func (c *pwClient) getJSON(t *testing.T, path string, status int, v any) *http.Response {
	t.Helper()
	res, body := c.get(t, path)
	if res.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d\n%.2000s", path, res.StatusCode, status, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, body)
	}
	return res
}

// checkPathwayPage checks what every page must have: one h1 in main, a
// title, labelled controls and unique ids.
func checkPathwayPage(t *testing.T, path string, doc *goquery.Document) {
	t.Helper()
	if n := doc.Find("main#main h1").Length(); n != 1 || doc.Find("h1").Length() != 1 {
		t.Errorf("%s: %d h1 in main, want 1", path, n)
	}
	h1, title := text(doc.Find("h1")), text(doc.Find("title"))
	if h1 == "" || title == "" || !strings.HasPrefix(title, h1) {
		t.Errorf("%s: h1 %q, title %q: want both, the title starting with the h1", path, h1, title)
	}
	ids := map[string]bool{}
	doc.Find("[id]").Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("id")
		if ids[id] {
			t.Errorf("%s: id %q repeats", path, id)
		}
		ids[id] = true
	})
	doc.Find("[aria-labelledby]").Each(func(_ int, s *goquery.Selection) {
		if id, _ := s.Attr("aria-labelledby"); !ids[id] {
			t.Errorf("%s: aria-labelledby=%q names no element", path, id)
		}
	})
	doc.Find("select, textarea, input").Each(func(_ int, s *goquery.Selection) {
		if typ, _ := s.Attr("type"); typ == "hidden" || typ == "submit" {
			return
		}
		id, _ := s.Attr("id")
		if id == "" || doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			name, _ := s.Attr("name")
			t.Errorf("%s: control %q (#%s) has no label", path, name, id)
		}
	})
}

// pwLang adds lang to a path's query ("" leaves it unchanged).
func pwLang(path, lang string) string {
	switch {
	case lang == "":
		return path
	case strings.Contains(path, "?"):
		return path + "&lang=" + lang
	}
	return path + "?lang=" + lang
}

func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// --- API ---

type apiTarget struct {
	ID         string     `json:"id"`
	Name       l10n.Text  `json:"name"`
	URL        string     `json:"url"`
	Reason     string     `json:"reason"`
	Tier       string     `json:"tier"`
	VerifiedAt *time.Time `json:"verified_at"`
}

type apiStep struct {
	ID       string            `json:"id"`
	Next     string            `json:"next"`
	Targets  []pathways.Target `json:"targets"`
	Services []apiTarget       `json:"services"`
	Total    int               `json:"total"`
}

type apiPathway struct {
	Slug    string    `json:"slug"`
	Version int       `json:"version"`
	Title   l10n.Text `json:"title"`
	Steps   []apiStep `json:"steps"`
	Place   *struct {
		Municipality *services.Municipality `json:"municipality"`
		Network      *pathways.NetworkRef   `json:"network"`
		Networks     []pathways.NetworkRef  `json:"networks"`
	} `json:"place"`
	Contacts []services.Contact `json:"contacts"`
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Fields  []struct {
			Field, Message string
		} `json:"fields"`
	} `json:"error"`
}

func TestPathwayAPIRead(t *testing.T) {
	seedtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newPathwaySite(t, d)
		c := s.anon()

		var list struct {
			Items []struct {
				Slug        string    `json:"slug"`
				Title       l10n.Text `json:"title"`
				Situation   l10n.Text `json:"situation"`
				TargetGroup string    `json:"target_group"`
				Version     int       `json:"version"`
			} `json:"items"`
			Total  *int `json:"total"`
			Limit  *int `json:"limit"`
			Offset *int `json:"offset"`
		}
		c.getJSON(t, "/api/v1/pathways", http.StatusOK, &list)
		if list.Total == nil || list.Limit == nil || list.Offset == nil || *list.Total != 7 || len(list.Items) != 7 || *list.Offset != 0 {
			t.Fatalf("list envelope: total %v limit %v offset %v, %d items; want the seven seed pathways", list.Total, list.Limit, list.Offset, len(list.Items))
		}
		for _, it := range list.Items {
			if it.Slug == "" || it.Title.FI == "" || it.Situation.FI == "" || it.TargetGroup == "" || it.Version != 1 {
				t.Errorf("list item %+v lacks a field", it)
			}
		}

		// One pathway, as stored.
		var p apiPathway
		res := c.getJSON(t, "/api/v1/pathways/"+pwWorried, http.StatusOK, &p)
		if res.Header.Get("ETag") != `"1"` || p.Slug != pwWorried || p.Version != 1 || len(p.Steps) < 5 {
			t.Fatalf("GET one: ETag %q slug %q version %d, %d steps", res.Header.Get("ETag"), p.Slug, p.Version, len(p.Steps))
		}
		if p.Place != nil || p.Steps[0].Services != nil {
			t.Errorf("without a place the steps are not resolved: place %+v", p.Place)
		}

		// Resolved for a municipality, by name or code.
		for _, muni := range []string{"Tampere", "837", "Tammerfors"} {
			var r apiPathway
			path := "/api/v1/pathways/" + pwWorried + "?municipality=" + url.QueryEscape(muni)
			res := c.getJSON(t, path, http.StatusOK, &r)
			if _, raw := c.get(t, path); !bytes.Contains(raw, []byte(`"verified_at":`)) || !bytes.Contains(raw, []byte(`"total":`)) {
				t.Errorf("%s: the targets do not say when they were verified, or the steps their total", muni)
			}
			// Resolved at a place, the ETag is the version and a hash of
			// what the place gave.
			if !strings.HasPrefix(res.Header.Get("ETag"), `"1-`) || r.Slug != pwWorried || r.Version != 1 {
				t.Errorf("%s: ETag %q slug %q version %d", muni, res.Header.Get("ETag"), r.Slug, r.Version)
			}
			if r.Place == nil || r.Place.Municipality == nil || r.Place.Municipality.Code != "837" {
				t.Fatalf("%s: place = %+v", muni, r.Place)
			}
			if len(r.Contacts) == 0 {
				t.Errorf("%s: no contact persons to consult", muni)
			}
			var anon *apiStep
			for i := range r.Steps {
				st := &r.Steps[i]
				if st.Services == nil {
					t.Errorf("%s: step %s has no services list", muni, st.ID)
				}
				if len(st.Services) > st.Total {
					t.Errorf("%s: step %s lists %d of %d", muni, st.ID, len(st.Services), st.Total)
				}
				if st.ID == "nimeton-tuki" {
					anon = st
				}
				for _, m := range st.Services {
					if m.ID == "" || m.Name.FI == "" || m.URL != "/services/"+m.ID || m.Reason == "" || m.Tier == "" {
						t.Errorf("%s: step %s target %+v lacks a field", muni, st.ID, m)
					}
				}
			}
			if anon == nil || len(anon.Services) == 0 || len(anon.Targets) == 0 {
				t.Fatalf("%s: step nimeton-tuki = %+v", muni, anon)
			}
			if m := anon.Services[0]; m.ID != "serie-tukipalvelu" && m.Tier != "national" {
				t.Errorf("%s: first anonymous service %+v", muni, m)
			}
			for _, m := range anon.Services {
				if m.ID == "serie-tukipalvelu" && (m.Reason != "explicitly named; national service" || m.Tier != "national") {
					t.Errorf("%s: serie-tukipalvelu = %+v", muni, m)
				}
			}
		}

		// Resolved for a network, and for a municipality of it: the
		// capital region's own adolescent psychiatry comes before the
		// national services.
		var rn apiPathway
		c.getJSON(t, "/api/v1/pathways/"+pwMinor+"?network=paakaupunkiseutu", http.StatusOK, &rn)
		if rn.Place == nil || rn.Place.Network == nil || rn.Place.Network.Slug != "paakaupunkiseutu" || rn.Place.Municipality != nil {
			t.Errorf("network place = %+v", rn.Place)
		}
		var rh apiPathway
		c.getJSON(t, "/api/v1/pathways/"+pwMinor+"?municipality=Helsinki", http.StatusOK, &rh)
		for _, r := range []apiPathway{rn, rh} {
			for _, st := range r.Steps {
				if st.ID != pwMinorGap {
					continue
				}
				if len(st.Services) < 2 || st.Services[0].ID != "hus-nuorisopsykiatria" || st.Services[0].Tier == "national" ||
					!strings.HasPrefix(st.Services[0].Reason, "covers") || st.Services[len(st.Services)-1].Tier != "national" {
					t.Errorf("%s: step %s = %+v; want HUS first, national ones last", r.Slug, st.ID, st.Services)
				}
			}
		}

		// Errors.
		networks := []string{"pirkanmaa", "paakaupunkiseutu", "turku"}
		for _, tt := range []struct {
			path, code string
			status     int
			says       []string
		}{
			{"/api/v1/pathways/no-such-pathway", "not_found", 404, nil},
			{"/api/v1/pathways/no-such-pathway?municipality=Tampere", "not_found", 404, nil},
			{"/api/v1/pathways/Bad_Slug", "invalid", 400, nil},
			{"/api/v1/pathways/" + pwWorried + "?municipality=Atlantis", "invalid", 400, append([]string{"Atlantis", "Tampere (837)", "Maarianhamina (478)"}, networks...)},
			{"/api/v1/pathways/" + pwWorried + "?network=atlantis", "invalid", 400, append([]string{"atlantis"}, networks...)},
			{"/api/v1/pathways/" + pwWorried + "?municipality=Tampere&network=pirkanmaa", "invalid", 400, []string{"not both"}},
			{"/api/v1/pathways/" + pwWorried + "?place=Tampere", "invalid", 400, []string{"place"}},
			{"/api/v1/pathways?municipality=Tampere", "invalid", 400, []string{"municipality"}},
			{"/api/v1/pathways/" + pwWorried + "?municipality=Tampere&municipality=Nokia", "invalid", 400, nil},
		} {
			var e apiError
			c.getJSON(t, tt.path, tt.status, &e)
			if e.Error.Code != tt.code {
				t.Errorf("%s: code %q, want %q", tt.path, e.Error.Code, tt.code)
			}
			msg := e.Error.Message
			for _, f := range e.Error.Fields {
				msg += " " + f.Field + ": " + f.Message
			}
			for _, w := range tt.says {
				if !strings.Contains(msg, w) {
					t.Errorf("%s: message %q does not say %q", tt.path, msg, w)
				}
			}
		}
	})
}

// --- pages ---

func TestPathwayPages(t *testing.T) {
	s := newPathwaySite(t, seedtest.SQLite(t))
	c := s.anon()
	seedPW, err := s.paths.Pathway(context.Background(), pwWorried)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("list", func(t *testing.T) {
		for _, lang := range []string{"", "sv", "en"} {
			_, doc := c.page(t, pwLang("/pathways", lang), http.StatusOK)
			items := doc.Find("li.pw-item")
			if items.Length() != 7 {
				t.Fatalf("%s: %d pathways listed, want 7", lang, items.Length())
			}
			if items.Find(".pw-situation").Length() != 7 || items.Find(".tag").Length() < 7 {
				t.Errorf("%s: pathways lack their situation or target group", lang)
			}
			if doc.Find(`li.pw-item a[href^="/pathways/`+pwWorried+`"]`).Length() != 1 {
				t.Errorf("%s: no link to %s", lang, pwWorried)
			}
			if doc.Find(".draft").Length() != 0 || doc.Find(`a[href^="/pathways/new"]`).Length() != 0 {
				t.Errorf("%s: an anonymous visitor sees drafts or the new-pathway link", lang)
			}
			if doc.Find(`nav.main-nav a[href^="/pathways"][aria-current="page"]`).Length() != 1 {
				t.Errorf("%s: the main menu does not mark Care pathways", lang)
			}
		}
	})

	t.Run("without a place", func(t *testing.T) {
		_, doc := c.page(t, "/pathways/"+pwWorried, http.StatusOK)
		if doc.Find(".pw-prompt").Length() != 1 {
			t.Errorf("no prompt to choose a municipality")
		}
		if n := doc.Find(".pw-service").Length(); n != 0 {
			t.Errorf("%d services shown without a place", n)
		}
		if doc.Find("form select#municipality").Length() != 1 || doc.Find("form select#network").Length() != 1 {
			t.Errorf("no municipality and network selectors")
		}
		if method, _ := doc.Find("select#municipality").Closest("form").Attr("method"); method != "get" {
			t.Errorf("the selector form's method is %q, want get (the place is kept in the URL)", method)
		}
		if n := doc.Find("nav.pw-steps li").Length(); n != len(seedPW.Steps) {
			t.Errorf("step list has %d steps, want %d", n, len(seedPW.Steps))
		}
		cur := doc.Find(`nav.pw-steps a[aria-current="step"]`)
		if cur.Length() != 1 || !strings.Contains(text(cur), seedPW.Steps[0].Title.FI) {
			t.Errorf("current step = %q, want the first", text(cur))
		}
		if doc.Find("section.pw-step").Length() != 1 || doc.Find("section#step-"+seedPW.Steps[0].ID).Length() != 1 {
			t.Errorf("the first step is not the one shown")
		}
	})

	t.Run("with a municipality, step by step", func(t *testing.T) {
		base := "/pathways/" + pwWorried + "?municipality=Tampere"
		_, doc := c.page(t, base, http.StatusOK)
		if !strings.Contains(text(doc.Find("title")), "Tampere") {
			t.Errorf("title %q does not name the place", text(doc.Find("title")))
		}
		consult := doc.Find("aside.pw-consult")
		if consult.Find(`a[href^="/networks/pirkanmaa"]`).Length() != 1 || consult.Find(`a[href^="mailto:"], a[href^="tel:"]`).Length() == 0 {
			t.Errorf("no Pirkanmaa contact person to consult: %q", text(consult))
		}
		if v, _ := doc.Find("select#municipality option[selected]").Attr("value"); v != "837" {
			t.Errorf("selected municipality %q, want 837", v)
		}
		// Follow "next" from the first step to the decision.
		next := doc.Find(".pw-next a")
		href, _ := next.Attr("href")
		// The anchor brings the step into view (on a phone, below the list).
		want := "/pathways/" + pwWorried + "?municipality=837&step=" + seedPW.Steps[0].Next + "#step-" + seedPW.Steps[0].Next
		if href != want {
			t.Fatalf("next link %q, want %q", href, want)
		}
		_, doc = c.page(t, href, http.StatusOK)
		dec := doc.Find(".pw-decision")
		if dec.Length() != 1 {
			t.Fatalf("step %s shows no decision", seedPW.Steps[0].Next)
		}
		var answers []string
		dec.Find("li a").Each(func(_ int, a *goquery.Selection) {
			href, _ := a.Attr("href")
			u, err := url.Parse(href)
			if err != nil || u.Path != "/pathways/"+pwWorried || u.Query().Get("municipality") != "837" {
				t.Errorf("answer link %q loses the pathway or the place", href)
			}
			answers = append(answers, u.Query().Get("step"))
		})
		var wantAnswers []string
		for _, st := range seedPW.Steps {
			if st.ID == seedPW.Steps[0].Next {
				for _, a := range st.Decision.Answers {
					wantAnswers = append(wantAnswers, a.Next)
				}
			}
		}
		if !slices.Equal(answers, wantAnswers) || len(answers) < 2 {
			t.Errorf("answers lead to %v, want %v", answers, wantAnswers)
		}
		// The first answer (immediate danger) has a legal duty.
		_, doc = c.page(t, base+"&step="+wantAnswers[0], http.StatusOK)
		duty := doc.Find("aside.pw-duty")
		if duty.Length() != 1 || !strings.Contains(text(duty), "Rikosilmoitus") && !strings.Contains(strings.ToLower(text(duty)), "ilmoitus") {
			t.Errorf("no legal duty callout: %q", text(duty))
		}
		if doc.Find(".pw-roles").Length() != 1 || !strings.Contains(text(doc.Find(".pw-roles")), "Poliisi") {
			t.Errorf("roles = %q, want the hand-over to the police", text(doc.Find(".pw-roles")))
		}
		// The anonymous support step lists resolved services.
		_, doc = c.page(t, base+"&step=nimeton-tuki", http.StatusOK)
		svcs := doc.Find("li.pw-service")
		if svcs.Length() == 0 {
			t.Fatalf("step nimeton-tuki lists no services in Tampere")
		}
		first := svcs.First()
		if href, _ := first.Find("a.pw-name").Attr("href"); !strings.HasPrefix(href, "/services/") {
			t.Errorf("service link %q", href)
		}
		if text(first.Find(".pw-reason")) == "" || first.Find(".fresh").Length() != 1 {
			t.Errorf("service without reason or verification date: %q", text(first))
		}
		if !strings.Contains(text(svcs), "valtakunnallinen palvelu") {
			t.Errorf("no national service reason in %q", text(svcs))
		}
		if doc.Find(`.pw-handout a[href^="/pathways/`+pwWorried+`/handout?"]`).Length() != 1 {
			t.Errorf("no link to the client handout")
		}
		// A criteria step in Tampere: local services first.
		_, doc = c.page(t, base+"&step=hoito", http.StatusOK)
		if r := text(doc.Find("li.pw-service .pw-reason").First()); r == "" {
			t.Errorf("hoito: no reason")
		}
		// The same in Swedish and English.
		for _, lang := range []string{"sv", "en"} {
			_, doc := c.page(t, base+"&step=nimeton-tuki&lang="+lang, http.StatusOK)
			want := map[string]string{"sv": "riksomfattande tjänst", "en": "national service"}[lang]
			if !strings.Contains(text(doc.Find("li.pw-service")), want) {
				t.Errorf("%s: reasons %q do not say %q", lang, text(doc.Find("li.pw-service .pw-reason")), want)
			}
		}
	})

	t.Run("more than are listed", func(t *testing.T) {
		ctx := db.WithActor(context.Background(), "test")
		for i := range pathways.TargetLimit + 2 {
			id := "pw-more-" + strconv.Itoa(i)
			svc := &services.Service{ID: id, Name: l10n.T("Vertaistuki "+strconv.Itoa(i), "", ""), Status: services.StatusActive,
				TargetGroups: db.List[string]{"suspected"}, ServiceTypes: db.List[string]{"peer-support"},
				Area: services.Area{Municipalities: []string{"837"}}}
			if err := s.store.Services.Create(ctx, users.System("test"), svc); err != nil {
				t.Fatal(err)
			}
		}
		st := pathways.Step{ID: "vertaistuki", Title: l10n.T("Vertaistuki", "", ""), Actor: "ngo",
			Targets: []pathways.Target{{TargetGroup: "suspected", ServiceType: "peer-support"}}}
		p := pathways.Pathway{Slug: "pw-more", Title: l10n.T("Vertaistukipolku", "", ""), TargetGroup: "suspected",
			Status: pathways.StatusPublished, Steps: []pathways.Step{st}}
		if err := s.paths.Create(ctx, &p); err != nil {
			t.Fatal(err)
		}
		_, doc := c.page(t, "/pathways/pw-more?municipality=Tampere", http.StatusOK)
		if n := doc.Find("li.pw-service").Length(); n != pathways.TargetLimit {
			t.Errorf("%d services listed, want %d", n, pathways.TargetLimit)
		}
		more := doc.Find(".pw-more a")
		if !strings.Contains(text(more), "2 muuta") {
			t.Errorf("more = %q, want the 2 not listed", text(more))
		}
		if href, _ := more.Attr("href"); href != "/services?municipality=837&service_type=peer-support&target_group=suspected" {
			t.Errorf("more links %q", href)
		}
		if r := text(doc.Find("li.pw-service .pw-reason").First()); r != "palvelee: Tampere" {
			t.Errorf("first reason %q, want the municipality's own", r)
		}
	})

	t.Run("with a network", func(t *testing.T) {
		_, doc := c.page(t, "/pathways/"+pwMinor+"?network=pirkanmaa", http.StatusOK)
		if doc.Find("aside.pw-consult").Length() != 1 || doc.Find(".pw-prompt").Length() != 0 {
			t.Errorf("network view without whom to consult")
		}
		if v, _ := doc.Find("select#network option[selected]").Attr("value"); v != "pirkanmaa" {
			t.Errorf("selected network %q", v)
		}
	})

	t.Run("all steps", func(t *testing.T) {
		for _, place := range []string{"", "?municipality=Tampere"} {
			_, doc := c.page(t, "/pathways/"+pwWorried+"/all"+place, http.StatusOK)
			if n := doc.Find("section.pw-step").Length(); n != len(seedPW.Steps) {
				t.Errorf("%q: %d steps shown, want %d", place, n, len(seedPW.Steps))
			}
			for i, st := range seedPW.Steps {
				sec := doc.Find("section#step-" + st.ID)
				if sec.Length() != 1 || !strings.Contains(text(sec.Find("h2")), st.Title.FI) {
					t.Errorf("%q: step %d %s missing", place, i+1, st.ID)
				}
				if st.Decision != nil {
					for _, a := range st.Decision.Answers {
						if sec.Find(`.pw-decision a[href="#step-`+a.Next+`"]`).Length() != 1 {
							t.Errorf("%q: step %s: no link to answer's step %s", place, st.ID, a.Next)
						}
					}
				}
			}
			services := doc.Find("li.pw-service").Length()
			if (place == "") != (services == 0) {
				t.Errorf("%q: %d services listed", place, services)
			}
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		for _, tt := range []struct {
			path   string
			status int
			says   string
		}{
			{"/pathways/no-such-pathway", 404, ""},
			{"/pathways/Bad_Slug", 400, ""},
			{"/pathways/" + pwWorried + "?step=nowhere", 404, "nowhere"},
			{"/pathways/" + pwWorried + "?municipality=Atlantis", 400, "paakaupunkiseutu"},
			{"/pathways/" + pwWorried + "?network=atlantis&lang=sv", 400, "Okänt nätverk"},
			{"/pathways/" + pwWorried + "?municipality=Tampere&network=pirkanmaa", 400, "ei molempia"},
			{"/pathways/" + pwWorried + "/handout?step=hoito", 400, "Anna kunta"},
			{"/pathways/coverage?network=atlantis", 400, "pirkanmaa"},
		} {
			_, doc := c.page(t, tt.path, tt.status)
			if !strings.Contains(text(doc.Find("main")), tt.says) {
				t.Errorf("%s: page does not say %q: %q", tt.path, tt.says, text(doc.Find("main")))
			}
		}
	})

	t.Run("coverage", func(t *testing.T) {
		_, doc := c.page(t, "/pathways/coverage", http.StatusOK)
		if doc.Find("select#network").Length() != 1 || doc.Find("tr.gap").Length() != 0 {
			t.Errorf("without a network: a selector and no report")
		}
		_, doc = c.page(t, "/pathways/coverage?network=pirkanmaa", http.StatusOK)
		gap := doc.Find(`section[aria-labelledby="cov-` + pwMinor + `"] tr.gap[data-step="` + pwMinorGap + `"]`)
		if gap.Length() != 1 {
			t.Fatalf("Pirkanmaa: no gap at %s/%s", pwMinor, pwMinorGap)
		}
		if !strings.Contains(text(gap), "valtakunnallista palvelua") {
			t.Errorf("gap row %q does not count the national services", text(gap))
		}
		if href, _ := gap.Find("a").Attr("href"); href != "/pathways/"+pwMinor+"?network=pirkanmaa&step="+pwMinorGap {
			t.Errorf("gap link %q", href)
		}
		if n := doc.Find("section.pw-coverage").Length(); n < 6 {
			t.Errorf("%d pathways in the report, want every published one", n)
		}
		_, doc = c.page(t, "/pathways/coverage?network=paakaupunkiseutu&lang=en", http.StatusOK)
		if doc.Find(`tr.gap[data-step="`+pwMinorGap+`"]`).Length() != 0 {
			t.Errorf("capital region: %s is a gap, but HUS adolescent psychiatry covers it", pwMinorGap)
		}
	})

	t.Run("print stylesheet", func(t *testing.T) {
		_, doc := c.page(t, "/pathways/"+pwWorried+"/all?municipality=Tampere", http.StatusOK)
		href, _ := doc.Find(`link[rel="stylesheet"]`).Attr("href")
		res, css := c.get(t, href)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", href, res.StatusCode)
		}
		print := regexp.MustCompile(`(?s)@media print\s*\{.*?\n\}`).FindAllString(string(css), -1)
		all := strings.Join(print, "\n")
		for _, want := range []string{"@page", "A4", ".pw-step", "break-inside: avoid", ".noprint", "display: none", "attr(href)"} {
			if !strings.Contains(all, want) {
				t.Errorf("print stylesheet lacks %q", want)
			}
		}
		// What print hides carries the class.
		if doc.Find("section.pw-place.noprint").Length() != 1 {
			t.Errorf("the place selector is not hidden in print")
		}
	})
}

// topicWords must not appear in what the handout itself says: a client's
// printout reveals nothing of why it was given.
var topicWords = []string{"seksuaali", "sexual", "sexuell", "rikos", "brott", "crime", "offen", "pedofil", "paedophil", "pedophil", "hyväksikäyt", "abuse", "övergrepp", "serie"}

func TestPathwayHandout(t *testing.T) {
	s := newPathwaySite(t, seedtest.SQLite(t))
	c := s.anon()
	for _, tt := range []struct {
		lang, title string
	}{{"", "Yhteystietoja tukeen"}, {"sv", "Kontaktuppgifter för stöd"}, {"en", "Contacts for support"}} {
		path := pwLang("/pathways/"+pwSuspect+"/handout?municipality=Tampere&step=kriisiapu", tt.lang)
		res, doc := c.page(t, path, http.StatusOK)
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", path, cc)
		}
		if got := text(doc.Find("title")); got != tt.title {
			t.Errorf("%s: title %q, want %q", path, got, tt.title)
		}
		if got := text(doc.Find("h1")); got != tt.title {
			t.Errorf("%s: h1 %q, want %q", path, got, tt.title)
		}
		svcs := doc.Find("main li.svc")
		if svcs.Length() == 0 || svcs.Length() > 2*web.HandoutPerStep {
			t.Fatalf("%s: %d services, want 1 to %d", path, svcs.Length(), 2*web.HandoutPerStep)
		}
		// The step's named SeriE support first, then the crisis service that
		// covers Tampere (not MIELI's crisis line, which says calls about
		// one's own sexual interests do not belong to it).
		names := strings.ToLower(text(svcs.Find("h2")))
		if !strings.HasPrefix(names, "serie") || !strings.Contains(names, "kriisi") && !strings.Contains(names, "krisjour") && !strings.Contains(names, "crisis") || strings.Contains(names, "mieli ") {
			t.Errorf("%s: the current step's services are %q", path, names)
		}
		// Nothing of the pathway or the network: no step titles, no
		// guidance, no contact persons, no links into the directory
		// other than the professional's way back, which is not printed.
		page := doc.Find("html").Clone()
		page.Find(".svc-name, .svc-text, .noprint").Remove()
		words := strings.ToLower(text(page))
		for _, w := range topicWords {
			if strings.Contains(words, w) || strings.Contains(strings.ToLower(text(doc.Find("title"))), w) {
				t.Errorf("%s: the handout says %q: %q", path, w, words)
			}
		}
		if doc.Find("header, nav.main-nav, footer").Length() != 0 {
			t.Errorf("%s: the handout carries the site's header, menu or footer", path)
		}
		doc.Find("main a[href]").Each(func(_ int, a *goquery.Selection) {
			if href, _ := a.Attr("href"); strings.HasPrefix(href, "/") {
				t.Errorf("%s: handout links into the directory: %q", path, href)
			}
		})
		if strings.Contains(text(doc.Find("main")), "@") && doc.Find(`main a[href^="mailto:"]`).Length() == 0 {
			t.Errorf("%s: an e-mail address that is not a service's", path)
		}
		if doc.Find(".pw-consult, .pw-guidance, .pw-duty").Length() != 0 {
			t.Errorf("%s: network-internal content on the handout", path)
		}
	}
	// A step whose services need no network-internal detail either: the
	// anonymous support of the first pathway, resolved for a network.
	res, doc := c.page(t, "/pathways/"+pwWorried+"/handout?network=pirkanmaa&step=nimeton-tuki", http.StatusOK)
	if res.Header.Get("Cache-Control") != "no-store" || doc.Find("main li.svc").Length() == 0 {
		t.Errorf("network handout: Cache-Control %q, %d services", res.Header.Get("Cache-Control"), doc.Find("main li.svc").Length())
	}
}

// --- editing ---

// stepsYAML is a small valid pathway: a decides between b and c, b leads
// to c, c ends.
const stepsYAML = `
- id: a
  title: {fi: Alku, sv: Början, en: Start}
  actor: any-professional
  duties:
    - duty: child-welfare-notification
  decision:
    question: {fi: 'Kiireellinen?', sv: 'Brådskande?', en: 'Urgent?'}
    answers:
      - label: {fi: Kyllä}
        next: b
      - label: {fi: Ei}
        next: c
- id: b
  title: {fi: Keskellä}
  actor: health-care
  hand_over: the-client
  targets:
    - services: [serie-tukipalvelu]
    - target_group: suspected
      service_type: counselling
  next: c
- id: c
  title: {fi: Loppu}
  actor: the-client
`

func pathwayForm(slug, status, steps string, version int) url.Values {
	f := url.Values{"title.fi": {"Testipolku " + slug}, "title.sv": {"Testväg"}, "title.en": {"Test pathway"},
		"situation.fi": {"Testitilanne."}, "target_group": {"suspected"}, "owner": {"Testitiimi"},
		"review_by": {"2027-06-30"}, "status": {status}, "steps": {steps}, "version": {strconv.Itoa(version)}}
	if slug != "" {
		f.Set("slug", slug)
	}
	return f
}

func TestPathwayEditing(t *testing.T) {
	seedtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newPathwaySite(t, d)
		anon, admin, editor, member := s.anon(), s.as(t, "admin"), s.as(t, "editor"), s.as(t, "member")

		// Who may open the form.
		if res, _ := anon.get(t, "/pathways/new"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("anonymous GET /pathways/new: %d to %q, want the login page", res.StatusCode, res.Header.Get("Location"))
		}
		member.page(t, "/pathways/new", http.StatusForbidden)
		if res, _ := anon.post(t, "/pathways/new", pathwayForm("anon-polku", "draft", stepsYAML, 0)); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous POST: %d, want 401", res.StatusCode)
		}
		_, doc := admin.page(t, "/pathways/new", http.StatusOK)
		if doc.Find(`textarea[name="steps"]`).Length() != 1 || doc.Find(`select[name="status"] option[value="published"]`).Length() != 1 {
			t.Errorf("admin's form lacks the steps or the published status")
		}
		_, doc = editor.page(t, "/pathways/new", http.StatusOK)
		if doc.Find(`select[name="status"] option[value="published"]`).Length() != 0 {
			t.Errorf("editor's form offers to publish")
		}

		// An admin creates and publishes.
		res, body := admin.post(t, "/pathways/new", pathwayForm("admin-polku", "published", stepsYAML, 0))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/pathways/admin-polku" {
			t.Fatalf("admin create: %d to %q\n%.2000s", res.StatusCode, res.Header.Get("Location"), body)
		}
		_, doc = anon.page(t, "/pathways/admin-polku?municipality=Tampere&step=b", http.StatusOK)
		if doc.Find("li.pw-service").Length() == 0 {
			t.Errorf("the new pathway's step b resolves to no service")
		}
		stored, err := s.paths.Pathway(context.Background(), "admin-polku")
		if err != nil || stored.Status != pathways.StatusPublished || len(stored.Steps) != 3 || stored.ReviewBy == nil || stored.Title.SV != "Testväg" {
			t.Fatalf("stored = %+v, %v", stored, err)
		}

		// An editor saves a draft, seen by editors only.
		res, body = editor.post(t, "/pathways/new", pathwayForm("ehdotus", "draft", stepsYAML, 0))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("editor draft: %d\n%.2000s", res.StatusCode, body)
		}
		anon.page(t, "/pathways/ehdotus", http.StatusNotFound)
		var e apiError
		anon.getJSON(t, "/api/v1/pathways/ehdotus", http.StatusNotFound, &e)
		_, doc = editor.page(t, "/pathways/ehdotus", http.StatusOK)
		if !strings.Contains(text(doc.Find("main .notice")), "Luonnos") {
			t.Errorf("the draft is not marked as one")
		}
		_, doc = editor.page(t, "/pathways", http.StatusOK)
		if doc.Find(`li.pw-item.draft a[href="/pathways/ehdotus"]`).Length() != 1 {
			t.Errorf("the editor's list does not show the draft, marked")
		}
		_, doc = anon.page(t, "/pathways", http.StatusOK)
		if doc.Find(`a[href="/pathways/ehdotus"]`).Length() != 0 {
			t.Errorf("the public list shows the draft")
		}

		// ... but cannot publish: neither a new one, nor the draft, nor
		// change a published pathway.
		res, body = editor.post(t, "/pathways/new", pathwayForm("julkaisu", "published", stepsYAML, 0))
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("editor publishes: %d, want 403\n%.1000s", res.StatusCode, body)
		}
		if _, err := s.paths.Pathway(context.Background(), "julkaisu"); err == nil {
			t.Errorf("the refused pathway was saved")
		}
		if res, _ := editor.post(t, "/pathways/ehdotus/edit", pathwayForm("", "published", stepsYAML, 1)); res.StatusCode != http.StatusForbidden {
			t.Errorf("editor publishes the draft: %d, want 403", res.StatusCode)
		}
		// A change to a published pathway becomes a proposal: the
		// published version stays until an admin publishes it.
		editor.page(t, "/pathways/admin-polku/edit", http.StatusOK)
		res, _ = editor.post(t, "/pathways/admin-polku/edit", pathwayForm("", "draft", stepsYAML, 1))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/pathways/admin-polku/proposal" {
			t.Errorf("editor changes a published pathway: %d %q, want 303 to the proposal", res.StatusCode, res.Header.Get("Location"))
		}
		if got, _ := s.paths.Pathway(context.Background(), "admin-polku"); got.Status != pathways.StatusPublished || got.Version != 1 {
			t.Errorf("the proposal changed the published pathway: %s v%d", got.Status, got.Version)
		}
		if _, err := s.paths.Proposal(context.Background(), testAdmin, "admin-polku"); err != nil {
			t.Errorf("no proposal stored: %v", err)
		}
		_, doc = editor.page(t, "/pathways/admin-polku/proposal", http.StatusOK)
		if doc.Find(`form[action$="/proposal/accept"]`).Length() != 0 {
			t.Errorf("an editor is offered to publish the proposal")
		}
		if res, _ := editor.post(t, "/pathways/admin-polku/proposal/accept", url.Values{"version": {"1"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("editor publishes the proposal: %d, want 403", res.StatusCode)
		}
		_, doc = admin.page(t, "/pathways/admin-polku/proposal", http.StatusOK)
		if doc.Find(`form[action$="/proposal/accept"]`).Length() != 1 {
			t.Errorf("the admin is not offered to publish the proposal")
		}
		if res, _ := admin.post(t, "/pathways/admin-polku/proposal/accept", url.Values{"version": {"1"}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("admin publishes the proposal: %d", res.StatusCode)
		}
		if got, _ := s.paths.Pathway(context.Background(), "admin-polku"); got.Status != pathways.StatusPublished || got.Version != 2 {
			t.Errorf("after publishing the proposal: %s v%d, want published v2", got.Status, got.Version)
		}
		if _, err := s.paths.Proposal(context.Background(), testAdmin, "admin-polku"); err == nil {
			t.Errorf("the published proposal is still pending")
		}
		// The editor may revise the draft; the admin publishes it.
		if res, _ := editor.post(t, "/pathways/ehdotus/edit", pathwayForm("", "draft", stepsYAML, 1)); res.StatusCode != http.StatusSeeOther {
			t.Errorf("editor revises the draft: %d", res.StatusCode)
		}
		_, doc = admin.page(t, "/pathways/ehdotus/edit", http.StatusOK)
		if v, _ := doc.Find(`input[name="version"]`).Attr("value"); v != "2" {
			t.Errorf("form version %q, want 2", v)
		}
		if got := doc.Find(`textarea[name="steps"]`).Text(); !strings.Contains(got, "id: a") || !strings.Contains(got, "next: c") {
			t.Errorf("the steps' YAML is not in the form:\n%s", got)
		}
		if res, _ := admin.post(t, "/pathways/ehdotus/edit", pathwayForm("", "published", doc.Find(`textarea[name="steps"]`).Text(), 2)); res.StatusCode != http.StatusSeeOther {
			t.Errorf("admin publishes the draft: %d", res.StatusCode)
		}
		anon.page(t, "/pathways/ehdotus", http.StatusOK)

		// A malformed pathway: every problem named, nothing saved.
		bad := strings.NewReplacer("next: c\n- id: c", "next: x\n- id: c", "services: [serie-tukipalvelu]", "services: [no-such-service]").Replace(stepsYAML) +
			"- id: orpo\n  title: {fi: Orpo}\n  actor: wizard\n"
		form := pathwayForm("virheellinen", "draft", bad, 0)
		form.Set("title.fi", "")
		res, body = admin.post(t, "/pathways/new", form)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("malformed: %d, want 400\n%.2000s", res.StatusCode, body)
		}
		doc, _ = goquery.NewDocumentFromReader(bytes.NewReader(body))
		summary := text(doc.Find(".pw-errors"))
		for _, want := range []string{
			"Otsikko (suomi)",
			"Vaihe 2 (b), next: viittaa puuttuvaan vaiheeseen ”x”",
			"Vaihe 2 (b), targets[0].services[0]: viittaa puuttuvaan palveluun ”no-such-service”",
			"Vaihe 4 (orpo), actor",
		} {
			if !strings.Contains(summary, want) {
				t.Errorf("the errors do not say %q:\n%s", want, summary)
			}
		}
		if doc.Find(`textarea[name="steps"]`).Text() != bad || doc.Find(`input[name="slug"]`).AttrOr("value", "") != "virheellinen" {
			t.Errorf("the form lost what was typed")
		}
		if _, err := s.paths.Pathway(context.Background(), "virheellinen"); err == nil {
			t.Errorf("the malformed pathway was saved")
		}
		// Graph problems once the references are right, in English.
		loop := strings.Replace(stepsYAML, "  actor: the-client\n", "  actor: the-client\n  next: b\n", 1)
		res, body = admin.post(t, "/pathways/new?lang=en", pathwayForm("silmukka", "draft", loop+"- id: d\n  title: {fi: D}\n  actor: ngo\n", 0))
		doc, _ = goquery.NewDocumentFromReader(bytes.NewReader(body))
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(text(doc.Find(".pw-errors")), "Step 4 (d): cannot be reached from the first step") {
			t.Errorf("graph errors: %d\n%s", res.StatusCode, text(doc.Find(".pw-errors")))
		}
		// Text that is not YAML, beside a problem elsewhere.
		form = pathwayForm("yaml", "draft", "- id: a\n  title: [unclosed", 0)
		form.Set("target_group", "everyone")
		res, body = admin.post(t, "/pathways/new", form)
		doc, _ = goquery.NewDocumentFromReader(bytes.NewReader(body))
		if summary := text(doc.Find(".pw-errors")); res.StatusCode != http.StatusBadRequest || !strings.Contains(summary, "YAML") || !strings.Contains(summary, "Kohderyhmä") {
			t.Errorf("YAML errors: %d\n%s", res.StatusCode, summary)
		}
		// A taken slug.
		res, body = admin.post(t, "/pathways/new", pathwayForm("admin-polku", "draft", stepsYAML, 0))
		doc, _ = goquery.NewDocumentFromReader(bytes.NewReader(body))
		if res.StatusCode != http.StatusConflict || !strings.Contains(text(doc.Find("#f-slug-err")), "on jo olemassa") {
			t.Errorf("taken slug: %d %q", res.StatusCode, text(doc.Find("#f-slug-err")))
		}

		// A stale edit is a conflict, and changes nothing.
		_, doc = admin.page(t, "/pathways/admin-polku/edit", http.StatusOK)
		v1 := doc.Find(`input[name="version"]`).AttrOr("value", "")
		form = pathwayForm("", "published", stepsYAML, 1)
		form.Set("version", v1)
		form.Set("owner", "Ensimmäinen")
		if res, _ := admin.post(t, "/pathways/admin-polku/edit", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first save: %d", res.StatusCode)
		}
		form.Set("owner", "Toinen")
		res, body = admin.post(t, "/pathways/admin-polku/edit", form)
		doc, _ = goquery.NewDocumentFromReader(bytes.NewReader(body))
		if res.StatusCode != http.StatusConflict || doc.Find(".pw-errors a[href=\"/pathways/admin-polku/edit\"]").Length() != 1 {
			t.Errorf("stale save: %d\n%s", res.StatusCode, text(doc.Find(".pw-errors")))
		}
		if p, _ := s.paths.Pathway(context.Background(), "admin-polku"); p.Owner != "Ensimmäinen" || p.Version != 3 {
			t.Errorf("after the stale save: owner %q version %d", p.Owner, p.Version)
		}
	})
}

func TestPathwayAPIWrite(t *testing.T) {
	seedtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newPathwaySite(t, d)
		anon, admin, editor := s.anon(), s.as(t, "admin"), s.as(t, "editor")
		steps, err := pathways.ParseStepsYAML(stepsYAML)
		if err != nil {
			t.Fatal(err)
		}
		p := pathways.Pathway{Slug: "api-polku", Title: l10n.T("API-polku", "", ""), TargetGroup: "suspected",
			Status: pathways.StatusPublished, Steps: steps}

		if res, _ := anon.sendJSON(t, http.MethodPost, "/api/v1/pathways", p, nil); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous POST: %d", res.StatusCode)
		}
		if res, _ := editor.sendJSON(t, http.MethodPost, "/api/v1/pathways", p, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("editor publishes: %d", res.StatusCode)
		}
		res, body := admin.sendJSON(t, http.MethodPost, "/api/v1/pathways", p, nil)
		if res.StatusCode != http.StatusCreated || res.Header.Get("ETag") != `"1"` || res.Header.Get("Location") != "/api/v1/pathways/api-polku" {
			t.Fatalf("admin POST: %d ETag %q Location %q\n%s", res.StatusCode, res.Header.Get("ETag"), res.Header.Get("Location"), body)
		}
		var got apiPathway
		anon.getJSON(t, "/api/v1/pathways/api-polku", http.StatusOK, &got)
		if got.Version != 1 || len(got.Steps) != 3 {
			t.Errorf("read back: %+v", got)
		}

		// Update with If-Match; a stale one is a conflict.
		p.Title.EN = "API pathway"
		res, body = admin.sendJSON(t, http.MethodPut, "/api/v1/pathways/api-polku", p, http.Header{"If-Match": {`"1"`}})
		if res.StatusCode != http.StatusOK || res.Header.Get("ETag") != `"2"` {
			t.Fatalf("PUT: %d %q\n%s", res.StatusCode, res.Header.Get("ETag"), body)
		}
		res, body = admin.sendJSON(t, http.MethodPut, "/api/v1/pathways/api-polku", p, http.Header{"If-Match": {`"1"`}})
		if res.StatusCode != http.StatusConflict {
			t.Errorf("stale PUT: %d\n%s", res.StatusCode, body)
		}
		p.Version = 1
		if res, _ := admin.sendJSON(t, http.MethodPut, "/api/v1/pathways/api-polku", p, nil); res.StatusCode != http.StatusConflict {
			t.Errorf("stale PUT by version: %d", res.StatusCode)
		}
		p.Version = 0
		if res, _ := admin.sendJSON(t, http.MethodPut, "/api/v1/pathways/api-polku", p, nil); res.StatusCode != http.StatusPreconditionRequired {
			t.Errorf("PUT without a version: %d", res.StatusCode)
		}
		if res, body := editor.sendJSON(t, http.MethodPut, "/api/v1/pathways/api-polku", p, http.Header{"If-Match": {`"2"`}}); res.StatusCode != http.StatusAccepted || !strings.Contains(string(body), `"proposed":true`) {
			t.Errorf("editor changes a published pathway: %d %s, want 202 (a proposal)", res.StatusCode, body)
		}
		if got, _ := s.paths.Pathway(context.Background(), "api-polku"); got.Version != 2 {
			t.Errorf("the proposal changed the published pathway: v%d", got.Version)
		}
		if res, _ := admin.sendJSON(t, http.MethodPut, "/api/v1/pathways/no-such", pathways.Pathway{Slug: "no-such"}, http.Header{"If-Match": {`"1"`}}); res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusBadRequest {
			t.Errorf("PUT unknown: %d", res.StatusCode)
		}

		// An editor's draft through the API.
		draft := p
		draft.Slug, draft.Status = "api-luonnos", pathways.StatusDraft
		if res, body := editor.sendJSON(t, http.MethodPost, "/api/v1/pathways", draft, nil); res.StatusCode != http.StatusCreated {
			t.Errorf("editor draft: %d\n%s", res.StatusCode, body)
		}
		var list struct {
			Items []struct{ Slug string } `json:"items"`
		}
		anon.getJSON(t, "/api/v1/pathways", http.StatusOK, &list)
		for _, it := range list.Items {
			if it.Slug == "api-luonnos" {
				t.Errorf("the public list shows the draft")
			}
		}

		// Malformed: 400, each problem naming its step; nothing saved.
		bad := p
		bad.Slug = "api-rikki"
		bad.Steps = append([]pathways.Step(nil), steps...)
		bad.Steps[1].Next = "x"
		bad.Steps = append(bad.Steps, pathways.Step{ID: "orpo", Title: l10n.T("Orpo", "", ""), Actor: "ngo"})
		res, body = admin.sendJSON(t, http.MethodPost, "/api/v1/pathways", bad, nil)
		var e apiError
		_ = json.Unmarshal(body, &e)
		var fields []string
		for _, f := range e.Error.Fields {
			fields = append(fields, f.Field)
		}
		if res.StatusCode != http.StatusBadRequest || !slices.Contains(fields, "steps[1:b].next") {
			t.Errorf("malformed POST: %d fields %v\n%s", res.StatusCode, fields, body)
		}
		anon.getJSON(t, "/api/v1/pathways/api-rikki", http.StatusNotFound, &e)
		// Reserved slugs and unknown fields.
		res, _ = admin.sendJSON(t, http.MethodPost, "/api/v1/pathways", pathways.Pathway{Slug: "coverage", Title: p.Title, TargetGroup: "suspected", Steps: steps}, nil)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("reserved slug: %d", res.StatusCode)
		}
		res, _ = admin.do(t, http.MethodPost, "/api/v1/pathways", strings.NewReader(`{"slug":"x","colour":"red"}`), http.Header{"Content-Type": {"application/json"}})
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("unknown field: %d", res.StatusCode)
		}
	})
}

// The steps survive the form's YAML unchanged.
func TestStepsYAMLRoundTrip(t *testing.T) {
	data, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range data.Pathways {
		text, err := pathways.StepsYAML(p.Steps)
		if err != nil {
			t.Fatal(err)
		}
		back, err := pathways.ParseStepsYAML(text)
		if err != nil {
			t.Fatalf("%s: %v\n%s", p.Slug, err, text)
		}
		a, _ := json.Marshal(p.Steps)
		b, _ := json.Marshal(back)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: steps change in YAML:\n%s\n%s", p.Slug, a, b)
		}
		if regexp.MustCompile(`(?m):\s*(""|null|\[\]|\{\})\s*$`).MatchString(text) {
			t.Errorf("%s: the YAML carries empty fields:\n%s", p.Slug, text)
		}
	}
	if _, err := pathways.ParseStepsYAML("- id: a\n  colour: red\n"); err == nil {
		t.Errorf("an unknown field is accepted")
	}
}

// Editors see a pathway's versions, each changed step on its own row;
// others do not.
func TestPathwayHistory(t *testing.T) {
	s := newPathwaySite(t, seedtest.SQLite(t))
	ctx := db.WithActor(context.Background(), "test")
	p, err := s.paths.Pathway(ctx, pwWorried)
	if err != nil {
		t.Fatal(err)
	}
	p.Steps[2].Title.FI = "Muutettu otsikko"
	if err := s.paths.Update(ctx, &p); err != nil {
		t.Fatal(err)
	}
	path := "/pathways/" + pwWorried + "/history"
	if res, _ := s.anon().get(t, path); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d, want a redirect to log in", res.StatusCode)
	}
	if res, _ := s.as(t, "member").get(t, path); res.StatusCode != http.StatusForbidden {
		t.Errorf("member: %d, want 403", res.StatusCode)
	}
	editor := s.as(t, "editor")
	_, doc := editor.page(t, "/pathways/"+pwWorried, http.StatusOK)
	if doc.Find(`.pw-tools a[href="`+path+`"]`).Length() != 1 {
		t.Error("the pathway page does not link its history for an editor")
	}
	_, doc = editor.page(t, path, http.StatusOK)
	entries := doc.Find("ol.history li.entry")
	if entries.Length() != 2 {
		t.Fatalf("%d history entries, want the seed's and the update", entries.Length())
	}
	rows := entries.First().Find("tbody tr")
	want := "Vaihe 3 (" + p.Steps[2].ID + ")"
	if rows.Length() != 1 || text(rows.Find("th")) != want || !strings.Contains(text(rows.Find("td.after")), "Muutettu otsikko") {
		t.Errorf("the update shows %d rows: %q", rows.Length(), text(rows))
	}
	if href, _ := doc.Find(`main p a`).First().Attr("href"); href != "/pathways/"+pwWorried {
		t.Errorf("back link %q", href)
	}
}
