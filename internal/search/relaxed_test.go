package search_test

import (
	"context"
	"slices"
	"testing"

	"github.com/serie-verkosto/directory/internal/search"
)

func TestMinShould(t *testing.T) {
	for n, want := range map[int]int{1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 3, 12: 6} {
		p := search.Plan{Words: make([]string, n)}
		if got := p.MinShould(); got != want {
			t.Errorf("%d words: min %d, want %d", n, got, want)
		}
	}
}

// Several words: the documents with all of them first; when they are few,
// those with most of them follow, each saying which words it lacks; stop
// words neither filter nor count. The same with each engine, and paging
// walks the merged list.
func TestRelaxedMatching(t *testing.T) {
	f := sqliteFixture(t)
	ctx := context.Background()
	for _, engine := range search.Engines {
		t.Run(engine, func(t *testing.T) {
			if err := f.index.SetEngine(engine); err != nil {
				t.Fatal(err)
			}
			defer f.index.SetEngine(search.EngineFast)
			f.index.SetResultCache(0)
			defer f.index.SetResultCache(search.DefaultResultCache)

			// Few listings have every word: those come first, complete,
			// then the ones with most words, each naming what it lacks.
			r, err := f.index.Search(ctx, search.Request{Q: "sex offender treatment prison", Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Partial || len(r.Hits) < 5 || len(r.Hits[0].Missing) != 0 {
				t.Fatalf("partial %v, %d hits, first lacks %v", r.Partial, len(r.Hits), r.Hits[0].Missing)
			}
			seenPartial := false
			for _, h := range r.Hits {
				if len(h.Missing) > 0 {
					seenPartial = true
					if len(h.Missing) > 2 {
						t.Errorf("%s/%s lacks %v: more than half of four words", h.Type, h.ID, h.Missing)
					}
				} else if seenPartial {
					t.Errorf("%s/%s has every word but comes after a partial hit", h.Type, h.ID)
				}
			}
			if !seenPartial {
				t.Error("no hit lacks a word")
			}
			// Paging walks the same list.
			var paged []string
			for off := 0; off < 6; off += 2 {
				p, err := f.index.Search(ctx, search.Request{Q: "sex offender treatment prison", Limit: 2, Offset: off})
				if err != nil {
					t.Fatal(err)
				}
				if p.Total != r.Total {
					t.Errorf("offset %d: total %d, want %d", off, p.Total, r.Total)
				}
				for _, h := range p.Hits {
					paged = append(paged, h.Type+"/"+h.ID)
				}
			}
			var whole []string
			for _, h := range r.Hits[:min(6, len(r.Hits))] {
				whole = append(whole, h.Type+"/"+h.ID)
			}
			if !slices.Equal(paged, whole) {
				t.Errorf("pages %v\nwhole %v", paged, whole)
			}
			// Past the depth read: the same count, no hits.
			deep, err := f.index.Search(ctx, search.Request{Q: "sex offender treatment prison", Limit: 20, Offset: 5000})
			if err != nil {
				t.Fatal(err)
			}
			if deep.Total != r.Total || len(deep.Hits) != 0 || !deep.Partial {
				t.Errorf("offset 5000: total %d (want %d), %d hits, partial %v", deep.Total, r.Total, len(deep.Hits), deep.Partial)
			}

			// Nothing has all of them: most words still find the Swedish
			// listings about children.
			r, err = f.index.Search(ctx, search.Request{Q: "sexuella övergrepp mot barn", Lang: "sv"})
			if err != nil {
				t.Fatal(err)
			}
			if r.Total == 0 || !r.Partial || !slices.Equal(r.Hits[0].Missing, []string{"övergrepp"}) {
				t.Errorf("total %d partial %v", r.Total, r.Partial)
			}

			// Enough listings with every word: nothing relaxed.
			r, err = f.index.Search(ctx, search.Request{Q: "lapsi seksuaalinen"})
			if err != nil {
				t.Fatal(err)
			}
			if r.Partial || r.Total < search.RelaxBelow {
				t.Errorf("%d with both words, partial %v", r.Total, r.Partial)
			}
			for _, h := range r.Hits {
				if len(h.Missing) > 0 {
					t.Errorf("%s lacks %v in a complete search", h.ID, h.Missing)
				}
			}

			// Stop words are neither required nor counted.
			plain, err := f.index.Search(ctx, search.Request{Q: "lastensuojelu"})
			if err != nil {
				t.Fatal(err)
			}
			asked, err := f.index.Search(ctx, search.Request{Q: "mitä on lastensuojelu ja miten se on"})
			if err != nil {
				t.Fatal(err)
			}
			if asked.Total != plain.Total || asked.Partial || len(asked.Hits) == 0 || asked.Hits[0].ID != plain.Hits[0].ID {
				t.Errorf("a question finds %d (partial %v), the word alone %d", asked.Total, asked.Partial, plain.Total)
			}
		})
	}
}
