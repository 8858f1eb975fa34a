package search

import (
	"bytes"
	"fmt"
	"slices"
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
		// The words are scanned by scanWords, which is the tokenizer
		// tokWords.
		d, ok := a.(*analysis.DefaultAnalyzer)
		if !ok || len(d.CharFilters) > 0 {
			return nil, fmt.Errorf("%s: unexpected analyzer %T", anCached, a)
		}
		if _, ok := d.Tokenizer.(wordTokenizer); !ok {
			return nil, fmt.Errorf("%s: tokenizer %T, want %s", anCached, d.Tokenizer, tokWords)
		}
		return &cachedAnalyzer{filters: d.TokenFilters}, nil
	}); err != nil {
		panic(err)
	}
}

type cachedAnalyzer struct {
	filters []analysis.TokenFilter
	words   sync.Map // string -> []cachedToken
	size    atomic.Int64
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

// Analyze makes the tokens of all words in one array: a document's
// fields are analyzed once and their tokens kept only until its segment
// is built, and one allocation per field instead of one per token was a
// tenth of a rebuild.
func (a *cachedAnalyzer) Analyze(input []byte) analysis.TokenStream {
	toks := make([]analysis.Token, 0, len(input)/6+1)
	pos := 0
	scanWords(input, func(start, end int, numeric bool) {
		pos++
		for _, t := range a.word(input[start:end], numeric) {
			toks = append(toks, analysis.Token{Term: t.term, Type: t.typ, KeyWord: t.kw, Position: pos,
				Start: start + t.start, End: start + t.end})
		}
	})
	out := make(analysis.TokenStream, len(toks))
	for i := range toks {
		out[i] = &toks[i]
	}
	return out
}

// word returns what the filters make of one word, from the cache or by
// running them on the word alone.
func (a *cachedAnalyzer) word(term []byte, numeric bool) []cachedToken {
	if v, ok := a.words.Load(string(term)); ok {
		return v.([]cachedToken)
	}
	key := string(term)
	typ := analysis.AlphaNumeric
	if numeric {
		typ = analysis.Numeric
	}
	one := analysis.TokenStream{{Term: []byte(key), Start: 0, End: len(key), Position: 1, Type: typ}}
	for _, f := range a.filters {
		one = f.Filter(one)
	}
	// A word's analyses often agree (Voikko's lemma stems as the word
	// does): the word counts once.
	toks := make([]cachedToken, 0, len(one))
	for _, t := range one {
		if !slices.ContainsFunc(toks, func(c cachedToken) bool { return bytes.Equal(c.term, t.Term) }) {
			toks = append(toks, cachedToken{term: t.Term, typ: t.Type, kw: t.KeyWord, start: t.Start, end: t.End})
		}
	}
	if a.size.Load() < maxCachedWords {
		if _, loaded := a.words.LoadOrStore(key, toks); !loaded {
			a.size.Add(1)
		}
	}
	return toks
}
