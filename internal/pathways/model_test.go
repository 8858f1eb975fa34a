package pathways_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/seed"
)

// vocabularies returns the seed's controlled vocabularies.
func vocabularies(t *testing.T) *services.Vocabularies {
	t.Helper()
	d, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	return services.NewVocabularies(d.Vocabularies)
}

// step is a terminal step with the fields every step needs.
func step(id string) pathways.Step {
	return pathways.Step{ID: id, Title: l10n.T("Vaihe "+id, "Steg "+id, "Step "+id), Actor: "any-professional"}
}

func decision(answers ...string) *pathways.Decision {
	d := &pathways.Decision{Question: l10n.T("Kysymys?", "Fråga?", "Question?")}
	for _, a := range answers {
		d.Answers = append(d.Answers, pathways.Answer{Label: l10n.T("Vastaus "+a, "", ""), Next: a})
	}
	return d
}

// valid returns a small valid pathway: a decides between b and c, b leads
// to c, c ends.
func valid() *pathways.Pathway {
	a, b, c := step("a"), step("b"), step("c")
	a.Decision = decision("b", "c")
	a.Duties = []services.ReportingDuty{{Duty: "child-welfare-notification"}}
	b.Next = "c"
	b.HandOver = "health-care"
	b.Targets = []pathways.Target{{Services: []string{"serie-tukipalvelu"}}, {TargetGroup: "suspected", ServiceType: "counselling", Anonymous: true}}
	return &pathways.Pathway{Slug: "test-pathway", Title: l10n.T("Testipolku", "Testväg", "Test pathway"),
		TargetGroup: "suspected", Status: pathways.StatusDraft, Steps: []pathways.Step{a, b, c}}
}

func TestValidate(t *testing.T) {
	v := vocabularies(t)
	type fe struct{ field, msg string } // msg: a substring of the message
	tests := []struct {
		name   string
		change func(p *pathways.Pathway)
		want   []fe
	}{
		{"valid", func(p *pathways.Pathway) {}, nil},
		{"a loop with an exit is fine", func(p *pathways.Pathway) {
			p.Steps[1].Next = ""
			p.Steps[1].Decision = decision("a", "c") // back to a, or on to the end
		}, nil},
		{"no steps", func(p *pathways.Pathway) { p.Steps = nil }, []fe{{"steps", "at least one step"}}},
		{"bad slug", func(p *pathways.Pathway) { p.Slug = "Bad Slug" }, []fe{{"slug", "lowercase"}}},
		{"missing title", func(p *pathways.Pathway) { p.Title = l10n.Text{EN: "Only English"} }, []fe{{"title.fi", "is required"}}},
		{"unknown target group", func(p *pathways.Pathway) { p.TargetGroup = "everyone" }, []fe{{"target_group", `unknown term "everyone"`}}},
		{"bad status", func(p *pathways.Pathway) { p.Status = "live" }, []fe{{"status", "draft or published"}}},
		{"ages", func(p *pathways.Pathway) { lo, hi := 0, 17; p.AgeMin, p.AgeMax = &lo, &hi }, nil},
		{"ages out of range", func(p *pathways.Pathway) { lo, hi := -1, 121; p.AgeMin, p.AgeMax = &lo, &hi }, []fe{
			{"age_min", "from 0 to 120"}, {"age_max", "from 0 to 120"}}},
		{"ages the wrong way round", func(p *pathways.Pathway) { lo, hi := 18, 17; p.AgeMin, p.AgeMax = &lo, &hi }, []fe{{"age_max", "below the lowest age"}}},
		{"step title required in fi", func(p *pathways.Pathway) { p.Steps[2].Title.FI = " " }, []fe{{"steps[2:c].title.fi", "is required"}}},
		{"bad step id", func(p *pathways.Pathway) { p.Steps[2].ID = "C!" }, []fe{
			{"steps[2:C!].id", "lowercase"},
			{"steps[0:a].decision.answers[1].next", `refers to missing step "c"`},
			{"steps[1:b].next", `refers to missing step "c"`},
		}},
		{"duplicate step id", func(p *pathways.Pathway) { p.Steps[1].ID = "a" }, []fe{
			{"steps[1:a].id", "repeats the id of steps[0:a]"},
			{"steps[0:a].decision.answers[0].next", `refers to missing step "b"`},
		}},
		{"next refers to a missing step", func(p *pathways.Pathway) { p.Steps[1].Next = "x" }, []fe{{"steps[1:b].next", `refers to missing step "x"`}}},
		{"answer refers to a missing step", func(p *pathways.Pathway) { p.Steps[0].Decision.Answers[1].Next = "nowhere" },
			[]fe{{"steps[0:a].decision.answers[1].next", `refers to missing step "nowhere"`}}},
		{"answer without next", func(p *pathways.Pathway) { p.Steps[0].Decision.Answers[1].Next = "" },
			[]fe{{"steps[0:a].decision.answers[1].next", "is required"}}},
		{"unreachable step", func(p *pathways.Pathway) {
			p.Steps[0].Decision = nil
			p.Steps[0].Next = "c"
		}, []fe{{"steps[1:b]", "cannot be reached from the first step"}}},
		{"loop without an exit", func(p *pathways.Pathway) {
			d := step("d")
			p.Steps[0].Decision = decision("b", "d") // d ends; b and c loop for ever
			p.Steps[2].Next = "b"
			p.Steps = append(p.Steps, d)
		}, []fe{{"steps[1:b]", "never reaches an end"}, {"steps[2:c]", "never reaches an end"}}},
		{"no end at all", func(p *pathways.Pathway) { p.Steps[2].Next = "a" }, []fe{{"steps", "no step ends the pathway"}}},
		{"next and decision", func(p *pathways.Pathway) { p.Steps[0].Next = "b" }, []fe{{"steps[0:a].next", "leave next empty"}}},
		{"decision needs two answers", func(p *pathways.Pathway) { p.Steps[0].Decision = decision("b") },
			[]fe{{"steps[0:a].decision.answers", "2 to 8 answers"}}},
		{"graph checked beside other errors", func(p *pathways.Pathway) {
			p.Steps[0].Decision = nil
			p.Steps[0].Next = "c"
			p.Steps[2].Title = l10n.Text{}
		}, []fe{{"steps[2:c].title.fi", "is required"}, {"steps[1:b]", "cannot be reached"}}},
		{"decision question required", func(p *pathways.Pathway) { p.Steps[0].Decision.Question = l10n.Text{} },
			[]fe{{"steps[0:a].decision.question.fi", "is required"}}},
		{"unknown actor and hand-over", func(p *pathways.Pathway) { p.Steps[1].Actor, p.Steps[1].HandOver = "", "wizard" }, []fe{
			{"steps[1:b].actor", "is required"}, {"steps[1:b].hand_over", `unknown role "wizard"`}}},
		{"unknown duty", func(p *pathways.Pathway) {
			p.Steps[0].Duties = append(p.Steps[0].Duties, services.ReportingDuty{Duty: "tell-everyone"}, services.ReportingDuty{Duty: "child-welfare-notification"})
		}, []fe{{"steps[0:a].duties[1].duty", `unknown term "tell-everyone"`}, {"steps[0:a].duties[2].duty", "listed twice"}}},
		{"target both named and criteria", func(p *pathways.Pathway) { p.Steps[1].Targets[0].ServiceType = "counselling" },
			[]fe{{"steps[1:b].targets[0]", "not both"}}},
		{"target empty", func(p *pathways.Pathway) { p.Steps[1].Targets[1] = pathways.Target{Anonymous: true} },
			[]fe{{"steps[1:b].targets[1]", "at least a target group or a service type"}}},
		{"target unknown terms", func(p *pathways.Pathway) {
			p.Steps[1].Targets[1].ServiceType, p.Steps[1].Targets[1].DeliveryMode = "astrology", "telepathy"
		}, []fe{{"steps[1:b].targets[1].service_type", `unknown term "astrology"`}, {"steps[1:b].targets[1].delivery_mode", `unknown term "telepathy"`}}},
		{"target bad service id", func(p *pathways.Pathway) { p.Steps[1].Targets[0].Services = []string{"Nope!", "x", "x"} },
			[]fe{{"steps[1:b].targets[0].services[0]", "service id"}, {"steps[1:b].targets[0].services[2]", "listed twice"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := valid()
			tt.change(p)
			p.Normalize()
			err := p.Validate(v)
			var got []fe
			if e := apperr.As(err); e != nil {
				if e.Code != apperr.Invalid {
					t.Fatalf("code %s, want invalid", e.Code)
				}
				for _, f := range e.Fields {
					got = append(got, fe{f.Field, f.Message})
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("errors (-want +got):\n%s", cmp.Diff(tt.want, got, cmp.AllowUnexported(fe{})))
			}
			for i := range got {
				if got[i].field != tt.want[i].field || !strings.Contains(got[i].msg, tt.want[i].msg) {
					t.Errorf("error %d = %s: %q; want %s: …%q…", i, got[i].field, got[i].msg, tt.want[i].field, tt.want[i].msg)
				}
			}
		})
	}
}

func TestFieldPath(t *testing.T) {
	for in, want := range map[string]string{
		"steps[2:suspect-contact].next":       "steps[2].next",
		"steps[0:a].decision.answers[1].next": "steps[0].decision.answers[1].next",
		"steps[12]":                           "steps[12]",
		"title.fi":                            "title.fi",
		"steps[3:x].targets[0].services[1]":   "steps[3].targets[0].services[1]",
		"steps[1:b].duties[0].duty":           "steps[1].duties[0].duty",
	} {
		if got := pathways.FieldPath(in); got != want {
			t.Errorf("FieldPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRoles(t *testing.T) {
	want := []string{"police", "prosecutor", "prison-or-probation", "health-care", "child-welfare",
		"social-services", "the-client", "ngo", "network-contact", "any-professional"}
	var got []string
	for _, r := range pathways.Roles {
		got = append(got, r.ID)
		for _, lang := range l10n.Languages {
			if r.Label.In(lang) == "" {
				t.Errorf("role %s has no %s label", r.ID, lang)
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if got := pathways.RoleLabel("police", "sv"); got != "Polisen" {
		t.Errorf("RoleLabel(police, sv) = %q", got)
	}
	if got := pathways.RoleLabel("wizard", "fi"); got != "wizard" {
		t.Errorf("unknown role label = %q, want the id", got)
	}
}
