package search

import (
	"fmt"
	"io/fs"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Synonyms maps a folded word or phrase to the others of its group:
// agency abbreviations and names, professional and lay terms, and the fi,
// sv and en words for the same thing.
type Synonyms map[string][]string

// LoadSynonyms reads groups from a YAML file of the form
//
//	groups:
//	  - [rise, rikosseuraamuslaitos, brottspåföljdsmyndigheten, criminal sanctions agency]
func LoadSynonyms(fsys fs.FS, name string) (Synonyms, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var f struct {
		Groups [][]string `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s := Synonyms{}
	for i, g := range f.Groups {
		if len(g) < 2 {
			return nil, fmt.Errorf("%s: group %d has fewer than two entries", name, i+1)
		}
		for _, a := range g {
			fa := Fold(strings.TrimSpace(a))
			for _, b := range g {
				if fb := Fold(strings.TrimSpace(b)); fb != fa {
					s[fa] = append(s[fa], fb)
				}
			}
		}
	}
	return s, nil
}

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
