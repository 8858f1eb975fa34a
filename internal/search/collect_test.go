package search

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/l10n"
)

// TestCollect checks the hit handler against Bleve's own collector: the
// same hits in the same order (score plus the lift of verified and active
// listings, then key), and facet counts equal
// to those counted from the documents, over several segments with
// replaced and deleted documents.
func TestCollect(t *testing.T) {
	ix, _, err := Open(Config{Dir: filepath.Join(t.TempDir(), "index")})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	words := []string{"terapia", "neuvola", "tuki", "palvelu", "apu"}
	munis := []string{"091", "564", "853", "837"}
	docs := map[string]Doc{}
	put := func(b *Batch, i, version int) {
		d := Doc{Type: []string{TypeService, TypeContact}[i%2], ID: fmt.Sprintf("d%03d", i),
			Title:          l10n.T(words[i%5]+" "+words[(i/5)%5], "", ""),
			Body:           l10n.T(words[(i+version)%5], "", ""),
			Municipalities: munis[:1+(i+version)%4], TargetGroups: []string{fmt.Sprint("g", i%3)},
			Fresh: []string{"verified", "overdue", "unverified"}[i%3], Status: []string{"active", "active", "inactive", "active"}[i%4]}
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
	ctx := context.Background()
	adv, err := ix.bleve.Advanced()
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
	for _, q := range []string{"terapia", "neuvola tuki", "apu", "palvelu terapia", "x"} {
		plan := Plan{Words: []string{q}, Raw: []string{q}, Filters: map[string]string{}}
		if ws := words2(q); len(ws) > 1 {
			plan.Words, plan.Raw = ws, ws
		}
		query := plan.Query(nil, true, false)
		req := bleve.NewSearchRequestOptions(query, 10000, 0, false)
		req.SortBy([]string{"-_score", "_id"})
		ref, err := ix.bleve.SearchInContext(ctx, req)
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
		for _, page := range [][2]int{{5, 0}, {20, 0}, {7, 3}, {10, 1000}} {
			got, err := ix.collect(ctx, query, page[0], page[1], true)
			if err != nil {
				t.Fatal(err)
			}
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
			for _, h := range ref.Hits[min(page[1], len(ref.Hits)):min(page[1]+page[0], len(ref.Hits))] {
				wantKeys = append(wantKeys, fmt.Sprintf("%s %.6f", h.ID, h.Score))
			}
			if diff := cmp.Diff(wantKeys, gotKeys); diff != "" {
				t.Errorf("%q page %v: hits differ (-want +got):\n%s", q, page, diff)
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
					wantVals = append(wantVals, FacetValue{v, n})
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
