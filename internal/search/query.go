package search

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/finnish"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/services"
)

// Request is a search as the API and the page receive it.
type Request struct {
	Q            string
	Type         string
	Network      string
	Municipality string // code or name; a place named in Q counts too
	TargetGroup  string
	ServiceType  string
	DeliveryMode string
	Language     string
	Fresh        string
	// Age leaves out services whose age range excludes a client of
	// this age (other listings have none).
	Age    *int
	Lang   string
	Limit  int
	Offset int
	// NoFacets skips counting facets, for callers that show none (they
	// cost as much as the search itself on a broad query).
	NoFacets bool
}

// Limits of a request.
const (
	MaxQueryRunes = 500
	MaxWords      = 12
	DefaultLimit  = 20
	MaxLimit      = 100
)

// Plan is a request turned into words and filters: pure, so that the rules
// are table-tested without an index.
type Plan struct {
	Words   []string // folded query words, places and stop words removed
	Raw     []string // the same words as typed (lowercased), for stemming
	Prefix  bool     // the last word may be half-typed
	Place   *services.Municipality
	Filters map[string]string // keyword field -> value
	Lang    string
	relaxed bool // building RelaxedQuery
}

var stopWords = map[string]bool{
	// Function words of Finnish, Swedish and English (and spoken Finnish
	// pronouns): they match nearly everything and say nothing of what is
	// sought, so they neither filter nor count towards a relaxed match.
	// Negations are kept out of meaning too: "ei" finds nothing useful.
	"ja": true, "tai": true, "on": true, "ei": true, "se": true, "että": true, "kun": true, "jos": true,
	"joka": true, "jotka": true, "mikä": true, "mitkä": true, "mitä": true, "miten": true, "missä": true,
	"mihin": true, "mistä": true, "milloin": true, "kuka": true, "ketkä": true, "kenelle": true, "kenen": true,
	"olla": true, "oli": true, "olen": true, "olet": true, "ovat": true, "olivat": true, "ole": true,
	"myös": true, "vai": true, "niin": true, "kuin": true, "sekä": true, "eli": true, "siis": true,
	"tämä": true, "tuo": true, "nämä": true, "ne": true, "he": true, "hän": true, "minä": true, "sinä": true,
	"me": true, "te": true, "mä": true, "sä": true, "nyt": true, "vain": true, "voi": true, "voiko": true,
	"saa": true, "saako": true, "kanssa": true, "ilman": true, "mutta": true, "koska": true, "sitten": true,
	"jo": true, "vielä": true, "paljon": true, "hyvin": true, "kaikki": true, "jokin": true, "joku": true,
	"jotain": true, "mitään": true, "sen": true, "sitä": true, "siitä": true, "siihen": true, "sille": true,
	"tähän": true, "täällä": true, "siellä": true, "onko": true, "onkohan": true, "pitää": true,
	"pitäisi": true, "tarvitsee": true, "minun": true, "sinun": true, "hänen": true, "meidän": true,
	"teidän": true, "heidän": true, "och": true, "eller": true, "i": true, "på": true, "att": true, "en": true,
	"ett": true, "det": true, "den": true, "de": true, "som": true, "är": true, "var": true, "vad": true,
	"hur": true, "vem": true, "vilka": true, "vilken": true, "när": true, "har": true, "hade": true,
	"inte": true, "om": true, "av": true, "med": true, "till": true, "för": true, "från": true, "jag": true,
	"du": true, "han": true, "hon": true, "vi": true, "ni": true, "kan": true, "ska": true,
	"skulle": true, "sig": true, "så": true, "men": true, "också": true, "bara": true, "mycket": true,
	"min": true, "mitt": true, "mina": true, "din": true, "ditt": true, "hans": true, "hennes": true,
	"vår": true, "mot": true, "mellan": true, "er": true, "deras": true, "detta": true, "denna": true, "dessa": true, "där": true,
	"här": true, "the": true, "a": true, "an": true, "and": true, "or": true, "of": true, "for": true,
	"in": true, "to": true, "is": true, "are": true, "was": true, "were": true, "be": true, "been": true,
	"being": true, "it": true, "its": true, "this": true, "that": true, "these": true, "those": true,
	"who": true, "whom": true, "what": true, "how": true, "where": true, "when": true, "which": true,
	"why": true, "with": true, "at": true, "by": true, "from": true, "as": true, "my": true, "your": true,
	"his": true, "her": true, "their": true, "our": true, "you": true, "she": true, "we": true, "they": true,
	"him": true, "them": true, "us": true, "can": true, "could": true, "do": true, "does": true, "did": true,
	"should": true, "would": true, "will": true, "shall": true, "may": true, "might": true, "must": true,
	"not": true, "no": true, "if": true, "but": true, "so": true, "than": true, "then": true, "there": true,
	"here": true, "about": true, "into": true, "any": true, "some": true, "all": true,
}

// words splits q into lowercase words of letters and digits.
func words(q string) []string {
	return strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	})
}

// NewPlan checks and parses a request. It fails only on input that cannot
// be a search (an over-long query or an unknown filter value, named with
// the values allowed), never on query syntax: no character has a special
// meaning. ref holds the networks and terms a filter may name; without it
// (an index not yet given its reference data) those filters go unchecked.
func NewPlan(r Request, places *Places, ref *services.Reference) (Plan, error) {
	p := Plan{Filters: map[string]string{}, Lang: l10n.Norm(r.Lang)}
	if !utf8.ValidString(r.Q) {
		r.Q = strings.ToValidUTF8(r.Q, " ")
	}
	if n := utf8.RuneCountInString(r.Q); n > MaxQueryRunes {
		return p, apperr.Keyed(apperr.Invalid, "err.query_too_long_n", "the query is too long (%d characters, at most %d)", n, MaxQueryRunes)
	}
	if err := checkFilters(r, ref); err != nil {
		return p, err
	}
	if r.Municipality != "" {
		munis := services.NewMunicipalityIndex(nil)
		if ref != nil {
			munis = ref.Munis
		}
		m, ok := munis.Lookup(r.Municipality)
		if !ok {
			return p, apperr.Keyed(apperr.Invalid, "err.unknown_municipality_ref", "unknown municipality %q: give a three-digit code or a Finnish or Swedish name", r.Municipality)
		}
		p.Place = &m
	}
	ws := words(r.Q)
	for i, w := range ws {
		w = strings.Trim(w, "-")
		if w == "" || stopWords[w] {
			continue
		}
		if p.Place == nil {
			if m, ok := places.Lookup(w); ok {
				p.Place = &m
				continue
			}
		}
		if len(p.Words) == MaxWords {
			break
		}
		p.Words = append(p.Words, Fold(w))
		p.Raw = append(p.Raw, w)
		if i == len(ws)-1 {
			p.Prefix = true
		}
	}
	// A trailing space means the last word is complete.
	if strings.HasSuffix(r.Q, " ") {
		p.Prefix = false
	}
	for field, v := range map[string]string{fType: r.Type, fNetwork: r.Network, fTargetGroup: r.TargetGroup,
		fServiceType: r.ServiceType, fDeliveryMode: r.DeliveryMode, fLanguage: r.Language, fFresh: r.Fresh} {
		if v = strings.TrimSpace(v); v != "" {
			p.Filters[field] = v
		}
	}
	if r.Age != nil {
		p.Filters[fAge] = strconv.Itoa(*r.Age)
	}
	return p, nil
}

// checkFilters answers Invalid for a filter value no document can have,
// naming the values allowed, rather than an empty result that looks like
// an answer.
func checkFilters(r Request, ref *services.Reference) error {
	var fs apperr.Fields
	fs.OneOf("type", strings.TrimSpace(r.Type), TypeService, TypeContact, TypeNetwork, TypePathway)
	fs.OneOf("fresh", strings.TrimSpace(r.Fresh), "verified", "unverified", "overdue")
	if ref != nil {
		ref.CheckFilters(&fs, services.FilterValues{Network: strings.TrimSpace(r.Network),
			TargetGroup: strings.TrimSpace(r.TargetGroup), ServiceType: strings.TrimSpace(r.ServiceType),
			DeliveryMode: strings.TrimSpace(r.DeliveryMode)})
	}
	return fs.Err()
}

// Boosts: a title beats a body, an exact word beats a stem, a stem beats a
// prefix, and a typo match ranks below all of them.
const (
	boostNameExact  = 10
	boostTitleStem  = 6
	boostTitleOther = 4
	boostBodyStem   = 2
	boostPrefix     = 3
	boostStemPrefix = 1.5
	boostSynonym    = 2
	boostPhrase     = 2 // a multi-word synonym: its one term is rarer than its words
	boostFuzzyName  = 0.6
	// A synonym found in a text ranks below the word itself there.
	boostSynonymBody = 1
)

func match(field, text, analyzer string, boost float64) query.Query {
	q := bleve.NewMatchQuery(text)
	q.SetField(field)
	q.Analyzer = analyzer
	q.SetBoost(boost)
	return q
}

func stem(word string) string {
	env := snowballstem.NewEnv(word)
	finnish.Stem(env)
	return env.Current()
}

// WithPhrases joins consecutive words that make a multi-word synonym
// entry ("lapsikohteinen seksuaalisuus") into one unit of the plan,
// longest first: the unit matches its words or any synonym of the phrase.
func (p Plan) WithPhrases(syn Synonyms) Plan {
	if len(syn) == 0 || len(p.Words) < 2 {
		return p
	}
	var ws, raw []string
	for i := 0; i < len(p.Words); {
		n := 1
		for k := min(maxPhraseWords, len(p.Words)-i); k >= 2; k-- {
			if _, ok := syn[strings.Join(p.Words[i:i+k], " ")]; ok {
				n = k
				break
			}
		}
		ws = append(ws, strings.Join(p.Words[i:i+n], " "))
		raw = append(raw, strings.Join(p.Raw[i:i+n], " "))
		if n > 1 && i+n == len(p.Words) {
			p.Prefix = false // a phrase ends in a complete word
		}
		i += n
	}
	p.Words, p.Raw = ws, raw
	return p
}

// wordQuery is everything one unit of the query may match, best first: a
// word, or a phrase (all its words, or one of its synonyms).
func (p Plan) wordQuery(i int, syn Synonyms, fuzzy bool) query.Query {
	w, raw := p.Words[i], p.Raw[i]
	if !strings.Contains(w, " ") {
		return p.single(w, raw, i == len(p.Words)-1 && p.Prefix, syn.lookup(w, raw), fuzzy)
	}
	ws, rs := strings.Fields(w), strings.Fields(raw)
	parts := make([]query.Query, len(ws))
	for j := range ws {
		parts[j] = p.single(ws[j], rs[min(j, len(rs)-1)], false, nil, fuzzy)
	}
	qs := append([]query.Query{bleve.NewConjunctionQuery(parts...)}, synonymQueries(syn.lookup(w, raw), !p.relaxed)...)
	return bleve.NewDisjunctionQuery(qs...)
}

// single is everything one word may match, best first; alts are its
// synonyms.
func (p Plan) single(w, raw string, prefix bool, alts []string, fuzzy bool) query.Query {
	titleLang := map[string]string{"fi": fTitleFI, "sv": fTitleSV, "en": fTitleEN}
	bodyLang := map[string]string{"fi": fBodyFI, "sv": fBodySV, "en": fBodyEN}
	analyzers := map[string]string{"fi": anFIQ, "sv": anSVQ, "en": anENQ}
	var qs []query.Query
	qs = append(qs, match(fName, w, anFoldQ, boostNameExact))
	for _, lang := range l10n.Languages {
		b := float64(boostTitleOther)
		if lang == p.Lang {
			b = boostTitleStem
		}
		qs = append(qs, match(titleLang[lang], raw, analyzers[lang], b), match(bodyLang[lang], raw, analyzers[lang], boostBodyStem))
	}
	// Finnish stems change with consonant gradation (terapia -> terap,
	// terapiassa -> terapia); a prefix of the stem bridges the two, in
	// titles (over bodies it would expand to too many terms).
	if r := []rune(Fold(stem(raw))); len(r) >= 6 && !p.relaxed {
		q := bleve.NewPrefixQuery(string(r[:len(r)-2]))
		q.SetField(fTitleFI)
		q.SetBoost(boostStemPrefix)
		qs = append(qs, q)
	}
	if prefix {
		q := bleve.NewTermQuery(w)
		q.SetField(fNamePrefix)
		q.SetBoost(boostPrefix)
		qs = append(qs, q)
	}
	// Synonyms are matched on titles and organization names, and in
	// texts (synonymQueries). A synonym of several words was found in the
	// names at indexing time (phrases.go) and is one term of the synonym
	// field: one posting per document that has the phrase, where a
	// conjunction of its words read the postings of each. The relaxed
	// search leaves the texts out: it reads every posting of every word.
	qs = append(qs, synonymQueries(alts, !p.relaxed)...)
	if n := utf8.RuneCountInString(w); fuzzy && n >= 5 {
		fuzz := 1
		if n >= 8 {
			fuzz = 2
		}
		// Typos are forgiven in titles, where a misspelt name matters.
		q := bleve.NewFuzzyQuery(w)
		q.SetField(fName)
		q.Fuzziness = fuzz
		q.Prefix = 1
		q.SetBoost(boostFuzzyName)
		qs = append(qs, q)
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// synonymQueries match a word's or phrase's synonyms in names: one word
// as a name's word, several as the phrase term indexed for names that
// have it (phrases.go).
//
// A synonym also matches texts (bodies), stemmed, every word of it: the
// field's words ("pedofiili", "CSAM") are often only in descriptions.
// Only entries of up to bodySynonymWords words are, to bound the query.
func synonymQueries(alts []string, texts bool) []query.Query {
	var qs []query.Query
	for _, s := range alts {
		toks := phraseTokens(s)
		if len(toks) == 0 {
			continue
		}
		if len(toks) == 1 {
			qs = append(qs, match(fName, toks[0], anFoldQ, boostSynonym*2))
		} else {
			q := bleve.NewTermQuery(strings.Join(toks, " "))
			q.SetField(fSynonym)
			q.SetBoost(boostPhrase)
			qs = append(qs, q)
		}
		var content []string
		for _, w := range strings.Fields(s) {
			if !stopWords[w] {
				content = append(content, w)
			}
		}
		if !texts || len(content) == 0 || len(content) > bodySynonymWords {
			continue
		}
		parts := make([]query.Query, len(content))
		for i, w := range content {
			parts[i] = bleve.NewDisjunctionQuery(
				match(fBodyFI, w, anFIQ, boostSynonymBody), match(fBodySV, w, anSVQ, boostSynonymBody), match(fBodyEN, w, anENQ, boostSynonymBody))
		}
		if len(parts) == 1 {
			qs = append(qs, parts[0])
		} else {
			qs = append(qs, bleve.NewConjunctionQuery(parts...))
		}
	}
	return qs
}

// bodySynonymWords is the longest synonym matched in texts.
const bodySynonymWords = 4

// Query builds the Bleve query: every word must match somewhere (or, when
// all is false, at least one), within the filters; verified, active
// listings get a small lift when the hits are collected (liftScore). Typo
// tolerance (fuzzy) is costly on a large index and is only asked for when
// the exact and stemmed words find nothing, so a fuzzy hit can never
// outrank an exact one.
func (p Plan) Query(syn Synonyms, all, fuzzy bool) query.Query {
	if all {
		return p.query(syn, len(p.Words), fuzzy)
	}
	return p.query(syn, 1, fuzzy)
}

// MinShould is how many of the plan's words a document must match in the
// relaxed search: one of two, then half of them rounded up (2 of 3 or 4,
// 3 of 5 or 6, 6 of 12), so that a long query does not drown in
// documents matching one common word.
func (p Plan) MinShould() int {
	n := len(p.Words)
	if n <= 2 {
		return 1
	}
	return (n + 1) / 2
}

// RelaxedQuery is Query matching at least MinShould of the words. Bleve
// scores a disjunction by its matching clauses times the share of clauses
// that match, so documents with more (and rarer) words rank first.
//
// Its words match a little less than in Query (no stem prefixes, no
// synonyms in texts): it reads every posting of every word's clauses,
// where Query's conjunction probes. A listing that has every word only
// by those is among the complete hits, which come first anyway.
func (p Plan) RelaxedQuery(syn Synonyms, fuzzy bool) query.Query {
	p.relaxed = true
	return p.query(syn, p.MinShould(), fuzzy)
}

func (p Plan) query(syn Synonyms, min int, fuzzy bool) query.Query {
	var must []query.Query
	if len(p.Words) > 0 {
		var ws []query.Query
		for i := range p.Words {
			ws = append(ws, p.wordQuery(i, syn, fuzzy))
		}
		if min >= len(ws) {
			must = append(must, bleve.NewConjunctionQuery(ws...))
		} else {
			d := bleve.NewDisjunctionQuery(ws...)
			d.SetMin(float64(max(1, min)))
			must = append(must, d)
		}
	} else {
		must = append(must, bleve.NewMatchAllQuery())
	}
	for field, v := range p.Filters {
		t := bleve.NewTermQuery(v)
		t.SetField(field)
		if field == fAge {
			// A listing without an age range serves every age.
			any := bleve.NewTermQuery(anyAge)
			any.SetField(fAge)
			must = append(must, bleve.NewDisjunctionQuery(t, any))
			continue
		}
		must = append(must, t)
	}
	if p.Place != nil {
		// Listings covering the place, and national services. A place
		// restricts; it does not merely boost, since a referral must be
		// reachable from where the client lives.
		local := bleve.NewTermQuery(p.Place.Code)
		local.SetField(fMunicipality)
		local.SetBoost(2)
		national := bleve.NewTermQuery("national")
		national.SetField(fArea)
		national.SetBoost(0.5)
		must = append(must, bleve.NewDisjunctionQuery(local, national))
	}
	// The lift of verified and active listings is added by the collector
	// (liftScore in collect.go): as SHOULD clauses here, Bleve stepped
	// through their postings for every hit.
	q := bleve.NewBooleanQuery()
	q.AddMust(must...)
	return q
}
