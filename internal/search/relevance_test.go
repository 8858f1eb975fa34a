package search_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/services"
)

// relevance is the table of what a professional types and what must come
// back near the top: Finnish, Swedish and English; inflected forms;
// compounds; typos; places; names; half-typed words.
var relevance = []struct {
	q    string
	want string // type/id
	top  int    // must be within the first top hits
	kind string // "voikko": needs Voikko's morphology (skipped without it)
}{
	// Finnish, plain.
	{"SeriE-tukipalvelu", "service/serie-tukipalvelu", 1, "fi"},
	{"nuorisopsykiatria", "service/hva-nuorisopsykiatria", 3, "fi"},
	{"lastensuojelu", "service/hva-lastensuojelu", 1, "fi"},
	{"perheneuvola", "service/hva-perheneuvola", 1, "fi"},
	{"päihdepalvelut", "service/hva-paihdepalvelut", 1, "fi"},
	{"oikeusapu", "service/oikeusapu", 1, "fi"},
	{"kriisipuhelin", "service/mieli-kriisipuhelin", 1, "fi"},
	{"mielentilatutkimus", "service/mielentilatutkimus", 1, "fi"},
	{"STOP-ohjelma", "service/rise-stop-ohjelma", 1, "fi"},
	{"vankiterveydenhuolto", "service/vankiterveydenhuolto", 1, "fi"},
	{"yhdyskuntaseuraamustoimisto", "service/rise-yhdyskuntaseuraamustoimistot", 3, "fi"},
	{"nettiterapia", "service/mielenterveystalo-nettiterapiat", 3, "fi"},
	{"poikien puhelin", "service/poikien-puhelin", 1, "fi"},
	{"vanhempainpuhelin", "service/mll-vanhempainpuhelin", 1, "fi"},
	{"rikosuhripäivystys", "service/rikosuhripaivystys", 1, "fi"},
	// Inflected.
	{"vankilassa", "service/rise-vankiloiden-kuntoutus", 5, "inflected"},
	{"lastensuojelun", "service/hva-lastensuojelu", 3, "inflected"},
	{"seksuaaliterapiaan", "service/sexpo-seksuaaliterapia", 3, "inflected"},
	{"nuorisopsykiatrian", "service/hva-nuorisopsykiatria", 3, "inflected"},
	{"perheneuvolaan", "service/hva-perheneuvola", 3, "inflected"},
	{"Oulussa", "network/oulu", 3, "place"},
	{"Oulun", "network/oulu", 3, "place"},
	{"Ouluun", "network/oulu", 3, "place"},
	{"Turussa", "network/turku", 3, "place"},
	{"Helsingissä", "network/paakaupunkiseutu", 3, "place"},
	{"Tampereella", "network/pirkanmaa", 3, "place"},
	{"Joensuussa", "network/joensuu", 3, "place"},
	{"Kajaanissa", "network/kajaani", 3, "place"},
	// Places in Swedish and places with a need.
	{"Tammerfors", "network/pirkanmaa", 3, "place"},
	{"Esbo", "network/paakaupunkiseutu", 3, "place"},
	{"Åbo", "network/turku", 3, "place"},
	{"Espoo", "network/paakaupunkiseutu", 3, "place"},
	{"Nokia", "network/pirkanmaa", 3, "place"},
	{"Tampere lasten oikeuspsykiatria", "service/tays-lasten-oikeuspsykiatria", 3, "place"},
	{"Oulu oikeuspsykiatria", "service/oys-lasten-ja-nuorten-oikeuspsykiatria", 3, "place"},
	{"nuorisopsykiatria Helsinki", "service/hus-nuorisopsykiatria", 3, "place"},
	// Compounds.
	{"terapia", "service/sexpo-seksuaaliterapia", 3, "compound"},
	{"rikos", "service/poliisi-rikosilmoitus-ja-tutkinta", 5, "compound"},
	{"psykiatria", "service/hva-nuorisopsykiatria", 5, "compound"},
	{"päivystys", "service/hva-sosiaali-ja-kriisipaivystys", 5, "compound"},
	// Swedish.
	{"barnskydd", "service/hva-lastensuojelu", 1, "sv"},
	{"sexualterapi", "service/sexpo-seksuaaliterapia", 1, "sv"},
	{"rättshjälp", "service/oikeusapu", 1, "sv"},
	{"familjerådgivning", "service/hva-perheneuvola", 1, "sv"},
	{"fängelse", "service/rise-vankiloiden-kuntoutus", 5, "sv"},
	{"ungdomspsykiatri", "service/hva-nuorisopsykiatria", 3, "sv"},
	// English.
	{"child welfare", "service/hva-lastensuojelu", 1, "en"},
	{"sex therapy", "service/sexpo-seksuaaliterapia", 1, "en"},
	{"legal aid", "service/oikeusapu", 1, "en"},
	{"prison", "service/rise-vankiloiden-kuntoutus", 5, "en"},
	{"crisis helpline", "service/mieli-kriisipuhelin", 1, "en"},
	{"victim support", "service/rikosuhripaivystys", 3, "en"},
	{"self-help", "service/redirection", 3, "en"},
	// Abbreviations and synonyms.
	{"RISE", "service/rise-stop-ohjelma", 5, "synonym"},
	{"RIKU", "service/rikosuhripaivystys", 1, "synonym"},
	{"KRITS", "service/rets-tuki", 1, "synonym"},
	{"pedofilia", "pathway/huolissaan-omista-ajatuksista", 3, "synonym"},
	{"pedofilia tukipalvelu", "service/serie-tukipalvelu", 3, "synonym"},
	// The field's words, inflected, in three languages, and multi-word
	// synonyms both ways.
	{"pedofiili", "service/mielenterveystalo-seksuaalinen-kiinnostus-lapsiin", 3, "synonym"},
	{"pedofiliaa", "pathway/huolissaan-omista-ajatuksista", 3, "synonym"},
	{"pedofiilit", "pathway/huolissaan-omista-ajatuksista", 3, "synonym"},
	{"pedophile", "service/mielenterveystalo-seksuaalinen-kiinnostus-lapsiin", 3, "synonym"},
	{"pedofil", "service/mielenterveystalo-seksuaalinen-kiinnostus-lapsiin", 3, "synonym"},
	{"lapsikohteinen seksuaalisuus", "service/mielenterveystalo-seksuaalinen-kiinnostus-lapsiin", 3, "synonym"},
	{"sexual interest in children", "service/mielenterveystalo-seksuaalinen-kiinnostus-lapsiin", 3, "synonym"},
	{"CSAM", "pathway/huolissaan-omista-ajatuksista", 3, "synonym"},
	{"seksuaalinen väkivalta", "service/seri-tukikeskukset", 3, "synonym"},
	{"grooming", "service/nettivihje", 1, "synonym"},
	{"barnahus", "service/lasten-ja-nuorten-oikeuspsykiatria", 1, "synonym"},
	// Compounds no curated list names, and inflections: Voikko.
	{"väkivalta", "service/seri-tukikeskukset", 5, "voikko"},
	{"materiaali", "service/nettivihje", 3, "voikko"},
	{"lapsia seksuaalisesti esittävä materiaali ilmoitus", "service/nettivihje", 3, "voikko"},
	// Several words, not all in any listing.
	{"sex offender treatment prison", "pathway/tuomittu-vankilassa", 3, "relaxed"},
	{"nuori käyttäytyy seksuaalisesti haitallisesti", "pathway/alaikaisen-haitallinen-seksuaalinen-kaytos", 1, "relaxed"},
	{"sexuella övergrepp mot barn", "service/lasten-ja-nuorten-oikeuspsykiatria", 5, "relaxed"},
	// Typos.
	{"lastensuojleu", "service/hva-lastensuojelu", 3, "typo"},
	{"seksuaaliterapa", "service/sexpo-seksuaaliterapia", 3, "typo"},
	{"perheneuvla", "service/hva-perheneuvola", 3, "typo"},
	{"nuorisopsykiatira", "service/hva-nuorisopsykiatria", 3, "typo"},
	{"Konttla", "contact/ulla-konttila", 1, "typo"},
	// Contact names, with and without diacritics.
	{"Viiliäinen", "contact/terhi-viiliainen", 1, "name"},
	{"Viiliainen", "contact/terhi-viiliainen", 1, "name"},
	{"Irmeli Ryomä", "contact/irmeli-ryoma", 1, "name"},
	{"Anne Saarinen", "contact/anne-saarinen", 1, "name"},
	{"Riikka Juntunen", "contact/riikka-juntunen", 1, "name"},
	{"viestintä", "contact/riikka-juntunen", 3, "name"},
	// Half-typed.
	{"lastensuo", "service/hva-lastensuojelu", 3, "prefix"},
	{"perhene", "service/hva-perheneuvola", 3, "prefix"},
	{"Viiliä", "contact/terhi-viiliainen", 1, "prefix"},
	{"mielentila", "service/mielentilatutkimus", 3, "prefix"},
	{"Kainul", "contact/satu-kainulainen", 1, "prefix"},
	// Care pathways.
	{"huolissaan seksuaalisesta kiinnostuksestaan lapsiin", "pathway/huolissaan-omista-ajatuksista", 3, "pathway"},
	{"esitutkinta", "pathway/epaily-esitutkinnassa", 3, "pathway"},
	{"vankeusrangaistus", "pathway/tuomittu-vankilassa", 3, "pathway"},
	{"alaikäisen haitallinen seksuaalinen käyttäytyminen", "pathway/alaikaisen-haitallinen-seksuaalinen-kaytos", 3, "pathway"},
	{"konsultaatio", "pathway/ammattilaisen-konsultaatio", 5, "pathway"},
}

// mustNotMatch are queries that must find nothing: they share no word
// with the directory, and fuzziness must not invent one.
var mustNotMatch = []string{"xylofoni", "kvanttitietokone", "pizza", "zzzz", "qwertyuiop"}

// TestRelevance runs the relevance queries with each engine.
func TestRelevance(t *testing.T) {
	f := sqliteFixture(t)
	for _, engine := range search.Engines {
		t.Run(engine, func(t *testing.T) {
			if err := f.index.SetEngine(engine); err != nil {
				t.Fatal(err)
			}
			defer f.index.SetEngine(search.EngineFast)
			f.index.SetResultCache(0)
			defer f.index.SetResultCache(search.DefaultResultCache)
			relevanceOf(t, f)
		})
	}
}

func relevanceOf(t *testing.T, f *fixture) {
	ctx := context.Background()
	at1, at5 := 0, 0
	for _, tt := range relevance {
		t.Run(tt.kind+"/"+tt.q, func(t *testing.T) {
			if tt.kind == "voikko" && search.Morphology() != "voikko" {
				t.Skip("needs Voikko")
			}
			r, err := f.index.Search(ctx, search.Request{Q: tt.q, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			rank := 0
			for i, h := range r.Hits {
				if h.Type+"/"+h.ID == tt.want {
					rank = i + 1
					break
				}
			}
			if rank == 1 {
				at1++
			}
			if rank >= 1 && rank <= 5 {
				at5++
			}
			if rank == 0 || rank > tt.top {
				var got []string
				for _, h := range r.Hits[:min(5, len(r.Hits))] {
					got = append(got, fmt.Sprintf("%s/%s(%.2f)", h.Type, h.ID, h.Score))
				}
				t.Errorf("%q: %s at rank %d, want within %d; top: %v", tt.q, tt.want, rank, tt.top, got)
			}
		})
	}
	t.Logf("relevance over %d queries: recall@1 %.2f, recall@5 %.2f", len(relevance),
		float64(at1)/float64(len(relevance)), float64(at5)/float64(len(relevance)))
	for _, q := range mustNotMatch {
		r, err := f.index.Search(ctx, search.Request{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		if r.Total != 0 {
			t.Errorf("%q found %d listings, e.g. %s/%s", q, r.Total, r.Hits[0].Type, r.Hits[0].ID)
		}
	}
}

func TestSuggest(t *testing.T) {
	f := sqliteFixture(t)
	for q, want := range map[string]string{
		"lastensuojleu": "lastensuojelu", "perheneuvla": "perheneuvola", "terapia": "", "xyzzyqwv": "",
	} {
		if got := f.index.Suggest(q); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", q, got, want)
		}
	}
}

// TestEvaluatorMatchesBleve runs every relevance query, and variants with
// filters, places, languages, pages and facets, both through the
// evaluator and through Bleve alone: the results must be the same.
func TestEvaluatorMatchesBleve(t *testing.T) {
	age15 := 15
	f := sqliteFixture(t)
	f.index.SetResultCache(0)
	defer search.SetMinRange(search.SetMinRange(8))
	ctx := context.Background()
	var reqs []search.Request
	for _, tt := range relevance {
		reqs = append(reqs, search.Request{Q: tt.q, Limit: 10},
			search.Request{Q: tt.q, Lang: "sv", Offset: 3, Limit: 5, NoFacets: true})
	}
	for _, q := range append(mustNotMatch, "", "terapia", "tuki", "perhe", "palvelu Oulu", "lapsi nuori") {
		reqs = append(reqs, search.Request{Q: q},
			search.Request{Q: q, Type: "service", Municipality: "837"},
			search.Request{Q: q, TargetGroup: "minor-harmful-sexual-behaviour", Lang: "en"},
			search.Request{Q: q, Age: &age15},
			search.Request{Q: q + " ", Type: "contact", Offset: 1})
	}
	for _, r := range reqs {
		f.index.SetBleveOnly(true)
		want, err := f.index.Search(ctx, r)
		f.index.SetBleveOnly(false)
		if err != nil {
			t.Fatal(err)
		}
		n0 := f.index.Evaluated()
		got, err := f.index.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if f.index.Evaluated() == n0 {
			// Every first pass is the evaluator's; only typos are Bleve's.
			t.Errorf("%+v: not run by the evaluator", r)
		}
		if len(got.Hits) != len(want.Hits) {
			t.Errorf("%+v: %d hits, want %d", r, len(got.Hits), len(want.Hits))
			continue
		}
		for i, h := range got.Hits {
			w := want.Hits[i]
			if math.Abs(h.Score-w.Score) > 1e-9*math.Abs(w.Score) {
				t.Errorf("%+v: hit %d score %v, want %v", r, i, h.Score, w.Score)
			}
			h.Score = w.Score
			got.Hits[i] = h
		}
		got.TookMS, want.TookMS = 0, 0
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%+v: results differ (-Bleve +evaluator):\n%s", r, diff)
		}
	}
}

// The age filter leaves out exactly the services whose age range
// excludes the client, in the index as in the database.
func TestAgeFilter(t *testing.T) {
	f := sqliteFixture(t)
	ctx := context.Background()
	all, err := f.index.Search(ctx, search.Request{Type: "service", Limit: search.MaxLimit, NoFacets: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, age := range []int{10, 15, 17, 25, 60} {
		res, err := f.index.Search(ctx, search.Request{Type: "service", Age: &age, Limit: search.MaxLimit, NoFacets: true})
		if err != nil {
			t.Fatal(err)
		}
		fits := map[string]bool{}
		for _, h := range res.Hits {
			fits[h.ID] = true
		}
		excluded := 0
		for _, h := range all.Hits {
			svc, err := f.store.Services.Get(ctx, h.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := (svc.AgeMin == nil || *svc.AgeMin <= age) && (svc.AgeMax == nil || *svc.AgeMax >= age)
			if fits[h.ID] != want {
				t.Errorf("age %d: %s (ages %v–%v) found %v, want %v", age, h.ID, deref(svc.AgeMin), deref(svc.AgeMax), fits[h.ID], want)
			}
			if !want {
				excluded++
			}
		}
		if age != 17 && excluded == 0 { // 17 is inside every seed range
			t.Errorf("age %d: the seed has no service the filter leaves out", age)
		}
		_, total, err := f.store.FindServices(ctx, services.ServiceFilter{Age: &age})
		if err != nil {
			t.Fatal(err)
		}
		if uint64(total) != res.Total {
			t.Errorf("age %d: %d services in the database, %d in the index", age, total, res.Total)
		}
	}
}

func deref(p *int) any {
	if p == nil {
		return "–"
	}
	return *p
}
