package search

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// tokWords splits text into words: runs of letters, digits and combining
// marks; every other character separates. Bleve's unicode tokenizer
// applies the full Unicode word-boundary rules, which keep "SeriE:n" or
// "3.14" whole (so "SeriE" did not find "SeriE:n"); it was a tenth of the
// indexing time, and this is a few times faster. A query word (words in
// query.go, which keeps hyphens) is analyzed by the same tokenizer before
// it is looked up, except in the prefix field, where a hyphenated word
// has no term.
const tokWords = "dir_words"

type wordTokenizer struct{}

func init() {
	if err := registry.RegisterTokenizer(tokWords, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return wordTokenizer{}, nil
	}); err != nil {
		panic(err)
	}
}

func wordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func (wordTokenizer) Tokenize(input []byte) analysis.TokenStream {
	var out analysis.TokenStream
	scanWords(input, func(start, end int, numeric bool) {
		typ := analysis.AlphaNumeric
		if numeric {
			typ = analysis.Numeric
		}
		out = append(out, &analysis.Token{Term: input[start:end], Start: start, End: end, Position: len(out) + 1, Type: typ})
	})
	return out
}

// scanWords calls word with the byte range of each word of input, in
// order, and whether it is all digits. The indexing analyzers scan with it
// directly, without a token for each word (analyzer.go).
func scanWords(input []byte, word func(start, end int, numeric bool)) {
	start, digits := -1, true
	for i := 0; i < len(input); {
		r, size := rune(input[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(input[i:])
		}
		if wordRune(r) {
			if start < 0 {
				start = i
			}
			if digits && !('0' <= r && r <= '9') && !unicode.IsDigit(r) {
				digits = false
			}
		} else if start >= 0 {
			word(start, i, digits)
			start, digits = -1, true
		}
		i += size
	}
	if start >= 0 {
		word(start, len(input), digits)
	}
}
