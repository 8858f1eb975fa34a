package search

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/l10n"
)

// TestDocumentFollowsMapping: a document made field by field (Doc.document)
// has every field of the mapping, each indexed with the mapping's options
// and analyzer, so that it is indexed as if Bleve had walked the mapping;
// empty values make no field.
func TestDocumentFollowsMapping(t *testing.T) {
	m, err := NewMapping([]string{"terapia"})
	if err != nil {
		t.Fatal(err)
	}
	specs, err := newFieldSpecs(m)
	if err != nil {
		t.Fatal(err)
	}
	syn := Synonyms{"seksuaaliterapia": {"lapsikohteinen seksuaalisuus"}}
	lo, hi := 13, 15
	full := Doc{Type: TypeService, ID: "a", Title: l10n.T("Seksuaaliterapia Esimerkkilä", "Sexualterapi", "Sex therapy"),
		Names: l10n.T("Lapsikohteinen seksuaalisuus ry", "", ""), Body: l10n.T("Terapiaa aikuisille.", "Terapi för vuxna.", "Therapy for adults."),
		URL: "/services/a", Networks: []string{"pirkanmaa"}, Municipalities: []string{"837", "980"}, TargetGroups: []string{"worried-about-own-thoughts"},
		ServiceTypes: []string{"sex-therapy"}, DeliveryModes: []string{"video"}, Languages: []string{"fi", "sv"}, Fresh: "verified", Status: "active",
		AgeMin: &lo, AgeMax: &hi}
	doc := full.document(specs, newPhraseSet(syn))
	if doc.ID() != "service/a" {
		t.Errorf("id %q", doc.ID())
	}
	values := map[string][]string{}
	for _, f := range doc.Fields {
		dm, ok := m.DefaultMapping.Properties[f.Name()]
		if !ok || len(dm.Fields) != 1 {
			t.Errorf("field %s is not in the mapping", f.Name())
			continue
		}
		fm := dm.Fields[0]
		if f.Options() != fm.Options() {
			t.Errorf("field %s: options %v, the mapping's %v", f.Name(), f.Options(), fm.Options())
		}
		values[f.Name()] = append(values[f.Name()], string(f.Value()))
		if !fm.Index {
			continue
		}
		f.Analyze()
		var got []string
		for term := range f.AnalyzedTokenFrequencies() {
			got = append(got, term)
		}
		var want []string
		for _, tok := range m.AnalyzerNamed(fm.Analyzer).Analyze(f.Value()) {
			if !slices.Contains(want, string(tok.Term)) {
				want = append(want, string(tok.Term))
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("field %s: terms (-mapping's analyzer +document):\n%s", f.Name(), diff)
		}
	}
	for name := range m.DefaultMapping.Properties {
		if _, ok := values[name]; !ok {
			t.Errorf("mapping field %s is not in the document", name)
		}
	}
	for name, want := range map[string][]string{
		fMunicipality: {"837", "980"}, fAge: {"13", "14", "15"}, fArea: {"local"},
		fSynonym: {"lapsikohteinen seksuaalisuus"}, fURL: {"/services/a"}, fTitleSV: {"Sexualterapi"},
	} {
		if diff := cmp.Diff(want, values[name]); diff != "" {
			t.Errorf("field %s (-want +got):\n%s", name, diff)
		}
	}

	empty := Doc{Type: TypePathway, ID: "b", Title: l10n.T("Polku", "", ""), Fresh: "verified", Status: "active"}
	var names []string
	for _, f := range empty.document(specs, newPhraseSet(nil)).Fields {
		names = append(names, f.Name())
	}
	slices.Sort(names)
	if want := []string{fAge, fArea, fFresh, fName, fNamePrefix, fStatus, fTitleFI, fType}; !slices.Equal(names, want) {
		t.Errorf("fields of a sparse document: %v, want %v", names, want)
	}
}
