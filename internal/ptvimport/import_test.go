package ptvimport_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/ptv"
	"github.com/serie-verkosto/directory/internal/ptv/ptvtest"
	"github.com/serie-verkosto/directory/internal/ptv/v11"
	"github.com/serie-verkosto/directory/internal/ptvimport"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/seed"
)

// env is a seeded directory and a PTV test server, on one clock.
type env struct {
	d   *db.DB
	st  *services.Store
	srv *ptvtest.Server
	im  *ptvimport.Importer
	now time.Time
}

func newEnv(t *testing.T, d *db.DB, ds *ptvtest.Dataset) *env { return newEnvTB(t, d, ds) }

func newEnvTB(t testing.TB, d *db.DB, ds *ptvtest.Dataset) *env {
	t.Helper()
	e := &env{d: d, now: ptvtest.NowTime.Add(time.Hour)}
	d.Now = func() time.Time { return e.now }
	e.st = services.NewStore(d)
	data, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := seed.Apply(db.WithActor(ctx, "test"), e.st, data, seed.Options{}); err != nil {
		t.Fatal(err)
	}
	e.srv = ptvtest.NewServer(ds)
	t.Cleanup(e.srv.Close)
	c, err := v11.New(e.srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	c.Now = func() time.Time { return e.now }
	c.Sleep = func(context.Context, time.Duration) error { return nil }
	c.MaxAttempts = 3
	c.RequestTimeout = 5 * time.Second
	e.im, err = ptvimport.New(ctx, e.st, d, c, seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	e.im.Now = func() time.Time { return e.now }
	return e
}

// scope is the fixtures' four municipalities and the nationwide services.
var scope = ptvimport.Options{Municipalities: []string{"Oulu", "853", "Tampere", "Helsingfors"}, Nationwide: true}

func (e *env) run(t *testing.T, opts ptvimport.Options) *ptvimport.Report {
	t.Helper()
	rep, err := e.im.Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, rep)
	}
	return rep
}

func (e *env) service(t *testing.T, ptvID string) services.Service {
	t.Helper()
	svc, err := e.st.Service(context.Background(), ptvimport.ServiceID(ptvID))
	if err != nil {
		t.Fatalf("service %s: %v", ptvID, err)
	}
	return svc
}

func (e *env) changes(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.d.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM change_log`); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportAndSync(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, ptvtest.Now())
		ctx := context.Background()

		rep := e.run(t, scope)
		if !rep.Full || rep.Created != 6 || rep.Updated+rep.Ended+len(rep.Rejected) != 0 {
			t.Fatalf("first run: %s", rep)
		}

		// The police officer's journey ends with a phone number, hours
		// and an address of a local service.
		neuvonta := e.service(t, ptvtest.ServiceNeuvonta)
		if neuvonta.Name.FI != "Seksuaalisuuteen liittyvä neuvonta" || !strings.Contains(neuvonta.Description.FI, "<b>HTML") {
			t.Errorf("texts: %+v / %q", neuvonta.Name, neuvonta.Description.FI)
		}
		if got := neuvonta.Area.Municipalities; len(got) != 2 || got[0] != "139" || got[1] != "564" {
			t.Errorf("area: %v", got)
		}
		if len(neuvonta.Phones) != 1 || neuvonta.Phones[0].Number != "+358400000199" || neuvonta.Phones[0].Charge != services.ChargeFree {
			t.Errorf("phones (the connection's own number wins): %+v", neuvonta.Phones)
		}
		if h := neuvonta.Phones[0].Hours; h == nil || len(h.Weekly) != 2 || len(h.Exceptions) != 2 || !strings.Contains(h.Note.FI, "1.6.2027") {
			t.Errorf("phone hours (split hours, exceptions, the summer table as a note): %+v", h)
		}
		if len(neuvonta.Locations) != 1 {
			t.Fatalf("locations: %+v", neuvonta.Locations)
		}
		loc := neuvonta.Locations[0]
		if loc.Street.FI != "Esimerkkikatu 1" || loc.PostalCode != "90100" || loc.PostOffice.FI != "Oulu" || loc.Municipality != "564" {
			t.Errorf("address: %+v", loc)
		}
		if loc.Latitude == nil || *loc.Latitude < 65.0 || *loc.Latitude > 65.03 || *loc.Longitude < 25.45 || *loc.Longitude > 25.48 {
			t.Errorf("coordinates: %v %v", loc.Latitude, loc.Longitude)
		}
		if w := loc.Hours.Weekly; len(w) != 1 || w[0].Opens != "12:00" || w[0].Closes != "18:00" || w[0].Days[0] != "tue" {
			t.Errorf("location hours (the connection's own): %+v", w)
		}
		if neuvonta.URL != "https://www.example.fi/neuvonta" {
			t.Errorf("url: %q", neuvonta.URL)
		}
		src := neuvonta.Source
		if src.Kind != services.SourcePTV || src.ID != ptvtest.ServiceNeuvonta || src.Modified == nil || !src.Modified.Equal(ptvtest.NowTime) ||
			src.Fetched == nil || !strings.Contains(src.URL, ptvtest.ServiceNeuvonta) || src.Status != "published" {
			t.Errorf("source: %+v", src)
		}
		if neuvonta.OrganizationID != db.Ref(ptvimport.OrganizationID(ptvtest.OrgEsimerkkila)) {
			t.Errorf("organization: %q", neuvonta.OrganizationID)
		}
		if o, err := e.st.Organization(ctx, string(neuvonta.OrganizationID)); err != nil || o.Kind != "wellbeing-county" {
			t.Errorf("organization: %+v %v", o, err)
		}
		kriisi := e.service(t, ptvtest.ServiceKriisi)
		if !kriisi.Area.National || len(kriisi.Phones) != 1 || kriisi.Phones[0].Hours == nil || !kriisi.Phones[0].Hours.AlwaysOpen {
			t.Errorf("crisis line: %+v %+v", kriisi.Area, kriisi.Phones)
		}
		perhe := e.service(t, ptvtest.ServicePerhe)
		for _, l := range perhe.Links {
			if !strings.HasPrefix(l.URL, "https://") {
				t.Errorf("unsafe link kept: %+v", l)
			}
		}
		if len(perhe.Locations) != 1 || perhe.Locations[0].Latitude != nil {
			t.Errorf("untrusted coordinates kept: %+v", perhe.Locations)
		}
		hist, err := d.History(ctx, services.EntityService, neuvonta.ID)
		if err != nil || len(hist) != 1 || hist[0].Actor != ptvimport.Actor {
			t.Errorf("audit: %+v %v", hist, err)
		}

		// A second run with nothing changed writes nothing.
		before := e.changes(t)
		e.now = e.now.Add(time.Hour)
		rep = e.run(t, scope)
		if rep.Full || rep.Created+rep.Updated+rep.Ended != 0 {
			t.Errorf("no-change run: %s", rep)
		}
		if after := e.changes(t); after != before {
			t.Errorf("a no-change run wrote %d change-log rows", after-before)
		}

		// An editor of the Oulu network (whose area holds the service)
		// curates the listing and overrides its name; another network's
		// editor may not.
		turku := &users.User{ID: "u-turku", Role: users.RoleEditor, Active: true, Networks: []string{"turku"}}
		if x := e.service(t, ptvtest.ServiceNeuvonta); e.st.Services.Save(ctx, turku, &x, false) == nil {
			t.Error("an editor of another network edited the imported listing")
		}
		ouluEditor := &users.User{ID: "u-oulu", Role: users.RoleEditor, Active: true, Networks: []string{"oulu"}}
		neuvonta = e.service(t, ptvtest.ServiceNeuvonta)
		neuvonta.Name = l10n.Text{FI: "Seksuaalineuvonta (toimituksen nimi)"}
		neuvonta.HowToRefer = l10n.Text{FI: "Soita ja kerro, että olet ammattilainen."}
		neuvonta.TargetGroups = []string{"worried-about-own-thoughts"}
		if err := e.st.Services.Save(ctx, ouluEditor, &neuvonta, false); err != nil {
			t.Fatal(err)
		}

		// One week later.
		e.srv.SetDataset(ptvtest.WeekLater())
		e.now = ptvtest.WeekLaterTime.Add(30 * time.Minute)
		rep = e.run(t, scope)
		if rep.Full || rep.Created != 1 || rep.Ended != 2 || rep.Updated < 2 || rep.Waiting != 1 {
			t.Errorf("week later: %s", rep)
		}
		t.Logf("week later:\n%s", rep)
		neuvonta = e.service(t, ptvtest.ServiceNeuvonta)
		if neuvonta.Name.FI != "Seksuaalineuvonta (toimituksen nimi)" || neuvonta.HowToRefer.FI == "" || len(neuvonta.TargetGroups) != 1 {
			t.Errorf("the editor's text did not survive: %+v %+v %v", neuvonta.Name, neuvonta.HowToRefer, neuvonta.TargetGroups)
		}
		if len(neuvonta.SourceChanges) != 1 || neuvonta.SourceChanges[0].Field != "name" ||
			!strings.Contains(neuvonta.SourceChanges[0].Value, "seksuaaliterveyteen") {
			t.Errorf("the catalogue's new name does not wait for the editor: %+v", neuvonta.SourceChanges)
		}
		for _, id := range []string{ptvtest.ServiceVertais, ptvtest.ServiceChat} {
			x := e.service(t, id)
			if x.Status != services.StatusArchived || x.Source.Status == "published" {
				t.Errorf("%s: not ended: %s %+v", id, x.Status, x.Source)
			}
		}
		if x := e.service(t, ptvtest.ServiceTerapia); x.Status != services.StatusActive || len(x.Phones) != 1 {
			t.Errorf("new service: %+v", x)
		}
		if x := e.service(t, ptvtest.ServiceNuoret); len(x.Phones) != 1 || x.Phones[0].Number != "+358400000104" {
			t.Errorf("a removed connection stays: %+v", x.Phones)
		}

		// The editor takes the catalogue's name.
		neuvonta, err = e.st.ResolveSourceChange(ctx, ouluEditor, neuvonta.ID, neuvonta.Version, "name", true)
		if err != nil || !strings.Contains(neuvonta.Name.FI, "seksuaaliterveyteen") || len(neuvonta.SourceChanges) != 0 {
			t.Errorf("accept: %+v %v", neuvonta.Name, err)
		}
		if neuvonta.HowToRefer.FI == "" {
			t.Error("accepting the name lost the curated text")
		}
	})
}

func TestImportFaultResumes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, ptvtest.Now())
		// PTV answers 500 to every attempt at the channels: the run fails,
		// naming the endpoint, and saves no checkpoint.
		e.srv.Inject("ServiceChannel/list", 3, ptvtest.Fault{Status: 500})
		_, err := e.im.Run(context.Background(), scope)
		var fe *ptv.FetchError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), "ServiceChannel/list") {
			t.Fatalf("want a fetch error naming the endpoint, got %v", err)
		}
		// No service was stored without its channels.
		held, err := e.st.SourcedBy(context.Background(), services.SourcePTV)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range held {
			svc := e.service(t, h.Source.ID)
			if len(svc.Phones)+len(svc.Links)+len(svc.Locations) == 0 {
				t.Errorf("%s stored without its channels", h.ID)
			}
		}
		// The next run reads everything again and completes.
		rep := e.run(t, scope)
		if !rep.Full || rep.Created+rep.Unchanged != 6 {
			t.Errorf("resumed run: %s", rep)
		}
	})
}

func TestImportScopeErrors(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t), ptvtest.Now())
	for _, opts := range []ptvimport.Options{
		{},
		{Municipalities: []string{"Atlantis"}},
	} {
		if _, err := e.im.Run(context.Background(), opts); err == nil {
			t.Errorf("%+v: no error", opts)
		}
	}
}

func TestFullReadEndsUnseen(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t), ptvtest.Now())
	e.run(t, scope)
	// A week later, read whole: the services PTV no longer lists in the
	// scope end, the others stay.
	e.srv.SetDataset(ptvtest.WeekLater())
	e.now = ptvtest.WeekLaterTime.Add(time.Hour)
	rep := e.run(t, ptvimport.Options{Municipalities: scope.Municipalities, Nationwide: true, Full: true})
	if !rep.Full || rep.Ended != 2 || rep.Created != 1 {
		t.Errorf("full read: %s", rep)
	}
	if x := e.service(t, ptvtest.ServicePerhe); x.Status != services.StatusActive {
		t.Errorf("a listed service ended: %s", x.Status)
	}
}

// TestImportMalformedPage: PTV answers a page that is not JSON: the run
// stops with a message naming the endpoint, moves no checkpoint, and the
// next run completes.
func TestImportMalformedPage(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t), ptvtest.Now())
	e.srv.Inject("ServiceChannel/list", 1, ptvtest.Fault{Body: `{"itemList": [`})
	_, err := e.im.Run(context.Background(), scope)
	var de *ptv.DataError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "ServiceChannel/list") {
		t.Fatalf("want a data error naming the endpoint, got %v", err)
	}
	if rep := e.run(t, scope); !rep.Full || rep.Created+rep.Unchanged != 6 {
		t.Errorf("next run: %s", rep)
	}
}
