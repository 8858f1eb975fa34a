package search

import "github.com/blevesearch/bleve/v2/index/scorch"

// SetBleveOnly makes Bleve's public API alone run every query (the bleve
// engine), for comparing its results with the fast engine's.
func (ix *Index) SetBleveOnly(on bool) { ix.plainOnly.Store(on) }

// Evaluated is how many search passes the evaluator has run.
func (ix *Index) Evaluated() uint64 { return ix.evaluated.Load() }

// Segments is how many segments the index has now.
func (ix *Index) Segments() int {
	adv, err := ix.b().Advanced()
	if err != nil {
		return 0
	}
	r, err := adv.Reader()
	if err != nil {
		return 0
	}
	defer r.Close()
	return len(r.(*scorch.IndexSnapshot).Segments())
}

// SetMinRange sets the fewest documents the evaluator's ranges have, so
// that small test indexes are cut into several; it returns the old value.
func SetMinRange(n int) int {
	old := minRange
	minRange = n
	return old
}
