package search

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/services"
)

// TestCollect checks the hit handler against Bleve's own collector: the
// same hits in the same order (score plus the lift of verified and active
// listings, then key), and facet counts equal
// to those counted from the documents, over several segments with
// replaced and deleted documents.
func TestCollect(t *testing.T) {
	ix, docs := segmentedIndex(t)
	ctx := context.Background()
	for _, q := range []string{"terapia", "neuvola tuki", "apu", "palvelu terapia", "x"} {
		plan := Plan{Words: []string{q}, Raw: []string{q}, Filters: map[string]string{}}
		if ws := words2(q); len(ws) > 1 {
			plan.Words, plan.Raw = ws, ws
		}
		query := plan.Query(nil, true, false)
		req := bleve.NewSearchRequestOptions(query, 10000, 0, false)
		req.SortBy([]string{"-_score", "_id"})
		ref, err := ix.b().SearchInContext(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if q == "terapia" && ref.Total < 20 {
			t.Fatalf("%q: %d hits, want more", q, ref.Total)
		}
		for _, h := range ref.Hits {
			d, lift := docs[h.ID], uint8(0)
			if d.Fresh == "verified" {
				lift |= liftVerified
			}
			if d.Status == "active" {
				lift |= liftActive
			}
			h.Score += liftScore[lift]
		}
		slices.SortFunc(ref.Hits, func(a, b *search.DocumentMatch) int {
			switch {
			case a.Score > b.Score:
				return -1
			case a.Score < b.Score:
				return 1
			}
			return cmpStr(a.ID, b.ID)
		})
		for _, pg := range [][2]int{{5, 0}, {20, 0}, {7, 3}, {10, 1000}} {
			got, err := ix.collect(ctx, query, page{limit: pg[0], offset: pg[1], facets: true})
			if err != nil {
				t.Fatal(err)
			}
			own, err := ix.evaluate(ctx, query, page{limit: pg[0], offset: pg[1], facets: true})
			if err != nil {
				t.Fatal(err)
			}
			sameFound(t, fmt.Sprintf("%q page %v", q, pg), got, own)
			plain, err := ix.plain(ctx, query, page{limit: pg[0], offset: pg[1], facets: true})
			if err != nil {
				t.Fatal(err)
			}
			sameFound(t, fmt.Sprintf("%q page %v, Bleve alone", q, pg), got, plain)
			if got.total != ref.Total {
				t.Errorf("%q: total %d, want %d", q, got.total, ref.Total)
			}
			var gotKeys, wantKeys []string
			for _, h := range got.hits {
				gotKeys = append(gotKeys, fmt.Sprintf("%s %.6f", h.key, h.score))
				if h.fresh != docs[h.key].Fresh || h.fields[fTitleFI] != docs[h.key].Title.FI {
					t.Errorf("%q: %s fresh %q title %q, want %q %q", q, h.key, h.fresh, h.fields[fTitleFI], docs[h.key].Fresh, docs[h.key].Title.FI)
				}
			}
			for _, h := range ref.Hits[min(pg[1], len(ref.Hits)):min(pg[1]+pg[0], len(ref.Hits))] {
				wantKeys = append(wantKeys, fmt.Sprintf("%s %.6f", h.ID, h.Score))
			}
			if diff := cmp.Diff(wantKeys, gotKeys); diff != "" {
				t.Errorf("%q page %v: hits differ (-want +got):\n%s", q, pg, diff)
			}
			counts := map[string]map[string]int{}
			for _, h := range ref.Hits {
				d := docs[h.ID]
				for field, vals := range map[string][]string{fType: {d.Type}, fMunicipality: d.Municipalities, fTargetGroup: d.TargetGroups, fFresh: {d.Fresh}} {
					if counts[field] == nil {
						counts[field] = map[string]int{}
					}
					for _, v := range vals {
						counts[field][v]++
					}
				}
			}
			for field, want := range counts {
				var wantVals []FacetValue
				for v, n := range want {
					wantVals = append(wantVals, FacetValue{Value: v, Count: n})
				}
				slices.SortFunc(wantVals, func(a, b FacetValue) int {
					if a.Count != b.Count {
						return b.Count - a.Count
					}
					return cmpStr(a.Value, b.Value)
				})
				if diff := cmp.Diff(wantVals, got.facets[field]); diff != "" {
					t.Errorf("%q facet %s (-want +got):\n%s", q, field, diff)
				}
			}
		}
	}
}

// segmentedIndex is an index of several segments with replaced and
// deleted documents, and the documents it holds.
func segmentedIndex(t *testing.T) (*Index, map[string]Doc) {
	ix, _, err := Open(Config{Dir: filepath.Join(t.TempDir(), "index")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	words := []string{"terapia", "neuvola", "tuki", "palvelu", "apu"}
	munis := []string{"091", "564", "853", "837"}
	docs := map[string]Doc{}
	put := func(b *Batch, i, version int) {
		d := Doc{Type: []string{TypeService, TypeContact}[i%2], ID: fmt.Sprintf("d%03d", i),
			Title:          l10n.T(words[i%5]+" "+words[(i/5)%5], "", ""),
			Body:           l10n.T(words[(i+version)%5], "", ""),
			Municipalities: munis[:1+(i+version)%4], TargetGroups: []string{fmt.Sprint("g", i%3)},
			National: i%9 == 4,
			Fresh:    []string{"verified", "overdue", "unverified"}[i%3], Status: []string{"active", "active", "inactive", "active"}[i%4]}
		if err := b.Put(d); err != nil {
			t.Fatal(err)
		}
		docs[d.Key()] = d
	}
	for round := range 4 {
		b := ix.NewBatch()
		for i := round * 60; i < round*60+90; i++ {
			put(b, i%200, round)
		}
		if round == 3 {
			for i := 0; i < 200; i += 7 {
				b.Delete(TypeService, fmt.Sprintf("d%03d", i))
				delete(docs, TypeService+"/"+fmt.Sprintf("d%03d", i))
			}
		}
		if err := ix.Commit(b, nil); err != nil {
			t.Fatal(err)
		}
	}
	adv, err := ix.b().Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.(*scorch.IndexSnapshot).Segments()); n < 2 {
		t.Errorf("%d segments, want several", n)
	}
	r.Close()
	return ix, docs
}

func words2(q string) []string { return words(q) }

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestEvaluate compares the evaluator with Bleve over an index of several
// segments with replaced and deleted documents, on every shape of query
// the plans build: words, half-typed words, filters, places, and any word
// instead of all.
func TestEvaluate(t *testing.T) {
	ix, _ := segmentedIndex(t)
	ctx := context.Background()
	tampere := &services.Municipality{Code: "837"}
	// Ranges of 16 documents: every segment is cut into several, some of
	// them evaluated at once.
	defer SetMinRange(SetMinRange(16))
	for _, tc := range []struct {
		q      string
		prefix bool
		place  *services.Municipality
		filter map[string]string
		all    bool
	}{
		{q: "terapia", all: true},
		{q: "terap", prefix: true, all: true},
		{q: "neuvola tu", prefix: true, all: true},
		{q: "neuvola tuki", all: false},
		{q: "palvelu", place: tampere, all: true},
		{q: "apu", filter: map[string]string{fType: TypeContact}, all: true},
		{q: "apu terapia", filter: map[string]string{fTargetGroup: "g1", fFresh: "verified"}, place: tampere, all: true},
		{q: "x", all: true},
		{q: "terapia", filter: map[string]string{fType: "none"}, all: true},
	} {
		ws := words(tc.q)
		plan := Plan{Words: ws, Raw: ws, Prefix: tc.prefix, Place: tc.place, Filters: map[string]string{}}
		for k, v := range tc.filter {
			plan.Filters[k] = v
		}
		query := plan.Query(nil, tc.all, false)
		for _, p := range [][2]int{{20, 0}, {7, 3}} {
			bothEngines(t, ix, query, plan.page(p[0], p[1], true), fmt.Sprintf("%+v page %v", tc, p))
		}
	}
	// Typos are Bleve's: the evaluator declines them.
	plan := Plan{Words: []string{"terapai"}, Raw: []string{"terapai"}, Filters: map[string]string{}}
	if _, err := ix.evaluate(ctx, plan.Query(nil, true, true), page{limit: 10}); !errors.Is(err, errUnsupported) {
		t.Errorf("fuzzy query: err %v, want errUnsupported", err)
	}
}

// bothEngines runs q with Bleve alone, with Bleve and our collector, and
// with the evaluator, and compares.
func bothEngines(t *testing.T, ix *Index, q query.Query, pg page, name string) {
	t.Helper()
	ctx := context.Background()
	want, err := ix.plain(ctx, q, pg)
	if err != nil {
		t.Fatal(err)
	}
	col, err := ix.collect(ctx, q, pg)
	if err != nil {
		t.Fatal(err)
	}
	sameFound(t, name+", Bleve with our collector", want, col)
	got, err := ix.evaluate(ctx, q, pg)
	if err != nil {
		t.Fatal(err)
	}
	sameFound(t, name, want, got)
}

// tieSorted lists the hits' keys with each run of scores equal to
// rounding in key order: where two scores differ in the last bits only,
// which comes first depends on the order the engine added clause scores.
func tieSorted(hits []foundHit) []string {
	keys := make([]string, len(hits))
	for i, h := range hits {
		keys[i] = h.key
	}
	for i := 0; i < len(hits); {
		j := i + 1
		for j < len(hits) && math.Abs(hits[j].score-hits[i].score) <= 1e-9*math.Abs(hits[i].score) {
			j++
		}
		slices.Sort(keys[i:j])
		i = j
	}
	return keys
}

// sameFound fails unless got has want's hits in the same order with the
// same scores (to rounding: the two add clause scores in different
// orders), the same total and the same facets.
func sameFound(t *testing.T, name string, want, got *found) {
	t.Helper()
	if got.total != want.total {
		t.Errorf("%s: total %d, want %d", name, got.total, want.total)
	}
	w, g := tieSorted(want.hits), tieSorted(got.hits)
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("%s: hits differ (-Bleve +evaluator):\n%s", name, diff)
		return
	}
	byKey := make(map[string]foundHit, len(want.hits))
	for _, h := range want.hits {
		byKey[h.key] = h
	}
	for i, h := range got.hits {
		if d := math.Abs(h.score - want.hits[i].score); d > 1e-9*math.Abs(want.hits[i].score) {
			t.Errorf("%s: %s score %v, want %v", name, h.key, h.score, want.hits[i].score)
		}
		if w := byKey[h.key]; h.fresh != w.fresh || !maps.Equal(h.fields, w.fields) {
			t.Errorf("%s: %s fields differ", name, h.key)
		}
	}
	if diff := cmp.Diff(want.facets, got.facets); diff != "" {
		t.Errorf("%s: facets differ (-Bleve +evaluator):\n%s", name, diff)
	}
}

// TestLocalFirst: with a place named, a listing covering it locally ranks
// above a national one whose words match about as well, and the national
// one still appears; without a place, words alone decide.
func TestLocalFirst(t *testing.T) {
	// The margins below are set for the words' own analysis: Voikko's
	// parts lengthen the titles and shift them. The rule is the same.
	defer SetMorphology(SetMorphology(nil))
	manyMunis := []string{"091"}
	for i := range 24 {
		manyMunis = append(manyMunis, fmt.Sprintf("%03d", 100+i))
	}
	ix, _, err := Open(Config{Dir: filepath.Join(t.TempDir(), "index")})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	b := ix.NewBatch()
	for _, d := range []Doc{
		// The national one's words match a little better: the local
		// one's name field also holds its organization's name.
		{Type: TypeService, ID: "a-national", Title: l10n.T("Nuorisopsykiatria", "", ""), National: true, Fresh: "verified", Status: "active"},
		// The local one covers many municipalities, as a hospital
		// district's does: its place match is weak.
		{Type: TypeService, ID: "b-local", Title: l10n.T("Nuorisopsykiatria", "", ""), Names: l10n.T("Sairaala", "", ""), Municipalities: manyMunis, Fresh: "verified", Status: "active"},
		{Type: TypeService, ID: "c-elsewhere", Title: l10n.T("Nuorisopsykiatria", "", ""), Municipalities: []string{"837"}, Fresh: "verified", Status: "active"},
	} {
		if err := b.Put(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.Commit(b, nil); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, engine := range Engines {
		if err := ix.SetEngine(engine); err != nil {
			t.Fatal(err)
		}
		order := func(place *services.Municipality) []string {
			plan := Plan{Words: []string{"nuorisopsykiatria"}, Raw: []string{"nuorisopsykiatria"}, Place: place, Filters: map[string]string{}}
			res, err := ix.run(ctx, plan.Query(nil, true, false), plan.page(10, 0, false))
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, h := range res.hits {
				keys = append(keys, h.key)
			}
			return keys
		}
		if diff := cmp.Diff([]string{"service/b-local", "service/a-national"}, order(&services.Municipality{Code: "091"})); diff != "" {
			t.Errorf("%s engine, Helsinki named (-want +got):\n%s", engine, diff)
		}
		if diff := cmp.Diff([]string{"service/a-national", "service/c-elsewhere", "service/b-local"}, order(nil)); diff != "" {
			t.Errorf("%s engine, no place (-want +got):\n%s", engine, diff)
		}
	}
}

// TestEvaluateRandom compares the evaluator with Bleve on random plans
// (words, half-typed words, synonyms of one and several words, places,
// filters, every word or any) over a random index of several segments with
// replaced and deleted documents, cut into ranges of several sizes.
func TestEvaluateRandom(t *testing.T) {
	syn := Synonyms{"perhe": {"perheneuvola keskus", "family counselling"}, "lasu": {"lastensuojelu"}}
	ix, _, err := Open(Config{Dir: filepath.Join(t.TempDir(), "index"), Synonyms: syn, Compounds: []string{"terapia", "neuvola", "keskus"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	vocab := []string{"terapia", "terapiaa", "terapeutti", "perheneuvola", "keskus", "neuvola", "tuki", "palvelu", "apu",
		"lastensuojelu", "family", "counselling", "perhe", "seksuaaliterapia", "nuori", "lapsi", "Äänekoski", "x", "kuin",
		"mutta", "covid-19", "with", "och", "lasu"}
	r := rand.New(rand.NewPCG(7, 3))
	text := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(vocab[r.IntN(len(vocab))] + " ")
		}
		return b.String()
	}
	munis := []string{"091", "564", "853", "837"}
	for range 6 {
		b := ix.NewBatch()
		for range 1500 {
			id := r.IntN(6000)
			d := Doc{Type: []string{TypeService, TypeContact}[id%2], ID: fmt.Sprintf("d%04d", id),
				Title: l10n.T(text(1+r.IntN(3)), text(r.IntN(2)), text(r.IntN(2))), Body: l10n.T(text(r.IntN(20)), "", text(r.IntN(4))),
				Municipalities: munis[:r.IntN(4)], National: r.IntN(5) == 0, TargetGroups: []string{fmt.Sprint("g", r.IntN(3))},
				Fresh: []string{"verified", "overdue", "unverified"}[r.IntN(3)], Status: []string{"active", "inactive"}[r.IntN(2)]}
			if err := b.Put(d); err != nil {
				t.Fatal(err)
			}
		}
		for range 100 {
			id := r.IntN(6000)
			b.Delete([]string{TypeService, TypeContact}[id%2], fmt.Sprintf("d%04d", id))
		}
		if err := ix.Commit(b, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, size := range []int{1, 7, 64, 4096} {
		old := SetMinRange(size)
		for range 40 {
			var ws []string
			for range r.IntN(3) {
				w := Fold(vocab[r.IntN(len(vocab))])
				if r.IntN(4) == 0 && len(w) > 3 {
					w = w[:3+r.IntN(len(w)-3)]
				}
				ws = append(ws, w)
			}
			plan := Plan{Lang: []string{"fi", "sv", "en"}[r.IntN(3)], Words: ws, Raw: ws, Prefix: r.IntN(2) == 0, Filters: map[string]string{}}
			if r.IntN(3) == 0 {
				plan.Place = &services.Municipality{Code: munis[r.IntN(4)]}
			}
			if r.IntN(3) == 0 {
				plan.Filters[fTargetGroup] = fmt.Sprint("g", r.IntN(3))
			}
			if r.IntN(4) == 0 {
				plan.Filters[fFresh] = "verified"
			}
			all := r.IntN(2) == 0
			bothEngines(t, ix, plan.Query(syn, all, false), plan.page(200, 0, true), fmt.Sprintf("ranges %d, %+v, all %v", size, plan, all))
			// The relaxed search: at least half of the words.
			bothEngines(t, ix, plan.RelaxedQuery(syn, false), plan.page(200, 0, true), fmt.Sprintf("ranges %d, %+v, relaxed", size, plan))
		}
		SetMinRange(old)
	}
}
