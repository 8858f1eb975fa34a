package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/services"
)

// Internal keys stored in the index beside the documents.
var (
	keyVersion    = []byte("mapping_version")
	keyCheckpoint = []byte("checkpoint")
)

// scorchConfig: batches return once they are searchable, without waiting
// for their segment to reach the disk. A crash can lose the newest batches,
// but their checkpoint goes with them (it is in the same batch), so the
// syncer simply applies those changes again.
var scorchConfig = map[string]any{"unsafe_batch": true, "bolt_timeout": "2s"}

// Index is the open Bleve index with the analysis that built it.
type Index struct {
	// ref is the Bleve index; a damaged one is replaced while the
	// directory serves (Reset).
	ref     atomic.Pointer[bleveRef]
	path    string
	version string

	closeOnce sync.Once

	mu     sync.RWMutex
	places *Places
	refs   *services.Reference // filter values a request may name
	syn    Synonyms

	tables tables // per-segment keys and facet values
	// plainOnly runs every pass with Bleve's public API alone (the
	// bleve engine, engine.go).
	plainOnly atomic.Bool
	evaluated atomic.Uint64 // passes the evaluator ran
	metrics   engineMetrics
	cache     *resultCache
	// phrases are the multi-word synonyms, found in documents as they
	// are indexed.
	phrases *phraseSet
	// why says why Open made a new index ("" when it opened the old one).
	why     string
	mapping *mapping.IndexMappingImpl
	specs   fieldSpecs // how documents are made (Doc.document)
	// damaged is set by the first search that failed reading the index;
	// OnDamaged is then told, once, and the index Reset.
	damaged   atomic.Bool
	resetMu   sync.Mutex
	OnDamaged func(error)
}

// Damaged reports whether a search found the index damaged and it has not
// been Reset since.
func (ix *Index) Damaged() bool { return ix.damaged.Load() }

// damage records that reading the index failed with err (not a request
// that ended, nor the moment of a Reset): the first time, OnDamaged is
// told, in the background.
func (ix *Index) damage(err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, bleve.ErrorIndexClosed) {
		return
	}
	if ix.damaged.CompareAndSwap(false, true) && ix.OnDamaged != nil {
		go ix.OnDamaged(err)
	}
}

// Reset replaces the index with a new, empty one in its place, without a
// checkpoint, so that the syncer fills it from the database: the way back
// from a damaged index while the directory serves. Searches meanwhile
// answer from what has been filled in again.
func (ix *Index) Reset() error {
	ix.resetMu.Lock()
	defer ix.resetMu.Unlock()
	// The old index is closed first: closing it later could remove files
	// of the new one, which has the same directory and file names. It is
	// being thrown away, so how its closing went does not matter.
	_ = ix.b().Close()
	if err := ix.create(ix.mapping); err != nil {
		return err
	}
	ix.cache.invalidate()
	ix.damaged.Store(false)
	return nil
}

// bleveRef holds the Bleve index for an atomic pointer.
type bleveRef struct{ bleve.Index }

// b is the Bleve index now.
func (ix *Index) b() bleve.Index { return ix.ref.Load().Index }

// RebuildReason says why Open replaced the index with a new one: missing,
// damaged (and how), unreadable, or built by another mapping; "" when it
// opened the existing index.
func (ix *Index) RebuildReason() string { return ix.why }

// Config is what opening an index needs.
type Config struct {
	Dir       string   // the index directory (inside the data dir)
	Compounds []string // Finnish compound parts, part of the mapping
	Synonyms  Synonyms
	// ResultCache is how many results to keep for repeated searches
	// (default DefaultResultCache; negative turns the cache off).
	ResultCache int
	// Engine runs the queries: EngineFast (the default) or EngineBleve.
	Engine string
}

// Open opens the index at cfg.Dir. A missing directory, one Bleve cannot
// open (corrupt), one with a damaged segment (verifySegments) or one built
// with another mapping version is replaced by a new, empty index, which
// the syncer then fills from the database; the second result says so, and
// RebuildReason why.
func Open(cfg Config) (*Index, bool, error) {
	m, err := NewMapping(cfg.Compounds)
	if err != nil {
		return nil, false, err
	}
	specs, err := newFieldSpecs(m)
	if err != nil {
		return nil, false, err
	}
	version := MappingVersion(cfg.Compounds, cfg.Synonyms)
	size := cfg.ResultCache
	if size == 0 {
		size = DefaultResultCache
	}
	ix := &Index{path: cfg.Dir, version: version, syn: cfg.Synonyms, cache: newResultCache(max(0, size)),
		phrases: newPhraseSet(cfg.Synonyms), metrics: newEngineMetrics(), mapping: m, specs: specs}
	if err := ix.SetEngine(cfg.Engine); err != nil {
		return nil, false, err
	}
	b, err := bleve.OpenUsing(cfg.Dir, scorchConfig)
	if err == nil {
		v, verr := b.GetInternal(keyVersion)
		switch {
		case verr != nil || string(v) != version:
			ix.why = "built by another version of the mapping"
		default:
			if verr := verifySegments(cfg.Dir); verr != nil {
				ix.why = "damaged: " + verr.Error()
			} else {
				ix.ref.Store(&bleveRef{b})
				return ix, false, nil
			}
		}
		b.Close()
	} else if errors.Is(err, bleve.ErrorIndexMetaMissing) || os.IsNotExist(err) || errors.Is(err, os.ErrNotExist) {
		ix.why = "missing"
	} else if strings.Contains(err.Error(), "timeout") {
		return nil, false, fmt.Errorf("search index %s is in use by another process: %w", cfg.Dir, err)
	} else {
		ix.why = "unreadable: " + err.Error()
	}
	if err := ix.create(m); err != nil {
		return nil, false, err
	}
	return ix, true, nil
}

func (ix *Index) create(m *mapping.IndexMappingImpl) error {
	if err := os.RemoveAll(ix.path); err != nil {
		return fmt.Errorf("remove old index: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(ix.path), 0o750); err != nil {
		return err
	}
	b, err := bleve.NewUsing(ix.path, m, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, scorchConfig)
	if err != nil {
		return fmt.Errorf("create index %s: %w", ix.path, err)
	}
	if err := b.SetInternal(keyVersion, []byte(ix.version)); err != nil {
		b.Close()
		return err
	}
	ix.ref.Store(&bleveRef{b})
	return nil
}

// Close closes the index; closing it again does nothing.
func (ix *Index) Close() error {
	var err error
	ix.closeOnce.Do(func() { err = ix.b().Close() })
	return err
}

// Checkpoint returns the change-log position the index has applied, and
// whether it has one (a new index has none).
func (ix *Index) Checkpoint() (db.Position, bool, error) {
	var p db.Position
	b, err := ix.b().GetInternal(keyCheckpoint)
	if err != nil || b == nil {
		return p, false, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, false, fmt.Errorf("index checkpoint: %w", err)
	}
	return p, true, nil
}

// Count returns the number of documents.
func (ix *Index) Count() (uint64, error) { return ix.b().DocCount() }

// SetReference gives the index the reference data: municipalities for
// place recognition, and the networks and vocabularies a filter may name.
func (ix *Index) SetReference(ref *services.Reference) {
	ix.mu.Lock()
	if ix.refs == nil || ix.refs.Munis != ref.Munis {
		ix.places = NewPlaces(ref.Munis)
	}
	ix.refs = ref
	ix.mu.Unlock()
}

func (ix *Index) hasReference() bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.refs != nil
}

// Batch collects documents to write with one checkpoint.
type Batch struct {
	b       *bleve.Batch
	specs   fieldSpecs
	phrases *phraseSet
}

// NewBatch starts a batch.
func (ix *Index) NewBatch() *Batch {
	return &Batch{b: ix.b().NewBatch(), specs: ix.specs, phrases: ix.phrases}
}

// Put adds or replaces a document.
func (b *Batch) Put(d Doc) error { return b.b.IndexAdvanced(d.document(b.specs, b.phrases)) }

// Delete removes a document.
func (b *Batch) Delete(typ, id string) { b.b.Delete(typ + "/" + id) }

// Size is the number of operations in the batch.
func (b *Batch) Size() int { return b.b.Size() }

// Commit writes the batch; a non-nil checkpoint is saved in the same
// batch, so documents and checkpoint can never disagree after a crash.
func (ix *Index) Commit(b *Batch, cp *db.Position) error {
	if cp != nil {
		v, err := json.Marshal(cp)
		if err != nil {
			return err
		}
		b.b.SetInternal(keyCheckpoint, v)
	}
	err := ix.b().Batch(b.b)
	// Even a failed batch may have changed the index.
	ix.cache.invalidate()
	if err != nil {
		return fmt.Errorf("index batch: %w", err)
	}
	return nil
}

// SetResultCache sets how many results are kept for repeated searches;
// 0 turns the cache off.
func (ix *Index) SetResultCache(n int) { ix.cache.setMax(n) }

// Hit is one search result.
type Hit struct {
	Type    string  `json:"type"`
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Snippet string  `json:"snippet"` // HTML: escaped text with <mark> around matches
	URL     string  `json:"url"`
	Fresh   string  `json:"fresh,omitempty"`
	Score   float64 `json:"score"`
	// Missing are the query's words (as typed) the hit lacks, when the
	// search was relaxed to documents with most of the words.
	Missing []string `json:"missing,omitempty"`
}

// FacetValue is one value of a facet and how many results have it.
type FacetValue struct {
	Value string `json:"value"`
	// Label names the value in the request's language; the search
	// surfaces set it (package labels), the index does not.
	Label string `json:"label,omitempty"`
	Count int    `json:"count"`
}

// Result is one page of results.
type Result struct {
	Total   uint64                  `json:"total"`
	Hits    []Hit                   `json:"hits"`
	Facets  map[string][]FacetValue `json:"facets"`
	TookMS  float64                 `json:"took_ms"`
	Place   *services.Municipality  `json:"place,omitempty"`
	Partial bool                    `json:"partial,omitempty"` // some hits lack some of the words (Hit.Missing)
}

// Search runs a request. Bad requests are apperr Invalid; nothing a user
// types makes it fail otherwise.
func (ix *Index) Search(ctx context.Context, r Request) (*Result, error) {
	start := time.Now()
	ix.mu.RLock()
	places, ref, syn := ix.places, ix.refs, ix.syn
	ix.mu.RUnlock()
	plan, err := NewPlan(r, places, ref)
	if err != nil {
		return nil, err
	}
	plan = plan.WithPhrases(syn)
	limit := r.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	offset := max(0, r.Offset)
	facets := !r.NoFacets
	key := plan.cacheKey(limit, offset, facets)
	if out, ok := ix.cache.get(key); ok {
		out.TookMS = float64(time.Since(start).Microseconds()) / 1000
		return out, nil
	}
	gen := ix.cache.generation()
	pg := plan.page(limit, offset, facets)
	// Every word, exactly or stemmed; where that finds few, the documents
	// with most of the words follow; where nothing is found, the same
	// with typos forgiven.
	var res *found
	var complete map[string]bool // the hits with every word, when relaxed
	for _, fuzzy := range []bool{false, true} {
		if fuzzy && len(plan.Words) == 0 {
			break
		}
		if res, complete, err = ix.searchWords(ctx, plan, syn, pg, fuzzy); err != nil {
			ix.damage(err)
			if ix.Damaged() {
				return nil, &apperr.Error{Code: apperr.Unavailable, Key: "err.index_damaged",
					Message: "the search index is damaged and is being rebuilt; try again in a moment", Err: err}
			}
			return nil, fmt.Errorf("search: %w", err)
		}
		if res.total > 0 {
			break
		}
	}
	out := ix.result(res, plan, syn)
	if complete != nil {
		out.Partial = true
		if err := ix.markMissing(ctx, out, res, plan, syn, complete); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	out.Place = plan.Place
	out.TookMS = float64(time.Since(start).Microseconds()) / 1000
	// The cache keeps its own copy: the caller owns what it is given.
	ix.cache.put(key, gen, out.clone())
	return out, nil
}

// page is what a search of the plan returns: a named place ranks local
// listings first.
func (p Plan) page(limit, offset int, facets bool) page {
	pg := page{limit: limit, offset: offset, facets: facets}
	if p.Place != nil {
		pg.place = p.Place.Code
	}
	return pg
}

// firstLine is a document's display title: its first title line.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (ix *Index) result(res *found, plan Plan, syn Synonyms) *Result {
	out := &Result{Total: res.total, Hits: []Hit{}, Facets: map[string][]FacetValue{}}
	marks := markers(plan, syn)
	for _, h := range res.hits {
		typ, id, _ := strings.Cut(h.key, "/")
		f := h.fields
		title := l10n.Text{FI: f[fTitleFI], SV: f[fTitleSV], EN: f[fTitleEN]}
		t, _ := title.Get(plan.Lang)
		hit := Hit{Type: typ, ID: id, Title: firstLine(t), URL: f[fURL], Fresh: h.fresh, Score: h.score}
		body := l10n.Text{FI: f[fBodyFI], SV: f[fBodySV], EN: f[fBodyEN]}
		text, _ := body.Get(plan.Lang)
		hit.Snippet = Snippet(text, marks)
		out.Hits = append(out.Hits, hit)
	}
	for name, vals := range res.facets {
		out.Facets[name] = vals
	}
	return out
}
