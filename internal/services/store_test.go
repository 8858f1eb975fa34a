package services_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/seed"
)

// seeded returns a store holding the real seed data, with a fixed clock.
func seeded(t *testing.T, d *db.DB) *services.Store {
	t.Helper()
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	d.Now = func() time.Time { return now }
	st := services.NewStore(d)
	data, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Apply(db.WithActor(context.Background(), "test"), st, data, seed.Options{}); err != nil {
		t.Fatal(err)
	}
	return st
}

func ptr[T any](v T) *T { return &v }

// fullService sets every field, so a round trip proves each column.
func fullService(id string) *services.Service {
	verified := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	return &services.Service{
		ID:               id,
		OrganizationID:   "sexpo",
		Name:             l10n.T("Testipalvelu", "Testtjänst", "Test service"),
		Description:      l10n.T("Kuvaus", "Beskrivning", "Description"),
		TargetGroups:     []string{"worried-about-own-thoughts", "family-member"},
		ServiceTypes:     []string{"counselling"},
		DeliveryModes:    []string{"phone", "chat"},
		Languages:        []string{"fi", "sv"},
		Cost:             l10n.T("Maksuton", "Avgiftsfri", "Free"),
		ReferralRequired: ptr(false),
		Anonymous:        ptr(true),
		IdentityRecorded: ptr(false),
		Reporting:        []services.ReportingDuty{{Duty: "child-welfare-notification", Note: l10n.T("Huomio", "", "")}},
		Eligibility:      l10n.T("Aikuiset", "Vuxna", "Adults"),
		AgeMin:           ptr(18),
		HowToRefer:       l10n.T("Soita", "Ring", "Call"),
		SelfReferral:     l10n.T("Chat", "Chatt", "Chat"),
		URL:              "https://example.org/palvelu",
		Email:            "palvelu@example.org",
		Phones: []services.Phone{{Number: "+358 9 123 4567", Description: l10n.T("Vaihde", "", ""), Kind: services.PhoneVoice,
			Charge: services.ChargeNormal, ChargeNote: l10n.T("Puhelun hinta", "", ""), Language: "fi",
			Hours: &services.Schedule{AlwaysOpen: true}, Seen: &services.Seen{On: "example.org/palvelu", Date: "2026-11-30"}}},
		AlwaysOpen: true,
		Links:      []services.Link{{Kind: services.LinkChat, URL: "https://example.org/chat", Label: l10n.T("Chat", "", ""), Language: "fi"}},
		Locations: []services.Location{{ID: "paikka-1", Name: l10n.T("Toimipiste", "", ""), Street: l10n.T("Esimerkkikatu 1", "", ""),
			PostalCode: "33100", PostOffice: l10n.T("Tampere", "Tammerfors", ""), Municipality: "837", Latitude: ptr(61.4981), Longitude: ptr(23.7610),
			Hours: services.Schedule{Weekly: []services.OpeningHours{{Days: []string{"mon"}, Opens: "08:00", Closes: "16:00"}},
				Exceptions: []services.HoursException{{Date: "2026-12-24", Closed: true, Note: l10n.T("Jouluaatto", "", "")}}},
			Phones: []services.Phone{{Number: "040 000 0001"}}, Email: "toimipiste@example.org"}},
		Source: services.Source{Kind: services.SourceSeed, ID: "00000000-0000-4000-8000-000000000001", Modified: &verified, Fetched: &verified,
			URL: "https://www.suomi.fi/palvelut/00000000-0000-4000-8000-000000000001", Status: "Published"},
		SourceValues:    services.SourceValues{"name": `{"fi":"Testipalvelu"}`},
		SourceChanges:   []services.SourceChange{{Field: "url", Value: `"https://example.org/uusi"`, At: verified}},
		Hours:           []services.OpeningHours{{Days: []string{"mon", "tue"}, Opens: "09:00", Closes: "15:00"}},
		HoursExceptions: []services.HoursException{{Date: "2026-12-24", Closed: true}},
		HoursNote:       l10n.T("Ei pyhinä", "", ""),
		Area:            services.Area{Counties: []string{"pirkanmaan-hyvinvointialue"}, Municipalities: []string{"Espoo"}},
		Status:          services.StatusActive,
		Alert:           l10n.T("Tauolla jouluna", "", ""),
		VerifiedAt:      &verified,
	}
}

var ignoreMeta = cmpopts.IgnoreFields(services.Service{}, "Meta", "SortName", "National")

func TestServiceRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := seeded(t, d)
		in := fullService("test-round-trip")
		if err := st.Services.Create(ctx, users.System("test"), in); err != nil {
			t.Fatal(err)
		}
		if in.Version != 1 {
			t.Errorf("version after create = %d, want 1", in.Version)
		}
		if in.Area.Municipalities[0] != "049" {
			t.Errorf("municipality by name was not stored as its code: %v", in.Area.Municipalities)
		}
		wantReview := in.VerifiedAt.Add(services.ReviewInterval)
		if in.ReviewBy == nil || !in.ReviewBy.Equal(wantReview) {
			t.Errorf("review_by = %v, want six months after verification %v", in.ReviewBy, wantReview)
		}
		got, err := st.Service(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(*in, got, ignoreMeta); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}
		if _, err := st.Service(ctx, "no-such-service"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown id: err = %v, want not_found", err)
		}
		if err := st.Services.Create(ctx, users.System("test"), fullService("test-round-trip")); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("duplicate id: err = %v, want conflict", err)
		}
	})
}

func TestFindServices(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := seeded(t, d)
		mk := func(id string, area services.Area, target string) {
			s := fullService(id)
			s.Area, s.TargetGroups = area, []string{target}
			// Two can be used anonymously; one was never verified.
			s.Anonymous = ptr(id == "t-tampere" || id == "t-national")
			if id == "t-network" {
				s.VerifiedAt = nil
			}
			s.Languages = []string{"fi"}
			if id == "t-tampere" {
				s.Languages = []string{"fi", "sv"}
			}
			if err := st.Services.Create(ctx, users.System("test"), s); err != nil {
				t.Fatal(err)
			}
		}
		mk("t-tampere", services.Area{Municipalities: []string{"837"}}, "suspected")
		mk("t-pirkanmaa", services.Area{Counties: []string{"pirkanmaan-hyvinvointialue"}}, "suspected")
		mk("t-network", services.Area{Networks: []string{"pirkanmaa"}}, "suspected")
		mk("t-oulu", services.Area{Municipalities: []string{"564"}}, "suspected")
		mk("t-national", services.Area{National: true}, "suspected")

		ids := func(f services.ServiceFilter) []string {
			t.Helper()
			f.Limit = 100
			list, total, err := st.FindServices(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if total != len(list) {
				t.Errorf("total %d, page %d", total, len(list))
			}
			var out []string
			for _, s := range list {
				if s.ID[:2] == "t-" {
					out = append(out, s.ID)
				}
			}
			return out
		}
		tests := []struct {
			name string
			f    services.ServiceFilter
			want []string
		}{
			// Local before national, then verified before the one never
			// verified (t-network), then by name (all names are equal
			// here, so by id).
			{"municipality by code", services.ServiceFilter{Municipality: "837", TargetGroup: "suspected"}, []string{"t-pirkanmaa", "t-tampere", "t-network", "t-national"}},
			{"municipality by Swedish name", services.ServiceFilter{Municipality: "Tammerfors", TargetGroup: "suspected"}, []string{"t-pirkanmaa", "t-tampere", "t-network", "t-national"}},
			{"other municipality in county", services.ServiceFilter{Municipality: "Nokia", TargetGroup: "suspected"}, []string{"t-pirkanmaa", "t-network", "t-national"}},
			{"local only", services.ServiceFilter{Municipality: "Oulu", Local: true}, []string{"t-oulu"}},
			{"network", services.ServiceFilter{Network: "pirkanmaa", Local: true}, []string{"t-pirkanmaa", "t-tampere", "t-network"}},
			// In the client's language first (t-tampere serves in Swedish).
			{"client's language", services.ServiceFilter{Network: "pirkanmaa", Local: true, ClientLang: "sv"}, []string{"t-tampere", "t-pirkanmaa", "t-network"}},
			// By name only: the same names, so by id, national or not.
			{"by name", services.ServiceFilter{Municipality: "837", TargetGroup: "suspected", Sort: services.SortName}, []string{"t-national", "t-network", "t-pirkanmaa", "t-tampere"}},
			{"target group", services.ServiceFilter{TargetGroup: "suspected", Municipality: "Helsinki"}, []string{"t-national"}},
			{"anonymous", services.ServiceFilter{Municipality: "837", TargetGroup: "suspected", Anonymous: true}, []string{"t-tampere", "t-national"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if diff := cmp.Diff(tt.want, ids(tt.f)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
		for _, f := range []services.ServiceFilter{{Sort: "newest"}, {ClientLang: "de"}} {
			if _, _, err := st.FindServices(ctx, f); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("%+v: err %v, want invalid", f, err)
			}
		}

		// The verified share counts what the filter finds, paging aside:
		// the three test services and one unverified seed service.
		verified, total, err := st.VerifiedShare(ctx, services.ServiceFilter{Network: "pirkanmaa", Local: true, Limit: 1}, d.Now())
		if err != nil {
			t.Fatal(err)
		}
		if verified != 2 || total != 4 {
			t.Errorf("verified share of pirkanmaa = %d of %d, want 2 of 4", verified, total)
		}

		// Pages do not overlap, the total does not move, and a page past
		// the end still tells the total: without a filter (the order
		// index) and with one (the counted set).
		for _, base := range []services.ServiceFilter{{}, {Municipality: "837"}} {
			var seen []string
			for off := 0; ; off += 7 {
				f := base
				f.Limit, f.Offset = 7, off
				page, total, err := st.FindServices(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range page {
					if slices.Contains(seen, s.ID) {
						t.Fatalf("%+v: service %s on two pages", base, s.ID)
					}
					seen = append(seen, s.ID)
				}
				if len(page) < 7 {
					if len(seen) != total {
						t.Errorf("%+v: paged through %d services, total says %d", base, len(seen), total)
					}
					f.Offset = total + 5
					if past, n, err := st.FindServices(ctx, f); err != nil || len(past) != 0 || n != total {
						t.Errorf("%+v: past the end: %d services, total %d, err %v; want none of %d", base, len(past), n, err, total)
					}
					break
				}
			}
		}

		for _, f := range []services.ServiceFilter{
			{Municipality: "Atlantis"}, {Network: "nowhere"}, {TargetGroup: "nobody"}, {Limit: 101}, {Offset: -1},
		} {
			if _, _, err := st.FindServices(ctx, f); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("filter %+v: err = %v, want invalid", f, err)
			}
		}
	})
}

func TestUpdateServiceConflictAndLogs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := seeded(t, d)
		s := fullService("test-logs")
		// The actor is the one the use case is given.
		if err := st.Services.Create(ctx, users.System("editor-1"), s); err != nil {
			t.Fatal(err)
		}
		stale := *s
		s.Name.FI = "Uusi nimi"
		if err := st.Services.Save(ctx, users.System("test"), s, false); err != nil {
			t.Fatal(err)
		}
		if s.Version != 2 {
			t.Errorf("version after update = %d, want 2", s.Version)
		}
		stale.Name.FI = "Kilpaileva nimi"
		err := st.Services.Save(ctx, users.System("test"), &stale, false)
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale update: err = %v, want conflict", err)
		}
		got, _ := st.Service(ctx, s.ID)
		if got.Name.FI != "Uusi nimi" || got.Version != 2 {
			t.Errorf("stale update changed the row: %q v%d", got.Name.FI, got.Version)
		}
		missing := fullService("test-missing")
		missing.Version = 1
		if err := st.Services.Save(ctx, users.System("test"), missing, false); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("update of unknown id: err = %v, want not_found", err)
		}

		var changes []struct {
			Entity string `db:"entity"`
			Op     string `db:"op"`
		}
		if err := d.SelectContext(ctx, &changes, d.Rebind(`SELECT entity, op FROM change_log WHERE entity_id = ? ORDER BY seq`), s.ID); err != nil {
			t.Fatal(err)
		}
		wantChanges := []struct {
			Entity string `db:"entity"`
			Op     string `db:"op"`
		}{{"service", "upsert"}, {"service", "upsert"}}
		if diff := cmp.Diff(wantChanges, changes); diff != "" {
			t.Errorf("change log (-want +got):\n%s", diff)
		}

		var audit []struct {
			Actor  string  `db:"actor"`
			Action string  `db:"action"`
			Before *string `db:"before_json"`
			After  *string `db:"after_json"`
		}
		if err := d.SelectContext(ctx, &audit, d.Rebind(`SELECT actor, action, before_json, after_json FROM audit_log WHERE entity_id = ? ORDER BY id`), s.ID); err != nil {
			t.Fatal(err)
		}
		if len(audit) != 2 {
			t.Fatalf("audit rows = %d, want 2 (the stale update writes none)", len(audit))
		}
		if audit[0].Actor != "editor-1" || audit[0].Action != "create" || audit[0].Before != nil {
			t.Errorf("create audit = %+v", audit[0])
		}
		var before, after services.Service
		if err := json.Unmarshal([]byte(*audit[1].Before), &before); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(*audit[1].After), &after); err != nil {
			t.Fatal(err)
		}
		if before.Name.FI != "Testipalvelu" || after.Name.FI != "Uusi nimi" || after.Version != 2 {
			t.Errorf("update audit before %q after %q v%d", before.Name.FI, after.Name.FI, after.Version)
		}
		if _, err := d.ExecContext(ctx, `UPDATE audit_log SET actor = 'someone else'`); err == nil {
			t.Error("audit log accepted an UPDATE; it must be append-only")
		}
		if _, err := d.ExecContext(ctx, `DELETE FROM audit_log`); err == nil {
			t.Error("audit log accepted a DELETE; it must be append-only")
		}
	})
}

// Two editors save the same version at once: exactly one wins, the other
// gets a conflict, and nothing is lost silently.
func TestConcurrentUpdates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := seeded(t, d)
		s := fullService("test-race")
		if err := st.Services.Create(ctx, users.System("test"), s); err != nil {
			t.Fatal(err)
		}
		const editors = 4
		var wg sync.WaitGroup
		errs := make([]error, editors)
		for i := range editors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := *s
				mine.Description.FI = "editor " + string(rune('A'+i))
				errs[i] = st.Services.Save(ctx, users.System("test"), &mine, false)
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case !apperr.Is(err, apperr.Conflict):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d updates of the same version succeeded, want exactly 1", wins)
		}
		got, _ := st.Service(ctx, s.ID)
		if got.Version != 2 {
			t.Errorf("version = %d, want 2", got.Version)
		}
	})
}

func TestServiceValidation(t *testing.T) {
	d := dbtest.SQLite(t)
	st := seeded(t, d)
	ctx := context.Background()
	tests := []struct {
		name   string
		change func(s *services.Service)
		fields []string
	}{
		{"missing name", func(s *services.Service) { s.Name = l10n.Text{} }, []string{"name.fi"}},
		{"bad id", func(s *services.Service) { s.ID = "Bad Id!" }, []string{"id"}},
		{"no target group", func(s *services.Service) { s.TargetGroups = nil }, []string{"target_groups"}},
		{"unknown term", func(s *services.Service) { s.ServiceTypes = []string{"astrology"} }, []string{"service_types[0]"}},
		{"bad email", func(s *services.Service) { s.Email = "not an email" }, []string{"email"}},
		{"bad url", func(s *services.Service) { s.URL = "javascript:alert(1)" }, []string{"url"}},
		{"bad phone", func(s *services.Service) { s.Phones = []services.Phone{{Number: "call me"}} }, []string{"phones[0].number"}},
		{"ages reversed", func(s *services.Service) { s.AgeMin, s.AgeMax = ptr(30), ptr(20) }, []string{"age_max"}},
		{"bad hours", func(s *services.Service) {
			s.Hours = []services.OpeningHours{{Days: []string{"someday"}, Opens: "16:00", Closes: "09:00"}}
		}, []string{"hours[0].days", "hours[0].closes"}},
		{"area both", func(s *services.Service) { s.Area.National = true }, []string{"area"}},
		{"area empty", func(s *services.Service) { s.Area = services.Area{} }, []string{"area"}},
		{"unknown refs", func(s *services.Service) {
			s.OrganizationID = "acme"
			s.Area = services.Area{Counties: []string{"atlantis"}, Networks: []string{"nowhere"}, Municipalities: []string{"Xyz"}}
		}, []string{"organization", "area.counties[0]", "area.networks[0]", "area.municipalities[0]"}},
		{"too long", func(s *services.Service) { s.Alert.FI = string(make([]rune, 301)) }, []string{"alert.fi"}},
		{"invalid utf-8", func(s *services.Service) { s.Description.SV = "\xff\xfe" }, []string{"description.sv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fullService("test-invalid")
			tt.change(s)
			err := st.Services.Create(ctx, users.System("test"), s)
			e := apperr.As(err)
			if e == nil || e.Code != apperr.Invalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
			}
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			if _, err := st.Service(ctx, s.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("invalid service was stored (err %v)", err)
			}
		})
	}
}

func TestContacts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := seeded(t, d)
		c := &services.Contact{ID: "test-person", Name: "Testi Henkilö", Email: "testi@example.org",
			Phone: "+358 40 000 0000", NetworkSlug: "oulu", Role: "deputy",
			Visibility: services.Visibility{"phone": services.Members, "email": services.Admins}}
		if err := st.Contacts.Create(ctx, users.System("test"), c); err != nil {
			t.Fatal(err)
		}
		got, err := st.Contact(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			level        users.Level
			email, phone string
		}{
			{users.LevelPublic, "", ""},
			{users.LevelMember, "", "+358 40 000 0000"},
			{users.LevelAdmin, "testi@example.org", "+358 40 000 0000"},
		} {
			v := got.ForViewer(tt.level)
			if v.Email != tt.email || v.Phone != tt.phone {
				t.Errorf("level %d sees email %q phone %q, want %q %q", tt.level, v.Email, v.Phone, tt.email, tt.phone)
			}
		}
		list, total, err := st.FindContacts(ctx, services.ContactFilter{Municipality: "Oulu"})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || list[0].ID != "ulla-konttila" || list[1].ID != "test-person" {
			t.Errorf("Oulu contacts = %d, first %v; want the regional contact first, then the deputy", total, list)
		}
		stale := got
		got.Title = l10n.T("Varahenkilö", "", "")
		if err := st.Contacts.Save(ctx, users.System("test"), &got, false); err != nil {
			t.Fatal(err)
		}
		if err := st.Contacts.Save(ctx, users.System("test"), &stale, false); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("stale contact update: err = %v, want conflict", err)
		}
		bad := &services.Contact{ID: "bad", Name: "", Email: "x", Role: "boss", NetworkSlug: "nowhere",
			Visibility: services.Visibility{"name": "secret"}}
		e := apperr.As(st.Contacts.Create(ctx, users.System("test"), bad))
		if e == nil || len(e.Fields) != 5 {
			t.Errorf("invalid contact: %v, want 5 field errors (name, email, role, visibility, network)", e)
		}
	})
}

func TestNetworks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := seeded(t, d)
		n, err := st.Network(ctx, "paakaupunkiseutu")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"049", "091", "092", "235"}, n.Municipalities); diff != "" {
			t.Errorf("capital region covers (-want +got):\n%s", diff)
		}
		nets, err := st.NetworksFor(ctx, "837")
		if err != nil || len(nets) != 1 || nets[0].Slug != "pirkanmaa" {
			t.Errorf("networks for Tampere = %v, %v", nets, err)
		}
		n.Counties = append(n.Counties, "atlantis")
		if err := st.UpdateNetwork(ctx, &n); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown county: err = %v, want invalid", err)
		}
		if _, err := st.Network(ctx, "nowhere"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown network: err = %v", err)
		}
	})
}

func TestMunicipalityLookup(t *testing.T) {
	st := seeded(t, dbtest.SQLite(t))
	ctx := context.Background()
	for ref, want := range map[string]string{"091": "091", "Helsinki": "091", "helsingfors": "091", "ESBO": "049", " Tampere ": "837", "Mariehamn": "478"} {
		m, err := st.Municipality(ctx, ref)
		if err != nil || m.Code != want {
			t.Errorf("Municipality(%q) = %s, %v; want %s", ref, m.Code, err, want)
		}
	}
	var e *apperr.Error
	if _, err := st.Municipality(ctx, "Gotham"); !errors.As(err, &e) || e.Code != apperr.Invalid {
		t.Errorf("unknown municipality: %v", err)
	}
}
