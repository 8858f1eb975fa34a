package pathways_test

import (
	"context"
	"testing"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
)

// An editor's change to a published pathway waits as a proposal; the
// published version is untouched until an admin accepts it.
func TestProposals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := db.WithActor(context.Background(), "editor-1")
		_, st := seeded(t, d)
		list, err := st.Pathways(ctx, false)
		if err != nil || len(list) == 0 {
			t.Fatalf("pathways: %v", err)
		}
		p := list[0]
		orig := p.Title.FI

		changed := p
		changed.Title.FI = "Ehdotettu otsikko"
		if err := st.Propose(ctx, &changed); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.Pathway(ctx, p.Slug); got.Title.FI != orig || got.Version != p.Version {
			t.Errorf("proposing changed the pathway: %q v%d", got.Title.FI, got.Version)
		}
		pr, err := st.Proposal(ctx, p.Slug)
		if err != nil || pr.Pathway.Title.FI != "Ehdotettu otsikko" || pr.ProposedBy != "editor-1" || pr.BaseVersion != p.Version {
			t.Fatalf("proposal = %+v, %v", pr, err)
		}

		invalid := p
		invalid.Steps = nil
		if err := st.Propose(ctx, &invalid); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("invalid proposal: %v", err)
		}
		stale := p
		stale.Version = p.Version + 5
		if err := st.Propose(ctx, &stale); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("stale proposal: %v", err)
		}
		if _, err := st.AcceptProposal(ctx, p.Slug, p.Version+1); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("accept at a stale version: %v", err)
		}
		got, err := st.AcceptProposal(ctx, p.Slug, p.Version)
		if err != nil || got.Title.FI != "Ehdotettu otsikko" || got.Version != p.Version+1 {
			t.Fatalf("accept: %+v, %v", got.Version, err)
		}
		if _, err := st.Proposal(ctx, p.Slug); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("accepted proposal still pending: %v", err)
		}
		if err := st.DiscardProposal(ctx, p.Slug); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("discarding nothing: %v", err)
		}
	})
}
