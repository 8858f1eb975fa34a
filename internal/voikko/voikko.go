// Package voikko gives Finnish morphology from Voikko, the Finnish
// morphological analyser, loaded at run time: the library (libvoikko1)
// and its dictionary (voikko-fi) are opened with dlopen through purego, so
// the program needs no cgo and still builds and runs where Voikko is
// absent; Open then says why, and search falls back to Snowball and the
// curated compound list.
//
// An analysis gives a word's lemma (BASEFORM) and, for a compound, the
// lemmas of its parts (WORDBASES). Voikko handles are not safe for
// concurrent use: the Analyzer keeps a pool of them, one per processor,
// and a bounded cache of the words it has analysed (the words of a
// directory repeat).
package voikko

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/ebitengine/purego"
)

// Library names tried in order.
var libraries = []string{"libvoikko.so.1", "libvoikko.so", "libvoikko.1.dylib", "libvoikko.dylib"}

// lib is the opened library's functions.
type lib struct {
	init      func(errOut **byte, lang string, path *byte) uintptr
	terminate func(h uintptr)
	analyze   func(h uintptr, word string) *uintptr // voikko_mor_analysis **, NULL-terminated
	value     func(a uintptr, key string) *byte     // char *
	freeValue func(v *byte)
	freeList  func(list *uintptr)
}

var (
	loadOnce sync.Once
	loaded   *lib
	loadErr  error
)

func load() (*lib, error) {
	loadOnce.Do(func() {
		var h uintptr
		var errs []string
		for _, name := range libraries {
			var err error
			if h, err = purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_LOCAL); err == nil {
				break
			}
			errs = append(errs, err.Error())
		}
		if h == 0 {
			loadErr = fmt.Errorf("libvoikko not found (install libvoikko1 and voikko-fi): %s", strings.Join(errs, "; "))
			return
		}
		l := &lib{}
		for _, f := range []struct {
			fn   any
			name string
		}{
			{&l.init, "voikkoInit"}, {&l.terminate, "voikkoTerminate"}, {&l.analyze, "voikkoAnalyzeWordCstr"},
			{&l.value, "voikko_mor_analysis_value_cstr"}, {&l.freeValue, "voikko_free_mor_analysis_value_cstr"},
			{&l.freeList, "voikko_free_mor_analysis"},
		} {
			sym, err := purego.Dlsym(h, f.name)
			if err != nil {
				loadErr = fmt.Errorf("libvoikko lacks %s: %w", f.name, err)
				return
			}
			purego.RegisterFunc(f.fn, sym)
		}
		loaded = l
	})
	return loaded, loadErr
}

// Analysis is what Voikko makes of one word.
type Analysis struct {
	Lemma string   // the base form, lower case
	Parts []string // a compound's parts as base forms, lower case; nil if not a compound
}

// Analyzer analyses Finnish words. It is safe for concurrent use.
type Analyzer struct {
	lib     *lib
	handles chan uintptr
	cache   sync.Map // word -> Analysis
	size    atomic.Int64
	closed  atomic.Bool
}

// maxCached bounds the words remembered.
const maxCached = 1 << 17

// Open loads Voikko with its Finnish dictionary, or says why it cannot.
func Open() (*Analyzer, error) {
	l, err := load()
	if err != nil {
		return nil, err
	}
	n := max(1, runtime.GOMAXPROCS(0))
	a := &Analyzer{lib: l, handles: make(chan uintptr, n)}
	for range n {
		var msg *byte
		h := l.init(&msg, "fi", nil)
		if h == 0 {
			a.Close()
			return nil, fmt.Errorf("voikko: no Finnish dictionary (install voikko-fi): %s", goString(msg))
		}
		a.handles <- h
	}
	return a, nil
}

// Close releases the handles; the Analyzer must not be used after.
func (a *Analyzer) Close() {
	if a.closed.Swap(true) {
		return
	}
	for {
		select {
		case h := <-a.handles:
			a.lib.terminate(h)
		default:
			return
		}
	}
}

// ErrClosed is returned for an analysis after Close.
var ErrClosed = errors.New("voikko: closed")

// Analyze returns the analysis of a lower-case word: the first of
// Voikko's readings (they share the lemma for nearly every word a
// directory holds), and ok false for a word Voikko does not know.
func (a *Analyzer) Analyze(word string) (Analysis, bool) {
	if v, ok := a.cache.Load(word); ok {
		an := v.(Analysis)
		return an, an.Lemma != ""
	}
	if a.closed.Load() || strings.IndexByte(word, 0) >= 0 {
		return Analysis{}, false
	}
	h := <-a.handles
	an := a.analyze(h, word)
	a.handles <- h
	if a.size.Load() < maxCached {
		if _, had := a.cache.LoadOrStore(word, an); !had {
			a.size.Add(1)
		}
	}
	return an, an.Lemma != ""
}

func (a *Analyzer) analyze(h uintptr, word string) Analysis {
	r, ok := a.reading(h, word)
	if !ok {
		return Analysis{}
	}
	an := Analysis{Lemma: r.lemma}
	// STRUCTURE marks where each part of a compound starts ("=" in
	// "=ppppppppp=pppp=pppppp"): the surface parts, of which the last is
	// inflected and the others stand as they are. Lexicalised compounds
	// split too (väki|valta), so neighbouring parts are joined as well:
	// "seksuaaliväkivaltaa" gives seksuaali, väki, valta and väkivalta.
	surf := split(word, r.structure)
	if len(surf) < 2 {
		return an
	}
	if last, ok := a.reading(h, surf[len(surf)-1]); ok {
		surf[len(surf)-1] = last.lemma
	}
	seen := map[string]bool{an.Lemma: true, word: true}
	add := func(p string) {
		if len([]rune(p)) >= 3 && !seen[p] {
			seen[p] = true
			an.Parts = append(an.Parts, p)
		}
	}
	for i, p := range surf {
		add(p)
		if i > 0 {
			add(surf[i-1] + p)
		}
	}
	return an
}

type reading struct{ lemma, structure string }

// reading returns the reading of a word to index it by: the one whose
// base form is the word itself, else the first noun, else the first.
func (a *Analyzer) reading(h uintptr, word string) (reading, bool) {
	list := a.lib.analyze(h, word)
	if list == nil {
		return reading{}, false
	}
	defer a.lib.freeList(list)
	var best reading
	bestRank := 3
	for _, an := range unsafe.Slice(list, maxReadings) {
		if an == 0 {
			break
		}
		r := reading{lemma: strings.ToLower(a.value(an, "BASEFORM")), structure: a.value(an, "STRUCTURE")}
		rank := 2
		switch {
		case r.lemma == word:
			rank = 0
		case a.value(an, "CLASS") == "nimisana":
			rank = 1
		}
		if rank < bestRank && r.lemma != "" {
			best, bestRank = r, rank
		}
	}
	return best, bestRank < 3
}

// maxReadings bounds the readings of one word read (Voikko ends the list
// with a NULL well before).
const maxReadings = 64

func (a *Analyzer) value(an uintptr, key string) string {
	v := a.lib.value(an, key)
	if v == nil {
		return ""
	}
	defer a.lib.freeValue(v)
	return goString(v)
}

// split cuts word where structure (one mark per letter, "=" before each
// part) starts a part.
func split(word, structure string) []string {
	rs := []rune(word)
	var out []string
	start, i := 0, 0
	for _, c := range structure {
		if c == '=' {
			if i > start {
				out = append(out, string(rs[start:i]))
			}
			start = i
			continue
		}
		i++
		if i > len(rs) {
			return nil // the marks do not fit the word
		}
	}
	if start < len(rs) {
		out = append(out, string(rs[start:]))
	}
	return out
}

// goString copies a NUL-terminated C string.
func goString(p *byte) string {
	if p == nil {
		return ""
	}
	var b []byte
	for ptr := unsafe.Pointer(p); ; ptr = unsafe.Add(ptr, 1) {
		c := *(*byte)(ptr)
		if c == 0 {
			break
		}
		b = append(b, c)
	}
	return string(b)
}
