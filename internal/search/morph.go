package search

import (
	"fmt"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/serie-verkosto/directory/internal/voikko"
)

// Finnish morphology: with Voikko (internal/voikko) the Finnish analysis
// knows any word's lemma and a compound's parts, where Snowball alone
// only cuts endings and the curated list (compounds.txt) splits only the
// parts it names. Indexing adds, beside each word, its lemma and its
// parts ("lähisuhdeväkivaltatyö": lähisuhde, väkivalta, työ, ...), so a
// search for a part finds the compound; a query adds only each word's
// lemma ("nuorisoasemalle": nuorisoasema), so that a compound typed does
// not turn into its parts.

const (
	tfVoikkoIndex = "dir_voikko_index"
	tfVoikkoQuery = "dir_voikko_query"
)

// morph is the Voikko analyser in use, nil for Snowball alone.
var morph atomic.Pointer[voikko.Analyzer]

// SetMorphology makes Finnish analysis use Voikko, or (nil) Snowball and
// the curated list alone, and returns the one in use before. Call it
// before opening an index: the mapping and its version depend on it, so
// an index built the other way is rebuilt.
func SetMorphology(a *voikko.Analyzer) *voikko.Analyzer { return morph.Swap(a) }

// Morphology names the Finnish analysis in use: "voikko" or "snowball".
func Morphology() string {
	if morph.Load() != nil {
		return "voikko"
	}
	return "snowball"
}

type voikkoFilter struct {
	a     *voikko.Analyzer
	parts bool // indexing: the compound's parts too
}

func init() {
	for _, f := range []struct {
		name  string
		parts bool
	}{{tfVoikkoIndex, true}, {tfVoikkoQuery, false}} {
		if err := registry.RegisterTokenFilter(f.name, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
			a := morph.Load()
			if a == nil {
				// An index built with Voikko opened without it: its version
				// differs, so it is rebuilt; until then words pass as they are.
				return voikkoFilter{}, nil
			}
			return voikkoFilter{a: a, parts: f.parts}, nil
		}); err != nil {
			panic(fmt.Sprintf("register %s: %v", f.name, err))
		}
	}
}

func (f voikkoFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	if f.a == nil {
		return in
	}
	out := make(analysis.TokenStream, 0, len(in))
	for _, t := range in {
		out = append(out, t)
		an, ok := f.a.Analyze(string(t.Term))
		if !ok {
			continue
		}
		add := func(term string) {
			if term != "" && term != string(t.Term) {
				out = append(out, &analysis.Token{Term: []byte(term), Position: t.Position, Start: t.Start, End: t.End, Type: t.Type, KeyWord: t.KeyWord})
			}
		}
		add(an.Lemma)
		if f.parts {
			for _, p := range an.Parts {
				add(p)
			}
		}
	}
	return out
}
