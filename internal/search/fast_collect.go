package search

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/serie-verkosto/directory/internal/services"
)

// Collecting hits, in short: Bleve scores the matching documents and
// hands each to our handler instead of its own top-N collector. Bleve's
// collector reads doc values for every hit, for the tie-breaking sort and
// for each facet; on a broad query that was most of the search time. The
// handler instead looks both up in per-segment tables built once from the
// segment's postings: the document key (from the _id dictionary) and the
// facet values of each document. Segments never change once written (a
// merge writes a new one), so a table is built once per segment and kept
// while the segment is part of the index.

// facetSize is how many values of a facet a result lists.
func facetSize(field string) int {
	if field == fMunicipality {
		return 15
	}
	return 10
}

// segTable is what the handler needs to know of a segment's documents.
type segTable struct {
	once sync.Once
	err  error
	// keys[doc] is the document's key (type/id): the tie-breaker.
	keys []string
	// The facet values of document doc are vals[start[doc]:start[doc+1]],
	// indexes into values.
	start  []uint32
	vals   []uint32
	values []facetTerm
	fresh  int // index of the fresh field in FacetFields, for Hit.Fresh
	// lift[doc] says whether the document is verified (liftVerified) and
	// active (liftActive): an index into liftScore.
	lift []uint8
}

// The lift of verified and active listings, added to a hit's score before
// it is ranked. It was two SHOULD clauses of the query, which made Bleve
// step through their postings for every hit (45% of a broad query); here
// it is a table lookup. A body match scores about 0.002 to 0.005, a title
// match 0.02 and up (more on a large index): the lift decides between
// near-equal scores, puts verified and active listings above overdue and
// inactive ones, and does not lift a body match over a title match.
const (
	liftVerified = 1 << iota
	liftActive
)

var liftScore = [4]float64{
	0:                         0,
	liftActive:                0.0025,
	liftVerified:              0.01,
	liftVerified | liftActive: 0.0125,
}

type facetTerm struct {
	field int // index in FacetFields
	term  string
}

// tables holds the tables of the index's current segments.
type tables struct {
	mu   sync.Mutex
	segs map[any]*segTable
	last []any // segments of the last snapshot seen, in order
}

// forSnapshot returns the tables of a snapshot's segments, building those
// not yet built, and forgets the tables of segments merged away.
func (t *tables) forSnapshot(snap *scorch.IndexSnapshot) ([]segView, error) {
	ss := snap.Segments()
	t.mu.Lock()
	if t.segs == nil {
		t.segs = map[any]*segTable{}
	}
	same := len(ss) == len(t.last)
	views := make([]segView, len(ss))
	var offset uint64
	for i, s := range ss {
		seg := s.Segment()
		if same && t.last[i] != any(seg) {
			same = false
		}
		tab := t.segs[seg]
		if tab == nil {
			tab = &segTable{}
			t.segs[seg] = tab
		}
		views[i] = segView{snap: s, tab: tab, offset: offset}
		offset += seg.Count()
	}
	if !same {
		// Keep the tables of this snapshot and of the one before: searches
		// still running on the older one must not make the newer rebuild.
		keep := make(map[any]*segTable, len(ss)+len(t.last))
		for _, seg := range t.last {
			if tab := t.segs[seg]; tab != nil {
				keep[seg] = tab
			}
		}
		t.last = make([]any, len(ss))
		for i, s := range ss {
			keep[s.Segment()] = views[i].tab
			t.last[i] = s.Segment()
		}
		t.segs = keep
	}
	t.mu.Unlock()
	for i := range views {
		v := &views[i]
		v.tab.once.Do(func() { v.tab.err = v.tab.build(v.snap) })
		if v.tab.err != nil {
			return nil, v.tab.err
		}
		v.end = v.offset + uint64(len(v.tab.keys))
	}
	return views, nil
}

type segView struct {
	snap        *scorch.SegmentSnapshot
	tab         *segTable
	offset, end uint64 // global document numbers [offset, end)
}

// build reads the segment's _id and facet dictionaries.
func (t *segTable) build(ss *scorch.SegmentSnapshot) error {
	seg := ss.Segment()
	n := int(seg.Count())
	t.keys = make([]string, n)
	t.fresh = slices.Index(FacetFields, fFresh)
	err := eachTerm(seg, "_id", func(dict segment.TermDictionary, term string) error {
		return eachDoc(dict, term, n, func(doc uint64) { t.keys[doc] = term })
	})
	if err != nil {
		return err
	}
	// The lift: the postings of two terms.
	t.lift = make([]uint8, n)
	for _, l := range []struct {
		field, term string
		bit         uint8
	}{{fFresh, "verified", liftVerified}, {fStatus, services.StatusActive, liftActive}} {
		dict, err := seg.Dictionary(l.field)
		if err != nil {
			return err
		}
		if err := eachDoc(dict, l.term, n, func(doc uint64) { t.lift[doc] |= l.bit }); err != nil {
			return err
		}
	}
	// Facets: the postings of every value, then per document.
	type posting struct{ doc, val uint32 }
	var all []posting
	counts := make([]uint32, n+1)
	for fi, field := range FacetFields {
		err := eachTerm(seg, field, func(dict segment.TermDictionary, term string) error {
			val := uint32(len(t.values))
			t.values = append(t.values, facetTerm{fi, term})
			return eachDoc(dict, term, n, func(doc uint64) {
				all = append(all, posting{uint32(doc), val})
				counts[doc+1]++
			})
		})
		if err != nil {
			return err
		}
	}
	for i := 1; i <= n; i++ {
		counts[i] += counts[i-1]
	}
	t.start = counts
	t.vals = make([]uint32, len(all))
	fill := slices.Clone(counts[:n])
	for _, p := range all {
		t.vals[fill[p.doc]] = p.val
		fill[p.doc]++
	}
	return nil
}

// eachTerm calls fn with every term of a field's dictionary in seg.
func eachTerm(seg segment.Segment, field string, fn func(dict segment.TermDictionary, term string) error) error {
	dict, err := seg.Dictionary(field)
	if err != nil {
		return err
	}
	it := dict.AutomatonIterator(nil, nil, nil)
	for {
		e, err := it.Next()
		if err != nil {
			return fmt.Errorf("segment %s dictionary: %w", field, err)
		}
		if e == nil {
			return nil
		}
		if err := fn(dict, e.Term); err != nil {
			return err
		}
	}
}

// eachDoc calls fn with every document (below n) whose field holds term.
func eachDoc(dict segment.TermDictionary, term string, n int, fn func(doc uint64)) error {
	pl, err := dict.PostingsList([]byte(term), nil, nil)
	if err != nil {
		return err
	}
	pi := pl.Iterator(false, false, false, nil)
	for {
		p, err := pi.Next()
		if err != nil {
			return err
		}
		if p == nil {
			return nil
		}
		if num := p.Number(); num < uint64(n) {
			fn(num)
		}
	}
}

// found is one pass's results.
type found struct {
	total  uint64
	hits   []foundHit
	facets map[string][]FacetValue // nil unless asked for
}

type foundHit struct {
	key    string
	score  float64
	fields map[string]string
	fresh  string
}

// topEntry is a hit in the top-N heap.
type topEntry struct {
	score float64
	key   string
	seg   int
	doc   uint64
}

// better orders hits: higher score first, then by key, so that the same
// query always gives the same order, whatever the index's segments.
func better(a, b *topEntry) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.key < b.key
}

// topN keeps the best n hits; h[0] is the worst of them.
type topN struct {
	n int
	h []topEntry
}

// page orders the hits, best first, and leaves out the first offset.
func (t *topN) page(offset int) []topEntry {
	slices.SortFunc(t.h, func(a, b topEntry) int {
		if better(&a, &b) {
			return -1
		}
		if better(&b, &a) {
			return 1
		}
		return 0
	})
	return t.h[min(offset, len(t.h)):]
}

func (t *topN) add(e topEntry) {
	if len(t.h) < t.n {
		t.h = append(t.h, e)
		// Sift up: the worst rises to the root.
		i := len(t.h) - 1
		for i > 0 {
			p := (i - 1) / 2
			if !better(&t.h[p], &t.h[i]) {
				break
			}
			t.h[p], t.h[i] = t.h[i], t.h[p]
			i = p
		}
		return
	}
	if t.n == 0 || !better(&e, &t.h[0]) {
		return
	}
	t.h[0] = e
	i := 0
	for {
		l, r, w := 2*i+1, 2*i+2, i
		if l < len(t.h) && better(&t.h[w], &t.h[l]) {
			w = l
		}
		if r < len(t.h) && better(&t.h[w], &t.h[r]) {
			w = r
		}
		if w == i {
			return
		}
		t.h[w], t.h[i] = t.h[i], t.h[w]
		i = w
	}
}

// storedFields are the stored fields a hit shows.
var storedFields = map[string]bool{fTitleFI: true, fTitleSV: true, fTitleEN: true, fBodyFI: true, fBodySV: true, fBodyEN: true, fURL: true}

// page is which hits a search returns, and what it counts.
type page struct {
	limit, offset int
	facets        bool
	// place is the code of a municipality named in the search: listings
	// that cover it locally rank above national ones (localFactor).
	place string
}

// localFactor: with a place named, a listing that covers it locally
// ranks as if its words matched this much better than a national
// listing's. A national service is there for everyone; the local one is
// usually the referral the professional is looking for ("nuorisopsykiatria
// Helsinki": HUS's, not the national description of the service).
const localFactor = 1.25

// collector ranks hits and counts their facets, whichever engine found
// them.
type collector struct {
	views  []segView
	counts [][]uint32 // per segment, per facet value; nil without facets
	top    topN
	total  uint64
	lazy   bool // counts[seg] is made on the segment's first hit
	// local[seg] is the facet value of the named place in the segment,
	// -1 if none there; nil without a place.
	local []int
}

func newCollector(views []segView, pg page) *collector {
	c := &collector{views: views, top: topN{n: pg.offset + pg.limit}}
	if pg.place != "" {
		c.local = make([]int, len(views))
		mf := slices.Index(FacetFields, fMunicipality)
		for i, v := range views {
			c.local[i] = slices.Index(v.tab.values, facetTerm{mf, pg.place})
		}
	}
	if pg.facets {
		c.counts = make([][]uint32, len(views))
		for i, v := range views {
			c.counts[i] = make([]uint32, len(v.tab.values))
		}
	}
	return c
}

// fork returns a collector for a worker: its own ranking, total and
// facet counts (allocated for the segments it sees).
func (c *collector) fork() *collector {
	w := &collector{views: c.views, top: topN{n: c.top.n}, local: c.local}
	if c.counts != nil {
		w.counts = make([][]uint32, len(c.views))
		w.lazy = true
	}
	return w
}

// join adds a worker's ranking, total and facet counts.
func (c *collector) join(w *collector) {
	c.total += w.total
	for _, e := range w.top.h {
		c.top.add(e)
	}
	for seg, n := range w.counts {
		for x, k := range n {
			c.counts[seg][x] += k
		}
	}
}

// add takes document doc of segment seg with its query score.
func (c *collector) add(seg int, doc uint64, score float64) {
	v := &c.views[seg]
	c.total++
	vals := v.tab.vals[v.tab.start[doc]:v.tab.start[doc+1]]
	if c.local != nil && c.local[seg] >= 0 && slices.Contains(vals, uint32(c.local[seg])) {
		score *= localFactor
	}
	score += liftScore[v.tab.lift[doc]]
	if c.counts != nil {
		n := c.counts[seg]
		if n == nil && c.lazy {
			n = make([]uint32, len(v.tab.values))
			c.counts[seg] = n
		}
		for _, x := range vals {
			n[x]++
		}
	}
	c.top.add(topEntry{score: score, key: v.tab.keys[doc], seg: seg, doc: doc})
}

// collect runs q with Bleve and returns the page's hits and, when it asks
// for them, the facet counts of every hit.
func (ix *Index) collect(ctx context.Context, q query.Query, pg page) (*found, error) {
	out := &found{}
	var handlerErr error
	var col *collector
	mk := func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		snap, ok := sctx.IndexReader.(*scorch.IndexSnapshot)
		if !ok {
			return nil, false, fmt.Errorf("index reader %T: %w", sctx.IndexReader, errUnsupported)
		}
		views, err := ix.tables.forSnapshot(snap)
		if err != nil {
			return nil, false, err
		}
		col = newCollector(views, pg)
		cur := 0
		return func(d *search.DocumentMatch) error {
			if d == nil {
				handlerErr = ix.finish(out, col, pg.offset)
				return handlerErr
			}
			num := binary.BigEndian.Uint64(d.IndexInternalID)
			score := d.Score
			sctx.DocumentMatchPool.Put(d)
			if cur >= len(views) || num < views[cur].offset || num >= views[cur].end {
				cur = sort.Search(len(views), func(i int) bool { return views[i].end > num })
				if cur == len(views) || num < views[cur].offset {
					return fmt.Errorf("search: document %d outside the snapshot's segments", num)
				}
			}
			col.add(cur, num-views[cur].offset, score)
			return nil
		}, false, nil
	}
	ctx = context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(mk))
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	res, err := ix.b().SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	if handlerErr != nil {
		return nil, handlerErr
	}
	if res.Total != out.total {
		return nil, fmt.Errorf("search: collected %d of %d hits", out.total, res.Total)
	}
	return out, nil
}

// finish orders the top hits, loads their stored fields and totals the
// facets, while the snapshot is still open.
func (ix *Index) finish(out *found, c *collector, offset int) error {
	out.total = c.total
	views, counts := c.views, c.counts
	h := c.top.page(offset)
	out.hits = make([]foundHit, 0, len(h))
	for _, e := range h {
		v := &views[e.seg]
		hit := foundHit{key: e.key, score: e.score, fields: map[string]string{}}
		err := v.snap.VisitDocument(e.doc, func(field string, typ byte, value []byte, pos []uint64) bool {
			if storedFields[field] && typ == 't' {
				hit.fields[field] = string(value)
			}
			return true
		})
		if err != nil {
			return err
		}
		for _, x := range v.tab.vals[v.tab.start[e.doc]:v.tab.start[e.doc+1]] {
			if t := v.tab.values[x]; t.field == v.tab.fresh {
				hit.fresh = t.term
			}
		}
		out.hits = append(out.hits, hit)
	}
	if counts == nil {
		return nil
	}
	sums := make([]map[string]int, len(FacetFields))
	for i := range sums {
		sums[i] = map[string]int{}
	}
	for si, c := range counts {
		for x, n := range c {
			if n > 0 {
				t := views[si].tab.values[x]
				sums[t.field][t.term] += int(n)
			}
		}
	}
	out.facets = make(map[string][]FacetValue, len(FacetFields))
	for i, field := range FacetFields {
		vals := make([]FacetValue, 0, len(sums[i]))
		for term, n := range sums[i] {
			vals = append(vals, FacetValue{Value: term, Count: n})
		}
		slices.SortFunc(vals, func(a, b FacetValue) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			if a.Value < b.Value {
				return -1
			}
			if a.Value > b.Value {
				return 1
			}
			return 0
		})
		out.facets[field] = vals[:min(len(vals), facetSize(field))]
	}
	return nil
}
