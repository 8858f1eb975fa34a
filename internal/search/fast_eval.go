package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zapv17 "github.com/blevesearch/zapx/v17"
)

// Evaluating a query ourselves, in short: Bleve walks a query's postings a
// document at a time, keeping every clause's iterator in step (a heap of
// about ten term iterators for one query word) and building a match
// object per clause and document. On a word that a tenth of the index
// holds, that stepping was four fifths of the search. The evaluator runs
// the same query a clause at a time instead: each term's postings are read
// once, straight through, into arrays for a range of a segment's
// documents, and the arrays are combined as Bleve's scorers would combine
// them. Ranges are evaluated in parallel.
//
// The scores are Bleve's (tf-idf: a term scores sqrt(freq) x fieldNorm x
// idf x boost x idf x queryNorm, a disjunction the sum of its matching
// clauses times matched/clauses, a conjunction the sum of its clauses),
// to rounding (the two add in different orders), so ranking does not
// depend on which of the two ran a query: the tests and the fuzz target
// compare them. Typo queries (fuzzy) go to Bleve; so would any shape the
// compiler does not know (it says errUnsupported).

type nodeKind uint8

const (
	nTerm  nodeKind = iota
	nAny            // Bleve's disjunction
	nAll            // Bleve's conjunction
	nEvery          // Bleve's match-all: every document, a constant score
)

// node is a compiled query.
type node struct {
	kind  nodeKind
	boost float64
	idf   float64 // a term's; 1 for a match-all, whose weight is its boost
	// weight is boost x idf x queryNorm, set once the whole tree is known.
	weight float64
	min    int // a disjunction's least number of matching clauses
	kids   []*node
	src    *termSrc // a term's postings
}

// termSrc is one field's term, shared by the nodes that ask for it (a
// word's title match and its stem prefix often name the same term): its
// postings are read once per segment.
type termSrc struct {
	id  int                    // index in the query's sources
	pls []segment.PostingsList // per segment; nil where absent
	idf float64
	// scored: some node gives the term a weight; otherwise only which
	// documents have it matters, and freq and norm are not decoded.
	scored bool
}

// compiler turns a Bleve query into nodes over one index snapshot.
type compiler struct {
	snap     *scorch.IndexSnapshot
	mapping  mapping.IndexMapping
	docTotal uint64
	srcs     map[string]*termSrc
}

func (c *compiler) compile(q query.Query) (*node, error) {
	switch q := q.(type) {
	case *query.BooleanQuery:
		if q.Must == nil || q.Should != nil || q.MustNot != nil || q.Filter != nil {
			return nil, errUnsupported
		}
		return c.compile(q.Must)
	case *query.ConjunctionQuery:
		kids, err := c.compileAll(q.Conjuncts)
		return &node{kind: nAll, kids: kids}, err
	case *query.DisjunctionQuery:
		kids, err := c.compileAll(q.Disjuncts)
		return &node{kind: nAny, min: max(1, int(q.Min)), kids: kids}, err
	case *query.MatchQuery:
		// As MatchQuery.Searcher: the analyzed tokens, each a term with
		// the query's boost, in a disjunction (its own boost unused). The
		// plans never ask for automatic fuzziness, which is not visible
		// here.
		if q.FieldVal == "" || q.Fuzziness != 0 || q.Operator != query.MatchQueryOperatorOr {
			return nil, errUnsupported
		}
		name := q.Analyzer
		if name == "" {
			name = c.mapping.AnalyzerNameForPath(q.FieldVal)
		}
		an := c.mapping.AnalyzerNamed(name)
		if an == nil {
			return nil, fmt.Errorf("no analyzer named %q", name)
		}
		n := &node{kind: nAny, min: 1}
		for _, tok := range an.Analyze([]byte(q.Match)) {
			t, err := c.term(q.FieldVal, tok.Term, q.BoostVal.Value())
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, t)
		}
		return n, nil
	case *query.MatchAllQuery:
		// A constant score of 1; idf 1 makes its weight the boost.
		return &node{kind: nEvery, boost: q.BoostVal.Value(), idf: 1}, nil
	case *query.TermQuery:
		if q.FieldVal == "" {
			return nil, errUnsupported
		}
		return c.term(q.FieldVal, []byte(q.Term), q.BoostVal.Value())
	case *query.PrefixQuery:
		if q.FieldVal == "" {
			return nil, errUnsupported
		}
		return c.prefix(q.FieldVal, q.Prefix, q.BoostVal.Value())
	}
	return nil, errUnsupported
}

func (c *compiler) compileAll(qs []query.Query) ([]*node, error) {
	kids := make([]*node, len(qs))
	for i, q := range qs {
		k, err := c.compile(q)
		if err != nil {
			return nil, err
		}
		kids[i] = k
	}
	return kids, nil
}

// prefix expands a prefix as NewTermPrefixSearcher does: a disjunction of
// the dictionary's terms with the prefix, or the prefix itself as a term
// when there are none (or only itself).
func (c *compiler) prefix(field, prefix string, boost float64) (*node, error) {
	dict, err := c.snap.FieldDictPrefix(field, []byte(prefix))
	if err != nil {
		return nil, err
	}
	defer dict.Close()
	var terms []string
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		terms = append(terms, e.Term)
	}
	if len(terms) == 0 || len(terms) == 1 && terms[0] == prefix {
		return c.term(field, []byte(prefix), boost)
	}
	n := &node{kind: nAny, min: 1}
	for _, t := range terms {
		k, err := c.term(field, []byte(t), boost)
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, k)
	}
	return n, nil
}

// term opens a term's postings in every segment (deleted documents left
// out) and computes its idf from them, as Bleve's term searcher does.
func (c *compiler) term(field string, term []byte, boost float64) (*node, error) {
	key := field + "\x00" + string(term)
	src := c.srcs[key]
	if src == nil {
		src = &termSrc{id: len(c.srcs)}
		segs := c.snap.Segments()
		src.pls = make([]segment.PostingsList, len(segs))
		var df uint64
		for i, s := range segs {
			// A field a segment lacks is an empty dictionary, not an
			// error: an error is a segment that cannot be read.
			dict, err := s.Segment().Dictionary(field)
			if err != nil {
				return nil, fmt.Errorf("segment %d dictionary %s: %w", i, field, err)
			}
			pl, err := dict.PostingsList(term, s.Deleted(), nil)
			if err != nil {
				return nil, fmt.Errorf("segment %d postings %s:%s: %w", i, field, term, err)
			}
			if pl.Count() == 0 {
				continue
			}
			src.pls[i] = pl
			df += pl.Count()
		}
		src.idf = 1 + math.Log(float64(c.docTotal)/float64(df+1))
		if c.srcs == nil {
			c.srcs = map[string]*termSrc{}
		}
		c.srcs[key] = src
	}
	if boost != 0 {
		src.scored = true
	}
	return &node{kind: nTerm, boost: boost, idf: src.idf, src: src}, nil
}

// sumWeights is the sum of the squared term weights: 1/sqrt of it is the
// query norm every term score is multiplied by.
func (n *node) sumWeights() float64 {
	if n.kind == nTerm || n.kind == nEvery {
		w := n.boost * n.idf
		return w * w
	}
	var s float64
	for _, k := range n.kids {
		s += k.sumWeights()
	}
	return s
}

func (n *node) setNorm(norm float64) {
	n.weight = n.boost * n.idf * norm
	for _, k := range n.kids {
		k.setNorm(norm)
	}
}

// hits are a node's matches in one segment, in document order.
type hits struct {
	docs   []uint32
	scores []float64
}

func (h *hits) add(doc uint32, score float64) {
	h.docs = append(h.docs, doc)
	h.scores = append(h.scores, score)
}

// arena hands out the hit lists of one segment's evaluation from a few
// large buffers, kept from segment to segment and search to search.
type arena struct {
	docs   []uint32
	scores []float64
}

// make returns empty hits with room for n.
func (a *arena) make(n int) hits {
	if len(a.docs)+n > cap(a.docs) {
		a.docs = make([]uint32, 0, max(2*cap(a.docs), n, 1<<16))
	}
	if len(a.scores)+n > cap(a.scores) {
		a.scores = make([]float64, 0, max(2*cap(a.scores), n, 1<<16))
	}
	i, j := len(a.docs), len(a.scores)
	a.docs, a.scores = a.docs[:i+n], a.scores[:j+n]
	return hits{docs: a.docs[i : i : i+n], scores: a.scores[j : j : j+n]}
}

func (a *arena) reset() { a.docs, a.scores = a.docs[:0], a.scores[:0] }

// scratch is a segment-sized accumulator for combining clauses.
type scratch struct {
	score []float64
	count []uint32
	set   []uint64 // bit per document: has a clause matched it
}

func (s *scratch) reset(n int) {
	if cap(s.score) < n {
		s.score = make([]float64, n)
		s.count = make([]uint32, n)
		s.set = make([]uint64, (n+63)/64)
	}
	s.score, s.count, s.set = s.score[:n], s.count[:n], s.set[:(n+63)/64]
}

// segEval runs a compiled query over one range of a segment's documents
// at a time.
type segEval struct {
	seg     int
	lo, hi  uint32                             // the range: documents lo..hi-1
	deleted interface{ Contains(uint32) bool } // nil if none
	acc     scratch
	mem     arena
	// base[src.id] is a term's postings in this range with
	// sqrt(freq) x norm x idf, before the node's weight; read once.
	base []hits
	read []bool
}

// start readies e for documents lo..hi-1 of segment seg.
func (e *segEval) start(seg int, v *segView, lo, hi uint32, srcs int) {
	e.seg, e.lo, e.hi, e.deleted = seg, lo, hi, nil
	if d := v.snap.Deleted(); d != nil {
		e.deleted = d
	}
	e.mem.reset()
	if cap(e.read) < srcs {
		e.base, e.read = make([]hits, srcs), make([]bool, srcs)
	}
	e.base, e.read = e.base[:srcs], e.read[:srcs]
	clear(e.read)
}

func (e *segEval) eval(nd *node) (hits, error) {
	switch nd.kind {
	case nTerm:
		return e.term(nd)
	case nAny:
		return e.any(nd)
	case nEvery:
		return e.every(nd), nil
	}
	return e.all(nd)
}

// every is each live document with the constant score.
func (e *segEval) every(nd *node) hits {
	h := e.mem.make(int(e.hi - e.lo))
	s := nd.constant()
	for d := e.lo; d < e.hi; d++ {
		if e.deleted == nil || !e.deleted.Contains(d) {
			h.add(d, s)
		}
	}
	return h
}

// constant is a match-all's score: 1 x its weight.
func (nd *node) constant() float64 { return nd.weight }

// norms[len] is zap's norm of a field of len terms:
// float64(float32(1/sqrt(len))), bit for bit. zap's Norm computes it with a
// square root for every posting.
var norms = func() [256]float64 {
	var t [256]float64
	for i := 1; i < len(t); i++ {
		t[i] = float64(float32(1 / math.Sqrt(float64(i))))
	}
	return t
}()

// read returns a posting's document, frequency and norm. The index's
// segments are zap v17's (Bleve's default), whose posting is read
// directly, its methods inlined; any other goes through the interface.
func read(p segment.Posting) (doc, freq uint64, norm float64) {
	if zp, ok := p.(*zapv17.Posting); ok {
		if l := zp.NormUint64(); l > 0 && l < uint64(len(norms)) {
			return zp.Number(), zp.Frequency(), norms[l]
		}
		return zp.Number(), zp.Frequency(), zp.Norm()
	}
	return p.Number(), p.Frequency(), p.Norm()
}

// base scores a term before its weight, as Bleve's term scorer does.
func base(freq uint64, norm, idf float64) float64 {
	tf := 1.0
	if freq != 1 {
		tf = math.Sqrt(float64(freq))
	}
	return tf * norm * idf
}

// score applies a node's weight to a base score.
func (nd *node) score(b float64) float64 { return b * nd.weight }

// postings returns a term's documents in this segment with their base
// scores (zero when no node weighs the term).
func (e *segEval) postings(src *termSrc) (hits, error) {
	if e.read[src.id] {
		return e.base[src.id], nil
	}
	pl := src.pls[e.seg]
	if pl == nil {
		e.read[src.id], e.base[src.id] = true, hits{}
		return hits{}, nil
	}
	h := e.mem.make(min(int(pl.Count()), int(e.hi-e.lo)))
	it := pl.Iterator(src.scored, src.scored, false, nil)
	p, err := it.Advance(uint64(e.lo))
	for ; ; p, err = it.Next() {
		if err != nil {
			return hits{}, err
		}
		if p == nil {
			break
		}
		doc, freq, norm := read(p)
		if doc >= uint64(e.hi) {
			break
		}
		var b float64
		if src.scored {
			b = base(freq, norm, src.idf)
		}
		h.add(uint32(doc), b)
	}
	e.read[src.id], e.base[src.id] = true, h
	return h, nil
}

func (e *segEval) term(nd *node) (hits, error) {
	b, err := e.postings(nd.src)
	if err != nil || len(b.docs) == 0 {
		return hits{}, err
	}
	if nd.weight == 1 {
		return b, nil
	}
	h := hits{docs: b.docs, scores: e.mem.make(len(b.docs)).scores}
	for _, s := range b.scores {
		h.scores = append(h.scores, s*nd.weight)
	}
	return h, nil
}

// any sums each document's matching clauses, in clause order, and scales
// the sum by the share of clauses that matched.
func (e *segEval) any(nd *node) (hits, error) {
	if len(nd.kids) == 1 && nd.min <= 1 {
		// One clause, wholly: coord 1/1.
		return e.eval(nd.kids[0])
	}
	// A clause that is one term (or a disjunction of just one, as a
	// one-word match is) is added straight from the term's postings;
	// the others are evaluated first.
	kids := make([]hits, len(nd.kids))
	total := 0
	for i, k := range nd.kids {
		if t := single(k); t != nil {
			b, err := e.postings(t.src)
			if err != nil {
				return hits{}, err
			}
			total += len(b.docs)
			continue
		}
		h, err := e.eval(k)
		if err != nil {
			return hits{}, err
		}
		kids[i] = h
		total += len(h.docs)
	}
	if total == 0 {
		return hits{}, nil
	}
	n := e.hi - e.lo
	a := &e.acc
	a.reset(int(n))
	for i, k := range nd.kids {
		h, weight := kids[i], 1.0
		t := single(k)
		if t != nil {
			h, weight = e.base[t.src.id], t.weight
		}
		for j, d := range h.docs {
			s := h.scores[j]
			if t != nil && weight != 1 {
				s *= weight
			}
			d -= e.lo
			a.score[d] += s
			a.count[d]++
			a.set[d>>6] |= 1 << (d & 63)
		}
	}
	out := e.mem.make(min(total, int(n)))
	clauses := float64(len(nd.kids))
	for w, set := range a.set {
		for set != 0 {
			d := uint32(w<<6) + uint32(bits.TrailingZeros64(set))
			set &= set - 1
			if c := a.count[d]; int(c) >= nd.min {
				out.add(e.lo+d, a.score[d]*(float64(c)/clauses))
			}
			a.score[d], a.count[d] = 0, 0
		}
		a.set[w] = 0
	}
	return out, nil
}

// single returns the term a clause comes down to: a term, or a
// disjunction of one term (whose coord is 1/1); nil for any other.
func single(nd *node) *node {
	for nd.kind == nAny && len(nd.kids) == 1 && nd.min <= 1 {
		nd = nd.kids[0]
	}
	if nd.kind == nTerm {
		return nd
	}
	return nil
}

// all keeps the documents every clause matches, with the sum of the
// clauses' scores. The clauses that are single terms are probed for the
// candidates the others leave (a filter's term may be in every document;
// reading all its postings would cost more than the search).
func (e *segEval) all(nd *node) (hits, error) {
	var lists []hits
	var listKid []int // for each list, its clause
	var probes []int  // clauses to probe
	var every []int   // match-alls: every candidate, a constant score
	for i, k := range nd.kids {
		switch k.kind {
		case nTerm:
			if k.src.pls[e.seg] == nil {
				return hits{}, nil
			}
			if e.read[k.src.id] {
				// Already read for another clause: use it.
				break
			}
			probes = append(probes, i)
			continue
		case nEvery:
			every = append(every, i)
			continue
		}
		h, err := e.eval(k)
		if err != nil {
			return hits{}, err
		}
		if len(h.docs) == 0 {
			return hits{}, nil
		}
		lists = append(lists, h)
		listKid = append(listKid, i)
	}
	if len(lists) == 0 && len(probes) == 0 {
		// Only match-alls.
		lists = append(lists, e.every(nd.kids[every[0]]))
		listKid = append(listKid, every[0])
		every = every[1:]
	}
	if len(lists) == 0 {
		// Only terms: the rarest is read, the others probed.
		best := probes[0]
		for _, i := range probes[1:] {
			if nd.kids[i].src.pls[e.seg].Count() < nd.kids[best].src.pls[e.seg].Count() {
				best = i
			}
		}
		h, err := e.term(nd.kids[best])
		if err != nil || len(h.docs) == 0 {
			return hits{}, err
		}
		lists = append(lists, h)
		listKid = append(listKid, best)
		probes = slices.DeleteFunc(probes, func(i int) bool { return i == best })
	}
	if len(lists) == 1 && len(probes) == 0 && len(every) == 0 {
		// One clause: its hits, as they are.
		return lists[0], nil
	}
	// Candidates: the documents in every list.
	cand := lists[0].docs
	for _, h := range lists[1:] {
		cand = intersect(cand, h.docs)
		if len(cand) == 0 {
			return hits{}, nil
		}
	}
	// Each clause's score for each candidate, added in clause order.
	scores := make([][]float64, len(nd.kids))
	for li, h := range lists {
		s := e.mem.make(len(cand)).scores[:len(cand)]
		j := 0
		for ci, d := range cand {
			for h.docs[j] != d {
				j++
			}
			s[ci] = h.scores[j]
		}
		scores[listKid[li]] = s
	}
	keep := make([]bool, len(cand))
	for i := range keep {
		keep[i] = true
	}
	for _, ki := range every {
		s := e.mem.make(len(cand)).scores[:len(cand)]
		c := nd.kids[ki].constant()
		for i := range s {
			s[i] = c
		}
		scores[ki] = s
	}
	for _, ki := range probes {
		s, err := e.probe(nd.kids[ki], cand, keep)
		if err != nil {
			return hits{}, err
		}
		scores[ki] = s
	}
	out := e.mem.make(len(cand))
	for ci, d := range cand {
		if !keep[ci] {
			continue
		}
		var sum float64
		for _, s := range scores {
			sum += s[ci]
		}
		out.add(d, sum)
	}
	return out, nil
}

// probe scores a term for each candidate still kept, and unkeeps those
// without it.
func (e *segEval) probe(nd *node, cand []uint32, keep []bool) ([]float64, error) {
	s := e.mem.make(len(cand)).scores[:len(cand)]
	clear(s)
	src := nd.src
	it := src.pls[e.seg].Iterator(src.scored, src.scored, false, nil)
	var cur uint64
	var b float64
	started, done := false, false
	for ci, d := range cand {
		if !keep[ci] {
			continue
		}
		doc := uint64(d)
		if done || started && doc < cur {
			keep[ci] = false
			continue
		}
		if !started || doc > cur {
			p, err := it.Advance(doc)
			if err != nil {
				return nil, err
			}
			started = true
			if p == nil {
				done = true
				keep[ci] = false
				continue
			}
			var freq uint64
			var norm float64
			cur, freq, norm = read(p)
			if src.scored {
				b = base(freq, norm, src.idf)
			}
		}
		if cur != doc {
			keep[ci] = false
			continue
		}
		s[ci] = nd.score(b)
	}
	return s, nil
}

// intersect returns the documents in both sorted lists.
func intersect(a, b []uint32) []uint32 {
	out := make([]uint32, 0, min(len(a), len(b)))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// evaluate runs q with the evaluator: the page's hits and, when it asks
// for them, the facet counts of every hit. It returns errUnsupported for
// a query it does not run.
func (ix *Index) evaluate(ctx context.Context, q query.Query, pg page) (*found, error) {
	adv, err := ix.b().Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, errUnsupported
	}
	docTotal, err := snap.DocCount()
	if err != nil {
		return nil, err
	}
	c := compiler{snap: snap, mapping: ix.b().Mapping(), docTotal: docTotal}
	root, err := c.compile(q)
	if err != nil {
		return nil, err
	}
	sum := root.sumWeights()
	if sum == 0 || root.kind == nTerm {
		// Bleve leaves the norm unset (a bare term) or divides by zero:
		// shapes the plans never build.
		return nil, errUnsupported
	}
	root.setNorm(1 / math.Sqrt(sum))
	views, err := ix.tables.forSnapshot(snap)
	if err != nil {
		return nil, err
	}
	// The segments are cut into ranges of documents, evaluated in
	// parallel, each range by one worker with its own ranking; the
	// rankings are joined at the end. Ranges rather than whole segments,
	// so that the work is shared evenly however Bleve has merged.
	col := newCollector(views, pg)
	units := cutRanges(views, runtime.GOMAXPROCS(0))
	workers := min(runtime.GOMAXPROCS(0), len(units))
	cols := make([]*collector, workers)
	errs := make([]error, workers)
	var next atomic.Int64
	var failed atomic.Bool // a worker failed: the others stop too
	var wg sync.WaitGroup
	for w := range workers {
		cols[w] = col.fork()
		wg.Go(func() {
			e := evalPool.Get().(*segEval)
			defer evalPool.Put(e)
			for {
				i := int(next.Add(1) - 1)
				if i >= len(units) || failed.Load() {
					return
				}
				if err := ctx.Err(); err != nil {
					errs[w] = err
					failed.Store(true)
					return
				}
				u := units[i]
				e.start(u.seg, &views[u.seg], u.lo, u.hi, len(c.srcs))
				h, err := e.eval(root)
				if err != nil {
					errs[w] = fmt.Errorf("segment %d: %w", u.seg, err)
					failed.Store(true)
					return
				}
				for j, d := range h.docs {
					cols[w].add(u.seg, uint64(d), h.scores[j])
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, c := range cols {
		col.join(c)
	}
	out := &found{}
	if err := ix.finish(out, col, pg.offset); err != nil {
		return nil, err
	}
	return out, nil
}

// unit is a range of one segment's documents.
type unit struct {
	seg    int
	lo, hi uint32
}

// minRange is about the fewest documents a segment's ranges have. A range
// costs more than its share: each opens every term's postings again, and
// zap's Advance to the range's start reads the postings before it. (A
// variable for tests, which cut small indexes.)
var minRange = 4096

// cutRanges cuts the segments into about two ranges per worker: a segment
// is cut only when it is larger than that share (as one large segment
// after Bleve's merges), into ranges of about the share, none much
// smaller than minRange documents.
func cutRanges(views []segView, workers int) []unit {
	total := 0
	for _, v := range views {
		total += len(v.tab.keys)
	}
	size := max(minRange, total/(2*max(1, workers)))
	var out []unit
	for i, v := range views {
		n := len(v.tab.keys)
		parts := max(1, (n+size/2)/size)
		for p := range parts {
			out = append(out, unit{seg: i, lo: uint32(n * p / parts), hi: uint32(n * (p + 1) / parts)})
		}
	}
	// Largest first, so that no worker is left with a large one at the end.
	slices.SortStableFunc(out, func(a, b unit) int { return int(b.hi-b.lo) - int(a.hi-a.lo) })
	return out
}

// evalPool keeps evaluators with their buffers between searches.
var evalPool = sync.Pool{New: func() any { return new(segEval) }}
