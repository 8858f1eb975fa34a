package search

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/services"
)

func testMunis() *services.Municipalities {
	return services.NewMunicipalityIndex([]services.Municipality{
		{Code: "091", NameFI: "Helsinki", NameSV: "Helsingfors", CountySlug: "helsingin-kaupunki"},
		{Code: "564", NameFI: "Oulu", NameSV: "Uleåborg", CountySlug: "pohjois-pohjanmaan-hyvinvointialue"},
		{Code: "853", NameFI: "Turku", NameSV: "Åbo", CountySlug: "varsinais-suomen-hyvinvointialue"},
		{Code: "837", NameFI: "Tampere", NameSV: "Tammerfors", CountySlug: "pirkanmaan-hyvinvointialue"},
		{Code: "167", NameFI: "Joensuu", NameSV: "Joensuu", CountySlug: "pohjois-karjalan-hyvinvointialue"},
		{Code: "139", NameFI: "Ii", NameSV: "Ijo", CountySlug: "pohjois-pohjanmaan-hyvinvointialue"},
		{Code: "211", NameFI: "Kangasala", NameSV: "Kangasala", CountySlug: "pirkanmaan-hyvinvointialue"},
	})
}

func TestPlaces(t *testing.T) {
	p := NewPlaces(testMunis())
	for word, want := range map[string]string{
		"Oulu": "564", "Oulussa": "564", "oulun": "564", "Ouluun": "564", "Uleåborg": "564", "uleaborg": "564",
		"Turussa": "853", "Turun": "853", "Åbo": "853", "abo": "853",
		"Helsingissä": "091", "Helsingin": "091", "Helsingfors": "091",
		"Tampereella": "837", "Tampereen": "837", "Tammerfors": "837",
		"Joensuussa": "167", "Kangasalla": "211", "Ii": "139",
		"terapia": "", "oulukoira": "", "turkulainen": "", "helsinkiläinen": "", "i": "",
	} {
		m, ok := p.Lookup(word)
		if got := map[bool]string{true: m.Code, false: ""}[ok]; got != want {
			t.Errorf("Lookup(%q) = %q, want %q", word, got, want)
		}
	}
}

func TestNewPlan(t *testing.T) {
	munis := testMunis()
	places := NewPlaces(munis)
	vocab := services.NewVocabularies([]services.Vocabulary{{ID: services.VocabServiceType,
		Terms: []services.Term{{ID: "therapy"}, {ID: "helpline"}}}})
	ref := services.NewReference(munis, vocab, []services.Network{{Slug: "oulu"}}, nil)
	tests := []struct {
		name   string
		req    Request
		words  []string
		prefix bool
		place  string
		err    apperr.Code
	}{
		{"plain", Request{Q: "seksuaaliterapia"}, []string{"seksuaaliterapia"}, true, "", ""},
		{"trailing space ends the word", Request{Q: "terapia "}, []string{"terapia"}, false, "", ""},
		{"place removed from words", Request{Q: "nuorisopsykiatria Oulussa"}, []string{"nuorisopsykiatria"}, false, "564", ""},
		{"place in Swedish", Request{Q: "barnskydd Tammerfors"}, []string{"barnskydd"}, false, "837", ""},
		{"place parameter wins", Request{Q: "Oulu", Municipality: "Turku"}, []string{"oulu"}, true, "853", ""},
		{"stop words dropped", Request{Q: "lapset ja nuoret"}, []string{"lapset", "nuoret"}, true, "", ""},
		{"diacritics folded", Request{Q: "Viiliäinen"}, []string{"viiliainen"}, true, "", ""},
		{"query syntax is text", Request{Q: `+title:"x" AND (y* OR z~2)`}, []string{"title", "x", "y", "z", "2"}, true, "", ""},
		{"unbalanced quote", Request{Q: `"terapia`}, []string{"terapia"}, true, "", ""},
		{"invalid utf-8", Request{Q: "tera\xffpia"}, []string{"tera", "pia"}, true, "", ""},
		{"only punctuation", Request{Q: `*?:"()[]{}`}, nil, false, "", ""},
		{"too long", Request{Q: strings.Repeat("a", MaxQueryRunes+1)}, nil, false, "", apperr.Invalid},
		{"unknown municipality", Request{Municipality: "Atlantis"}, nil, false, "", apperr.Invalid},
		{"unknown type", Request{Type: "pizza"}, nil, false, "", apperr.Invalid},
		{"unknown freshness", Request{Fresh: "bogus"}, nil, false, "", apperr.Invalid},
		{"unknown network", Request{Network: "atlantis"}, nil, false, "", apperr.Invalid},
		{"unknown term", Request{ServiceType: "pizza"}, nil, false, "", apperr.Invalid},
		{"term of another vocabulary", Request{DeliveryMode: "therapy"}, nil, false, "", apperr.Invalid},
		{"known filters", Request{Q: "x", Type: "service", Fresh: "overdue", Network: "oulu", ServiceType: "therapy"}, []string{"x"}, true, "", ""},
		{"many words capped", Request{Q: strings.Repeat("sana ", 40)}, []string{"sana", "sana", "sana", "sana", "sana", "sana", "sana", "sana", "sana", "sana", "sana", "sana"}, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPlan(tt.req, places, ref)
			if tt.err != "" {
				if !apperr.Is(err, tt.err) {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.words, p.Words); diff != "" {
				t.Errorf("words (-want +got):\n%s", diff)
			}
			if p.Prefix != tt.prefix {
				t.Errorf("prefix = %v, want %v", p.Prefix, tt.prefix)
			}
			got := ""
			if p.Place != nil {
				got = p.Place.Code
			}
			if got != tt.place {
				t.Errorf("place = %q, want %q", got, tt.place)
			}
		})
	}
}

func TestDocuments(t *testing.T) {
	m := testMunis()
	env := &Env{Munis: m, Vocab: services.NewVocabularies(nil), Networks: []services.Network{
		{Slug: "pirkanmaa", Municipalities: []string{"211", "837"}},
		{Slug: "oulu", Municipalities: []string{"139", "564"}},
	}}
	tests := []struct {
		name     string
		area     services.Area
		munis    []string
		networks []string
	}{
		{"national", services.Area{National: true}, nil, nil},
		{"municipality", services.Area{Municipalities: []string{"837"}}, []string{"837"}, []string{"pirkanmaa"}},
		{"county", services.Area{Counties: []string{"pohjois-pohjanmaan-hyvinvointialue"}}, []string{"139", "564"}, []string{"oulu"}},
		{"network", services.Area{Networks: []string{"pirkanmaa"}}, []string{"211", "837"}, []string{"pirkanmaa"}},
		{"mixed", services.Area{Municipalities: []string{"091"}, Networks: []string{"oulu"}}, []string{"091", "139", "564"}, []string{"oulu"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := env.ServiceDoc(services.Service{ID: "x", Area: tt.area, Status: "active"})
			if diff := cmp.Diff(tt.munis, d.Municipalities); diff != "" {
				t.Errorf("municipalities (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.networks, d.Networks); diff != "" {
				t.Errorf("networks (-want +got):\n%s", diff)
			}
			if d.National != tt.area.National {
				t.Errorf("national = %v", d.National)
			}
		})
	}
	c := env.ContactDoc(services.Contact{ID: "c", Name: "N", Email: "n@example.org", Phone: "+358 1 234 5678",
		Visibility: services.Visibility{"phone": services.Members}, NetworkSlug: "oulu"})
	if strings.Contains(c.Body.All(), "234") {
		t.Errorf("members-only phone reached the index: %q", c.Body.All())
	}
	if !strings.Contains(c.Body.All(), "n@example.org") {
		t.Errorf("public e-mail missing: %q", c.Body.All())
	}
}

func TestLevenshtein(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		max  int
		want int
	}{{"terapia", "terapia", 2, 0}, {"terapa", "terapia", 2, 1}, {"lastensuojleu", "lastensuojelu", 2, 2}, {"abc", "xyzw", 2, 3}, {"äiti", "aiti", 1, 1}} {
		if got := levenshtein(tt.a, tt.b, tt.max); got != tt.want {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"terapia": "terapia", "Viiliäinen": "viiliainen", "ÅBO": "abo",
		"Ryömä": "ryoma", "café": "cafe", "Straße": "straße", "naïve": "naive", "Çelik": "celik", "": ""} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
