package ptvimport_test

import (
	"context"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/ptv"
	"github.com/serie-verkosto/directory/internal/ptv/ptvtest"
	"github.com/serie-verkosto/directory/internal/ptvimport"
)

// batchReader hands over fixed listings, as a reader of any API version
// would.
type batchReader struct{ listings []ptv.Listing }

func (r batchReader) Fetch(_ context.Context, _ ptv.Query, fn func(*ptv.Batch) error) (ptv.Summary, error) {
	sum := ptv.Summary{Started: ptvtest.NowTime, Full: true}
	return sum, fn(&ptv.Batch{Listings: r.listings})
}

// TestReleasePathwayFindsImportedServices: a Turku prison psychologist
// following the release pathway gets Turku's own mental health and
// substance abuse services once they are imported (the rules give a new
// listing its first client situations).
func TestReleasePathwayFindsImportedServices(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t), ptvtest.Now())
	turku := ptv.Area{Municipalities: []string{"853"}}
	e.im.Reader = batchReader{[]ptv.Listing{
		{ID: "aaaa0000-0000-4000-8000-000000000001", Names: ptv.Text{"fi": "Aikuisten mielenterveyspalvelut (esimerkki)"},
			Status: ptv.StatusPublished, Modified: ptvtest.NowTime, Area: turku},
		{ID: "aaaa0000-0000-4000-8000-000000000002", Names: ptv.Text{"fi": "Päihdepalvelut (esimerkki)"},
			Status: ptv.StatusPublished, Modified: ptvtest.NowTime, Area: turku},
	}}
	rep := e.run(t, ptvimport.Options{Municipalities: []string{"Turku"}})
	if rep.Created != 2 {
		t.Fatalf("import: %s", rep)
	}
	ps := pathways.NewStore(e.d, e.st)
	ctx := context.Background()
	p, err := ps.Pathway(ctx, "vapautuminen-ja-yhdyskuntaseuraamus")
	if err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(time.Minute)
	res, err := ps.Resolve(ctx, p, pathways.Where{Municipality: "Turku"})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]pathways.Tier{}
	for _, st := range res.Steps {
		for _, m := range st.Services {
			found[m.Service.ID] = m.Tier
		}
	}
	for _, id := range []string{"aaaa0000-0000-4000-8000-000000000001", "aaaa0000-0000-4000-8000-000000000002"} {
		tier, ok := found[ptvimport.ServiceID(id)]
		if !ok || !tier.Local() {
			t.Errorf("%s: not a local target of the release pathway in Turku (found %v, tier %v)", id, ok, tier)
		}
	}
}
