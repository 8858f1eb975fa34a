// Package search is the directory's full-text index: a Bleve (scorch) index
// in the data dir that projects services, contact persons, networks and
// pathways from the database, kept current by following the change log.
//
// Analysis, in short: titles are indexed three ways and bodies once. The
// language fields (fi, sv, en) are stemmed by Snowball and, in Finnish,
// split into known compound parts, so "lastensuojelun" finds
// "lastensuojelu" and "rikos" finds "seksuaalirikos". The folded name
// field keeps whole title words with diacritics folded ("Viiliainen" finds
// "Viiliäinen") for exact and fuzzy matching. The prefix field holds edge
// n-grams of title words for half-typed queries. Places are recognised
// before any of this (places.go). Ranking prefers title to body and exact
// to stemmed to fuzzy.
package search

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fi"
	"github.com/blevesearch/bleve/v2/analysis/lang/sv"
	"github.com/blevesearch/bleve/v2/analysis/token/edgengram"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	index "github.com/blevesearch/bleve_index_api"
	"golang.org/x/text/unicode/norm"
)

// mappingRevision is bumped when the mapping or analysis changes in a way
// that needs a rebuild; the compound dictionary's hash is added to it.
const mappingRevision = 12

// Analyzer and filter names.
const (
	anFI     = "dir_fi"
	anSV     = "dir_sv"
	anEN     = "dir_en"
	anFold   = "dir_fold"
	anPrefix = "dir_prefix"
	// The query side's: the same chains, but they do not remember words
	// (a search's words are not kept), and Finnish compounds are not
	// split.
	anFIQ   = "dir_fi_query"
	anSVQ   = "dir_sv_query"
	anENQ   = "dir_en_query"
	anFoldQ = "dir_fold_query"
	tfFold  = "dir_fold_diacritics"
)

// Field names of an index document.
const (
	fType         = "type"
	fTitleFI      = "title_fi"
	fTitleSV      = "title_sv"
	fTitleEN      = "title_en"
	fBodyFI       = "body_fi"
	fBodySV       = "body_sv"
	fBodyEN       = "body_en"
	fName         = "name"    // folded title words, all languages
	fNamePrefix   = "prefix"  // edge n-grams of title words
	fSynonym      = "synonym" // multi-word synonyms found in the name field
	fNetwork      = "network"
	fMunicipality = "municipality"
	// fAge holds each age a service's range admits ("0".."120"), or
	// anyAge for a listing without one: the age filter is then one
	// disjunction of two terms.
	fAge          = "age"
	fArea         = "area"
	fTargetGroup  = "target_group"
	fServiceType  = "service_type"
	fDeliveryMode = "delivery_mode"
	fLanguage     = "language"
	fFresh        = "fresh"
	fStatus       = "status"
	fURL          = "url"
)

// FacetFields are the keyword fields whose counts a search returns.
var FacetFields = []string{fType, fNetwork, fMunicipality, fTargetGroup, fServiceType, fDeliveryMode, fLanguage, fFresh}

func init() {
	if err := registry.RegisterTokenFilter(tfFold, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{}, nil
	}); err != nil {
		panic(err)
	}
}

// foldFilter removes diacritics after stemming (ä -> a, å -> a, é -> e),
// so that a query typed without them matches. It runs after the stemmer,
// which needs ä and ö to find Finnish endings.
type foldFilter struct{}

func (foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		if folded(t.Term) {
			continue // most words: no conversion, no copy
		}
		t.Term = []byte(Fold(string(t.Term)))
	}
	return in
}

// folded reports whether Fold would return b unchanged: lowercase ASCII.
func folded(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// Fold lowercases s and removes its diacritics. The common cases (plain
// ASCII, and the Finnish and Swedish letters) avoid Unicode
// normalisation: folding runs on every indexed word.
func Fold(s string) string {
	simple := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			simple = false
			break
		}
	}
	if simple {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch r {
		case 'ä', 'å', 'Ä', 'Å', 'á', 'à', 'â', 'Á':
			b.WriteByte('a')
		case 'ö', 'Ö', 'ó', 'ò', 'ô', 'Ó':
			b.WriteByte('o')
		case 'é', 'è', 'ê', 'ë', 'É':
			b.WriteByte('e')
		case 'ü', 'Ü', 'ú':
			b.WriteByte('u')
		default:
			if r < 0x80 {
				b.WriteRune(unicode.ToLower(r))
				continue
			}
			for _, x := range norm.NFD.String(string(unicode.ToLower(r))) {
				if !unicode.Is(unicode.Mn, x) {
					b.WriteRune(x)
				}
			}
		}
	}
	return b.String()
}

// MappingVersion identifies the analysis: an index built with another
// version is rebuilt at start. The multi-word synonyms are found at
// indexing time, so they are part of it.
func MappingVersion(compounds []string, syn Synonyms) string {
	h := sha256.Sum256([]byte(strings.Join(compounds, "\n")))
	v := fmt.Sprintf("%d-%s", mappingRevision, hex.EncodeToString(h[:6]))
	if ps := newPhraseSet(syn); len(ps.first) > 0 {
		v += "-" + hex.EncodeToString(synonymsHash(ps)[:6])
	}
	if Morphology() == "voikko" {
		v += "-voikko"
	}
	return v
}

// NewMapping returns the index mapping. compounds are the Finnish word
// parts that the Finnish analyzer splits compounds into.
func NewMapping(compounds []string) (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	tokens := make([]any, len(compounds))
	for i, c := range compounds {
		tokens[i] = strings.ToLower(c)
	}
	if err := m.AddCustomTokenMap("dir_fi_compounds", map[string]any{"type": tokenmap.Name, "tokens": tokens}); err != nil {
		return nil, err
	}
	if err := m.AddCustomTokenFilter("dir_fi_decompound", map[string]any{
		"type": tfDecompound, "dict_token_map": "dir_fi_compounds",
	}); err != nil {
		return nil, err
	}
	// Prefixes of one or two letters match almost everything.
	if err := m.AddCustomTokenFilter("dir_edge", map[string]any{"type": edgengram.Name, "min": 3.0, "max": 16.0}); err != nil {
		return nil, err
	}
	svChain := []any{lowercase.Name, sv.StopName, sv.SnowballStemmerName, tfFold}
	enChain := []any{lowercase.Name, en.StopName, en.PossessiveName, en.SnowballStemmerName, tfFold}
	foldChain := []any{lowercase.Name, tfFold}
	fiChain := []any{lowercase.Name, "dir_fi_decompound", fi.StopName, fi.SnowballStemmerName, tfFold}
	fiQChain := []any{lowercase.Name, fi.StopName, fi.SnowballStemmerName, tfFold}
	if Morphology() == "voikko" {
		// Lemmas and parts first: Snowball then stems them like the words.
		fiChain = append([]any{lowercase.Name, tfVoikkoIndex}, fiChain[1:]...)
		fiQChain = append([]any{lowercase.Name, tfVoikkoQuery}, fiQChain[1:]...)
	}
	analyzers := map[string]struct {
		typ     string
		filters []any
	}{
		// Indexing: words are remembered (analyzer.go).
		anFI:     {anCached, fiChain},
		anSV:     {anCached, svChain},
		anEN:     {anCached, enChain},
		anFold:   {anCached, foldChain},
		anPrefix: {anCached, []any{lowercase.Name, tfFold, "dir_edge"}},
		// Queries are not split: "rikos" finds the compound's part in the
		// index, but "kvittenikeskus" must not turn into "keskus".
		anFIQ:   {custom.Name, fiQChain},
		anSVQ:   {custom.Name, svChain},
		anENQ:   {custom.Name, enChain},
		anFoldQ: {custom.Name, foldChain},
	}
	for name, a := range analyzers {
		if err := m.AddCustomAnalyzer(name, map[string]any{"type": a.typ, "tokenizer": tokWords, "token_filters": a.filters}); err != nil {
			return nil, fmt.Errorf("analyzer %s: %w", name, err)
		}
	}
	// No field keeps term vectors (positions): they cost a third of the
	// indexing time, snippets are marked by our own highlighter from the
	// stored text, and multi-word synonyms are found at indexing time
	// (phrases.go) rather than by phrase queries.
	// No field has doc values: the tie-breaking key and the facet values
	// are read from the postings, once per segment (collect.go).
	text := func(analyzer string, store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer, f.Store, f.IncludeTermVectors = analyzer, store, false
		f.IncludeInAll, f.DocValues = false, false
		return f
	}
	kw := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer, f.Store, f.IncludeInAll, f.DocValues = keyword.Name, false, false, false
		f.IncludeTermVectors = false
		return f
	}
	doc := bleve.NewDocumentMapping()
	doc.AddFieldMappingsAt(fType, kw())
	doc.AddFieldMappingsAt(fTitleFI, text(anFI, true))
	doc.AddFieldMappingsAt(fTitleSV, text(anSV, true))
	doc.AddFieldMappingsAt(fTitleEN, text(anEN, true))
	doc.AddFieldMappingsAt(fBodyFI, text(anFI, true))
	doc.AddFieldMappingsAt(fBodySV, text(anSV, true))
	doc.AddFieldMappingsAt(fBodyEN, text(anEN, true))
	doc.AddFieldMappingsAt(fName, text(anFold, false))
	doc.AddFieldMappingsAt(fNamePrefix, text(anPrefix, false))
	for _, f := range []string{fAge, fNetwork, fMunicipality, fArea, fTargetGroup, fServiceType, fDeliveryMode, fLanguage, fFresh, fStatus, fSynonym} {
		doc.AddFieldMappingsAt(f, kw())
	}
	url := bleve.NewTextFieldMapping()
	url.Index, url.Store, url.IncludeInAll, url.DocValues = false, true, false, false
	doc.AddFieldMappingsAt(fURL, url)
	m.DefaultMapping = doc
	m.DefaultAnalyzer = anFold
	m.StoreDynamic, m.IndexDynamic, m.DocValuesDynamic = false, false, false
	return m, nil
}

// fieldSpecs are the mapping's fields as Bleve indexes them. Documents are
// made from them directly (Doc.document): Bleve's own way, walking the
// mapping by reflection for every document and adding a composite field
// that no query reads, was a tenth of a rebuild's work.
type fieldSpecs map[string]fieldSpec

type fieldSpec struct {
	opts     index.FieldIndexingOptions
	analyzer analysis.Analyzer
}

func newFieldSpecs(m *mapping.IndexMappingImpl) (fieldSpecs, error) {
	specs := fieldSpecs{}
	for name, dm := range m.DefaultMapping.Properties {
		if len(dm.Fields) != 1 {
			return nil, fmt.Errorf("field %s: %d mappings, want one", name, len(dm.Fields))
		}
		fm := dm.Fields[0]
		s := fieldSpec{opts: fm.Options()}
		if fm.Index {
			if s.analyzer = m.AnalyzerNamed(fm.Analyzer); s.analyzer == nil {
				return nil, fmt.Errorf("field %s: no analyzer %q", name, fm.Analyzer)
			}
		}
		specs[name] = s
	}
	return specs, nil
}
