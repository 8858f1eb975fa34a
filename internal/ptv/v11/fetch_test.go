package v11_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/ptv"
	"github.com/serie-verkosto/directory/internal/ptv/ptvtest"
	"github.com/serie-verkosto/directory/internal/ptv/v11"
)

var allMunis = []string{"091", "564", "837", "853"}

// sleeps records the waits between attempts instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return nil
}

func newClient(t *testing.T, srv *ptvtest.Server) (*v11.Client, *sleeps) {
	t.Helper()
	c, err := v11.New(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	sl := &sleeps{}
	c.Sleep = sl.sleep
	c.RequestTimeout = 5 * time.Second
	c.Now = func() time.Time { return ptvtest.NowTime.Add(time.Hour) }
	return c, sl
}

func newServer(t *testing.T, ds *ptvtest.Dataset) *ptvtest.Server {
	t.Helper()
	srv := ptvtest.NewServer(ds)
	t.Cleanup(srv.Close)
	return srv
}

// fetchAll runs Fetch and collects every batch.
func fetchAll(t *testing.T, c *v11.Client, q ptv.Query) ([]ptv.Listing, map[string]ptv.Organization, []ptv.Warning, ptv.Summary, error) {
	t.Helper()
	var ls []ptv.Listing
	var ws []ptv.Warning
	orgs := map[string]ptv.Organization{}
	sum, err := c.Fetch(context.Background(), q, func(b *ptv.Batch) error {
		ls = append(ls, b.Listings...)
		ws = append(ws, b.Warnings...)
		for _, o := range b.Organizations {
			orgs[o.ID] = o
		}
		return nil
	})
	return ls, orgs, ws, sum, err
}

func ids(ls []ptv.Listing) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.ID)
	}
	slices.Sort(out)
	return out
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

func find(t *testing.T, ls []ptv.Listing, id string) ptv.Listing {
	t.Helper()
	for _, l := range ls {
		if l.ID == id {
			return l
		}
	}
	t.Fatalf("service %s not fetched", id)
	return ptv.Listing{}
}

func conn(t *testing.T, l ptv.Listing, ch string) ptv.Connection {
	t.Helper()
	for _, c := range l.Connections {
		if c.ChannelID == ch {
			return c
		}
	}
	t.Fatalf("service %s has no connection to %s", l.ID, ch)
	return ptv.Connection{}
}

func TestFetchFullScopes(t *testing.T) {
	srv := newServer(t, ptvtest.Now())
	tests := []struct {
		name string
		q    ptv.Query
		want []string
	}{
		{"municipalities and nationwide", ptv.Query{Municipalities: allMunis, Nationwide: true},
			sorted(ptvtest.ServiceNeuvonta, ptvtest.ServiceKriisi, ptvtest.ServicePerhe, ptvtest.ServiceNuoret, ptvtest.ServiceVertais, ptvtest.ServiceChat)},
		{"one municipality", ptv.Query{Municipalities: []string{"837"}}, []string{ptvtest.ServicePerhe}},
		{"a municipality reached through a hospital district", ptv.Query{Municipalities: []string{"139"}}, []string{ptvtest.ServiceNeuvonta}},
		{"nationwide only", ptv.Query{Nationwide: true}, sorted(ptvtest.ServiceKriisi, ptvtest.ServiceChat)},
		{"organization", ptv.Query{Organizations: []string{ptvtest.OrgTestikyla}}, []string{ptvtest.ServicePerhe}},
		{"service class and its subclasses", ptv.Query{Municipalities: allMunis, Nationwide: true, ServiceClasses: []string{"P4"}},
			sorted(ptvtest.ServiceKriisi, ptvtest.ServiceVertais, ptvtest.ServiceChat)},
		{"service class by URI", ptv.Query{Municipalities: allMunis, ServiceClasses: []string{"http://uri.suomi.fi/codelist/ptv/ptvserclass2/code/P4.1"}},
			[]string{ptvtest.ServiceVertais}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newClient(t, srv)
			ls, _, _, sum, err := fetchAll(t, c, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(ls)); diff != "" {
				t.Errorf("services (-want +got):\n%s", diff)
			}
			if !sum.Full {
				t.Error("a read without Since is not reported Full")
			}
		})
	}
}

func TestFetchMapsService(t *testing.T) {
	srv := newServer(t, ptvtest.Now())
	c, _ := newClient(t, srv)
	ls, orgs, ws, _, err := fetchAll(t, c, ptv.Query{Municipalities: allMunis, Nationwide: true})
	if err != nil {
		t.Fatal(err)
	}
	l := find(t, ls, ptvtest.ServiceNeuvonta)
	if diff := cmp.Diff(ptv.Text{"fi": "Seksuaalisuuteen liittyvä neuvonta", "sv": "Rådgivning om sexualitet", "en": "Counselling on sexuality"}, l.Names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	// HTML-looking text stays plain text, untouched.
	if got := l.Descriptions["fi"]; !strings.Contains(got, "<b>HTML:n näköistä</b>") {
		t.Errorf("description = %q, want the text as PTV sent it", got)
	}
	if diff := cmp.Diff(ptv.Area{Municipalities: []string{"139", "564"}}, l.Area); diff != "" {
		t.Errorf("area (-want +got):\n%s", diff)
	}
	if len(l.ServiceClasses) != 1 || l.ServiceClasses[0].Code != "P3.7" || l.ServiceClasses[0].URI != "http://uri.suomi.fi/codelist/ptv/ptvserclass2/code/P3.7" {
		t.Errorf("service classes = %+v", l.ServiceClasses)
	}
	if len(l.OntologyTerms) != 1 || l.OntologyTerms[0].URI != "http://www.yso.fi/onto/koko/p15822" {
		t.Errorf("ontology terms = %+v", l.OntologyTerms)
	}
	if l.Organization.ID != ptvtest.OrgEsimerkkila || l.Organization.Role != "responsible" {
		t.Errorf("organization = %+v", l.Organization)
	}
	if o := orgs[ptvtest.OrgEsimerkkila]; o.BusinessCode != "0000001-9" || o.Type != "WellbeingServicesCounty" || o.Names["fi"] != "Esimerkkilän hyvinvointialue" {
		t.Errorf("organization record = %+v", o)
	}
	if o := orgs[ptvtest.OrgEsimerkkila]; len(o.URLs) != 1 || len(o.Emails) != 1 || len(o.Phones) != 1 ||
		o.Phones[0].Kind != ptv.PhoneVoice || o.Phones[0].Number != "+358400000100" {
		t.Errorf("organization contacts: %+v %+v %+v", o.URLs, o.Emails, o.Phones)
	}
	if diff := cmp.Diff(map[string][]string{"fi": {"neuvonta", "tuki"}, "sv": {"stöd"}}, l.Keywords); diff != "" {
		t.Errorf("keywords (-want +got):\n%s", diff)
	}
	if l.Status != ptv.StatusPublished || !l.Modified.Equal(ptvtest.NowTime) || l.Charge != ptv.ChargeFree {
		t.Errorf("status %q modified %v charge %q", l.Status, l.Modified, l.Charge)
	}
	if want := "https://www.suomi.fi/palvelut/seksuaalisuuteen-liittyva-neuvonta-esimerkkilan-hyvinvointialue/" + ptvtest.ServiceNeuvonta; l.Link != want {
		t.Errorf("link = %q, want %q", l.Link, want)
	}
	if len(l.Raw) == 0 {
		t.Error("raw JSON not kept")
	}
	for _, cn := range l.Connections {
		if cn.Channel == nil {
			t.Errorf("connection to %s has no channel", cn.ChannelID)
		}
	}
	// The printable form's javascript: link is dropped with a warning.
	perhe := find(t, ls, ptvtest.ServicePerhe)
	form := conn(t, perhe, ptvtest.ChannelLomake).Effective()
	if diff := cmp.Diff([]ptv.Link{{URL: "https://www.example.fi/lomake.pdf", Lang: "fi", Kind: "PDF"}}, form.URLs); diff != "" {
		t.Errorf("form links (-want +got):\n%s", diff)
	}
	if !hasWarning(ws, ptvtest.ChannelLomake, "javascript:") {
		t.Errorf("no warning about the javascript: link in %v", ws)
	}
}

func hasWarning(ws []ptv.Warning, id, text string) bool {
	for _, w := range ws {
		if w.ID == id && strings.Contains(w.String(), text) {
			return true
		}
	}
	return false
}

func TestFetchConnectionOverrides(t *testing.T) {
	srv := newServer(t, ptvtest.Now())
	c, _ := newClient(t, srv)
	ls, _, _, _, err := fetchAll(t, c, ptv.Query{Municipalities: []string{"564", "853"}})
	if err != nil {
		t.Fatal(err)
	}
	neuvonta := find(t, ls, ptvtest.ServiceNeuvonta)
	// The connection's own number applies to this service...
	ph := conn(t, neuvonta, ptvtest.ChannelPuhelin).Effective().Phones
	if len(ph) != 1 || ph[0].Number != "+358400000199" {
		t.Errorf("effective phones = %+v, want the connection's +358400000199", ph)
	}
	// ...while another service sees the channel's own.
	ph = conn(t, find(t, ls, ptvtest.ServiceNuoret), ptvtest.ChannelPuhelin).Effective().Phones
	if len(ph) != 1 || ph[0].Number != "+358400000101" {
		t.Errorf("channel phones = %+v, want +358400000101", ph)
	}
	// Connection hours replace the channel's, contact details stay.
	loc := conn(t, neuvonta, ptvtest.ChannelOuluToimi).Effective()
	want := []ptv.Period{{Spans: []ptv.Span{{Day: time.Tuesday, From: "12:00", ToDay: time.Tuesday, To: "18:00"}}}}
	if diff := cmp.Diff(want, loc.Hours.Regular); diff != "" {
		t.Errorf("effective hours (-want +got):\n%s", diff)
	}
	if len(loc.Emails) != 1 || loc.Emails[0].Address != "vastaanotto@example.fi" {
		t.Errorf("emails = %+v", loc.Emails)
	}
}

func channelOf(t *testing.T, ls []ptv.Listing, id string) ptv.Channel {
	t.Helper()
	for _, l := range ls {
		for _, c := range l.Connections {
			if c.ChannelID == id && c.Channel != nil {
				return *c.Channel
			}
		}
	}
	t.Fatalf("channel %s not fetched", id)
	return ptv.Channel{}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestFetchHours(t *testing.T) {
	srv := newServer(t, ptvtest.Now())
	c, _ := newClient(t, srv)
	ls, _, _, _, err := fetchAll(t, c, ptv.Query{Municipalities: allMunis, Nationwide: true})
	if err != nil {
		t.Fatal(err)
	}
	var split []ptv.Span
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday} {
		split = append(split, ptv.Span{Day: d, From: "09:00", ToDay: d, To: "11:00"}, ptv.Span{Day: d, From: "12:00", ToDay: d, To: "15:00"})
	}
	var monThu []ptv.Span
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday} {
		monThu = append(monThu, ptv.Span{Day: d, From: "08:00", ToDay: d, To: "16:00"})
	}
	tests := []struct {
		name    string
		channel string
		want    ptv.Hours
	}{
		{"split hours, seasonal period and exceptions", ptvtest.ChannelPuhelin, ptv.Hours{
			Regular: []ptv.Period{{Spans: split, Info: ptv.Text{"fi": "Puhelinaika"}}},
			Seasonal: []ptv.Period{{From: day(2027, 6, 1), To: day(2027, 8, 31), Spans: []ptv.Span{
				{Day: time.Monday, From: "10:00", ToDay: time.Monday, To: "14:00"},
				{Day: time.Wednesday, From: "10:00", ToDay: time.Wednesday, To: "14:00"}}}},
			Exceptions: []ptv.Exception{
				{From: day(2026, 12, 24), To: day(2026, 12, 24), Closed: true, Info: ptv.Text{"fi": "Jouluaatto"}},
				{From: day(2026, 12, 31), To: day(2026, 12, 31), Info: ptv.Text{"fi": "Uudenvuodenaatto"},
					Spans: []ptv.Span{{Day: time.Thursday, From: "09:00", ToDay: time.Thursday, To: "12:00"}}},
			},
		}},
		{"over midnight", ptvtest.ChannelOuluToimi, ptv.Hours{Regular: []ptv.Period{
			{Spans: monThu},
			{Spans: []ptv.Span{{Day: time.Friday, From: "22:00", ToDay: time.Saturday, To: "04:00"}}},
		}}},
		{"24 h", ptvtest.ChannelKriisi, ptv.Hours{Regular: []ptv.Period{{AlwaysOpen: true}}}},
		{"by appointment", ptvtest.ChannelAjanvaraus, ptv.Hours{Regular: []ptv.Period{{ByAppointment: true}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, channelOf(t, ls, tt.channel).Hours); diff != "" {
				t.Errorf("hours (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFetchPhonesAndAddresses(t *testing.T) {
	srv := newServer(t, ptvtest.Now())
	c, _ := newClient(t, srv)
	ls, _, _, _, err := fetchAll(t, c, ptv.Query{Municipalities: allMunis, Nationwide: true})
	if err != nil {
		t.Fatal(err)
	}
	phones := []struct {
		channel string
		want    ptv.Phone
	}{
		{ptvtest.ChannelPuhelin, ptv.Phone{Kind: ptv.PhoneVoice, Number: "+358400000101", Tel: "tel:+358400000101", Charge: ptv.ChargeFree, Lang: "fi"}},
		{ptvtest.ChannelKriisi, ptv.Phone{Kind: ptv.PhoneVoice, Number: "0800000000", Tel: "tel:0800000000", ServiceNumber: true, Charge: ptv.ChargeFree, Lang: "fi"}},
		{ptvtest.ChannelTampere, ptv.Phone{Kind: ptv.PhoneSMS, Number: "+358400000103", Tel: "tel:+358400000103", Charge: ptv.ChargeChargeable, ChargeInfo: "Normaali tekstiviestihinta", Lang: "fi"}},
		{ptvtest.ChannelOuluToimi, ptv.Phone{Kind: ptv.PhoneVoice, Number: "+358400000102", Tel: "tel:+358400000102", Charge: ptv.ChargeNormal, ChargeInfo: "Puhelun hinta oman liittymäsopimuksen mukaan", Lang: "fi"}},
	}
	for _, p := range phones {
		if diff := cmp.Diff([]ptv.Phone{p.want}, channelOf(t, ls, p.channel).Phones); diff != "" {
			t.Errorf("%s phones (-want +got):\n%s", p.channel, diff)
		}
	}
	oulu := channelOf(t, ls, ptvtest.ChannelOuluToimi).Addresses
	if len(oulu) != 1 {
		t.Fatalf("Oulu addresses = %+v", oulu)
	}
	a := oulu[0]
	if a.Kind != ptv.AddressVisiting || a.Street["fi"] != "Esimerkkikatu" || a.Number != "1" || a.PostalCode != "90100" || a.PostOffice["fi"] != "OULU" || a.Municipality != "564" {
		t.Errorf("Oulu address = %+v", a)
	}
	// The fixture point was rounded to the metre in EPSG:3067.
	if !a.HasPoint || math.Abs(a.Lat-65.0121)*111000 > 2 || math.Abs(a.Lon-25.4651)*111000*math.Cos(65*math.Pi/180) > 2 {
		t.Errorf("Oulu point = %v, %v (has %v), want 65.0121, 25.4651", a.Lat, a.Lon, a.HasPoint)
	}
	if tre := channelOf(t, ls, ptvtest.ChannelTampere).Addresses; len(tre) != 1 || tre[0].HasPoint {
		t.Errorf("Tampere address %+v: a NotReceived point must not be used", tre)
	}
}

func TestFetchIncrementalWeekLater(t *testing.T) {
	srv := newServer(t, ptvtest.Now())
	c, _ := newClient(t, srv)
	q := ptv.Query{Municipalities: allMunis, Nationwide: true}
	_, _, _, first, err := fetchAll(t, c, q)
	if err != nil {
		t.Fatal(err)
	}
	srv.SetDataset(ptvtest.WeekLater())
	c.Now = func() time.Time { return ptvtest.WeekLaterTime.Add(time.Hour) }
	q.Since = first.Started
	ls, orgsLater, _, sum, err := fetchAll(t, c, q)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Full {
		t.Error("an incremental read is reported Full")
	}
	// Changed, new, and the one whose connection went away (its modified
	// did not change); the unchanged ones are not read again.
	want := sorted(ptvtest.ServiceNeuvonta, ptvtest.ServiceTerapia, ptvtest.ServiceNuoret)
	if diff := cmp.Diff(want, ids(ls)); diff != "" {
		t.Errorf("changed services (-want +got):\n%s", diff)
	}
	wantRemoved := []ptv.Removal{
		{ID: ptvtest.ServiceChat, Status: ptv.StatusWithdrawn, Name: "Nuorten chat"},
		{ID: ptvtest.ServiceVertais, Status: ptv.StatusArchived, Name: "Vertaistukiryhmä"},
	}
	if diff := cmp.Diff(wantRemoved, sum.Removed); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
	// The renamed organization arrives although none of its services changed.
	if o := orgsLater[ptvtest.OrgYhdistys]; o.Names["fi"] != "Esimerkkiyhdistys ry (uusi nimi)" {
		t.Errorf("changed organization = %+v", o)
	}
	if got := find(t, ls, ptvtest.ServiceNeuvonta).Names["fi"]; got != "Seksuaalisuuteen ja seksuaaliterveyteen liittyvä neuvonta" {
		t.Errorf("renamed service is called %q", got)
	}
	if ph := channelOf(t, ls, ptvtest.ChannelPuhelin).Phones; len(ph) != 1 || ph[0].Number != "+358400000111" {
		t.Errorf("changed channel phones = %+v, want +358400000111", ph)
	}
	nuoret := find(t, ls, ptvtest.ServiceNuoret)
	if len(nuoret.Connections) != 1 || nuoret.Connections[0].ChannelID != ptvtest.ChannelNuoret {
		t.Errorf("service whose connection was removed has connections %+v", nuoret.Connections)
	}
	// The date sent is the last start less the overlap, in PTV's format.
	wantDate := "date=" + first.Started.Add(-c.SinceOverlap).Format("2006-01-02T15:04:05")
	if !slices.ContainsFunc(srv.Requests(), func(r string) bool { return strings.HasPrefix(r, "Service?") && strings.Contains(r, wantDate) }) {
		t.Errorf("no Service?%s in %v", wantDate, srv.Requests())
	}
}

func TestFetchIncrementalOutOfScope(t *testing.T) {
	srv := newServer(t, ptvtest.WeekLater())
	c, _ := newClient(t, srv)
	// Only Helsinki: the changed Oulu and Turku services are out of scope.
	_, _, _, sum, err := fetchAll(t, c, ptv.Query{Municipalities: []string{"091"}, Since: ptvtest.NowTime.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range sum.Removed {
		if r.Status == v11.StatusOutOfScope {
			out = append(out, r.ID)
		}
	}
	if diff := cmp.Diff(sorted(ptvtest.ServiceNeuvonta, ptvtest.ServiceNuoret, ptvtest.ServiceTerapia), sorted(out...)); diff != "" {
		t.Errorf("out of scope (-want +got):\n%s", diff)
	}
}

func TestFetchPaging(t *testing.T) {
	srv := newServer(t, ptvtest.Synthetic(1000))
	c, _ := newClient(t, srv)
	ls, _, _, sum, err := fetchAll(t, c, ptv.Query{Municipalities: []string{"091"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 250 || sum.Progress.Services != 250 || sum.Progress.Channels != 500 {
		t.Fatalf("got %d services, progress %+v; want 250 services and 500 channels", len(ls), sum.Progress)
	}
	area := 0
	for _, r := range srv.Requests() {
		switch {
		case strings.HasPrefix(r, "Service/list/area/"):
			area++
		case strings.HasPrefix(r, "ServiceChannel/list?guids="):
			if n := strings.Count(r, ",") + 1; n > 100 {
				t.Errorf("%d ids in one request", n)
			}
		}
	}
	if area != 3 {
		t.Errorf("%d area pages read, want 3 (250 services, 100 a page)", area)
	}
	if n := srv.Count("ServiceChannel/list"); n != 5 {
		t.Errorf("%d channel list requests, want 5 (200, 200 and 100 channels in 100-id chunks)", n)
	}
}

func TestFetchIDPagingAndNullItemList(t *testing.T) {
	srv := newServer(t, ptvtest.WeekLater())
	srv.SetPageSize(1)
	c, _ := newClient(t, srv)
	ls, _, _, _, err := fetchAll(t, c, ptv.Query{Municipalities: allMunis, Since: ptvtest.NowTime.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 3 {
		t.Errorf("got %d services over one-item pages, want 3", len(ls))
	}
	if srv.Count("Service?date=") != 3 {
		t.Errorf("read %d Service?date pages, want 3: %v", srv.Count("Service?date="), srv.Requests())
	}

	empty := newServer(t, &ptvtest.Dataset{})
	c, _ = newClient(t, empty)
	ls, _, _, _, err = fetchAll(t, c, ptv.Query{Municipalities: []string{"564"}, Nationwide: true})
	if err != nil || len(ls) != 0 {
		t.Errorf("empty PTV: %d services, error %v", len(ls), err)
	}
	ls, _, _, _, err = fetchAll(t, c, ptv.Query{Municipalities: []string{"564"}, Since: ptvtest.NowTime})
	if err != nil || len(ls) != 0 {
		t.Errorf("empty PTV, incremental: %d services, error %v", len(ls), err)
	}
}

func TestRetries(t *testing.T) {
	const ep = "Service/list/area/Municipality/code/837"
	tests := []struct {
		name      string
		fault     ptvtest.Fault
		n         int
		wantSleep func(i int, d time.Duration) bool
	}{
		{"429 with Retry-After seconds", ptvtest.Fault{Status: 429, RetryAfter: "7"}, 2,
			func(_ int, d time.Duration) bool { return d == 7*time.Second }},
		{"503 with Retry-After date", ptvtest.Fault{Status: 503, RetryAfter: ptvtest.NowTime.Add(time.Hour + 30*time.Second).Format(http.TimeFormat)}, 1,
			func(_ int, d time.Duration) bool { return d == 30*time.Second }},
		{"500 backs off exponentially", ptvtest.Fault{Status: 500}, 3,
			func(i int, d time.Duration) bool {
				max := time.Second << i
				return d >= max/2 && d <= max
			}},
		{"dropped connection", ptvtest.Fault{Close: true}, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, ptvtest.Now())
			srv.Inject(ep, tt.n, tt.fault)
			c, sl := newClient(t, srv)
			ls, _, _, _, err := fetchAll(t, c, ptv.Query{Municipalities: []string{"837"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(ls) != 1 {
				t.Errorf("got %d services after retries, want 1", len(ls))
			}
			if got := srv.Count(ep); got != tt.n+1 {
				t.Errorf("%d requests, want %d", got, tt.n+1)
			}
			if len(sl.d) != tt.n {
				t.Fatalf("waited %d times, want %d: %v", len(sl.d), tt.n, sl.d)
			}
			for i, d := range sl.d {
				if tt.wantSleep != nil && !tt.wantSleep(i, d) {
					t.Errorf("wait %d = %v", i, d)
				}
			}
		})
	}
}

func TestGivesUp(t *testing.T) {
	srv := newServer(t, ptvtest.Now())
	srv.Inject("ServiceChannel/list", 100, ptvtest.Fault{Status: 503, Body: `{"errorMessage":"Service Unavailable"}`})
	c, _ := newClient(t, srv)
	c.MaxAttempts = 3
	_, _, _, _, err := fetchAll(t, c, ptv.Query{Municipalities: []string{"837"}})
	var fe *ptv.FetchError
	if !errors.As(err, &fe) || !errors.Is(err, ptv.ErrUnavailable) {
		t.Fatalf("error %v: want a FetchError matching ErrUnavailable", err)
	}
	for _, want := range []string{"ServiceChannel/list?guids=", "HTTP 503", "gave up after 3 attempts", "Service Unavailable"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if n := srv.Count("ServiceChannel/list"); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
}

func TestRetryAfterTooLong(t *testing.T) {
	srv := newServer(t, ptvtest.Now())
	srv.Inject("Service/", 1, ptvtest.Fault{Status: 429, RetryAfter: "3600"})
	c, sl := newClient(t, srv)
	_, _, _, _, err := fetchAll(t, c, ptv.Query{Municipalities: []string{"837"}})
	if !errors.Is(err, ptv.ErrUnavailable) || !strings.Contains(err.Error(), "Retry-After") {
		t.Errorf("error %v: want giving up on a Retry-After beyond the cap", err)
	}
	if len(sl.d) != 0 {
		t.Errorf("waited %v", sl.d)
	}
}

func TestClientErrorNotRetried(t *testing.T) {
	srv := newServer(t, ptvtest.Now())
	srv.Inject("Service?date=", 1, ptvtest.Fault{Status: 400, Body: `{"date":["The field date must be in format yyyy-MM-ddTHH:mm:ss."]}`})
	c, _ := newClient(t, srv)
	_, _, _, _, err := fetchAll(t, c, ptv.Query{Municipalities: []string{"837"}, Since: ptvtest.NowTime})
	var fe *ptv.FetchError
	if !errors.As(err, &fe) || fe.Status != 400 || errors.Is(err, ptv.ErrUnavailable) {
		t.Fatalf("error %v: want a non-retryable 400", err)
	}
	if !strings.Contains(err.Error(), "Service?date=") || !strings.Contains(err.Error(), "must be in format") {
		t.Errorf("error %q names neither the endpoint nor PTV's message", err)
	}
	if n := srv.Count("Service?date="); n != 1 {
		t.Errorf("%d attempts at a 400, want 1", n)
	}
}

func TestTimeout(t *testing.T) {
	srv := newServer(t, ptvtest.Now())
	c, _ := newClient(t, srv)
	c.RequestTimeout = 50 * time.Millisecond
	srv.Inject("Organization/list", 1, ptvtest.Fault{Hang: true})
	if _, _, _, _, err := fetchAll(t, c, ptv.Query{Municipalities: []string{"837"}}); err != nil {
		t.Fatalf("one timeout then success: %v", err)
	}
	srv.Inject("Organization/list", 100, ptvtest.Fault{Hang: true})
	c.MaxAttempts = 2
	_, _, _, _, err := fetchAll(t, c, ptv.Query{Municipalities: []string{"837"}})
	if !errors.Is(err, ptv.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "Organization/list") {
		t.Errorf("error %v: want a timeout naming Organization/list", err)
	}
}

func TestCancel(t *testing.T) {
	srv := newServer(t, ptvtest.Now())
	c, _ := newClient(t, srv)
	srv.Inject("Service/", 1, ptvtest.Fault{Hang: true})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for srv.Count("Service/") == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := c.Fetch(ctx, ptv.Query{Municipalities: []string{"837"}}, func(*ptv.Batch) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v: want context.Canceled", err)
	}
}

func TestMalformedPage(t *testing.T) {
	srv := newServer(t, ptvtest.Now())
	srv.Inject("Service/list/area", 1, ptvtest.Fault{Body: `{"pageNumber":1,"itemList":[{"id":`})
	c, _ := newClient(t, srv)
	_, _, _, _, err := fetchAll(t, c, ptv.Query{Municipalities: []string{"837"}})
	var de *ptv.DataError
	if !errors.As(err, &de) || errors.Is(err, ptv.ErrUnavailable) {
		t.Fatalf("error %v: want a DataError", err)
	}
	if want := "Service/list/area/Municipality/code/837?includeWholeCountry=false&page=1"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %s", err, want)
	}
}

// An unreadable object is skipped and reported, and the rest of its page
// goes ahead: one broken object in PTV must not block every sync.
func TestMalformedObject(t *testing.T) {
	const id = "5e7c0000-0000-4000-8000-0000000000ff"
	good := func(t *testing.T, srv *ptvtest.Server) string {
		_, body := getBody(t, srv.URL()+"Service/"+ptvtest.ServicePerhe)
		return body
	}
	tests := []struct {
		name string
		bad  string
		want []string
	}{
		{"wrong type", `{"id":"` + id + `","serviceNames":7,"publishingStatus":"Published"}`, []string{"serviceNames"}},
		{"unknown publishing status", `{"id":"` + id + `","publishingStatus":"Frozen","areaType":"LimitedType"}`, []string{"publishingStatus", `"Frozen"`}},
		{"bad timestamp", `{"id":"` + id + `","publishingStatus":"Published","modified":"yesterday"}`, []string{"yesterday"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, ptvtest.Now())
			page := `{"pageNumber":1,"pageSize":100,"pageCount":1,"itemList":[` + tt.bad + `,` + good(t, srv) + `]}`
			srv.Inject("Service/list/area", 1, ptvtest.Fault{Body: page})
			c, _ := newClient(t, srv)
			ls, _, _, sum, err := fetchAll(t, c, ptv.Query{Municipalities: []string{"837"}})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{ptvtest.ServicePerhe}, ids(ls)); diff != "" {
				t.Errorf("services (-want +got):\n%s", diff)
			}
			if len(sum.Skipped) != 1 || sum.Skipped[0].ID != id {
				t.Fatalf("skipped %v, want %s", sum.Skipped, id)
			}
			msg := sum.Skipped[0].Error()
			for _, w := range append(tt.want, "service "+id, "Service/list/area/Municipality/code/837") {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not say %q", msg, w)
				}
			}
			if sum.Full {
				t.Error("a read that skipped a service is reported Full")
			}
		})
	}
}

func getBody(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestTooLarge(t *testing.T) {
	srv := newServer(t, ptvtest.Now())
	c, _ := newClient(t, srv)
	c.MaxBody = 1000
	_, _, _, _, err := fetchAll(t, c, ptv.Query{Municipalities: []string{"837"}})
	var fe *ptv.FetchError
	if !errors.As(err, &fe) || errors.Is(err, ptv.ErrUnavailable) || !strings.Contains(err.Error(), "too large") {
		t.Errorf("error %v: want a non-retryable too-large error", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// dataset builds a one-service dataset around a raw channel.
func withChannel(t *testing.T, channelJSON string) *ptvtest.Server {
	t.Helper()
	ds := ptvtest.Now()
	const sid = "5e7c0000-0000-4000-8000-0000000000fe"
	ds.Services = append(ds.Services, []byte(fmt.Sprintf(`{"id":%q,"publishingStatus":"Published","areaType":"LimitedType",
		"areas":[{"type":"Municipality","municipalities":[{"code":"091"}]}],
		"serviceNames":[{"language":"fi","value":"Testi","type":"Name"}],
		"organizations":[{"organization":{"id":%q,"name":"x"},"roleType":"Responsible"}],
		"serviceChannels":[{"serviceChannel":{"id":"c4a00000-0000-4000-8000-0000000000fe","name":"k"}},
		                   {"serviceChannel":{"id":"c4a00000-0000-4000-8000-0000000000fd","name":"gone"}}],
		"someFieldPTVAddedLater":{"x":1}}`, sid, ptvtest.OrgYhdistys)))
	if channelJSON != "" {
		ds.Channels = append(ds.Channels, []byte(channelJSON))
	}
	return newServer(t, ds)
}

func TestChannelProblems(t *testing.T) {
	const ch = "c4a00000-0000-4000-8000-0000000000fe"
	base := `"id":"` + ch + `","publishingStatus":"Published","organizationId":"` + ptvtest.OrgYhdistys + `",`
	tests := []struct {
		name     string
		channel  string
		known    func(string) bool
		wantWarn []string // substrings of one warning about ch
		wantNil  bool     // channel left out
		check    func(t *testing.T, c ptv.Channel)
	}{
		{"unknown channel type", `{` + base + `"serviceChannelType":"Teleport"}`, nil, []string{"Teleport"}, true, nil},
		{"phone channel without a number", `{` + base + `"serviceChannelType":"Phone","phoneNumbers":[]}`, nil, []string{"no number"}, false, nil},
		{"unknown hour type", `{` + base + `"serviceChannelType":"Phone","phoneNumbers":[{"type":"Phone","prefixNumber":"+358","number":"400000106","serviceChargeType":"FreeOfCharge","language":"fi"}],
			"serviceHours":[{"serviceHourType":"Lunar","openingHour":[]},{"serviceHourType":"DaysOfTheWeek","validForNow":true,"openingHour":[{"dayFrom":"Monday","dayTo":"","from":"08:00:00","to":"10:00:00"}]}]}`,
			nil, []string{"Lunar"}, false, func(t *testing.T, c ptv.Channel) {
				if len(c.Hours.Regular) != 1 {
					t.Errorf("hours %+v: want the known entry kept", c.Hours)
				}
			}},
		{"unknown charge type", `{` + base + `"serviceChannelType":"Phone","phoneNumbers":[{"type":"Phone","prefixNumber":"+358","number":"0400000107","serviceChargeType":"Expensive","language":"fi"}]}`,
			nil, []string{"Expensive"}, false, func(t *testing.T, c ptv.Channel) {
				if len(c.Phones) != 1 || c.Phones[0].Charge != ptv.ChargeUnknown || c.Phones[0].Number != "+358400000107" {
					t.Errorf("phones %+v: want the number kept, trunk 0 dropped, charge unknown", c.Phones)
				}
			}},
		{"address in an unknown municipality", `{` + base + `"serviceChannelType":"ServiceLocation","addresses":[{"type":"Location","subType":"Single",
			"streetAddress":{"street":[{"language":"fi","value":"Tie"}],"streetNumber":"1","postalCode":"99999","postOffice":[],"municipality":{"code":"999","name":[]},"latitude":"6700000","longitude":"400000","coordinateState":"EnteredByUser"}}]}`,
			func(c string) bool { return c != "999" }, []string{"municipality 999"}, false, func(t *testing.T, c ptv.Channel) {
				if len(c.Addresses) != 1 || !c.Addresses[0].HasPoint {
					t.Errorf("addresses %+v: want the address kept with its point", c.Addresses)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := withChannel(t, tt.channel)
			c, _ := newClient(t, srv)
			ls, _, ws, sum, err := fetchAll(t, c, ptv.Query{Municipalities: []string{"091"}, KnownMunicipality: tt.known})
			if err != nil {
				t.Fatal(err)
			}
			l := find(t, ls, "5e7c0000-0000-4000-8000-0000000000fe")
			cn := conn(t, l, ch)
			if (cn.Channel == nil) != tt.wantNil {
				t.Fatalf("channel %+v, want left out: %v", cn.Channel, tt.wantNil)
			}
			ok := false
			for _, w := range ws {
				s := w.String()
				if w.ID == ch && strings.Contains(s, "ServiceChannel/list?guids=") && containsAll(s, tt.wantWarn) {
					ok = true
				}
			}
			if !ok {
				t.Errorf("no warning naming %s, the endpoint and %q in %v", ch, tt.wantWarn, ws)
			}
			// The vanished channel is a warning too, not an error.
			if !hasWarning(ws, l.ID, "c4a00000-0000-4000-8000-0000000000fd not found") {
				t.Errorf("no warning about the missing channel in %v", ws)
			}
			if sum.Warnings != len(ws) {
				t.Errorf("summary counts %d warnings, batches had %d", sum.Warnings, len(ws))
			}
			if tt.check != nil {
				tt.check(t, *cn.Channel)
			}
		})
	}
}

func containsAll(s string, subs []string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

func TestQueryValidation(t *testing.T) {
	srv := newServer(t, ptvtest.Now())
	c, _ := newClient(t, srv)
	for _, q := range []ptv.Query{
		{},
		{Municipalities: []string{"Oulu"}},
		{Organizations: []string{"not-a-guid"}},
	} {
		if _, err := c.Fetch(context.Background(), q, func(*ptv.Batch) error { return nil }); err == nil {
			t.Errorf("Fetch(%+v) accepted", q)
		}
	}
	if len(srv.Requests()) != 0 {
		t.Errorf("a rejected query made requests: %v", srv.Requests())
	}
}

func TestBatchCallbackErrorStops(t *testing.T) {
	srv := newServer(t, ptvtest.Synthetic(400))
	c, _ := newClient(t, srv)
	stop := errors.New("stop")
	n := 0
	_, err := c.Fetch(context.Background(), ptv.Query{Municipalities: allMunis}, func(b *ptv.Batch) error {
		n++
		if len(b.Listings) > 100 {
			t.Errorf("batch of %d listings", len(b.Listings))
		}
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("error %v after %d batches; want stop after 1", err, n)
	}
}

func TestProgress(t *testing.T) {
	srv := newServer(t, ptvtest.Synthetic(200))
	c, _ := newClient(t, srv)
	var last ptv.Progress
	calls := 0
	_, _, _, sum, err := fetchAll(t, c, ptv.Query{Municipalities: allMunis, Progress: func(p ptv.Progress) { last = p; calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 4 || last.Services != 200 || last.Channels != 400 || last.Pages != 4 || last.Requests == 0 {
		t.Errorf("%d progress calls, last %+v", calls, last)
	}
	if sum.Progress != last {
		t.Errorf("summary progress %+v, last reported %+v", sum.Progress, last)
	}
}

func newBenchClient(srv *ptvtest.Server) (*v11.Client, error) {
	return v11.New(srv.URL())
}

func TestMalformedChannel(t *testing.T) {
	const ch = "c4a00000-0000-4000-8000-0000000000fe"
	srv := withChannel(t, `{"id":"`+ch+`","serviceChannelType":"Phone","publishingStatus":"Published","phoneNumbers":"none"}`)
	c, _ := newClient(t, srv)
	ls, _, ws, sum, err := fetchAll(t, c, ptv.Query{Municipalities: []string{"091"}})
	if err != nil {
		t.Fatal(err)
	}
	l := find(t, ls, "5e7c0000-0000-4000-8000-0000000000fe")
	if cn := conn(t, l, ch); cn.Channel != nil {
		t.Errorf("unreadable channel mapped: %+v", cn.Channel)
	}
	if len(sum.Skipped) != 1 || sum.Skipped[0].ID != ch || sum.Skipped[0].Kind != "channel" ||
		!strings.Contains(sum.Skipped[0].Error(), "ServiceChannel/list?guids=") {
		t.Errorf("skipped %v, want channel %s named with its endpoint", sum.Skipped, ch)
	}
	if hasWarning(ws, l.ID, ch+" not found") {
		t.Error("an unreadable channel is reported as missing too")
	}
	if !sum.Full {
		t.Error("a skipped channel made the read not Full; only skipped services should")
	}
}

func TestPTVVanishes(t *testing.T) {
	srv := ptvtest.NewServer(ptvtest.Synthetic(400))
	c, sl := newClient(t, srv)
	c.MaxAttempts = 3
	batches := 0
	_, err := c.Fetch(context.Background(), ptv.Query{Municipalities: allMunis}, func(*ptv.Batch) error {
		batches++
		if batches == 1 {
			srv.Close()
		}
		return nil
	})
	if batches != 1 {
		t.Errorf("%d batches, want 1 before PTV went away", batches)
	}
	var fe *ptv.FetchError
	if !errors.As(err, &fe) || !errors.Is(err, ptv.ErrUnavailable) || fe.Attempts != 3 || !strings.Contains(err.Error(), "Service/list/area/Municipality/code/") {
		t.Errorf("error %v: want PTV unavailable after 3 attempts, naming the endpoint", err)
	}
	if len(sl.d) != 2 {
		t.Errorf("waited %v, want twice", sl.d)
	}
}
