package search

import (
	"fmt"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/google/go-cmp/cmp"
)

// TestCachedAnalyzer: each of the directory's analyzers gives the same
// tokens as the same tokenizer and filters run plainly, each term once per
// word, the first time a word is seen and when it comes from the cache.
func TestCachedAnalyzer(t *testing.T) {
	m, err := NewMapping([]string{"rikos", "terapia", "seksuaali"})
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"Seksuaaliterapiaa aikuisille; seksuaalirikosten ehkäisy – SeriE:n tukipalvelu, 13–22-vuotiaille.",
		"Socialt arbete inom barnskyddet för barn och unga i Åbo och Tammerfors.",
		"Children's services: therapy for adolescents, the family's counselling and e-mail support.",
		"Äänekoski Öljy ÅLAND naïve café 3.14 ½",
		"",
	}
	for _, name := range []string{anFI, anSV, anEN, anFold, anPrefix} {
		a, ok := m.AnalyzerNamed(name).(*cachedAnalyzer)
		if !ok {
			t.Fatalf("%s: %T, want the cached analyzer", name, m.AnalyzerNamed(name))
		}
		plain := &analysis.DefaultAnalyzer{Tokenizer: wordTokenizer{}, TokenFilters: a.filters}
		for _, text := range texts {
			want := tokens(oncePerWord(plain.Analyze([]byte(text))))
			for round := range 2 {
				if diff := cmp.Diff(want, tokens(a.Analyze([]byte(text)))); diff != "" {
					t.Errorf("%s round %d %q (-plain +cached):\n%s", name, round, text, diff)
				}
			}
		}
	}
	// The query side's analyzers keep no words, and analyze as the
	// index's do (Finnish apart: queries are not decompounded).
	for q, ix := range map[string]string{anFIQ: "", anSVQ: anSV, anENQ: anEN, anFoldQ: anFold} {
		a := m.AnalyzerNamed(q)
		if _, cached := a.(*cachedAnalyzer); cached || a == nil {
			t.Errorf("%s: %T, want a plain analyzer", q, a)
			continue
		}
		for _, text := range texts {
			if ix == "" {
				continue
			}
			if diff := cmp.Diff(tokens(m.AnalyzerNamed(ix).Analyze([]byte(text))), tokens(a.Analyze([]byte(text)))); diff != "" {
				t.Errorf("%s and %s differ on %q:\n%s", q, ix, text, diff)
			}
		}
	}
}

// oncePerWord drops the repeats of a term at one position.
func oncePerWord(ts analysis.TokenStream) analysis.TokenStream {
	var out analysis.TokenStream
	seen := map[string]bool{}
	for _, t := range ts {
		k := fmt.Sprint(t.Position, " ", string(t.Term))
		if !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return out
}

func tokens(ts analysis.TokenStream) []string {
	var out []string
	for _, t := range ts {
		out = append(out, fmt.Sprintf("%s@%d[%d:%d]%d", t.Term, t.Position, t.Start, t.End, t.Type))
	}
	return out
}

func TestWordTokenizer(t *testing.T) {
	for in, want := range map[string][]string{
		"SeriE:n tukipalvelu": {"SeriE@1[0:5]0", "n@2[6:7]0", "tukipalvelu@3[8:19]0"},
		"13–22-vuotiaille":    {"13@1[0:2]2", "22@2[5:7]2", "vuotiaille@3[8:18]0"},
		"Äiti ja e\u0301":     {"Äiti@1[0:5]0", "ja@2[6:8]0", "e\u0301@3[9:12]0"},
		"  ,.;  ":             nil,
		"children's":          {"children@1[0:8]0", "s@2[9:10]0"},
	} {
		if diff := cmp.Diff(want, tokens(wordTokenizer{}.Tokenize([]byte(in)))); diff != "" {
			t.Errorf("%q (-want +got):\n%s", in, diff)
		}
	}
}
