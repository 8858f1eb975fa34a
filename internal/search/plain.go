package search

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/serie-verkosto/directory/internal/services"
)

// plain runs q through Bleve's public search API alone (the bleve engine,
// engine.go), ranking as the fast engine does: a hit's score, times
// localFactor when it covers the named place, plus the lift of verified
// and active listings, ties by key.
//
// Bleve sorts by its own score, so the hits are read in that order a batch
// at a time until no later hit could still enter the page: a hit after
// the batch scores at most the batch's last, and the most the local factor
// and the lift can raise that is known. Each batch is four times the last:
// Bleve scores every match again for each, and many equal scores (a word
// in many titles) can leave nothing cut until the end. The lift's two
// values come with each hit as sort keys after its score (they only order
// equal scores, which are ranked here again; no _id key: loading every
// hit's id was a fifth of the time); whether a hit is local is asked for
// each batch at once; the stored text is read only for the page's hits.
func (ix *Index) plain(ctx context.Context, q query.Query, pg page) (*found, error) {
	n := pg.offset + pg.limit
	batch := max(2*n, 64)
	factor := 1.0
	if pg.place != "" {
		factor = localFactor
	}
	out := &found{}
	top := topN{n: n}
	var fresh []string // by topEntry.doc
	for from := 0; ; {
		req := bleve.NewSearchRequestOptions(q, batch, from, false)
		req.SortBy([]string{"-_score", fFresh, fStatus})
		if from == 0 && pg.facets {
			for _, f := range FacetFields {
				req.AddFacet(f, bleve.NewFacetRequest(f, facetSize(f)))
			}
		}
		res, err := ix.b().SearchInContext(ctx, req)
		if err != nil {
			return nil, err
		}
		if from == 0 {
			out.total = res.Total
			if pg.facets {
				out.facets = plainFacets(res.Facets)
			}
		}
		if len(res.Hits) == 0 {
			break
		}
		local, err := ix.localHits(ctx, res.Hits, pg.place)
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			score := h.Score
			if local[h.ID] {
				score *= localFactor
			}
			lift := uint8(0)
			if sortValue(h, 1) == "verified" {
				lift |= liftVerified
			}
			if sortValue(h, 2) == services.StatusActive {
				lift |= liftActive
			}
			score += liftScore[lift]
			top.add(topEntry{score: score, key: h.ID, doc: uint64(len(fresh))})
			fresh = append(fresh, sortValue(h, 1))
		}
		from += len(res.Hits)
		batch *= 4
		if uint64(from) >= res.Total {
			break
		}
		// The best a later hit can do: the last one's score, local and
		// lifted. Equal could still win on its key.
		best := res.Hits[len(res.Hits)-1].Score*factor + liftScore[liftVerified|liftActive]
		if len(top.h) == n && best < top.h[0].score {
			break
		}
	}
	h := top.page(pg.offset)
	stored, err := ix.storedOf(ctx, h)
	if err != nil {
		return nil, err
	}
	out.hits = make([]foundHit, 0, len(h))
	for _, e := range h {
		out.hits = append(out.hits, foundHit{key: e.key, score: e.score, fields: stored[e.key], fresh: fresh[e.doc]})
	}
	return out, nil
}

// storedOf reads the stored fields of the page's hits, in one search over
// their ids.
func (ix *Index) storedOf(ctx context.Context, page []topEntry) (map[string]map[string]string, error) {
	out := make(map[string]map[string]string, len(page))
	if len(page) == 0 {
		return out, nil
	}
	ids := make([]string, len(page))
	for i, e := range page {
		ids[i] = e.key
		out[e.key] = map[string]string{}
	}
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery(ids), len(ids), 0, false)
	req.Score = "none"
	req.Fields = plainFields
	res, err := ix.b().SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("stored fields: %w", err)
	}
	for _, h := range res.Hits {
		for f, v := range h.Fields {
			if s, ok := v.(string); ok {
				out[h.ID][f] = s
			}
		}
	}
	return out, nil
}

// plainFields are the stored fields a hit shows, sorted for a stable request.
var plainFields = slices.Sorted(maps.Keys(storedFields))

// sortValue is a hit's i-th sort key: a field's term, "" where the
// document has none.
func sortValue(h *search.DocumentMatch, i int) string {
	if i >= len(h.Sort) {
		return ""
	}
	v := h.Sort[i]
	if v == search.HighTerm || v == search.LowTerm {
		return ""
	}
	return v
}

// localHits says which of hits cover the municipality place (none without
// one), in one search over their ids.
func (ix *Index) localHits(ctx context.Context, hits []*search.DocumentMatch, place string) (map[string]bool, error) {
	if place == "" {
		return nil, nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	where := query.NewTermQuery(place)
	where.SetField(fMunicipality)
	req := bleve.NewSearchRequestOptions(query.NewConjunctionQuery([]query.Query{query.NewDocIDQuery(ids), where}), len(ids), 0, false)
	req.Score = "none"
	res, err := ix.b().SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("local hits: %w", err)
	}
	local := make(map[string]bool, len(res.Hits))
	for _, h := range res.Hits {
		local[h.ID] = true
	}
	return local, nil
}

// plainFacets turns Bleve's facet results into the result's, in the same
// order as the fast engine's: most hits first, then by value.
func plainFacets(res search.FacetResults) map[string][]FacetValue {
	out := make(map[string][]FacetValue, len(FacetFields))
	for _, f := range FacetFields {
		vals := []FacetValue{}
		if r := res[f]; r != nil && r.Terms != nil {
			for _, t := range r.Terms.Terms() {
				vals = append(vals, FacetValue{Value: t.Term, Count: t.Count})
			}
		}
		out[f] = vals
	}
	return out
}
