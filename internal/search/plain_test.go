package search

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"

	"github.com/serie-verkosto/directory/internal/l10n"
)

// TestPlainWhenNotScorch: on an index the fast engine cannot read (Bleve's
// older upside-down index), search still answers, through Bleve's public
// API, ranked and counted as on a scorch index, and the counter says so.
func TestPlainWhenNotScorch(t *testing.T) {
	docs := []Doc{
		{Type: TypeService, ID: "a-verified", Title: l10n.T("Perheneuvola", "", ""), Municipalities: []string{"564"}, Fresh: "verified", Status: "active"},
		{Type: TypeService, ID: "b-national", Title: l10n.T("Perheneuvola", "", ""), National: true, Fresh: "unverified", Status: "active"},
		{Type: TypeService, ID: "c-ended", Title: l10n.T("Perheneuvola", "", ""), Municipalities: []string{"837"}, Fresh: "overdue", Status: "inactive"},
		{Type: TypeContact, ID: "d-other", Title: l10n.T("Terapia", "", ""), Fresh: "verified", Status: "active"},
	}
	put := func(t *testing.T, ix *Index) {
		batch := ix.NewBatch()
		for _, d := range docs {
			if err := batch.Put(d); err != nil {
				t.Fatal(err)
			}
		}
		if err := ix.Commit(batch, nil); err != nil {
			t.Fatal(err)
		}
	}
	m, err := NewMapping(nil)
	if err != nil {
		t.Fatal(err)
	}
	mem, err := bleve.NewMemOnly(m) // upside-down, not scorch
	if err != nil {
		t.Fatal(err)
	}
	specs, err := newFieldSpecs(m)
	if err != nil {
		t.Fatal(err)
	}
	old := &Index{cache: newResultCache(0), phrases: newPhraseSet(nil), metrics: newEngineMetrics(), specs: specs}
	old.ref.Store(&bleveRef{mem})
	t.Cleanup(func() { old.Close() })
	put(t, old)
	scorchIx, _, err := Open(Config{Dir: t.TempDir() + "/index", ResultCache: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { scorchIx.Close() })
	put(t, scorchIx)
	for _, r := range []Request{{Q: "perheneuvola"}, {Q: "perheneuvla"}, {Q: "", Limit: 2, Offset: 1}, {Q: "terapia perheneuvola"}} {
		want, err := scorchIx.Search(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := old.Search(context.Background(), r)
		if err != nil {
			t.Fatalf("%+v on an upside-down index: %v", r, err)
		}
		got.TookMS, want.TookMS = 0, 0
		// Scores to rounding: the two index types add in other orders.
		for i := range min(len(got.Hits), len(want.Hits)) {
			if math.Abs(got.Hits[i].Score-want.Hits[i].Score) <= 1e-9*want.Hits[i].Score {
				got.Hits[i].Score = want.Hits[i].Score
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%+v: upside-down index (-scorch +upside-down):\n%s", r, diff)
		}
	}
	if n := plainPasses(t, old, "unsupported"); n == 0 {
		t.Error("the plain passes on an upside-down index were not counted")
	}
	if n := plainPasses(t, scorchIx, "unsupported"); n != 0 {
		t.Errorf("%v plain passes counted on a scorch index", n)
	}
}

// plainPasses reads the index's counter of plain passes for reason.
func plainPasses(t *testing.T, ix *Index, reason string) float64 {
	t.Helper()
	var m dto.Metric
	if err := ix.metrics.plain.WithLabelValues(reason).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// TestErrorsHoldNoQuery: an engine's error, which reaches the log, does
// not hold the words searched for, and still says what it was.
func TestErrorsHoldNoQuery(t *testing.T) {
	ix, _, err := Open(Config{Dir: t.TempDir() + "/index", ResultCache: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ix.Search(ctx, Request{Q: "lastensuojelu"})
	if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "lastensuojelu") {
		t.Errorf("a cancelled search: %v", err)
	}
	for _, tt := range []struct {
		cause error
		want  string
	}{
		{io.ErrUnexpectedEOF, "EOF"}, {context.DeadlineExceeded, "deadline"}, {errors.New("postings body_fi:salainen"), "failed"},
	} {
		q := quiet{fmt.Errorf("postings body_fi:salainen: %w", tt.cause)}
		if s := q.Error(); strings.Contains(s, "salainen") || !strings.Contains(s, tt.want) || !errors.Is(q, tt.cause) {
			t.Errorf("quiet(%v) = %q", tt.cause, s)
		}
	}
}
