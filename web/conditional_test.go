package web_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/seedtest"
)

// Every GET of the JSON API carries an ETag; sent back in If-None-Match it
// answers 304 without a body, until the answer changes.
func TestConditionalGet(t *testing.T) {
	s := newSite(t, seedtest.SQLite(t), siteOptions{search: true, pathways: true})
	anon := s.anon()
	paths := []string{
		"/api/v1/search?q=terapia", "/api/v1/services", "/api/v1/services?municipality=Oulu",
		"/api/v1/services/" + svcA, "/api/v1/contacts", "/api/v1/contacts/" + contactA,
		"/api/v1/networks", "/api/v1/networks/" + netA, "/api/v1/municipalities", "/api/v1/vocabularies",
		"/api/v1/pathways", "/api/v1/pathways/huolissaan-omista-ajatuksista",
		"/api/v1/pathways/huolissaan-omista-ajatuksista?municipality=Oulu",
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			res, body := anon.get(t, p)
			etag := res.Header.Get("ETag")
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 3 {
				t.Fatalf("status %d, ETag %q", res.StatusCode, etag)
			}
			// The same answer again has the same validator.
			if res2, body2 := anon.get(t, p); res2.Header.Get("ETag") != etag {
				t.Errorf("ETag %q then %q (%d vs %d bytes)", etag, res2.Header.Get("ETag"), len(body), len(body2))
			}
			for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
				res, body := anon.do(t, http.MethodGet, p, nil, http.Header{"If-None-Match": {inm}})
				if res.StatusCode != http.StatusNotModified || len(body) != 0 || res.Header.Get("ETag") != etag {
					t.Errorf("If-None-Match %s: status %d, %d bytes, ETag %q", inm, res.StatusCode, len(body), res.Header.Get("ETag"))
				}
			}
			res, _ = anon.do(t, http.MethodGet, p, nil, http.Header{"If-None-Match": {`"stale"`}})
			if res.StatusCode != http.StatusOK {
				t.Errorf("a stale ETag: status %d", res.StatusCode)
			}
			if !strings.Contains(res.Header.Get("Vary"), "Cookie") {
				t.Errorf("Vary %q", res.Header.Get("Vary"))
			}
			res, body = anon.do(t, http.MethodHead, p, nil, nil)
			if res.StatusCode != http.StatusOK || len(body) != 0 || res.Header.Get("ETag") != etag {
				t.Errorf("HEAD: status %d, %d bytes, ETag %q", res.StatusCode, len(body), res.Header.Get("ETag"))
			}
		})
	}

	// A change makes the old validators fail: the listing, the list and
	// the search all answer 200 with a new ETag.
	before := map[string]string{}
	for _, p := range []string{"/api/v1/services/" + svcA, "/api/v1/services", "/api/v1/search?q=testipalvelu"} {
		res, _ := anon.get(t, p)
		before[p] = res.Header.Get("ETag")
	}
	ed := s.as(t, "editorA")
	sv := s.service(t, svcA)
	sv.Description.FI = "Uusi kuvaus."
	if res, body := ed.sendJSON(t, http.MethodPut, "/api/v1/services/"+svcA, sv, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %d %s", res.StatusCode, body)
	}
	if err := s.syncer.WaitFor(context.Background()); err != nil {
		t.Fatal(err)
	}
	for p, etag := range before {
		res, body := anon.do(t, http.MethodGet, p, nil, http.Header{"If-None-Match": {etag}})
		if res.StatusCode != http.StatusOK || res.Header.Get("ETag") == etag || !bytes.Contains(body, []byte("Uusi kuvaus")) && !strings.Contains(p, "search") {
			t.Errorf("%s after a change: status %d, ETag %q (was %q)", p, res.StatusCode, res.Header.Get("ETag"), etag)
		}
	}

	// One listing says when it last changed, and If-Modified-Since uses it
	// when no ETag is sent.
	res, _ := anon.get(t, "/api/v1/services/"+svcA)
	lm, err := http.ParseTime(res.Header.Get("Last-Modified"))
	if err != nil {
		t.Fatalf("Last-Modified %q: %v", res.Header.Get("Last-Modified"), err)
	}
	for _, tt := range []struct {
		since  time.Time
		status int
	}{{lm, http.StatusNotModified}, {lm.Add(time.Hour), http.StatusNotModified}, {lm.Add(-time.Second), http.StatusOK}} {
		res, _ := anon.do(t, http.MethodGet, "/api/v1/services/"+svcA, nil, http.Header{"If-Modified-Since": {tt.since.Format(http.TimeFormat)}})
		if res.StatusCode != tt.status {
			t.Errorf("If-Modified-Since %s (Last-Modified %s): status %d, want %d", tt.since, lm, res.StatusCode, tt.status)
		}
	}

	// What an editor reads from a resolved pathway's ETag still names its
	// version for a write.
	res, _ = anon.get(t, "/api/v1/pathways/huolissaan-omista-ajatuksista?municipality=Oulu")
	if !strings.HasPrefix(res.Header.Get("ETag"), `"1-`) {
		t.Errorf("resolved pathway ETag %q", res.Header.Get("ETag"))
	}
}

// Pages of other origins may read the anonymous read APIs; never with
// credentials, never the writes, never the pages.
func TestCORS(t *testing.T) {
	s := newSite(t, seedtest.SQLite(t), siteOptions{search: true})
	origin := http.Header{"Origin": {"https://muu.example.fi"}}
	anon, member := s.anon(), s.as(t, "member")
	for _, tt := range []struct {
		c       *client
		method  string
		path    string
		header  http.Header
		allowed bool
	}{
		{anon, http.MethodGet, "/api/v1/services", origin, true},
		{anon, http.MethodGet, "/api/v1/search?q=terapia", origin, true},
		{anon, http.MethodGet, "/api/v1/contacts/" + contactA, origin, true},
		{anon, http.MethodGet, "/api/v1/search?fresh=bogus", origin, true}, // an error a page may read
		{anon, http.MethodHead, "/api/v1/services", origin, true},
		{member, http.MethodGet, "/api/v1/contacts/" + contactA, origin, false},
		{anon, http.MethodGet, "/api/v1/services", http.Header{"Origin": {"https://muu.example.fi"}, "Authorization": {"Bearer x"}}, false},
		{anon, http.MethodPost, "/api/v1/services", origin, false},
		{anon, http.MethodGet, "/services", origin, false},
		{anon, http.MethodGet, "/", origin, false},
	} {
		res, _ := tt.c.do(t, tt.method, tt.path, nil, tt.header)
		got := res.Header.Get("Access-Control-Allow-Origin")
		if tt.allowed != (got == "*") || res.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("%s %s (%v): Access-Control-Allow-Origin %q, status %d", tt.method, tt.path, tt.c == member, got, res.StatusCode)
		}
		if tt.allowed && !strings.Contains(res.Header.Get("Access-Control-Expose-Headers"), "ETag") {
			t.Errorf("%s %s: ETag not exposed", tt.method, tt.path)
		}
	}
	// The preflight of a conditional read is answered; of a write, not.
	pre := func(method string) *http.Response {
		res, _ := anon.do(t, http.MethodOptions, "/api/v1/services", nil, http.Header{"Origin": {"https://muu.example.fi"},
			"Access-Control-Request-Method": {method}, "Access-Control-Request-Headers": {"if-none-match"}})
		return res
	}
	if res := pre(http.MethodGet); res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "If-None-Match") {
		t.Errorf("GET preflight: %d %v", res.StatusCode, res.Header)
	}
	if res := pre(http.MethodPut); res.StatusCode == http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("PUT preflight: %d %v", res.StatusCode, res.Header)
	}
	// The member's contact answer holds the members-only phone; no other
	// origin may read it.
	res, body := member.do(t, http.MethodGet, "/api/v1/contacts/"+contactA, nil, origin)
	if !bytes.Contains(body, []byte(secretPhone)) || res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("member's answer: ACAO %q", res.Header.Get("Access-Control-Allow-Origin"))
	}
}
