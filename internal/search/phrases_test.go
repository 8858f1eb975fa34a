package search

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPhraseSetFind(t *testing.T) {
	ps := newPhraseSet(Synonyms{
		"perheneuvola":  {"familjeradgivning", "family counselling"},
		"lastensuojelu": {"barnskydd", "child welfare", "child protection"},
	})
	for text, want := range map[string][]string{
		"Family counselling centre – Perhekeskus":   {"family counselling"},
		"Child Welfare and child protection, Oulu":  {"child welfare", "child protection"},
		"Counselling for the family":                nil,
		"Child-welfare notification":                {"child welfare"},
		"Perheneuvola Familjerådgivning child":      nil,
		"Lastensuojelu child welfare child welfare": {"child welfare"},
	} {
		if diff := cmp.Diff(want, ps.find(text)); diff != "" {
			t.Errorf("find(%q) (-want +got):\n%s", text, diff)
		}
	}
	if a, b := MappingVersion(nil, nil), MappingVersion(nil, Synonyms{"a": {"b c"}}); a == b {
		t.Errorf("multi-word synonyms do not change the mapping version %s", a)
	}
}
