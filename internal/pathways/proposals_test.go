package pathways_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/users"
)

// An editor's change to a published pathway waits as a proposal; the
// published version is untouched until an admin accepts it.
func TestProposals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		editor := &users.User{ID: "editor-1", Role: users.RoleEditor, Active: true, Networks: []string{"pirkanmaa"}}
		admin := &users.User{ID: "admin-1", Role: users.RoleAdmin, Active: true}
		_, st := seeded(t, d)
		list, err := st.Pathways(ctx, false)
		if err != nil || len(list) == 0 {
			t.Fatalf("pathways: %v", err)
		}
		p := list[0]
		orig := p.Title.FI

		changed := p
		changed.Title.FI = "Ehdotettu otsikko"
		if proposed, err := st.Save(ctx, editor, &changed, false); err != nil || !proposed {
			t.Fatalf("editor's change: proposed %v, %v", proposed, err)
		}
		if got, _ := st.Pathway(ctx, p.Slug); got.Title.FI != orig || got.Version != p.Version {
			t.Errorf("proposing changed the pathway: %q v%d", got.Title.FI, got.Version)
		}
		pr, err := st.Proposal(ctx, editor, p.Slug)
		if err != nil || pr.Pathway.Title.FI != "Ehdotettu otsikko" || pr.ProposedBy != "editor-1" || pr.BaseVersion != p.Version {
			t.Fatalf("proposal = %+v, %v", pr, err)
		}

		invalid := p
		invalid.Steps = nil
		if _, err := st.Save(ctx, editor, &invalid, false); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("invalid proposal: %v", err)
		}
		stale := p
		stale.Version = p.Version + 5
		if _, err := st.Save(ctx, editor, &stale, false); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("stale proposal: %v", err)
		}
		if _, err := st.AcceptProposal(ctx, admin, p.Slug, p.Version+1); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("accept at a stale version: %v", err)
		}
		got, err := st.AcceptProposal(ctx, admin, p.Slug, p.Version)
		if err != nil || got.Title.FI != "Ehdotettu otsikko" || got.Version != p.Version+1 {
			t.Fatalf("accept: %+v, %v", got.Version, err)
		}
		if _, err := st.Proposal(ctx, admin, p.Slug); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("accepted proposal still pending: %v", err)
		}
		if err := st.DiscardProposal(ctx, admin, p.Slug); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("discarding nothing: %v", err)
		}
		hist, err := d.History(ctx, "pathway", p.Slug)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, h := range hist {
			if h.Actor != "seed" && h.Actor != "test" {
				actions = append(actions, h.Actor+" "+h.Action)
			}
		}
		want := []string{"admin-1 accept-proposal", "admin-1 update", "editor-1 propose"} // newest first
		if diff := cmp.Diff(want, actions); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})
}
