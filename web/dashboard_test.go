package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/web"
)

func TestDashboardOrdersByUrgency(t *testing.T) {
	t.Parallel()
	seedtest.Each(t, func(t *testing.T, d *db.DB) {
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
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
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
	s := newSite(t, seedtest.SQLite(t), siteOptions{search: true})
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

// TestDashboardSourceChanges: the catalogue changes a name an editor
// overrode; the editor sees both values and keeps theirs, then takes the
// next change.
func TestDashboardSourceChanges(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	ctx := context.Background()
	importer := users.System("import:test")
	incoming := func(name string) []services.Incoming {
		svc := testService("ptv-esimerkki", netA)
		svc.Name = l10n.Text{FI: name}
		svc.TargetGroups = nil
		svc.Source = services.Source{Kind: services.SourcePTV, ID: "esimerkki"}
		return []services.Incoming{{Service: *svc}}
	}
	sync := func(name string) {
		t.Helper()
		if _, err := s.store.Sync(ctx, importer, nil, incoming(name), services.SourceOwned); err != nil {
			t.Fatal(err)
		}
	}
	sync("Esimerkkineuvonta")
	x, err := s.store.Service(ctx, "ptv-esimerkki")
	if err != nil {
		t.Fatal(err)
	}
	admin := &users.User{ID: "u-admin", Role: users.RoleAdmin, Active: true}
	x.Name = l10n.Text{FI: "Toimituksen oma nimi"}
	if err := s.store.Services.Save(ctx, admin, &x, false); err != nil {
		t.Fatal(err)
	}
	sync("Esimerkkineuvonta, uusi nimi")

	ed := s.as(t, "editorA")
	doc := ed.page(t, "/dashboard", http.StatusOK)
	row := doc.Find(".source-changes li")
	if row.Length() != 1 || row.Find(".yours").Text() != "Toimituksen oma nimi" || row.Find(".theirs").Text() != "Esimerkkineuvonta, uusi nimi" {
		t.Fatalf("source change row: %d %q", row.Length(), row.Text())
	}
	version, _ := row.Find(`input[name="version"]`).Attr("value")
	form := url.Values{"version": {version}, "field": {"name"}, "choice": {"keep"}}
	if resp, body := ed.post(t, "/services/ptv-esimerkki/source-change", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("keep: %d %s", resp.StatusCode, body)
	}
	// The same form again is stale: a conflict, not a second write.
	if resp, _ := ed.post(t, "/services/ptv-esimerkki/source-change", form); resp.StatusCode != http.StatusConflict {
		t.Errorf("stale keep: %d", resp.StatusCode)
	}
	if x, _ = s.store.Service(ctx, "ptv-esimerkki"); x.Name.FI != "Toimituksen oma nimi" || len(x.SourceChanges) != 0 {
		t.Errorf("after keep: %q %+v", x.Name.FI, x.SourceChanges)
	}
	if n := ed.page(t, "/dashboard", http.StatusOK).Find(".source-changes li").Length(); n != 0 {
		t.Errorf("%d changes still wait", n)
	}
	sync("Esimerkkineuvonta, kolmas nimi")
	x, _ = s.store.Service(ctx, "ptv-esimerkki")
	form = url.Values{"version": {strconv.Itoa(x.Version)}, "field": {"name"}, "choice": {"accept"}}
	if resp, body := ed.post(t, "/services/ptv-esimerkki/source-change", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", resp.StatusCode, body)
	}
	if x, _ = s.store.Service(ctx, "ptv-esimerkki"); x.Name.FI != "Esimerkkineuvonta, kolmas nimi" {
		t.Errorf("after accept: %q", x.Name.FI)
	}
	// Another network's editor may not decide.
	form.Set("version", strconv.Itoa(x.Version))
	if resp, _ := s.as(t, "editorB").post(t, "/services/ptv-esimerkki/source-change", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("editor of another network: %d", resp.StatusCode)
	}
}
