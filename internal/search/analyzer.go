package search

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/registry"
)

// anCached is an analyzer type: a custom analyzer (tokenizer and token
// filters, configured as Bleve's "custom") that remembers what its filters
// made of each word. Every filter of the directory's analyzers works on
// one token at a time (lowercase, decompounding, stop words, stemming,
// folding, edge n-grams), so a word always comes out the same; and the
// words of a directory repeat (service names, places, professions), so
// the stemmers and the rest ran on the same few thousand words again and
// again: most of the indexing time went there. Only the indexing
// analyzers are of this type; the query side's analyze afresh, so that
// nothing a user types is kept (mapping.go).
const anCached = "dir_cached"

// maxCachedWords bounds each analyzer's memory: past it, new words are
// analyzed but not remembered.
const maxCachedWords = 1 << 16

func init() {
	if err := registry.RegisterAnalyzer(anCached, func(config map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
		a, err := custom.AnalyzerConstructor(config, cache)
		if err != nil {
			return nil, err
		}
		d, ok := a.(*analysis.DefaultAnalyzer)
		if !ok || len(d.CharFilters) > 0 {
			return nil, fmt.Errorf("%s: unexpected analyzer %T", anCached, a)
		}
		return &cachedAnalyzer{tokenizer: d.Tokenizer, filters: d.TokenFilters}, nil
	}); err != nil {
		panic(err)
	}
}

type cachedAnalyzer struct {
	tokenizer analysis.Tokenizer
	filters   []analysis.TokenFilter
	words     sync.Map // string -> []cachedToken
	size      atomic.Int64
}

// cachedToken is one token a word became. Its term is shared by every
// token made from it: nothing writes to a term after analysis (Bleve
// counts terms into a map keyed by a copy, and keeps the slice itself
// only to read it).
type cachedToken struct {
	term  []byte
	typ   analysis.TokenType
	kw    bool
	start int // offsets within the word
	end   int
}

func (a *cachedAnalyzer) Analyze(input []byte) analysis.TokenStream {
	words := a.tokenizer.Tokenize(input)
	out := make(analysis.TokenStream, 0, len(words))
	for _, w := range words {
		toks := a.word(w)
		for _, t := range toks {
			out = append(out, &analysis.Token{Term: t.term, Type: t.typ, KeyWord: t.kw, Position: w.Position,
				Start: w.Start + t.start, End: w.Start + t.end})
		}
	}
	return out
}

// word returns what the filters make of one word, from the cache or by
// running them on the word alone.
func (a *cachedAnalyzer) word(w *analysis.Token) []cachedToken {
	if v, ok := a.words.Load(string(w.Term)); ok {
		return v.([]cachedToken)
	}
	key := string(w.Term)
	one := analysis.TokenStream{{Term: []byte(key), Start: 0, End: len(key), Position: 1, Type: w.Type, KeyWord: w.KeyWord}}
	for _, f := range a.filters {
		one = f.Filter(one)
	}
	toks := make([]cachedToken, len(one))
	for i, t := range one {
		toks[i] = cachedToken{term: t.Term, typ: t.Type, kw: t.KeyWord, start: t.Start, end: t.End}
	}
	if a.size.Load() < maxCachedWords {
		if _, loaded := a.words.LoadOrStore(key, toks); !loaded {
			a.size.Add(1)
		}
	}
	return toks
}
