package pathways_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// The test services match target group in-investigation with service type
// peer-support, which no seed service does, so only they resolve.
const (
	testGroup = "in-investigation"
	testType  = "peer-support"
)

func addService(t *testing.T, st *services.Store, id, name string, area services.Area, change ...func(*services.Service)) {
	t.Helper()
	s := &services.Service{ID: id, Name: l10n.T(name, name, name), TargetGroups: []string{testGroup},
		ServiceTypes: []string{testType}, Area: area}
	for _, c := range change {
		c(s)
	}
	if err := st.Services.Create(context.Background(), users.System("test"), s); err != nil {
		t.Fatal(err)
	}
}

// addTestServices adds services at every tier around Tampere (837), in
// Pirkanmaa, and elsewhere.
func addTestServices(t *testing.T, st *services.Store) {
	t.Helper()
	anon := func(s *services.Service) { v := true; s.Anonymous = &v }
	addService(t, st, "t-tampere-b", "B Tampereen palvelu", services.Area{Municipalities: []string{"837"}})
	addService(t, st, "t-tampere-a", "A Tampereen palvelu", services.Area{Municipalities: []string{"837"}}, anon)
	addService(t, st, "t-tampere-a2", "A Tampereen palvelu", services.Area{Municipalities: []string{"837"}}) // same name: by id
	addService(t, st, "t-pirkanmaa", "Pirkanmaan palvelu", services.Area{Counties: []string{"pirkanmaan-hyvinvointialue"}})
	addService(t, st, "t-network", "Verkoston palvelu", services.Area{Networks: []string{"pirkanmaa"}})
	addService(t, st, "t-nokia", "Nokian palvelu", services.Area{Municipalities: []string{"536"}})
	addService(t, st, "t-national", "Valtakunnallinen palvelu", services.Area{National: true}, anon)
	addService(t, st, "t-oulu", "Oulun palvelu", services.Area{Municipalities: []string{"564"}})
	addService(t, st, "t-archived", "Arkistoitu palvelu", services.Area{Municipalities: []string{"837"}},
		func(s *services.Service) { s.Status = services.StatusArchived })
	addService(t, st, "t-inactive", "Tauolla oleva palvelu", services.Area{Municipalities: []string{"837"}},
		func(s *services.Service) { s.Status = services.StatusInactive })
}

// testPathway: a by criteria, b by name (one national, one far away), c by
// criteria needing anonymity, d without targets.
func testPathway() pathways.Pathway {
	a, b, c, d := step("a"), step("b"), step("c"), step("d")
	a.Targets = []pathways.Target{{TargetGroup: testGroup, ServiceType: testType}}
	a.Next = "b"
	b.Targets = []pathways.Target{{Services: []string{"t-oulu", "serie-tukipalvelu", "t-archived"}}}
	b.Next = "c"
	c.Targets = []pathways.Target{{TargetGroup: testGroup, ServiceType: testType, Anonymous: true}}
	c.Next = "d"
	return pathways.Pathway{Slug: "test-resolve", Title: l10n.T("Testi", "", ""), TargetGroup: testGroup,
		Status: pathways.StatusPublished, Steps: []pathways.Step{a, b, c, d}}
}

type got struct {
	ID     string
	Tier   pathways.Tier
	Reason string
}

func summarize(rs pathways.ResolvedStep) []got {
	var out []got
	for _, m := range rs.Services {
		out = append(out, got{m.Service.ID, m.Tier, m.Reason})
	}
	return out
}

func TestResolveOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st, ps := seeded(t, d)
		addTestServices(t, st)
		p := testPathway()

		tests := []struct {
			name  string
			where pathways.Where
			steps [][]got
			local []int
		}{
			{"municipality", pathways.Where{Municipality: "837"}, [][]got{
				{
					{"t-tampere-a", pathways.TierMunicipality, "covers Tampere"},
					{"t-tampere-a2", pathways.TierMunicipality, "covers Tampere"},
					{"t-tampere-b", pathways.TierMunicipality, "covers Tampere"},
					{"t-pirkanmaa", pathways.TierCounty, "covers Pirkanmaan hyvinvointialue"},
					{"t-network", pathways.TierNetworkArea, "covers the Pirkanmaa network's area"},
					{"t-nokia", pathways.TierNetwork, "elsewhere in the Pirkanmaa network's area"},
					{"t-national", pathways.TierNational, "national service"},
				},
				{
					{"serie-tukipalvelu", pathways.TierNational, "explicitly named; national service"},
					{"t-oulu", pathways.TierElsewhere, "explicitly named; does not cover Tampere"},
				},
				{
					{"t-tampere-a", pathways.TierMunicipality, "covers Tampere"},
					{"t-national", pathways.TierNational, "national service"},
				},
				nil,
			}, []int{6, 0, 1, 0}},
			{"network", pathways.Where{Network: "pirkanmaa"}, [][]got{
				{
					{"t-pirkanmaa", pathways.TierCounty, "covers Pirkanmaan hyvinvointialue"},
					{"t-network", pathways.TierNetworkArea, "covers the Pirkanmaa network's area"},
					{"t-tampere-a", pathways.TierNetwork, "covers Tampere, in the network's area"},
					{"t-tampere-a2", pathways.TierNetwork, "covers Tampere, in the network's area"},
					{"t-tampere-b", pathways.TierNetwork, "covers Tampere, in the network's area"},
					{"t-nokia", pathways.TierNetwork, "covers Nokia, in the network's area"},
					{"t-national", pathways.TierNational, "national service"},
				},
				{
					{"serie-tukipalvelu", pathways.TierNational, "explicitly named; national service"},
					{"t-oulu", pathways.TierElsewhere, "explicitly named; outside the network's area"},
				},
				{
					{"t-tampere-a", pathways.TierNetwork, "covers Tampere, in the network's area"},
					{"t-national", pathways.TierNational, "national service"},
				},
				nil,
			}, []int{6, 0, 1, 0}},
			{"municipality outside any network", pathways.Where{Municipality: "Rovaniemi"}, [][]got{
				{{"t-national", pathways.TierNational, "national service"}},
				{
					{"serie-tukipalvelu", pathways.TierNational, "explicitly named; national service"},
					{"t-oulu", pathways.TierElsewhere, "explicitly named; does not cover Rovaniemi"},
				},
				{{"t-national", pathways.TierNational, "national service"}},
				nil,
			}, []int{0, 0, 0, 0}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r, err := ps.Resolve(ctx, p, tt.where)
				if err != nil {
					t.Fatal(err)
				}
				if len(r.Steps) != len(p.Steps) {
					t.Fatalf("%d resolved steps, want %d", len(r.Steps), len(p.Steps))
				}
				for i, rs := range r.Steps {
					if diff := cmp.Diff(tt.steps[i], summarize(rs)); diff != "" {
						t.Errorf("step %s (-want +got):\n%s", rs.ID, diff)
					}
					if rs.Total != len(tt.steps[i]) || rs.Local != tt.local[i] {
						t.Errorf("step %s: total %d local %d; want %d and %d", rs.ID, rs.Total, rs.Local, len(tt.steps[i]), tt.local[i])
					}
				}
				m := r.Steps[1].Services[0]
				if !m.Explicit || m.Service.Name.FI != "SeriE-tukipalvelu" {
					t.Errorf("named service match = %+v", m)
				}
			})
		}

		// The place, and the regional contact person for consultation.
		r, err := ps.Resolve(ctx, p, pathways.Where{Municipality: "Tammerfors"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Place.Municipality == nil || r.Place.Municipality.Code != "837" || len(r.Place.Networks) != 1 || r.Place.Networks[0].Slug != "pirkanmaa" {
			t.Errorf("place = %+v", r.Place)
		}
		if len(r.Contacts) != 1 || r.Contacts[0].ID != "anne-saarinen" {
			t.Errorf("contacts for Tampere = %v, want the Pirkanmaa regional contact", r.Contacts)
		}
		// The capital region has no regional contact on the page: its other
		// contact persons are shown instead.
		r, err = ps.Resolve(ctx, p, pathways.Where{Municipality: "Helsinki"})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Contacts) != 1 || r.Contacts[0].ID != "riikka-juntunen" {
			t.Errorf("contacts for Helsinki = %v", r.Contacts)
		}
		if r.Consult == nil || r.Consult.Network.Slug != "paakaupunkiseutu" || r.Consult.Outside {
			t.Errorf("Helsinki consults %+v, want its own network", r.Consult)
		}
		// Rovaniemi is in no network's area: its county's consultation
		// network (Oulu, by the seed's choice) is named, with its contact
		// person, and said to be outside its own area.
		r, err = ps.Resolve(ctx, p, pathways.Where{Municipality: "Rovaniemi"})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Place.Networks) != 0 || r.Consult == nil || r.Consult.Network.Slug != "oulu" || !r.Consult.Outside || r.Consult.Note.FI == "" {
			t.Errorf("Rovaniemi: networks %v, consult %+v; want none, and Oulu from outside with the seed's note", r.Place.Networks, r.Consult)
		}
		if len(r.Contacts) != 1 || r.Contacts[0].ID != "ulla-konttila" {
			t.Errorf("Rovaniemi: contacts %v, want the Oulu regional contact", r.Contacts)
		}
	})
}

// The same data and place give the same answer, however the place is
// named and whatever was resolved in between.
func TestResolveIsDeterministic(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st, ps := seeded(t, d)
		addTestServices(t, st)
		list, err := ps.Pathways(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range append(list, testPathway()) {
			first, err := ps.Resolve(ctx, p, pathways.Where{Municipality: "837"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ps.Resolve(ctx, p, pathways.Where{Network: "oulu"}); err != nil {
				t.Fatal(err)
			}
			for _, ref := range []string{"837", "Tampere", "tammerfors"} {
				again, err := ps.Resolve(ctx, p, pathways.Where{Municipality: ref})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(first, again); diff != "" {
					t.Errorf("%s resolved for %q differs (-first +again):\n%s", p.Slug, ref, diff)
				}
			}
		}
		// A fresh store (a fresh catalogue) agrees too.
		p := testPathway()
		a, _ := ps.Resolve(ctx, p, pathways.Where{Municipality: "837"})
		b, err := pathways.NewStore(d, nil).Resolve(ctx, p, pathways.Where{Municipality: "837"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("fresh store differs (-old +fresh):\n%s", diff)
		}
	})
}

func TestResolveBadPlace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		_, ps := seeded(t, d)
		p := testPathway()
		tests := []struct {
			where pathways.Where
			want  []string // substrings of the message
		}{
			{pathways.Where{Municipality: "Atlantis"}, []string{`"Atlantis"`, "three-digit code", "Finnish or Swedish name"}},
			{pathways.Where{Network: "nowhere"}, []string{`"nowhere"`, "paakaupunkiseutu, joensuu, kajaani, oulu, pirkanmaa, turku"}},
			{pathways.Where{Municipality: "837", Network: "pirkanmaa"}, []string{"not both"}},
			{pathways.Where{}, []string{"municipality", "network"}},
		}
		for _, tt := range tests {
			_, err := ps.Resolve(ctx, p, tt.where)
			e := apperr.As(err)
			if e == nil || e.Code != apperr.Invalid {
				t.Errorf("%+v: err = %v, want invalid", tt.where, err)
				continue
			}
			for _, w := range tt.want {
				if !strings.Contains(e.Message, w) {
					t.Errorf("%+v: message %q does not contain %q", tt.where, e.Message, w)
				}
			}
		}
		if _, err := ps.Coverage(ctx, "nowhere"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("coverage of an unknown network: err = %v, want invalid", err)
		}
	})
}

// Writes after the catalogue was loaded show in the next resolution.
func TestResolveFollowsWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st, ps := seeded(t, d)
		p := testPathway()
		ids := func() []string {
			t.Helper()
			r, err := ps.Resolve(ctx, p, pathways.Where{Municipality: "837"})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range r.Steps[0].Services {
				out = append(out, m.Service.ID)
			}
			return out
		}
		if err := ps.Warm(ctx); err != nil {
			t.Fatal(err)
		}
		if got := ids(); len(got) != 0 {
			t.Fatalf("before: %v", got)
		}
		addService(t, st, "t-later", "Myöhemmin lisätty", services.Area{National: true})
		if diff := cmp.Diff([]string{"t-later"}, ids()); diff != "" {
			t.Errorf("after create (-want +got):\n%s", diff)
		}
		s, err := st.Service(ctx, "t-later")
		if err != nil {
			t.Fatal(err)
		}
		s.Area = services.Area{Municipalities: []string{"837"}}
		if err := st.Services.Save(ctx, users.System("test"), &s, false); err != nil {
			t.Fatal(err)
		}
		addService(t, st, "t-second", "Toinen", services.Area{National: true})
		if diff := cmp.Diff([]string{"t-later", "t-second"}, ids()); diff != "" {
			t.Errorf("after moving t-later to Tampere (-want +got):\n%s", diff)
		}
		s.Status = services.StatusArchived
		if err := st.Services.Save(ctx, users.System("test"), &s, false); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"t-second"}, ids()); diff != "" {
			t.Errorf("after archiving (-want +got):\n%s", diff)
		}
		// A network that grows to cover Tampere makes its services local.
		n, err := st.Network(ctx, "oulu")
		if err != nil {
			t.Fatal(err)
		}
		addService(t, st, "t-oulu-net", "Oulun verkoston palvelu", services.Area{Networks: []string{"oulu"}})
		if diff := cmp.Diff([]string{"t-second"}, ids()); diff != "" {
			t.Errorf("before the network grows (-want +got):\n%s", diff)
		}
		n.ExtraMunicipalities = append(n.ExtraMunicipalities, "837")
		if err := st.UpdateNetwork(ctx, &n); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"t-oulu-net", "t-second"}, ids()); diff != "" {
			t.Errorf("after the network grows (-want +got):\n%s", diff)
		}

		// Edits that do not change what matches still show: the services
		// and contact persons listed are not served stale.
		second, err := st.Service(ctx, "t-second")
		if err != nil {
			t.Fatal(err)
		}
		second.Description = l10n.T("Uusi kuvaus", "", "")
		if err := st.Services.Save(ctx, users.System("test"), &second, false); err != nil {
			t.Fatal(err)
		}
		anne, err := st.Contact(ctx, "anne-saarinen")
		if err != nil {
			t.Fatal(err)
		}
		anne.Title = l10n.T("Aluekoordinaattori", "", "")
		if err := st.Contacts.Save(ctx, users.System("test"), &anne, false); err != nil {
			t.Fatal(err)
		}
		r, err := ps.Resolve(ctx, p, pathways.Where{Municipality: "837"})
		if err != nil {
			t.Fatal(err)
		}
		if m := r.Steps[0].Services[1]; m.Service.ID != "t-second" || m.Service.Description.FI != "Uusi kuvaus" {
			t.Errorf("after editing the description: %s %q", m.Service.ID, m.Service.Description.FI)
		}
		titles := map[string]string{}
		for _, c := range r.Contacts {
			titles[c.ID] = c.Title.FI
		}
		if titles["anne-saarinen"] != "Aluekoordinaattori" || len(titles) != 2 {
			t.Errorf("contacts after the edit: %v; want Anne's new title and the Oulu contact", titles)
		}
	})
}

// A step lists at most TargetLimit services but counts them all.
func TestResolveLimit(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	st, ps := seeded(t, d)
	for i := range 14 {
		addService(t, st, fmt.Sprintf("t-many-%02d", i), fmt.Sprintf("Palvelu %02d", i), services.Area{Municipalities: []string{"564"}})
	}
	addService(t, st, "t-many-national", "Valtakunnallinen", services.Area{National: true})
	r, err := ps.Resolve(ctx, testPathway(), pathways.Where{Municipality: "Oulu"})
	if err != nil {
		t.Fatal(err)
	}
	rs := r.Steps[0]
	if len(rs.Services) != pathways.TargetLimit || rs.Total != 15 || rs.Local != 14 {
		t.Errorf("listed %d, total %d, local %d; want %d, 15, 14", len(rs.Services), rs.Total, rs.Local, pathways.TargetLimit)
	}
	if rs.Services[0].Service.ID != "t-many-00" || rs.Services[9].Service.ID != "t-many-09" {
		t.Errorf("first %s, last %s", rs.Services[0].Service.ID, rs.Services[9].Service.ID)
	}
}

func TestCoverage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st, ps := seeded(t, d)
		addTestServices(t, st)
		// Step a is served in Pirkanmaa; step c (anonymous) is served there
		// too; step e only by a national service; step f by nothing at all.
		p := testPathway()
		p.Steps[1].Targets[0].Services = []string{"serie-tukipalvelu"} // a stored pathway names no archived service
		p.Steps[3].Next = "e"
		e, f := step("e"), step("f")
		e.Targets = []pathways.Target{{TargetGroup: testGroup, ServiceType: testType, DeliveryMode: "chat"}}
		e.Next = "f"
		f.Targets = []pathways.Target{{TargetGroup: testGroup, ServiceType: "sex-therapy"}}
		p.Steps = append(p.Steps, e, f)
		addService(t, st, "t-chat", "Chat", services.Area{National: true}, func(s *services.Service) { s.DeliveryModes = []string{"chat"} })
		if err := ps.Create(ctx, &p); err != nil {
			t.Fatal(err)
		}
		draft := testPathway()
		draft.Slug, draft.Status = "test-draft", pathways.StatusDraft
		draft.Steps[1].Targets[0].Services = []string{"serie-tukipalvelu"}
		if err := ps.Create(ctx, &draft); err != nil {
			t.Fatal(err)
		}

		rep, err := ps.Coverage(ctx, "pirkanmaa")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Network.Slug != "pirkanmaa" || rep.Network.Name.FI != "Pirkanmaa" {
			t.Errorf("network = %+v", rep.Network)
		}
		var slugs []string
		var mine *pathways.PathwayCoverage
		for i, pc := range rep.Pathways {
			slugs = append(slugs, pc.Slug)
			if pc.Slug == p.Slug {
				mine = &rep.Pathways[i]
			}
		}
		if len(slugs) != 8 || mine == nil {
			t.Fatalf("pathways in the report: %v; want the seven seed ones and the test one, not the draft", slugs)
		}
		type gap struct {
			Index    int
			Step     string
			National int
		}
		var gaps []gap
		for _, g := range mine.Gaps {
			gaps = append(gaps, gap{g.Index, g.Step, g.National})
			if len(g.Targets) != 1 || !g.Targets[0].HasCriteria() {
				t.Errorf("gap %s targets = %+v", g.Step, g.Targets)
			}
		}
		if diff := cmp.Diff([]gap{{4, "e", 1}, {5, "f", 0}}, gaps); diff != "" {
			t.Errorf("gaps (-want +got):\n%s", diff)
		}
		if mine.Checked != 4 {
			t.Errorf("checked %d steps, want the 4 with criteria", mine.Checked)
		}
		total := 0
		for _, pc := range rep.Pathways {
			total += len(pc.Gaps)
		}
		if rep.Gaps != total {
			t.Errorf("report counts %d gaps, lists %d", rep.Gaps, total)
		}

		// On the seed data: adolescent psychiatry for a minor is local in the
		// capital region (HUS) but only national in Pirkanmaa.
		hasGap := func(network, pathway, step string) bool {
			t.Helper()
			rep, err := ps.Coverage(ctx, network)
			if err != nil {
				t.Fatal(err)
			}
			for _, pc := range rep.Pathways {
				for _, g := range pc.Gaps {
					if pc.Slug == pathway && g.Step == step {
						return true
					}
				}
			}
			return false
		}
		const minor, assess = "alaikaisen-haitallinen-seksuaalinen-kaytos", "arvio"
		if hasGap("paakaupunkiseutu", minor, assess) {
			t.Errorf("capital region: %s/%s is a gap, but HUS adolescent psychiatry covers it", minor, assess)
		}
		if !hasGap("pirkanmaa", minor, assess) {
			t.Errorf("Pirkanmaa: %s/%s is not a gap, but only national services meet it", minor, assess)
		}
	})
}

// Contact details are shown as the viewer may see them.
func TestResolveContactsForViewer(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	st, ps := seeded(t, d)
	c, err := st.Contact(ctx, "anne-saarinen")
	if err != nil {
		t.Fatal(err)
	}
	c.Visibility = services.Visibility{"email": services.Members}
	if err := st.Contacts.Save(ctx, users.System("test"), &c, false); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		level users.Level
		email string
	}{{users.LevelPublic, ""}, {users.LevelMember, "anne.saarinen@setlementtitampere.fi"}} {
		r, err := ps.Resolve(ctx, testPathway(), pathways.Where{Network: "pirkanmaa", Viewer: tt.level})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Contacts) != 1 || r.Contacts[0].Email != tt.email {
			t.Errorf("viewer %d sees %+v, want email %q", tt.level, r.Contacts, tt.email)
		}
	}
}

// With the client's age given, no step of any seed pathway offers a
// service whose age range excludes it, named in the step or matched by
// its criteria, in any network's municipalities or outside them (Vaasa).
func TestResolveRespectsAge(t *testing.T) {
	d := dbtest.SQLite(t)
	_, ps := seeded(t, d)
	ctx := context.Background()
	list, err := ps.Pathways(ctx, false)
	if err != nil || len(list) != 7 {
		t.Fatalf("%d pathways, want the seven of the seed: %v", len(list), err)
	}
	// A municipality of each of the six networks, Espoo too, and Vaasa,
	// where none works.
	places := []string{"091", "049", "167", "205", "564", "837", "853", "905"}
	fits := func(s services.Service, age int) bool {
		return (s.AgeMin == nil || *s.AgeMin <= age) && (s.AgeMax == nil || *s.AgeMax >= age)
	}
	excludedWithout := 0
	for _, p := range list {
		for _, place := range places {
			all, err := ps.Resolve(ctx, p, pathways.Where{Municipality: place})
			if err != nil {
				t.Fatal(err)
			}
			// Without an age, the pathway's own range is the client's.
			for i, st := range all.Steps {
				for _, m := range st.Services {
					s := m.Service
					if p.AgeMax != nil && s.AgeMin != nil && *s.AgeMin > *p.AgeMax || p.AgeMin != nil && s.AgeMax != nil && *s.AgeMax < *p.AgeMin {
						t.Errorf("%s (ages %v–%v) in %s, step %d: %s (ages %v–%v) offered", p.Slug, p.AgeMin, p.AgeMax, place, i+1, s.ID, s.AgeMin, s.AgeMax)
					}
				}
			}
			for _, age := range []int{10, 15, 17, 25, 60} {
				res, err := ps.Resolve(ctx, p, pathways.Where{Municipality: place, Age: &age})
				if err != nil {
					t.Fatal(err)
				}
				for i, st := range res.Steps {
					for _, m := range st.Services {
						if !fits(m.Service, age) {
							t.Errorf("%s in %s, age %d, step %d: %s (ages %v–%v) offered", p.Slug, place, age, i+1, m.Service.ID, m.Service.AgeMin, m.Service.AgeMax)
						}
					}
					for _, m := range all.Steps[i].Services {
						if !fits(m.Service, age) {
							excludedWithout++
						}
					}
				}
			}
		}
	}
	if excludedWithout == 0 {
		t.Error("without an age no step offers a service any of the ages would exclude: the test shows nothing")
	}
}
