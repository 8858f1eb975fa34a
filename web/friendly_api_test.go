package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// apiGet answers the status and the decoded JSON body of a GET.
func apiGet(t *testing.T, base, path string, body any) int {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(body); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return resp.StatusCode
}

// An enumeration value no listing can have is a 400 that names the field
// and the values allowed, never an empty answer that looks like one.
func TestUnknownValuesNameTheAllowed(t *testing.T) {
	ts, _, _ := searchServer(t)
	tests := []struct {
		path, field string
		allowed     []string
	}{
		{"/api/v1/search?q=terapia&fresh=bogus", "fresh", []string{"verified", "unverified", "overdue"}},
		{"/api/v1/search?type=pizza", "type", []string{"service", "contact", "network", "pathway"}},
		{"/api/v1/search?q=x&network=atlantis", "network", []string{"oulu", "pirkanmaa"}},
		{"/api/v1/search?q=x&target_group=pizza", "target_group", []string{"suspected"}},
		{"/api/v1/search?q=x&service_type=pizza", "service_type", nil},
		{"/api/v1/search?q=x&delivery_mode=pizza", "delivery_mode", nil},
		{"/api/v1/services?service_type=pizza", "service_type", nil},
		{"/api/v1/services?target_group=pizza", "target_group", []string{"suspected"}},
		{"/api/v1/services?network=atlantis", "network", []string{"oulu"}},
		{"/api/v1/services?local=maybe", "local", []string{"true", "false"}},
		{"/api/v1/services?modified_after=yesterday", "modified_after", nil},
		{"/api/v1/contacts?role=boss", "role", []string{"regional-contact"}},
		{"/api/v1/contacts?network=atlantis", "network", []string{"oulu"}},
		{"/api/v1/contacts?modified_after=2026-13-40", "modified_after", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			var e apiError
			if status := apiGet(t, ts.URL, tt.path, &e); status != http.StatusBadRequest {
				t.Fatalf("status %d: %+v", status, e)
			}
			if len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != tt.field {
				t.Fatalf("fields %+v, want one for %s", e.Error.Fields, tt.field)
			}
			for _, a := range tt.allowed {
				if !strings.Contains(e.Error.Fields[0].Message, a) || !strings.Contains(e.Error.Message, a) {
					t.Errorf("message %q does not name %q", e.Error.Fields[0].Message, a)
				}
			}
		})
	}
}

// The search page names the mistake in the reader's language.
func TestUnknownValueOnThePage(t *testing.T) {
	ts, _, _ := searchServer(t)
	resp, err := http.Get(ts.URL + "/search?q=terapia&fresh=bogus")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(doc.Text(), "tuntematon arvo") ||
		!strings.Contains(doc.Text(), "verified, unverified, overdue") {
		t.Errorf("status %d: %s", resp.StatusCode, doc.Find("main").Text())
	}
}

// Facet values carry their names in the request's language beside the
// codes.
func TestFacetLabels(t *testing.T) {
	ts, _, _ := searchServer(t)
	type facets struct {
		Facets map[string][]struct{ Value, Label string } `json:"facets"`
	}
	want := map[string]map[string]string{
		"fi": {"type/service": "Palvelu", "network/oulu": "Oulu", "language/sv": "ruotsi"},
		"sv": {"type/service": "Tjänst", "municipality/091": "Helsingfors", "network/oulu": "Uleåborg", "language/sv": "svenska"},
		"en": {"type/service": "Service", "language/fi": "Finnish"},
	}
	for lang, labels := range want {
		var res facets
		if status := apiGet(t, ts.URL, "/api/v1/search?q=&limit=1&lang="+lang, &res); status != 200 {
			t.Fatalf("%s: status %d", lang, status)
		}
		got := map[string]string{}
		for field, vals := range res.Facets {
			for _, v := range vals {
				if v.Label == "" {
					t.Errorf("%s: %s/%s has no label", lang, field, v.Value)
				}
				got[field+"/"+v.Value] = v.Label
			}
		}
		for k, l := range labels {
			if got[k] != l {
				t.Errorf("%s: %s labelled %q, want %q", lang, k, got[k], l)
			}
		}
	}
	// A term's label is its name, not its code.
	var res facets
	apiGet(t, ts.URL, "/api/v1/search?q=terapia&lang=fi", &res)
	for _, v := range res.Facets["target_group"] {
		if v.Label == v.Value {
			t.Errorf("target group %s is not named", v.Value)
		}
	}
}

// modified_after keeps the listings changed at or after the instant.
func TestModifiedAfter(t *testing.T) {
	ts, _, _ := searchServer(t)
	type page struct {
		Items []struct {
			ID        string    `json:"id"`
			UpdatedAt time.Time `json:"updated_at"`
		} `json:"items"`
		Total int `json:"total"`
	}
	for _, kind := range []string{"services", "contacts"} {
		var all page
		if status := apiGet(t, ts.URL, "/api/v1/"+kind+"?limit=100", &all); status != 200 || all.Total == 0 {
			t.Fatalf("%s: status %d, %d items", kind, status, all.Total)
		}
		latest := all.Items[0].UpdatedAt
		for _, it := range all.Items {
			if it.UpdatedAt.After(latest) {
				latest = it.UpdatedAt
			}
		}
		for _, tt := range []struct {
			since string
			want  func(int) bool
		}{
			{"2000-01-01", func(n int) bool { return n == all.Total }},
			{latest.Format(time.RFC3339Nano), func(n int) bool { return n >= 1 && n <= all.Total }},
			{latest.Add(time.Second).Format(time.RFC3339), func(n int) bool { return n == 0 }},
			{"2999-01-01T00:00:00", func(n int) bool { return n == 0 }},
		} {
			var got page
			if status := apiGet(t, ts.URL, "/api/v1/"+kind+"?limit=100&modified_after="+url.QueryEscape(tt.since), &got); status != 200 {
				t.Fatalf("%s since %s: status %d", kind, tt.since, status)
			}
			if !tt.want(got.Total) {
				t.Errorf("%s since %s: %d of %d", kind, tt.since, got.Total, all.Total)
			}
			for _, it := range got.Items {
				if it.UpdatedAt.Before(latest) && tt.since != "2000-01-01" {
					t.Errorf("%s since %s: %s changed %s", kind, tt.since, it.ID, it.UpdatedAt)
				}
			}
		}
	}
}
