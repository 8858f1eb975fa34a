package search

import (
	"crypto/sha256"
	"maps"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
)

// Synonyms of several words ("family counselling", "child welfare") are
// phrases, and a phrase query reads the positions of every document that
// has all its words: on a large index, more than the rest of the query.
// So the phrases are found when a document is indexed: the words of its
// name field are searched for every multi-word synonym, and those found
// are indexed as single terms in the synonym field. A query for a word
// then asks for its multi-word synonyms there, one term each. The
// synonyms are part of the mapping version: changing them rebuilds.

// foldAnalyzer analyzes as dir_fold does: the name field's tokens.
var foldAnalyzer = &analysis.DefaultAnalyzer{
	Tokenizer:    wordTokenizer{},
	TokenFilters: []analysis.TokenFilter{lowercase.NewLowerCaseFilter(), foldFilter{}},
}

// phraseTokens returns the name-field tokens of s.
func phraseTokens(s string) []string {
	ts := foldAnalyzer.Analyze([]byte(s))
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t.Term)
	}
	return out
}

// phraseSet holds the multi-word synonyms by their first token.
type phraseSet struct {
	first map[string][][]string
}

func newPhraseSet(syn Synonyms) *phraseSet {
	ps := &phraseSet{first: map[string][][]string{}}
	seen := map[string]bool{}
	add := func(s string) {
		toks := phraseTokens(s)
		k := strings.Join(toks, " ")
		if len(toks) < 2 || seen[k] {
			return
		}
		seen[k] = true
		ps.first[toks[0]] = append(ps.first[toks[0]], toks)
	}
	for _, k := range slices.Sorted(maps.Keys(syn)) {
		add(k)
		for _, s := range syn[k] {
			add(s)
		}
	}
	return ps
}

// find returns the multi-word synonyms that occur in text, as the
// synonym field's terms, each once.
func (ps *phraseSet) find(text string) []string {
	if ps == nil || len(ps.first) == 0 {
		return nil
	}
	ts := foldAnalyzer.Analyze([]byte(text))
	var out []string
	for i, t := range ts {
		for _, p := range ps.first[string(t.Term)] {
			if i+len(p) > len(ts) {
				continue
			}
			ok := true
			for j := 1; j < len(p); j++ {
				if string(ts[i+j].Term) != p[j] || ts[i+j].Position != ts[i+j-1].Position+1 {
					ok = false
					break
				}
			}
			if k := strings.Join(p, " "); ok && !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// synonymsHash identifies the multi-word synonyms, for the mapping
// version.
func synonymsHash(ps *phraseSet) []byte {
	var all []string
	for _, list := range ps.first {
		for _, p := range list {
			all = append(all, strings.Join(p, " "))
		}
	}
	slices.Sort(all)
	h := sha256.Sum256([]byte(strings.Join(all, "\n")))
	return h[:]
}
