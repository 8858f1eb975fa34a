package seed_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/seed"
)

// The seed pathways cover the situations of the network's goals, in three
// languages, and name only national services.
func TestSeedPathways(t *testing.T) {
	d, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"worried-about-own-thoughts": true, "suspected": true, "in-prison": true,
		"release-or-community-sanction": true, "minor-harmful-sexual-behaviour": true, "professional-consultation": true}
	national := map[string]bool{}
	for _, s := range d.Services {
		national[s.ID] = s.Area.National
	}
	if len(d.Pathways) < 6 {
		t.Errorf("%d pathways, want at least 6", len(d.Pathways))
	}
	for i, p := range d.Pathways {
		delete(want, p.TargetGroup)
		if p.Status != pathways.StatusPublished || p.Position != i+1 || p.ReviewBy == nil {
			t.Errorf("%s: status %s position %d review_by %v", p.Slug, p.Status, p.Position, p.ReviewBy)
		}
		texts := map[string]l10n.Text{"title": p.Title, "situation": p.Situation, "description": p.Description}
		decisions, criteria := 0, 0
		for si, s := range p.Steps {
			f := pathways.StepField(si, s.ID)
			texts[f+".title"] = s.Title
			if !s.Guidance.IsZero() {
				texts[f+".guidance"] = s.Guidance
			}
			if s.Decision != nil {
				decisions++
				texts[f+".question"] = s.Decision.Question
				for ai, a := range s.Decision.Answers {
					texts[f+".answers["+string(rune('0'+ai))+"]"] = a.Label
				}
			}
			for _, du := range s.Duties {
				texts[f+".duty.to"] = du.To
				if !du.Note.IsZero() {
					texts[f+".duty.note"] = du.Note
				}
			}
			for _, tg := range s.Targets {
				if tg.HasCriteria() {
					criteria++
				}
				for _, id := range tg.Services {
					if !national[id] {
						t.Errorf("%s %s names %s, which is not national", p.Slug, f, id)
					}
				}
			}
		}
		for field, tx := range texts {
			for _, lang := range l10n.Languages {
				if strings.TrimSpace(tx.In(lang)) == "" {
					t.Errorf("%s %s has no %s text", p.Slug, field, lang)
				}
			}
		}
		if decisions == 0 || criteria == 0 {
			t.Errorf("%s: %d decisions, %d criteria targets; want both", p.Slug, decisions, criteria)
		}
	}
	for g := range want {
		t.Errorf("no pathway for %s", g)
	}
}

const goodPathway = `pathways:
  - slug: test
    title: {fi: Testi}
    target_group: suspected
    steps:
      - id: a
        title: {fi: A}
        actor: police
        next: b
      - id: b
        title: {fi: B}
        actor: police
`

func TestPathwayErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string // substrings of the error, in order
	}{
		{"missing step", strings.Replace(goodPathway, "next: b", "next: zz", 1),
			[]string{`pathways.yaml:9: pathway "test": steps[0:a].next: refers to missing step "zz"`}},
		{"unreachable step", strings.Replace(goodPathway, "        next: b\n", "", 1),
			[]string{`pathways.yaml:9: pathway "test": steps[1:b]: cannot be reached from the first step`}},
		{"unknown role", strings.Replace(goodPathway, "actor: police\n        next", "actor: wizard\n        next", 1),
			[]string{`pathways.yaml:8: pathway "test": steps[0:a].actor: unknown role "wizard"`}},
		{"step title", strings.Replace(goodPathway, "{fi: B}", "{sv: B}", 1),
			[]string{`pathways.yaml:11: pathway "test": steps[1:b].title.fi: is required`}},
		{"unknown key", goodPathway + "        colour: blue\n", []string{"pathways.yaml:13:", "colour"}},
		{"regional service", goodPathway + "        targets:\n          - services: [hus-nuorisopsykiatria]\n",
			[]string{`pathways.yaml:14: pathway "test": steps[1:b].targets[0].services[0]: service "hus-nuorisopsykiatria" is not national`}},
		{"missing service", goodPathway + "        targets:\n          - services: [serie-tukipalvelu, nope]\n",
			[]string{`pathways.yaml:14: pathway "test": steps[1:b].targets[0].services[1]: refers to missing service "nope"`}},
		{"unknown criteria term", goodPathway + "        targets:\n          - service_type: astrology\n",
			[]string{`pathways.yaml:14: pathway "test": steps[1:b].targets[0].service_type: unknown term "astrology"`}},
		{"duplicate slug", goodPathway + strings.TrimPrefix(goodPathway, "pathways:\n"),
			[]string{`pathways.yaml:13: pathway "test": slug repeats line 2`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := seed.Parse(withFile(t, seed.PathwaysFile, tt.content))
			if err == nil {
				t.Fatal("broken pathways file was accepted")
			}
			msg, rest := err.Error(), err.Error()
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error does not contain %q:\n%s", w, msg)
				}
				rest = rest[i+len(w):]
			}
		})
	}
	if _, err := seed.Parse(withFile(t, seed.PathwaysFile, goodPathway)); err != nil {
		t.Errorf("good pathway rejected: %v", err)
	}
}

// A seed directory without pathways.yaml loads, with no pathways.
func TestPathwaysFileIsOptional(t *testing.T) {
	m := fstest.MapFS{}
	entries, err := fs.ReadDir(seed.Files, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == seed.PathwaysFile {
			continue
		}
		b, err := fs.ReadFile(seed.Files, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = &fstest.MapFile{Data: b}
	}
	d, err := seed.Parse(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Pathways) != 0 || len(d.Services) == 0 {
		t.Errorf("%d pathways, %d services", len(d.Pathways), len(d.Services))
	}
}

func TestApplyPathways(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := services.NewStore(d)
		data, err := seed.Parse(seed.Files)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := seed.Apply(ctx, st, data, seed.Options{}); err != nil {
			t.Fatal(err)
		}
		ps := pathways.NewStore(d, st)
		list, err := ps.Pathways(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != len(data.Pathways) {
			t.Fatalf("%d published pathways stored, want %d", len(list), len(data.Pathways))
		}
		for i, p := range list {
			if p.Slug != data.Pathways[i].Slug || p.Version != 1 {
				t.Errorf("pathway %d: %s v%d; want %s v1 in the file's order", i, p.Slug, p.Version, data.Pathways[i].Slug)
			}
			// Every seed pathway resolves for a municipality in a network.
			if _, err := ps.Resolve(ctx, p, pathways.Where{Municipality: "Oulu"}); err != nil {
				t.Errorf("%s does not resolve: %v", p.Slug, err)
			}
		}

		// Applying again writes nothing.
		seq, _ := d.LatestSeq(ctx)
		again, _ := seed.Parse(seed.Files)
		r, err := seed.Apply(ctx, st, again, seed.Options{})
		if err != nil || r.Created+r.Updated+r.Kept != 0 {
			t.Errorf("second apply: %s, %v", r, err)
		}
		if seq2, _ := d.LatestSeq(ctx); seq2 != seq {
			t.Errorf("second apply wrote %d change-log rows", seq2-seq)
		}

		// An edited pathway is kept, unless overwriting.
		p := list[0]
		p.Steps[0].Guidance.FI = "Toimittajan muutos"
		if err := ps.Update(ctx, &p); err != nil {
			t.Fatal(err)
		}
		again, _ = seed.Parse(seed.Files)
		r, err = seed.Apply(ctx, st, again, seed.Options{})
		if err != nil || r.Kept != 1 || r.Updated != 0 {
			t.Errorf("apply over an edit: %s, %v; want 1 kept", r, err)
		}
		again, _ = seed.Parse(seed.Files)
		r, err = seed.Apply(ctx, st, again, seed.Options{Overwrite: true})
		if err != nil || r.Updated != 1 {
			t.Errorf("apply --overwrite: %s, %v; want 1 updated", r, err)
		}
		if got, _ := ps.Pathway(ctx, p.Slug); got.Steps[0].Guidance.FI == "Toimittajan muutos" || got.Version != 3 {
			t.Errorf("overwrite left the edit: %q v%d", got.Steps[0].Guidance.FI, got.Version)
		}
	})
}
