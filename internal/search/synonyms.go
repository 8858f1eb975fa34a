package search

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Synonyms maps a folded word or phrase to the others of its group:
// agency abbreviations and names, professional and lay terms, and the fi,
// sv and en words for the same thing. An inflected form of a one-word
// entry is found by its stem (key "~" and the stem), so "pedofiliaa"
// finds the group of "pedofilia", that entry included.
type Synonyms map[string][]string

// lookup returns the other entries of w's group (w folded, raw as typed):
// by the word or phrase itself, else by the stem of a word.
func (s Synonyms) lookup(w, raw string) []string {
	if alts, ok := s[w]; ok {
		return alts
	}
	if strings.Contains(w, " ") {
		return nil
	}
	// Snowball's Finnish stems are not stable under inflection
	// ("pedofiliaa" -> "pedofilia" -> "pedofil"): the stem may itself be
	// an entry, or share the stem of one.
	st := stem(strings.ToLower(raw))
	if utf8.RuneCountInString(st) >= 5 {
		if alts, ok := s[Fold(st)]; ok {
			return append([]string{Fold(st)}, alts...)
		}
	}
	if alts, ok := s[stemKey(raw)]; ok {
		return alts
	}
	return s[stemKey(st)]
}

// stemKey is the key of a word's stem, "" for a stem too short to tell
// words apart.
func stemKey(word string) string {
	st := Fold(stem(strings.ToLower(word)))
	if utf8.RuneCountInString(st) < 5 {
		return ""
	}
	return "~" + st
}

// LoadSynonyms reads groups from a YAML file of the form
//
//	groups:
//	  - [rise, rikosseuraamuslaitos, brottspåföljdsmyndigheten, criminal sanctions agency]
//
// and checks them: an entry that can never match (no words, only stop
// words, characters a query never keeps) or that is in two groups is an
// error naming the file and line.
func LoadSynonyms(fsys fs.FS, name string) (Synonyms, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var f struct {
		Groups []yaml.Node `yaml:"groups"`
	}
	if err := root.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var problems []string
	bad := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", name, line, fmt.Sprintf(format, args...)))
	}
	s := Synonyms{}
	where := map[string]int{} // entry -> line of its group
	for _, gn := range f.Groups {
		var g []string
		if err := gn.Decode(&g); err != nil {
			bad(gn.Line, "a group must be a list of words or phrases")
			continue
		}
		if len(g) < 2 {
			bad(gn.Line, "a group needs at least two entries")
			continue
		}
		var keys, folded []string
		for i, a := range g {
			line := gn.Line
			if i < len(gn.Content) {
				line = gn.Content[i].Line
			}
			key, full, problem := synonymEntry(a)
			if problem != "" {
				bad(line, "%q %s", a, problem)
				continue
			}
			if prev, ok := where[key]; ok {
				bad(line, "%q is also in the group on line %d", a, prev)
				continue
			}
			where[key] = gn.Line
			keys, folded = append(keys, key), append(folded, full)
		}
		for i, key := range keys {
			for j, fb := range folded {
				if j != i {
					s[key] = append(s[key], fb)
				}
			}
		}
		// Inflected forms of one-word entries, by their stems.
		for _, key := range keys {
			if strings.Contains(key, " ") {
				continue
			}
			if k := stemKey(key); k != "" {
				for _, fb := range folded {
					if !slices.Contains(s[k], fb) {
						s[k] = append(s[k], fb)
					}
				}
			}
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("synonyms: %d problem(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return s, nil
}

// synonymEntry folds an entry: key as a query's words are kept (stop
// words dropped, as a search drops them), full as names are indexed; or
// it says why no query could ever match the entry.
func synonymEntry(a string) (key, full, problem string) {
	ws := words(a)
	if len(ws) == 0 {
		return "", "", "has no words"
	}
	if strings.Join(ws, " ") != strings.Join(strings.Fields(strings.ToLower(a)), " ") {
		return "", "", "has characters a search never keeps (use only letters, digits, hyphens and spaces)"
	}
	var content []string
	for _, w := range ws {
		if !stopWords[w] {
			content = append(content, w)
		}
	}
	if len(content) == 0 {
		return "", "", "can never match: a search drops all its words as stop words"
	}
	if len(content) > maxPhraseWords {
		return "", "", fmt.Sprintf("has more than %d words besides stop words", maxPhraseWords)
	}
	return Fold(strings.Join(content, " ")), Fold(strings.Join(ws, " ")), ""
}

// maxPhraseWords is the longest phrase a query's words are matched with.
const maxPhraseWords = 5

// LoadCompounds reads the Finnish compound parts, one per line; # starts
// a comment.
func LoadCompounds(fsys fs.FS, name string) ([]string, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if w := strings.ToLower(strings.TrimSpace(line)); w != "" {
			out = append(out, w)
		}
	}
	return out, nil
}
