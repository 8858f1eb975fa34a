package search

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSnippet(t *testing.T) {
	long := strings.Repeat("sana ", 30) + "seksuaaliterapiaa tarjoaa <Sexpo> & muut " + strings.Repeat("täyte ", 60)
	for _, tt := range []struct {
		name, text string
		marks      []string
		want       string
	}{
		{"no match: the beginning", "Apua ja tukea.", []string{"terap"}, "Apua ja tukea."},
		{"match marked, escaped", "Terapia <lapsille> & nuorille", []string{"terap"}, "<mark>Terapia</mark> &lt;lapsille&gt; &amp; nuorille"},
		{"compound and folded", "Seksuaaliterapiaa Äänekoskella", []string{"terap", "aanek"}, "<mark>Seksuaaliterapiaa</mark> <mark>Äänekoskella</mark>"},
		{"spaces collapsed", "a  b\n\nterapia", []string{"terap"}, "a b <mark>terapia</mark>"},
		{"window from six words before", long, []string{"terap"},
			"… sana sana sana sana sana sana <mark>seksuaaliterapiaa</mark> tarjoaa &lt;Sexpo&gt; &amp; muut " +
				strings.TrimSpace(strings.Repeat("täyte ", 25)) + " …"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Snippet(tt.text, tt.marks); got != tt.want {
				t.Errorf("Snippet:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
	// However long the text, the window is about snippetRunes and whole
	// words.
	got := Snippet(strings.Repeat("äiti ", 1000), nil)
	plain := strings.TrimSuffix(got, " …")
	if n := utf8.RuneCountInString(plain); n > snippetRunes || n < snippetRunes-10 || strings.HasSuffix(plain, "äi") && !strings.HasSuffix(plain, "äiti") {
		t.Errorf("window of %d runes: %q", n, got)
	}
}
