package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/users"
)

// A client's age leaves out the services whose age range excludes it, on
// the list, the search page and the API; a bad age is a 400 naming the
// field in the user's language.
func TestAgeFilter(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{search: true})
	c := s.anon()
	const adultsOnly = `"/services/seri-tukikeskukset"` // 16 and over
	for _, tt := range []struct {
		path string
		want bool
	}{
		{"/api/v1/services?limit=100", true},
		{"/api/v1/services?limit=100&age=30", true},
		{"/api/v1/services?limit=100&age=15", false},
		{"/search?q=seri", true},
		{"/search?q=seri&age=16", true},
		{"/search?q=seri&age=15", false},
		{"/api/v1/search?q=seri&age=15", false},
	} {
		res, body := c.get(t, tt.path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", tt.path, res.StatusCode)
			continue
		}
		found := strings.Contains(string(body), adultsOnly) || strings.Contains(string(body), `"id":"seri-tukikeskukset"`)
		if found != tt.want {
			t.Errorf("%s: the 16+ Seri centres found %v, want %v", tt.path, found, tt.want)
		}
	}
	doc := c.page(t, "/services?age=15", http.StatusOK)
	if v, _ := doc.Find(`form.filters input#age`).Attr("value"); v != "15" {
		t.Errorf("the list's age field holds %q", v)
	}
	if href, _ := doc.Find(`a[rel="next"]`).Attr("href"); href != "" && !strings.Contains(href, "age=15") {
		t.Errorf("the next page forgets the age: %s", href)
	}
	doc = c.page(t, "/search?q=seri&age=15", http.StatusOK)
	if v, _ := doc.Find(`input#age`).Attr("value"); v != "15" || !strings.Contains(doc.Find(".active-filters").Text(), "Asiakkaan ikä: 15") {
		t.Errorf("search page: age field %q, filters %q", v, doc.Find(".active-filters").Text())
	}
	for _, p := range []string{"/services?age=abc", "/services?age=121", "/search?q=seri&age=-1"} {
		doc := c.page(t, p, http.StatusBadRequest)
		if !strings.Contains(doc.Text(), "Asiakkaan ikä: pitää olla ikä väliltä 0–120") {
			t.Errorf("%s: the error does not name the field: %q", p, doc.Find("main").Text())
		}
	}
	if res, body := c.get(t, "/api/v1/services?age=200"); res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"field":"age"`) {
		t.Errorf("API age=200: %d %s", res.StatusCode, body)
	}
}

// A pathway resolved for a client's age offers no service that excludes
// it; the page asks for the age and keeps it in its links.
func TestPathwayAge(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{pathways: true})
	c := s.anon()
	const path = "/pathways/alaikaisen-haitallinen-seksuaalinen-kaytos"
	const minorsOnly = "oys-lasten-ja-nuorten-oikeuspsykiatria" // under 18
	for _, tt := range []struct {
		query string
		want  bool
	}{{"?municipality=564", true}, {"?municipality=564&age=15", true}, {"?municipality=564&age=25", false}} {
		res, body := c.get(t, "/api"+strings.Replace(path, "/pathways", "/v1/pathways", 1)+tt.query)
		if res.StatusCode != http.StatusOK || strings.Contains(string(body), minorsOnly) != tt.want {
			t.Errorf("API %s: %d, the minors' service offered %v, want %v", tt.query, res.StatusCode, !tt.want, tt.want)
		}
	}
	link := `a[href^="/services/` + minorsOnly + `"]`
	if n := c.page(t, path+"/all?municipality=564", http.StatusOK).Find(link).Length(); n == 0 {
		t.Errorf("the pathway page without an age does not offer the minors' service")
	}
	doc := c.page(t, path+"/all?municipality=564&age=25", http.StatusOK)
	// More child-welfare services in network A than a step lists: its
	// "more services" link, too, must keep the age.
	ctx := db.WithActor(context.Background(), "test")
	for i := range pathways.TargetLimit + 1 {
		svc := testService(fmt.Sprintf("lastensuojelu-%d", i), netA)
		svc.ServiceTypes = db.List[string]{"child-welfare"}
		if err := s.store.Services.Create(ctx, users.System("test"), svc); err != nil {
			t.Fatal(err)
		}
	}
	more := c.page(t, path+"/all?network="+netA+"&age=25", http.StatusOK).Find(".pw-more a")
	if href, _ := more.Attr("href"); !strings.Contains(href, "age=25") {
		t.Errorf("the step's link to more services forgets the age: %q", href)
	}
	if v, _ := doc.Find("input#age").Attr("value"); v != "25" || doc.Find(link).Length() != 0 {
		t.Errorf("pathway page for age 25: age field %q, minors' service links %d", v, doc.Find(link).Length())
	}
	// The steps' links (their handouts, the list of more services) keep
	// the age.
	links := 0
	doc.Find(`main a[href*="handout"], main a[href^="/services?"]`).Each(func(_ int, a *goquery.Selection) {
		links++
		if href, _ := a.Attr("href"); !strings.Contains(href, "age=25") {
			t.Errorf("a link forgets the age: %s", href)
		}
	})
	if links == 0 {
		t.Error("no handout or service-list link on the pathway page")
	}
	if !strings.Contains(doc.Find(".pw-chosen").Text(), "Asiakkaan ikä: 25") {
		t.Errorf("the page does not say the age: %q", doc.Find(".pw-chosen").Text())
	}
	if res, _ := c.get(t, "/api/v1/pathways/alaikaisen-haitallinen-seksuaalinen-kaytos?municipality=564&age=x"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad age on the API: %d", res.StatusCode)
	}
}
