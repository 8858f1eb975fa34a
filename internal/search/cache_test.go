package search

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/serie-verkosto/directory/internal/l10n"
)

// TestResultCache checks that a cached result is served until the index
// changes, and that a caller cannot change what the cache holds.
func TestResultCache(t *testing.T) {
	ix, _, err := Open(Config{Dir: filepath.Join(t.TempDir(), "index")})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	put := func(id string) {
		b := ix.NewBatch()
		if err := b.Put(Doc{Type: TypeService, ID: id, Title: l10n.T("Perheneuvola "+id, "", ""), Status: "active"}); err != nil {
			t.Fatal(err)
		}
		if err := ix.Commit(b, nil); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	search := func() *Result {
		r, err := ix.Search(ctx, Request{Q: "perheneuvola"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	put("a")
	first := search()
	if first.Total != 1 {
		t.Fatalf("total %d, want 1", first.Total)
	}
	first.Hits[0].ID = "changed"
	if r := search(); r.Total != 1 || r.Hits[0].ID != "a" {
		t.Fatalf("cached result changed by the caller: %+v", r.Hits)
	}
	put("b")
	if r := search(); r.Total != 2 {
		t.Fatalf("after a commit: total %d, want 2", r.Total)
	}
	ix.SetResultCache(0)
	put("c")
	if r := search(); r.Total != 3 {
		t.Fatalf("without cache: total %d, want 3", r.Total)
	}
}
