package voikko

import (
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
)

// open returns Voikko, or skips without it (fails with
// DIRECTORY_REQUIRE_VOIKKO set, as in CI).
func open(t *testing.T) *Analyzer {
	t.Helper()
	a, err := Open()
	if err != nil {
		if os.Getenv("DIRECTORY_REQUIRE_VOIKKO") != "" {
			t.Fatalf("DIRECTORY_REQUIRE_VOIKKO is set: %v", err)
		}
		t.Skipf("no Voikko: %v", err)
	}
	t.Cleanup(a.Close)
	return a
}

func TestAnalyze(t *testing.T) {
	a := open(t)
	for _, tt := range []struct {
		word, lemma string
		parts       []string // each must be among the parts
	}{
		{"seksuaaliväkivaltaa", "seksuaaliväkivalta", []string{"seksuaali", "väkivalta"}},
		{"lähisuhdeväkivaltatyö", "lähisuhdeväkivaltatyö", []string{"lähisuhde", "väkivalta", "työ"}},
		{"päihdepsykiatria", "päihdepsykiatria", []string{"päihde", "psykiatria"}},
		{"nuorisoasemalle", "nuorisoasema", []string{"nuoriso", "asema"}},
		{"perheväkivaltatyöhön", "perheväkivaltatyö", []string{"perhe", "väkivalta", "työ"}},
		{"videomateriaalista", "videomateriaali", []string{"video", "materiaali"}},
		{"lastensuojeluilmoitus", "lastensuojeluilmoitus", []string{"lastensuojelu", "ilmoitus"}},
		{"pedofiliaa", "pedofilia", nil},
		{"seksuaalinen", "seksuaalinen", nil},
	} {
		an, ok := a.Analyze(tt.word)
		if !ok || an.Lemma != tt.lemma {
			t.Errorf("%s: lemma %q (%v), want %q", tt.word, an.Lemma, ok, tt.lemma)
		}
		for _, p := range tt.parts {
			if !slices.Contains(an.Parts, p) {
				t.Errorf("%s: parts %v lack %q", tt.word, an.Parts, p)
			}
		}
		if tt.parts == nil && len(an.Parts) > 0 {
			t.Errorf("%s: parts %v, want none", tt.word, an.Parts)
		}
	}
	for _, w := range []string{"xyzzyq", "", "a\x00b"} {
		if an, ok := a.Analyze(w); ok {
			t.Errorf("%q: %+v, want unknown", w, an)
		}
	}
}

// The handles are pooled: concurrent analyses (run with -race) agree
// with one another.
func TestAnalyzeConcurrently(t *testing.T) {
	a := open(t)
	words := []string{"seksuaaliväkivaltaa", "nuorisoasemalle", "päihdepsykiatria", "lastensuojeluilmoitus"}
	want := map[string]Analysis{}
	for _, w := range words {
		want[w], _ = a.Analyze(w)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				// New words too, past the cache.
				w := words[(g+i)%len(words)]
				if i%2 == 0 {
					w = fmt.Sprintf("%s%d", w, i)
					a.Analyze(w)
					continue
				}
				if got, _ := a.Analyze(w); got.Lemma != want[w].Lemma || !slices.Equal(got.Parts, want[w].Parts) {
					errs <- fmt.Errorf("%s: %+v, want %+v", w, got, want[w])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	a.Close()
	if _, ok := a.Analyze("uusisana"); ok {
		t.Error("analysed after Close")
	}
}

func TestSplit(t *testing.T) {
	for _, tt := range []struct {
		word, structure string
		want            []string
	}{
		{"väkivalta", "=pppp=ppppp", []string{"väki", "valta"}},
		{"talo", "=pppp", []string{"talo"}},
		{"talo", "=pppppppp", nil}, // marks that do not fit
	} {
		if got := split(tt.word, tt.structure); !slices.Equal(got, tt.want) {
			t.Errorf("%s %s: %v, want %v", tt.word, tt.structure, got, tt.want)
		}
	}
}
