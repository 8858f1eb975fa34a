package search

import (
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// snippetRunes is about how long a snippet is.
const snippetRunes = 220

// markers are what a word of the query looks like in a text: its folded
// form cut to a stem-like prefix (so "terapiassa" marks "terapia" and the
// compound "seksuaaliterapia"), and the words of its synonyms.
func markers(p Plan, syn Synonyms) []string {
	var out []string
	for i := range p.Words {
		for _, g := range unitMarkers(p, i, syn) {
			out = append(out, g...)
		}
	}
	return out
}

// unitMarkers are the markers of the plan's i-th unit, in groups: the
// unit is in a text that has every marker of one group (its words, or
// the words of one of its synonyms).
func unitMarkers(p Plan, i int, syn Synonyms) [][]string {
	groups := [][]string{markersOf(p.Words[i])}
	for _, s := range syn.lookup(p.Words[i], p.Raw[i]) {
		groups = append(groups, markersOf(s))
	}
	return groups
}

func markersOf(words string) []string {
	var out []string
	for _, w := range strings.Fields(words) {
		r := []rune(w)
		if len(r) < 3 {
			continue
		}
		n := len(r)
		if n > 5 {
			n = max(5, n-3)
		}
		out = append(out, string(r[:n]))
	}
	return out
}

// lacks reports whether a folded text has none of the unit's marker
// groups in full.
func lacks(text string, groups [][]string) bool {
	for _, g := range groups {
		all := true
		for _, m := range g {
			if !strings.Contains(text, m) {
				all = false
				break
			}
		}
		if all {
			return false
		}
	}
	return true
}

type span struct{ start, end int }

// Snippet returns a window of text around the first words that match the
// markers, HTML-escaped, with the matches in <mark>. Without a match it
// is the text's beginning. The text is cut at word boundaries only, so a
// snippet never splits a character.
func Snippet(text string, marks []string) string {
	text = strings.Join(strings.Fields(text), " ")
	var words []span
	start := -1
	for i, r := range text {
		letter := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case letter && start < 0:
			start = i
		case !letter && start >= 0:
			words = append(words, span{start, i})
			start = -1
		}
	}
	if start >= 0 {
		words = append(words, span{start, len(text)})
	}
	// Only the words up to the first match and those in the window are
	// folded and compared: bodies can be long.
	matches := func(w span) bool {
		f := Fold(text[w.start:w.end])
		for _, m := range marks {
			if strings.Contains(f, m) {
				return true
			}
		}
		return false
	}
	first := slices.IndexFunc(words, matches)
	from := 0
	if first >= 0 {
		// Start a little before the first match, at a word boundary.
		from = words[max(0, first-6)].start
	}
	to := len(text)
	if utf8.RuneCountInString(text[from:]) > snippetRunes {
		// The last word end within snippetRunes of from.
		to = from
		runes, pos := 0, from
		for _, w := range words {
			if w.start < from {
				continue
			}
			runes += utf8.RuneCountInString(text[pos:w.end])
			pos = w.end
			if runes > snippetRunes {
				break
			}
			to = w.end
		}
	}
	var hits []span
	if first >= 0 {
		for i, w := range words[first:] {
			if w.end > to {
				break
			}
			if i == 0 || matches(w) {
				hits = append(hits, w)
			}
		}
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("… ")
	}
	pos := from
	for _, h := range hits {
		if h.start < from || h.end > to {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:h.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[h.start:h.end]))
		b.WriteString("</mark>")
		pos = h.end
	}
	b.WriteString(html.EscapeString(text[pos:to]))
	if to < len(text) {
		b.WriteString(" …")
	}
	return b.String()
}
