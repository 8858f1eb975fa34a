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
	// TargetGroups are the client situations a new listing starts with:
	// the network's first judgement, which its editors then curate (a
	// sync never changes them).
	TargetGroups []string `yaml:"target_groups"`
}

// Match is what the rules that match a service say of it.
type Match struct {
	ServiceTypes, TargetGroups []string
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
		for _, v := range []struct {
			vocab, what string
			terms       []string
		}{{services.VocabServiceType, "service type", rule.ServiceTypes}, {services.VocabClientSituation, "client situation", rule.TargetGroups}} {
			for _, t := range v.terms {
				if _, ok := vocab.Term(v.vocab, t); !ok {
					return nil, fmt.Errorf("%s: rule %d (%s): unknown %s %q", RulesFile, i+1, rule.Words[0], v.what, t)
				}
			}
		}
	}
	return &r, nil
}

// Match returns what the rules that match l say, and whether any did.
func (r *Rules) Match(l *ptv.Listing) (m Match, ok bool) {
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
			m.ServiceTypes = union(m.ServiceTypes, rule.ServiceTypes)
			m.TargetGroups = union(m.TargetGroups, rule.TargetGroups)
		}
	}
	return m, ok
}

// union adds the terms of b missing from a, sorted.
func union(a, b []string) []string {
	for _, t := range b {
		if !slices.Contains(a, t) {
			a = append(a, t)
		}
	}
	slices.Sort(a)
	return a
}
