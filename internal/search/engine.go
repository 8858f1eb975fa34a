package search

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/prometheus/client_golang/prometheus"
)

// How a pass of a plan's query runs. Bleve parses and plans every query
// (plan.go builds it); what differs is who executes it:
//
//   - fast (fast_eval.go, fast_collect.go): our evaluator reads the
//     postings of zap v17 scorch segments a clause at a time, and our
//     collector ranks and counts facets from per-segment tables. A query
//     the evaluator does not run (the typo passes) is run by Bleve with
//     our collector. These two files are the only code that uses scorch's
//     and zap's internals.
//   - bleve (plain.go): Bleve's public search API alone. It ranks and
//     counts exactly as the fast engine does, slower on broad queries. It
//     runs when chosen (--search-engine bleve), and when the fast engine
//     cannot read the index (not a scorch index): a Bleve upgrade that
//     changed the internals leaves search working, and the tests show the
//     difference.
const (
	EngineFast  = "fast"
	EngineBleve = "bleve"
)

// Engines are the engines --search-engine accepts.
var Engines = []string{EngineFast, EngineBleve}

// errUnsupported: the fast engine does not run this query on this index.
var errUnsupported = errors.New("query shape not evaluated here")

// engineMetrics count the passes each path ran.
type engineMetrics struct {
	// plain counts the passes Bleve's public API ran, by why: "chosen"
	// (the engine setting) or "unsupported" (the fast engine could not
	// read the index).
	plain *prometheus.CounterVec
}

func newEngineMetrics() engineMetrics {
	m := engineMetrics{plain: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "directory_search_plain_passes_total",
		Help: "Search passes run by Bleve's public search API alone, by reason: chosen (--search-engine bleve) or unsupported (the fast engine could not read the index).",
	}, []string{"reason"})}
	// Both series from the start, so that a dashboard sees a zero.
	m.plain.WithLabelValues("chosen")
	m.plain.WithLabelValues("unsupported")
	return m
}

// Collector is the index's metrics, for a Prometheus registry.
func (ix *Index) Collector() prometheus.Collector { return ix.metrics.plain }

// run runs one pass of q with the index's engine. Its errors never hold
// the query's words (quiet).
func (ix *Index) run(ctx context.Context, q query.Query, pg page) (*found, error) {
	res, err := ix.runEngine(ctx, q, pg)
	if err != nil {
		return nil, quiet{err}
	}
	return res, nil
}

// quiet is an engine's error without its text: Bleve names the term it
// was reading ("postings body_fi:lastensuojelu"), and errors reach the
// log, which must not hold what anybody searched for. errors.Is and As
// still see the cause.
type quiet struct{ err error }

func (q quiet) Unwrap() error { return q.err }

func (q quiet) Error() string {
	switch {
	case errors.Is(q.err, context.Canceled):
		return "reading the index: " + context.Canceled.Error()
	case errors.Is(q.err, context.DeadlineExceeded):
		return "reading the index: " + context.DeadlineExceeded.Error()
	case errors.Is(q.err, io.EOF), errors.Is(q.err, io.ErrUnexpectedEOF):
		return "reading the index: EOF (a damaged segment?)"
	}
	return "reading the index failed"
}

func (ix *Index) runEngine(ctx context.Context, q query.Query, pg page) (*found, error) {
	if ix.plainOnly.Load() {
		ix.metrics.plain.WithLabelValues("chosen").Inc()
		return ix.plain(ctx, q, pg)
	}
	res, err := ix.evaluate(ctx, q, pg)
	if err == nil {
		ix.evaluated.Add(1)
		return res, nil
	}
	if errors.Is(err, errUnsupported) {
		res, err = ix.collect(ctx, q, pg)
	}
	if errors.Is(err, errUnsupported) {
		ix.metrics.plain.WithLabelValues("unsupported").Inc()
		return ix.plain(ctx, q, pg)
	}
	return res, err
}

// SetEngine chooses the engine (EngineFast or EngineBleve).
func (ix *Index) SetEngine(name string) error {
	switch name {
	case EngineFast, "":
		ix.plainOnly.Store(false)
	case EngineBleve:
		ix.plainOnly.Store(true)
	default:
		return fmt.Errorf("search engine %q: want fast or bleve", name)
	}
	return nil
}
