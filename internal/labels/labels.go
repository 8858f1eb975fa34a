// Package labels names the codes a search or a list filters by (a type,
// a network, a municipality, a vocabulary term, a language, a freshness)
// in the reader's language, so that the search page and the JSON API show
// the same names.
package labels

import (
	"sync"

	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/web/i18n"
)

var vocabOf = map[string]string{"target_group": services.VocabClientSituation,
	"service_type": services.VocabServiceType, "delivery_mode": services.VocabDeliveryMode}

// Labeler names filter values with the message catalogue and the
// reference data.
type Labeler struct {
	cat *i18n.Catalog
}

// New returns a Labeler over the catalogue.
func New(cat *i18n.Catalog) *Labeler { return &Labeler{cat: cat} }

// Default returns a Labeler over the embedded catalogues, loaded once. A
// catalogue that fails to load (which the web package's tests rule out)
// leaves the codes unnamed rather than failing a search.
var Default = sync.OnceValue(func() *Labeler {
	cat, err := i18n.Load()
	if err != nil {
		return &Labeler{}
	}
	return New(cat)
})

// Of returns value's name in lang as a value of the facet field, or value
// itself when it has none.
func (l *Labeler) Of(ref *services.Reference, field, value, lang string) string {
	key := ""
	switch field {
	case "type":
		key = "type." + value
	case "fresh":
		key = "fresh." + value
	case "language":
		key = "langname." + value
	case "network":
		if ref != nil {
			if n, ok := ref.Network(value); ok {
				return n.Display(lang)
			}
		}
	case "municipality":
		if ref != nil {
			if m, ok := ref.Munis.Lookup(value); ok {
				return m.Name(lang)
			}
		}
	case "target_group", "service_type", "delivery_mode":
		if ref != nil {
			return ref.Vocab.Label(vocabOf[field], value, lang)
		}
	}
	if key != "" && l.cat != nil && l.cat.Has(lang, key) {
		return l.cat.T(lang, key)
	}
	return value
}

// Facets sets the label of every facet value of res in lang.
func (l *Labeler) Facets(ref *services.Reference, res *search.Result, lang string) {
	for field, vals := range res.Facets {
		for i := range vals {
			vals[i].Label = l.Of(ref, field, vals[i].Value, lang)
		}
	}
}
