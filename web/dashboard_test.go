package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/web"
)

func TestDashboardOrdersByUrgency(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, siteOptions{})
		ctx := db.WithActor(context.Background(), "test")
		now := s.clock.Now()
		at := func(days int) *time.Time { x := now.Add(time.Duration(days) * 24 * time.Hour); return &x }
		for _, x := range []struct {
			id                 string
			verified, reviewBy *time.Time
		}{
			{"dash-ok", at(-10), at(170)},
			{"dash-soon", at(-170), at(10)},
			{"dash-overdue", at(-200), at(-20)},
			{"dash-soon-sooner", at(-175), at(3)},
		} {
			svc := testService(x.id, netA)
			svc.VerifiedAt, svc.ReviewBy = x.verified, x.reviewBy
			if err := s.store.Services.Create(ctx, users.System("test"), svc); err != nil {
				t.Fatal(err)
			}
		}
		doc := s.as(t, "editorA").page(t, "/dashboard", http.StatusOK)
		var order []string
		var urgencies []string
		doc.Find("table.dash tbody tr").Each(func(_ int, tr *goquery.Selection) {
			href, _ := tr.Find("td a").First().Attr("href")
			order = append(order, href[strings.LastIndex(href, "/")+1:])
			cls, _ := tr.Attr("class")
			urgencies = append(urgencies, strings.TrimPrefix(cls, "urgency-"))
		})
		pos := map[string]int{}
		for i, id := range order {
			pos[id] = i
		}
		// Never verified (the test listings A) and past review first, then
		// due within 30 days (sooner first), then the rest.
		for _, pair := range [][2]string{{svcA, "dash-overdue"}, {"dash-overdue", "dash-soon-sooner"},
			{"dash-soon-sooner", "dash-soon"}, {"dash-soon", "dash-ok"}} {
			a, okA := pos[pair[0]]
			b, okB := pos[pair[1]]
			if !okA || !okB || a > b {
				t.Errorf("%s should come before %s: order %v", pair[0], pair[1], order)
			}
		}
		for i := 1; i < len(urgencies); i++ {
			rank := map[string]int{web.UrgencyOverdue: 0, web.UrgencySoon: 1, web.UrgencyOK: 2}
			if rank[urgencies[i]] < rank[urgencies[i-1]] {
				t.Errorf("urgency order broken at %d: %v", i, urgencies)
				break
			}
		}
		// Only network A: B's listings are not on A's dashboard.
		if _, ok := pos[svcB]; ok {
			t.Errorf("another network's service on the dashboard")
		}
		if _, ok := pos[contactA]; !ok {
			t.Errorf("the network's contact person is missing")
		}
		// The share of verified listings, also on the network page.
		share := doc.Find("p.share").Text()
		if !strings.Contains(share, "Tarkistettuja tietoja 3 / ") {
			t.Errorf("share %q", share)
		}
		netShare := s.anon().page(t, "/networks/"+netA, 200).Find("p.share").Text()
		if netShare != share {
			t.Errorf("network page share %q, dashboard %q", netShare, share)
		}
		// One click verifies from the dashboard and comes back.
		action, v := formValues(doc, `table.dash tbody tr.urgency-overdue form`)
		res, _ := s.as(t, "editorA").post(t, action, v)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dashboard" {
			t.Errorf("verify from the dashboard: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		// Admins see everything, national services too.
		adminDoc := s.as(t, "admin").page(t, "/dashboard", 200)
		if !strings.Contains(adminDoc.Find("table.dash").Text(), "Testipalvelu "+svcB) || adminDoc.Find(`a[href="/services/serie-tukipalvelu"]`).Length() == 0 {
			t.Errorf("the admin's dashboard lacks listings")
		}
		// Members have no dashboard.
		if res, _ := s.as(t, "member").get(t, "/dashboard"); res.StatusCode != http.StatusForbidden {
			t.Errorf("member dashboard: %d", res.StatusCode)
		}
	})
}

func TestCorrectionReports(t *testing.T) {
	t.Parallel()
	s := newSite(t, dbtest.SQLite(t), siteOptions{})
	anon := s.anon()
	doc := anon.page(t, "/services/"+svcA, 200)
	action, v := formValues(doc, "details.report form")
	if action != "/services/"+svcA+"/report" {
		t.Fatalf("report form action %q", action)
	}
	v.Set("message", "Puhelinnumero on vaihtunut <script>alert(1)</script>")
	res, _ := anon.post(t, action, v)
	if res.StatusCode != http.StatusSeeOther || anon.cookie != nil || len(res.Header.Values("Set-Cookie")) > 0 {
		t.Fatalf("report: %d", res.StatusCode)
	}
	thanks := anon.page(t, res.Header.Get("Location"), 200)
	if thanks.Find("h1").Text() != "Kiitos ilmoituksesta" {
		t.Errorf("thanks page h1 %q", thanks.Find("h1").Text())
	}
	// An empty message is refused on the form, in the user's language.
	res, body := anon.post(t, "/contacts/"+contactA+"/report?lang=sv", url.Values{"message": {"   "}})
	if res.StatusCode != http.StatusBadRequest || errorText(parse(t, body), "f-message") != "obligatorisk uppgift saknas" {
		t.Errorf("empty report: %d %q", res.StatusCode, errorText(parse(t, body), "f-message"))
	}
	if res, _ := anon.post(t, "/services/no-such-service/report", url.Values{"message": {"x"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("report on nothing: %d", res.StatusCode)
	}
	// Network A's editor sees it and resolves it; B's editor does not.
	edA, edB := s.as(t, "editorA"), s.as(t, "editorB")
	if strings.Contains(edB.page(t, "/dashboard", 200).Text(), "Puhelinnumero on vaihtunut") {
		t.Errorf("another network's editor sees the report")
	}
	doc = edA.page(t, "/dashboard", 200)
	item := doc.Find("ul.reports li")
	if item.Length() != 1 || !strings.Contains(item.Find("blockquote").Text(), "<script>alert(1)</script>") || item.Find(`script:not([src^="/static/"])`).Length() > 0 {
		t.Fatalf("the report on A's dashboard: %q", item.Text())
	}
	action, v = formValues(doc, "ul.reports li form")
	if res, _ := edB.post(t, action, v); res.StatusCode != http.StatusForbidden {
		t.Errorf("B resolves A's report: %d", res.StatusCode)
	}
	if res, _ := edA.post(t, action, v); res.StatusCode != http.StatusSeeOther {
		t.Errorf("resolve: %d", res.StatusCode)
	}
	if edA.page(t, "/dashboard", 200).Find("ul.reports li").Length() != 0 {
		t.Errorf("the resolved report is still listed")
	}
	if res, _ := edA.post(t, action, v); res.StatusCode != http.StatusConflict {
		t.Errorf("resolving twice: %d", res.StatusCode)
	}
	// Rate limit per address: the burst passes, the next is 429.
	other := s.anon()
	var last int
	for i := 0; i < web.ReportBurst+2; i++ {
		res, _ := other.post(t, "/services/"+svcB+"/report", url.Values{"message": {"Virhe"}})
		last = res.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("after the burst: %d, want 429", last)
	}
	_, body = other.post(t, "/services/"+svcB+"/report?lang=en", url.Values{"message": {"Virhe"}})
	if !strings.Contains(parse(t, body).Find("main").Text(), "Too many reports") {
		t.Errorf("no clear message on 429")
	}
	s.noAddresses(t)
}

// Members see members-only phone numbers on pages and in the API;
// anonymous visitors never do, not even through search.
func TestMembersOnlyFieldsForMembers(t *testing.T) {
	t.Parallel()
	s := newSite(t, dbtest.SQLite(t), siteOptions{search: true})
	for _, who := range []string{"member", "editorB", "admin", "anon"} {
		c := s.as(t, who)
		want := who != "anon"
		for _, p := range []string{"/contacts/" + contactA, "/contacts", "/networks/" + netA, "/"} {
			_, body := c.get(t, p)
			if got := strings.Contains(parse(t, body).Find("main").Text(), secretPhone); got != want {
				t.Errorf("%s %s: phone shown %v", who, p, got)
			}
		}
		for _, p := range []string{"/api/v1/contacts/" + contactA, "/api/v1/contacts?network=" + netA} {
			_, body := c.get(t, p)
			if got := strings.Contains(string(body), secretPhone); got != want {
				t.Errorf("%s %s: phone shown %v", who, p, got)
			}
		}
	}
	_, body := s.anon().get(t, "/api/v1/search?q="+url.QueryEscape("123 9876"))
	if strings.Contains(string(body), contactA) || strings.Contains(string(body), "9876") {
		t.Errorf("anonymous search finds the members-only phone: %s", body)
	}
}
