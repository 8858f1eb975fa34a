package search

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Relaxed matching: a query of several words first asks for documents
// with every word. Professionals type several words where the listing has
// some of them ("sex offender treatment prison"), so when that finds
// fewer than RelaxBelow documents, the documents matching at least
// MinShould of the words follow them, ranked by how many and which words
// they match; each of those hits says which words it lacks.

// RelaxBelow is the number of documents with every word below which the
// documents with most of the words are added.
const RelaxBelow = 5

// maxRelaxedDepth bounds how deep the merged list is read: a page beyond
// it is past any result a person reads.
const maxRelaxedDepth = 1000

// searchWords runs the plan: every word, then, when that finds few, most
// words. complete is nil unless the relaxed search added hits; then it
// holds the keys of the hits with every word, which come first. The total
// is then the relaxed query's count, which leaves out a complete hit that
// has a word only by a stem prefix or a synonym in a text (RelaxedQuery):
// at most RelaxBelow-1 listings, still shown first.
func (ix *Index) searchWords(ctx context.Context, plan Plan, syn Synonyms, pg page, fuzzy bool) (*found, map[string]bool, error) {
	all, err := ix.run(ctx, plan.Query(syn, true, fuzzy), pg)
	if err != nil || len(plan.Words) < 2 || all.total >= RelaxBelow {
		return all, nil, err
	}
	// The few documents with every word, whatever the page.
	head := all
	if pg.offset > 0 || uint64(len(all.hits)) < all.total {
		if head, err = ix.run(ctx, plan.Query(syn, true, fuzzy), page{limit: RelaxBelow, place: pg.place}); err != nil {
			return nil, nil, err
		}
	}
	depth := pg.offset + pg.limit + len(head.hits)
	if depth > maxRelaxedDepth {
		// Past what anyone pages to: the count and facets, no hits.
		most, err := ix.run(ctx, plan.RelaxedQuery(syn, fuzzy), page{limit: 1, facets: pg.facets, place: pg.place})
		if err != nil || most.total <= all.total {
			return all, nil, err
		}
		return &found{total: most.total, facets: most.facets}, map[string]bool{}, nil
	}
	most, err := ix.run(ctx, plan.RelaxedQuery(syn, fuzzy), page{limit: depth, facets: pg.facets, place: pg.place})
	if err != nil {
		return nil, nil, err
	}
	if most.total <= all.total {
		return all, nil, nil
	}
	complete := make(map[string]bool, len(head.hits))
	merged := make([]foundHit, 0, depth)
	for _, h := range head.hits {
		complete[h.key] = true
		merged = append(merged, h)
	}
	for _, h := range most.hits {
		if !complete[h.key] {
			merged = append(merged, h)
		}
	}
	out := &found{total: most.total, facets: most.facets}
	if pg.offset < len(merged) {
		out.hits = merged[pg.offset:min(len(merged), pg.offset+pg.limit)]
	}
	return out, complete, nil
}

// markMissing sets, on each hit of the page that lacks some of the words,
// the words it lacks (as typed). A word is in a listing whose stored text
// (titles and texts in every language) has its markers, the same that
// mark it in snippets: what the page highlights is what it counts as
// found, read from the hits at hand. Where the markers find every word in
// a hit the search says lacks one (a marker is a prefix: "sex" is in
// "sexual"), the words are asked of the index, for those hits alone: a
// search per word over the page's ids cost more than the relaxed search
// itself on a large index.
func (ix *Index) markMissing(ctx context.Context, out *Result, res *found, plan Plan, syn Synonyms, complete map[string]bool) error {
	groups := make([][][]string, len(plan.Words))
	for i := range plan.Words {
		groups[i] = unitMarkers(plan, i, syn)
	}
	unsure := map[string]int{}
	for j, h := range res.hits {
		if complete[h.key] || j >= len(out.Hits) {
			continue
		}
		var b strings.Builder
		for _, f := range []string{fTitleFI, fTitleSV, fTitleEN, fBodyFI, fBodySV, fBodyEN} {
			b.WriteString(h.fields[f])
			b.WriteByte('\n')
		}
		text := Fold(b.String())
		for i := range plan.Words {
			if lacks(text, groups[i]) {
				out.Hits[j].Missing = append(out.Hits[j].Missing, plan.Raw[i])
			}
		}
		if len(out.Hits[j].Missing) == 0 {
			unsure[h.key] = j
		}
	}
	if len(unsure) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(unsure))
	for i := range plan.Words {
		q := query.NewConjunctionQuery([]query.Query{query.NewDocIDQuery(ids), plan.wordQuery(i, syn, false)})
		req := bleve.NewSearchRequestOptions(q, len(ids), 0, false)
		req.Score = "none"
		r, err := ix.b().SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("missing words: %w", err)
		}
		has := make(map[string]bool, len(r.Hits))
		for _, h := range r.Hits {
			has[h.ID] = true
		}
		for _, key := range ids {
			if !has[key] {
				out.Hits[unsure[key]].Missing = append(out.Hits[unsure[key]].Missing, plan.Raw[i])
			}
		}
	}
	return nil
}
