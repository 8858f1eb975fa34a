package search

import (
	"html"
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
	add := func(w string) {
		r := []rune(w)
		if len(r) < 3 {
			return
		}
		n := len(r)
		if n > 5 {
			n = max(5, n-3)
		}
		out = append(out, string(r[:n]))
	}
	for _, w := range p.Words {
		add(w)
		for _, s := range syn[w] {
			for _, x := range strings.Fields(s) {
				add(x)
			}
		}
	}
	return out
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
	var hits []span
	for _, w := range words {
		f := Fold(text[w.start:w.end])
		for _, m := range marks {
			if strings.Contains(f, m) {
				hits = append(hits, w)
				break
			}
		}
	}
	from := 0
	if len(hits) > 0 {
		// Start a little before the first match, at a word boundary.
		from = hits[0].start
		back := 0
		for i := len(words) - 1; i >= 0; i-- {
			if words[i].start < hits[0].start {
				back++
				from = words[i].start
				if back == 6 {
					break
				}
			}
		}
	}
	to := len(text)
	if utf8.RuneCountInString(text[from:]) > snippetRunes {
		to = from
		for _, w := range words {
			if w.start >= from && utf8.RuneCountInString(text[from:w.end]) <= snippetRunes {
				to = w.end
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
