package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// channelService is a fictional Oulu service with every kind of channel.
func channelService() *services.Service {
	svc := testService("kanavatesti", "oulu")
	svc.Name = l10n.Text{FI: "Kanavatestin neuvonta"}
	weekdays := []string{"mon", "tue", "wed", "thu", "fri"}
	svc.Phones = db.List[services.Phone]{{Number: "+358 40 0000001", Kind: services.PhoneVoice, Charge: services.ChargeFree,
		Description: l10n.Text{FI: "Neuvontapuhelin"},
		Hours:       &services.Schedule{Weekly: []services.OpeningHours{{Days: weekdays, Opens: "08:00", Closes: "16:00"}}}}}
	svc.URL = "https://neuvonta.example.fi/"
	svc.Links = db.List[services.Link]{
		{Kind: services.LinkChat, URL: "https://chat.example.fi/", Label: l10n.Text{FI: "Neuvontachat"}},
	}
	svc.Locations = db.List[services.Location]{{Name: l10n.Text{FI: "Vastaanotto"}, Street: l10n.Text{FI: "Esimerkkikatu 1"},
		PostalCode: "90100", PostOffice: l10n.Text{FI: "Oulu"}, Municipality: "564",
		Hours: services.Schedule{Weekly: []services.OpeningHours{{Days: weekdays, Opens: "09:00", Closes: "15:00"}},
			Exceptions: []services.HoursException{{Date: "2026-12-24", Closed: true, Note: l10n.Text{FI: "Jouluaatto"}}}}}}
	modified := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	svc.Source = services.Source{Kind: services.SourcePTV, ID: "0000", Modified: &modified, URL: "https://palvelut.example.fi/0000"}
	svc.TargetGroups = nil
	return svc
}

func TestServicePageShowsHowToGetInTouch(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{search: true})
	ctx := context.Background()
	if err := s.store.Services.Create(ctx, users.System("test"), channelService()); err != nil {
		t.Fatal(err)
	}
	// Tuesday 8 December 2026, 10.00 in Helsinki.
	s.clock.mu.Lock()
	s.clock.t = time.Date(2026, 12, 8, 8, 0, 0, 0, time.UTC)
	s.clock.mu.Unlock()

	doc := s.anon().page(t, "/services/kanavatesti", http.StatusOK)
	if href, _ := doc.Find("a.tel").First().Attr("href"); href != "tel:+358400000001" {
		t.Errorf("tel link: %q", href)
	}
	if got := doc.Find("a.tel").First().Text(); got != "040 0000001" {
		t.Errorf("number shown: %q", got)
	}
	text := doc.Find("article").Text()
	for _, want := range []string{"maksuton", "Avoinna nyt · sulkeutuu klo 16.00", "Esimerkkikatu 1", "90100 Oulu",
		"ma–pe", "9.00–15.00", "Jouluaatto", "Neuvontachat", "Lähde: Suomi.fi-palvelutietovaranto, päivitetty 30.11.2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("service page lacks %q", want)
		}
	}
	if doc.Find(`a[href^="javascript:"]`).Length() != 0 {
		t.Error("a javascript: link was rendered")
	}
	if doc.Find(`a[href="https://palvelut.example.fi/0000"]`).Length() != 1 {
		t.Error("no link to the source's page")
	}

	// At 17.00 the line is closed and says when it opens.
	s.clock.Add(7 * time.Hour)
	text = s.anon().page(t, "/services/kanavatesti", http.StatusOK).Find("article").Text()
	if !strings.Contains(text, "Suljettu · avautuu huomenna klo 8.00") {
		t.Errorf("closed line missing:\n%s", text)
	}
	text = s.anon().page(t, "/services/kanavatesti?lang=en", http.StatusOK).Find("article").Text()
	if !strings.Contains(text, "Closed · opens tomorrow at 8:00") || !strings.Contains(text, "free of charge") {
		t.Errorf("English page:\n%s", text)
	}

	// The search hit carries the number and the town.
	hit := s.anon().page(t, "/search?q=Kanavatestin", http.StatusOK).Find("li.result").First()
	if href, _ := hit.Find("a.tel").Attr("href"); href != "tel:+358400000001" || !strings.Contains(hit.Text(), "Oulu") {
		t.Errorf("search hit: %q %q", href, hit.Text())
	}
}

func TestServicePageSaysEnded(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	ctx := context.Background()
	in := services.Incoming{Service: *channelService()}
	in.Service.ID = "ptv-kanavatesti"
	if res, err := s.store.Sync(ctx, users.System("import:test"), nil, []services.Incoming{in}, services.SourceOwned); err != nil || res.Created != 1 {
		t.Fatal(res, err)
	}
	in.Ended, in.Service.Source.Status = true, "withdrawn"
	if _, err := s.store.Sync(ctx, users.System("import:test"), nil, []services.Incoming{in}, services.SourceOwned); err != nil {
		t.Fatal(err)
	}
	doc := s.anon().page(t, "/services/ptv-kanavatesti", http.StatusOK)
	if !strings.Contains(doc.Find(".notice.ended").Text(), "Palvelu on päättynyt") {
		t.Errorf("no ended notice: %q", doc.Find("article").Text())
	}
}

// TestPathwayStepAndHandoutShowChannels: the release pathway's treatment
// step in Tampere lists a local service with its number, and the handout
// gives the client the number and the address, without where they were
// seen.
func TestPathwayStepAndHandoutShowChannels(t *testing.T) {
	s := newPathwaySite(t, seedtest.SQLite(t))
	svc := channelService()
	svc.ID = "kanavatesti-tampere"
	svc.Area = services.Area{Municipalities: []string{"837"}}
	svc.TargetGroups = []string{"release-or-community-sanction"}
	svc.ServiceTypes = []string{"psychotherapy"}
	svc.Locations[0].Seen = &services.Seen{On: "esimerkki.example.fi", Date: "2026-11"}
	if err := s.store.Services.Create(context.Background(), users.System("test"), svc); err != nil {
		t.Fatal(err)
	}
	c := s.anon()
	_, doc := c.page(t, "/pathways/vapautuminen-ja-yhdyskuntaseuraamus?municipality=Tampere&step=hoidon-jatkuvuus", http.StatusOK)
	item := doc.Find(`li.pw-service:has(a[href="/services/kanavatesti-tampere"])`)
	if href, _ := item.Find("a.tel").Attr("href"); href != "tel:+358400000001" {
		t.Errorf("pathway step: %q", text(item))
	}
	_, doc = c.page(t, "/pathways/vapautuminen-ja-yhdyskuntaseuraamus/handout?municipality=Tampere&step=hoidon-jatkuvuus", http.StatusOK)
	svcs := doc.Find("main li.svc")
	if !strings.Contains(text(svcs), "040 0000001") || !strings.Contains(text(svcs), "Esimerkkikatu 1") {
		t.Errorf("handout: %q", text(svcs))
	}
	if strings.Contains(text(svcs), "esimerkki.example.fi") {
		t.Error("the handout says where a fact was seen")
	}
}

// TestSeedListingShowsPublicFacts: a seed service shows the facts of
// public-contacts.md with where and when each was seen, as unverified,
// and the client handout gives the number without the source.
func TestSeedListingShowsPublicFacts(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	c := s.anon()
	doc := c.page(t, "/services/hus-seri-tukikeskus", http.StatusOK)
	if href, _ := doc.Find("a.tel").First().Attr("href"); href != "tel:+358407018446" {
		t.Errorf("tel link: %q", href)
	}
	art := text(doc.Find("article"))
	for _, want := range []string{"040 701 8446", "Avoinna ympäri vuorokauden (24 h)", "Haartmaninkatu 2", "Helsinki",
		"nähty: hus.fi, Seri-tukikeskuksen sivu, sivun päiväys ~2020, luettu 2026-12", "Tarkistamaton"} {
		if !strings.Contains(art, want) {
			t.Errorf("HUS Seri centre page lacks %q:\n%s", want, art)
		}
	}
	doc = c.page(t, "/services/mieli-kriisipuhelin?lang=en", http.StatusOK)
	art = text(doc.Find("article"))
	for _, want := range []string{"09 2525 0116", "https://mieli.fi/helpline", "seen: mieli.fi/helpline, page undated, read 2026-12"} {
		if !strings.Contains(art, want) {
			t.Errorf("crisis line page (en) lacks %q:\n%s", want, art)
		}
	}
	if href, _ := doc.Find(`a.tel[href="tel:+358925250116"]`).Attr("href"); href == "" {
		t.Error("the English line is not a tel: link in international form")
	}
}
