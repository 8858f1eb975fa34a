package search

import (
	"fmt"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// tfDecompound splits Finnish compounds into the parts listed in a token
// map. It does what Bleve's dict_compound filter does, but with byte
// offsets: that filter counts runes, so with an ä or ö before a part the
// highlighted span slips and may cut a character in two.
const tfDecompound = "dir_decompound"

// Subword bounds, in runes: parts shorter than four letters match too
// much, and words shorter than seven are rarely compounds.
const (
	minCompoundWord = 7
	minSubword      = 4
	maxSubword      = 15
)

type decompoundFilter struct{ dict analysis.TokenMap }

func init() {
	if err := registry.RegisterTokenFilter(tfDecompound, func(config map[string]any, cache *registry.Cache) (analysis.TokenFilter, error) {
		name, ok := config["dict_token_map"].(string)
		if !ok {
			return nil, fmt.Errorf("%s: dict_token_map missing", tfDecompound)
		}
		dict, err := cache.TokenMapNamed(name)
		if err != nil {
			return nil, err
		}
		return decompoundFilter{dict}, nil
	}); err != nil {
		panic(err)
	}
}

func (f decompoundFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, len(in))
	for _, t := range in {
		out = append(out, t)
		if utf8.RuneCount(t.Term) < minCompoundWord {
			continue
		}
		// offs[i] is the byte offset of rune i; offs[n] the term's length.
		var offs []int
		for i := range string(t.Term) {
			offs = append(offs, i)
		}
		offs = append(offs, len(t.Term))
		n := len(offs) - 1
		for i := 0; i+minSubword <= n; i++ {
			for j := minSubword; j <= maxSubword && i+j <= n; j++ {
				part := t.Term[offs[i]:offs[i+j]]
				if i == 0 && j == n {
					continue // the whole word is already there
				}
				if _, ok := f.dict[string(part)]; ok {
					out = append(out, &analysis.Token{Term: append([]byte(nil), part...), Position: t.Position,
						Start: t.Start + offs[i], End: t.Start + offs[i+j], Type: t.Type, KeyWord: t.KeyWord})
				}
			}
		}
	}
	return out
}
