package search_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/search"
)

// FuzzSearch: whatever is typed, the search answers with results or an
// Invalid error, never a panic or another error, and its JSON is valid;
// and the evaluator finds what Bleve alone finds, in the same order.
// Run it with: go test ./internal/search -run '^$' -fuzz FuzzSearch -fuzztime 1m
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"", "terapia", `"unbalanced`, `+title:x -y AND (z* OR w~2)`, "Oulussa lastensuojelu",
		"\xff\xfe", strings.Repeat("ä", 600), `\`, `*`, `?`, "{", "/regex/", "a:b:c", "^2", "\x00",
		// Relaxed matching: few or no listings with every word.
		"sex offender treatment prison", "sexuella övergrepp mot barn", "lapsia seksuaalisesti esittävä materiaali ilmoitus",
		strings.Repeat("terapia vankila ", 150)} {
		f.Add(s, "", "")
	}
	fx := newFixture(f, dbtest.SQLite(f))
	fx.index.SetResultCache(0)
	f.Fuzz(func(t *testing.T, q, municipality, typ string) {
		res, err := fx.index.Search(context.Background(), search.Request{Q: q, Municipality: municipality, Type: typ})
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("Search(%q, %q, %q): %v", q, municipality, typ, err)
			}
			return
		}
		b, err := json.Marshal(res)
		if err != nil || !utf8.Valid(b) {
			t.Fatalf("result does not marshal: %v", err)
		}
		for _, h := range res.Hits {
			if strings.Contains(h.Snippet, "<script") {
				t.Fatalf("snippet holds markup: %q", h.Snippet)
			}
		}
		fx.index.SetBleveOnly(true)
		ref, err := fx.index.Search(context.Background(), search.Request{Q: q, Municipality: municipality, Type: typ})
		fx.index.SetBleveOnly(false)
		if err != nil {
			t.Fatalf("Bleve alone: %v", err)
		}
		if ref.Total != res.Total || len(ref.Hits) != len(res.Hits) {
			t.Fatalf("%q: evaluator %d hits (%d shown), Bleve %d (%d)", q, res.Total, len(res.Hits), ref.Total, len(ref.Hits))
		}
		for i, h := range res.Hits {
			if r := ref.Hits[i]; r.ID != h.ID || math.Abs(r.Score-h.Score) > 1e-9*math.Abs(r.Score) {
				t.Fatalf("%q: hit %d is %s %v, Bleve's %s %v", q, i, h.ID, h.Score, r.ID, r.Score)
			}
		}
	})
}
