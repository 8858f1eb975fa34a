package pathways_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

func ids(rs pathways.ResolvedStep) []string {
	var out []string
	for _, m := range rs.Services {
		out = append(out, m.Service.ID)
	}
	return out
}

// A step's named services come first where they cover the place, in the
// order named; the rest follow by tier, and within a tier those in the
// client's language, then verified ones, then by name.
func TestNamedFirstThenFit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st, ps := seeded(t, d)
		addTestServices(t, st)
		// t-tampere-a2 serves in Swedish; t-tampere-b is verified.
		svc, err := st.Service(ctx, "t-tampere-a2")
		if err != nil {
			t.Fatal(err)
		}
		svc.Languages = []string{"sv"}
		if err := st.Services.Save(ctx, users.System("test"), &svc, false); err != nil {
			t.Fatal(err)
		}
		b, err := st.Service(ctx, "t-tampere-b")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Services.Verify(ctx, users.System("test"), b.ID, b.Version); err != nil {
			t.Fatal(err)
		}

		s := step("a")
		s.Targets = []pathways.Target{
			{Services: []string{"t-oulu", "serie-tukipalvelu", "t-nokia"}},
			{TargetGroup: testGroup, ServiceType: testType},
		}
		p := pathways.Pathway{Slug: "t-named", Title: l10n.T("Testi", "", ""), TargetGroup: testGroup,
			Status: pathways.StatusPublished, Steps: []pathways.Step{s}}
		for _, tt := range []struct {
			lang string
			want []string
		}{
			// Named: SeriE (national) and Nokia (in the network's area) in the
			// order named; Oulu does not cover Tampere and comes last.
			{"", []string{"serie-tukipalvelu", "t-nokia", "t-tampere-b", "t-tampere-a", "t-tampere-a2", "t-pirkanmaa", "t-network", "t-national", "t-oulu"}},
			{"sv", []string{"serie-tukipalvelu", "t-nokia", "t-tampere-a2", "t-tampere-b", "t-tampere-a", "t-pirkanmaa", "t-network", "t-national", "t-oulu"}},
		} {
			r, err := ps.Resolve(ctx, p, pathways.Where{Municipality: "837", Lang: tt.lang})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(r.Steps[0]); !slices.Equal(got, tt.want) {
				t.Errorf("lang %q: %v\nwant %v", tt.lang, got, tt.want)
			}
			if rs := r.Steps[0]; rs.Total != len(tt.want) || rs.Local != 6 {
				t.Errorf("lang %q: total %d local %d, want %d and 6", tt.lang, rs.Total, rs.Local, len(tt.want))
			}
		}
	})
}

// A step whose candidates all exclude the client's age lists none and
// counts them, so that the page can say so and name whom to consult; a
// pathway's own age range applies when no age is given.
func TestUnfitAndPathwayAges(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	st, ps := seeded(t, d)
	sixteen, seventeen := 16, 17
	addService(t, st, "t-adults", "Aikuisten palvelu", services.Area{Municipalities: []string{"837"}},
		func(s *services.Service) { v := 18; s.AgeMin = &v })
	addService(t, st, "t-older", "Nuorten palvelu", services.Area{National: true},
		func(s *services.Service) { s.AgeMin = &sixteen })
	s := step("a")
	s.Targets = []pathways.Target{{TargetGroup: testGroup, ServiceType: testType}}
	p := pathways.Pathway{Slug: "t-ages", Title: l10n.T("Testi", "", ""), TargetGroup: testGroup,
		Status: pathways.StatusPublished, Steps: []pathways.Step{s}}

	for _, tt := range []struct {
		name         string
		age          *int
		ageMax       *int
		want         []string
		unfit, total int
	}{
		{"no age, no range", nil, nil, []string{"t-adults", "t-older"}, 0, 2},
		{"no age, a child's pathway", nil, &seventeen, []string{"t-older"}, 1, 1},
		{"age 16", &sixteen, nil, []string{"t-older"}, 1, 1},
		{"age 15", ptr(15), nil, nil, 2, 0},
	} {
		p.AgeMax = tt.ageMax
		r, err := ps.Resolve(ctx, p, pathways.Where{Municipality: "837", Age: tt.age})
		if err != nil {
			t.Fatal(err)
		}
		rs := r.Steps[0]
		if got := ids(rs); !slices.Equal(got, tt.want) || rs.Unfit != tt.unfit || rs.Total != tt.total {
			t.Errorf("%s: %v unfit %d total %d; want %v, %d, %d", tt.name, got, rs.Unfit, rs.Total, tt.want, tt.unfit, tt.total)
		}
	}
}

func ptr(n int) *int { return &n }

// The child-victim pathway: for a child no service for adults or for 16
// and over is offered, the Barnahus units and the regional forensic unit
// are, with both reporting duties; it reads in Finnish and Swedish
// without falling back.
func TestChildVictimPathway(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	_, ps := seeded(t, d)
	p, err := ps.Pathway(ctx, "lapsi-seksuaalirikoksen-uhrina")
	if err != nil {
		t.Fatal(err)
	}
	if p.AgeMax == nil || *p.AgeMax != 17 || p.TargetGroup != "victim" {
		t.Errorf("ages %v, target group %q", p.AgeMax, p.TargetGroup)
	}
	for _, s := range p.Steps {
		for _, lang := range []string{"fi", "sv", "en"} {
			if got, l := s.Title.Get(lang); l != lang || got == "" {
				t.Errorf("step %s has no %s title", s.ID, lang)
			}
			if !s.Guidance.IsZero() {
				if _, l := s.Guidance.Get(lang); l != lang {
					t.Errorf("step %s has no %s guidance", s.ID, lang)
				}
			}
		}
	}
	byID := map[string]pathways.ResolvedStep{}
	r, err := ps.Resolve(ctx, p, pathways.Where{Municipality: "Oulu"})
	if err != nil {
		t.Fatal(err)
	}
	for _, rs := range r.Steps {
		byID[rs.ID] = rs
		for _, m := range rs.Services {
			if m.Service.AgeMin != nil && *m.Service.AgeMin > 17 {
				t.Errorf("step %s offers %s (from %d) for a child", rs.ID, m.Service.ID, *m.Service.AgeMin)
			}
		}
	}
	if got := ids(byID["tutkinta"]); !slices.Contains(got, "lasten-ja-nuorten-oikeuspsykiatria") || !slices.Contains(got, "oys-lasten-ja-nuorten-oikeuspsykiatria") {
		t.Errorf("investigation step in Oulu offers %v", got)
	}
	var duties []string
	for _, du := range byID["ilmoitukset"].Duties {
		duties = append(duties, du.Duty)
	}
	if !slices.Equal(duties, []string{"child-welfare-notification", "police-report"}) {
		t.Errorf("notification step's duties %v", duties)
	}
	// The Seri centres help from 16: offered at 16, not at 15.
	for _, age := range []int{15, 16} {
		r, err := ps.Resolve(ctx, p, pathways.Where{Municipality: "Helsinki", Age: &age})
		if err != nil {
			t.Fatal(err)
		}
		for _, rs := range r.Steps {
			if rs.ID != "seri" {
				continue
			}
			has := strings.Contains(strings.Join(ids(rs), " "), "seri-tuki")
			if has != (age >= 16) {
				t.Errorf("age %d: Seri step offers %v", age, ids(rs))
			}
		}
	}
}
