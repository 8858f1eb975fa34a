package search_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/search"
)

func TestZZProbe(t *testing.T) {
	f := sqliteFixture(t)
	for _, q := range strings.Split(os.Getenv("PROBE"), "|") {
		r, err := f.index.Search(context.Background(), search.Request{Q: q, Limit: 6})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range r.Hits {
			got = append(got, h.Type+"/"+h.ID+" "+strings.Join(h.Missing, ","))
		}
		t.Logf("%q total %d partial %v: %s", q, r.Total, r.Partial, strings.Join(got, " | "))
	}
}
