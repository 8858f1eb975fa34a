package search

// SetBleveOnly makes Bleve run every query, for comparing its results
// with the evaluator's.
func (ix *Index) SetBleveOnly(on bool) { ix.bleveOnly.Store(on) }

// Evaluated is how many search passes the evaluator has run.
func (ix *Index) Evaluated() uint64 { return ix.evaluated.Load() }
