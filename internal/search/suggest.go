package search

import (
	"strings"
	"unicode/utf8"
)

// Suggest returns q with each word that the index does not know replaced
// by the most frequent indexed word within edit distance 2 (1 for short
// words), or "" when it has nothing better to offer. It serves the "did
// you mean" line of an empty result page.
func (ix *Index) Suggest(q string) string {
	ws := words(q)
	changed := false
	for i, w := range ws {
		f := Fold(w)
		n := utf8.RuneCountInString(f)
		if n < 4 || ix.known(f) {
			continue
		}
		maxDist := 1
		if n >= 7 {
			maxDist = 2
		}
		prefix := string([]rune(f)[:1])
		best, bestCount, bestDist := "", uint64(0), maxDist+1
		for _, field := range []string{fName} {
			dict, err := ix.b().FieldDictPrefix(field, []byte(prefix))
			if err != nil {
				continue
			}
			for {
				e, err := dict.Next()
				if err != nil || e == nil {
					break
				}
				d := levenshtein(f, e.Term, maxDist)
				if d <= maxDist && (d < bestDist || d == bestDist && e.Count > bestCount) {
					best, bestCount, bestDist = e.Term, e.Count, d
				}
			}
			dict.Close()
		}
		if best != "" {
			ws[i], changed = best, true
		}
	}
	if !changed {
		return ""
	}
	return strings.Join(ws, " ")
}

func (ix *Index) known(term string) bool {
	for _, f := range []string{fName, fBodyFI, fBodySV, fBodyEN} {
		dict, err := ix.b().FieldDictRange(f, []byte(term), []byte(term))
		if err != nil {
			continue
		}
		e, err := dict.Next()
		dict.Close()
		if err == nil && e != nil && e.Term == term {
			return true
		}
	}
	return false
}

// levenshtein is the edit distance of a and b, or max+1 once it exceeds
// max (which lets the caller skip far words early).
func levenshtein(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
