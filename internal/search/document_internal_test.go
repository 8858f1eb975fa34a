package search

import (
	"fmt"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/document"
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
	// Bleve's own walk of the same values through the mapping is the
	// reference: the same fields, options and terms, its composite aside.
	values := map[string][]string{}
	for _, f := range doc.Fields {
		values[f.Name()] = append(values[f.Name()], string(f.Value()))
	}
	data := map[string]any{}
	for name, vs := range values {
		data[name] = vs
	}
	ref := document.NewDocument(doc.ID())
	if err := m.MapDocument(ref, data); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(indexed(ref), indexed(doc)); diff != "" {
		t.Errorf("fields (-Bleve's mapping +Doc.document):\n%s", diff)
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

// indexed describes a document's fields as the index gets them: name,
// options and the terms of indexed fields, sorted.
func indexed(d *document.Document) []string {
	var out []string
	for _, f := range d.Fields {
		var terms []string
		if f.Options().IsIndexed() {
			f.Analyze()
		}
		for term := range f.AnalyzedTokenFrequencies() {
			terms = append(terms, term)
		}
		slices.Sort(terms)
		out = append(out, fmt.Sprintf("%s %v %q", f.Name(), f.Options(), terms))
	}
	slices.Sort(out)
	return out
}
