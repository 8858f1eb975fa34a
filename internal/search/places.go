package search

import (
	"strings"

	"github.com/serie-verkosto/directory/internal/services"
)

// Places recognises municipality names in a query, in Finnish or Swedish,
// also inflected: "Oulussa", "Helsingin", "Turussa", "Tammerfors".
//
// Finnish place names change their stem when inflected (consonant
// gradation: Turku -> Turussa, Helsinki -> Helsingissä), which Snowball
// does not undo. So each name is stored with its weak-grade stems, and a
// query word matches when it is a name, or one of its stems followed by a
// short case ending.
type Places struct {
	exact map[string]services.Municipality   // folded full names
	stems map[string][]services.Municipality // folded stems of 4+ letters
}

// gradation maps a strong consonant grade before the last vowel to its
// weak grade(s): the common Finnish alternations.
var gradation = [][2]string{
	{"kk", "k"}, {"pp", "p"}, {"tt", "t"}, {"nk", "ng"}, {"mp", "mm"}, {"lt", "ll"},
	{"nt", "nn"}, {"rt", "rr"}, {"lk", "l"}, {"rk", "r"}, {"hk", "h"}, {"k", ""}, {"p", "v"}, {"t", "d"},
}

// NewPlaces indexes the municipalities' names.
func NewPlaces(m *services.Municipalities) *Places {
	p := &Places{exact: map[string]services.Municipality{}, stems: map[string][]services.Municipality{}}
	add := func(stem string, x services.Municipality) {
		if len([]rune(stem)) < 4 {
			return
		}
		for _, y := range p.stems[stem] {
			if y.Code == x.Code {
				return
			}
		}
		p.stems[stem] = append(p.stems[stem], x)
	}
	for _, x := range m.List {
		for _, name := range []string{x.NameFI, x.NameSV} {
			f := Fold(name)
			p.exact[f] = x
			if strings.ContainsAny(f, " -") {
				continue
			}
			add(f, x)
			r := []rune(f)
			if len(r) < 4 {
				continue
			}
			// Without the final vowel, and with the weak grade of the
			// consonants before it.
			base := string(r[:len(r)-1])
			last := string(r[len(r)-1])
			add(base, x)
			for _, g := range gradation {
				if strings.HasSuffix(base, g[0]) {
					add(strings.TrimSuffix(base, g[0])+g[1]+last, x)
					add(strings.TrimSuffix(base, g[0])+g[1], x)
					break
				}
			}
		}
	}
	return p
}

// endings are the case endings (folded) that may follow a stem.
var endings = map[string]bool{
	"": true, "n": true, "a": true, "na": true, "ssa": true, "sta": true, "lla": true, "lta": true,
	"lle": true, "ksi": true, "an": true, "en": true, "in": true, "on": true, "un": true, "yn": true,
	"aan": true, "een": true, "iin": true, "hin": true, "seen": true, "ella": true, "elta": true,
	"elle": true, "issa": true, "ista": true, "ssaan": true, "s": true, "la": true, "ta": true, "le": true,
}

// Lookup returns the municipality a query word names, if any.
func (p *Places) Lookup(word string) (services.Municipality, bool) {
	if p == nil {
		return services.Municipality{}, false
	}
	f := Fold(word)
	if m, ok := p.exact[f]; ok {
		return m, true
	}
	r := []rune(f)
	for cut := len(r) - 1; cut >= 4 && len(r)-cut <= 5; cut-- {
		stem, rest := string(r[:cut]), string(r[cut:])
		if ms, ok := p.stems[stem]; ok && len(ms) == 1 && endings[rest] {
			return ms[0], true
		}
	}
	return services.Municipality{}, false
}
