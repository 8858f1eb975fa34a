package ptvimport

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/serie-verkosto/directory/internal/ptv"
	"github.com/serie-verkosto/directory/internal/services"
)

// RulesFile is the seed file of the import rules.
const RulesFile = "ptv.yaml"

// Rules say which PTV services the directory lists and what they are here
// (seed/ptv.yaml): a rule matches a service when one of its words is part
// of the name of one of the service's classes or ontology terms, or of its
// own name.
type Rules struct {
	List []Rule `yaml:"rules"`
}

// Rule is one rule.
type Rule struct {
	Words        []string `yaml:"words"`
	ServiceTypes []string `yaml:"service_types"`
}

// LoadRules reads and checks the rules in fsys against the vocabularies.
// Errors name the file and the rule.
func LoadRules(fsys fs.FS, vocab *services.Vocabularies) (*Rules, error) {
	b, err := fs.ReadFile(fsys, RulesFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", RulesFile, err)
	}
	var r Rules
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %w", RulesFile, err)
	}
	for i := range r.List {
		rule := &r.List[i]
		if len(rule.Words) == 0 {
			return nil, fmt.Errorf("%s: rule %d: no words", RulesFile, i+1)
		}
		for j, w := range rule.Words {
			rule.Words[j] = strings.ToLower(strings.TrimSpace(w))
			if rule.Words[j] == "" {
				return nil, fmt.Errorf("%s: rule %d: an empty word", RulesFile, i+1)
			}
		}
		for _, t := range rule.ServiceTypes {
			if _, ok := vocab.Term(services.VocabServiceType, t); !ok {
				return nil, fmt.Errorf("%s: rule %d (%s): unknown service type %q", RulesFile, i+1, rule.Words[0], t)
			}
		}
	}
	return &r, nil
}

// Match returns the service types of the rules that match l, and whether
// any did.
func (r *Rules) Match(l *ptv.Listing) (types []string, ok bool) {
	var names []string
	add := func(t ptv.Text) {
		for _, s := range t {
			names = append(names, strings.ToLower(s))
		}
	}
	add(l.Names)
	for _, c := range slices.Concat(l.ServiceClasses, l.OntologyTerms) {
		add(c.Name)
	}
	for _, rule := range r.List {
		if slices.ContainsFunc(rule.Words, func(w string) bool {
			return slices.ContainsFunc(names, func(n string) bool { return strings.Contains(n, w) })
		}) {
			ok = true
			for _, t := range rule.ServiceTypes {
				if !slices.Contains(types, t) {
					types = append(types, t)
				}
			}
		}
	}
	slices.Sort(types)
	return types, ok
}
