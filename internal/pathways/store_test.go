package pathways_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/seed"
)

// seeded returns the stores over d holding the real seed data (the seed
// pathways included), with a fixed clock.
func seeded(t testing.TB, d *db.DB) (*services.Store, *pathways.Store) {
	t.Helper()
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	d.Now = func() time.Time { return now }
	st := services.NewStore(d)
	data, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Apply(db.WithActor(context.Background(), "test"), st, data, seed.Options{}); err != nil {
		t.Fatal(err)
	}
	return st, pathways.NewStore(d, st)
}

var ignoreMeta = cmpopts.IgnoreFields(pathways.Pathway{}, "Meta")

func TestStoreCRUD(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := db.WithActor(context.Background(), "admin-1")
		_, ps := seeded(t, d)
		p := valid()
		if err := ps.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		if p.Version != 1 || p.Position != 8 {
			t.Errorf("after create: version %d position %d; want 1 and 8 (after the seven seed pathways)", p.Version, p.Position)
		}
		got, err := ps.Pathway(ctx, p.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(*p, got, ignoreMeta); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}
		if got.Version != 1 || !got.CreatedAt.Equal(d.Now()) {
			t.Errorf("stored meta = %+v", got.Meta)
		}
		if _, err := ps.Pathway(ctx, "no-such-pathway"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown slug: err = %v, want not_found", err)
		}
		if err := ps.Create(ctx, valid()); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("duplicate slug: err = %v, want conflict", err)
		}

		// Drafts are listed only on request, in display order.
		slugs := func(drafts bool) []string {
			list, err := ps.Pathways(ctx, drafts)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, x := range list {
				out = append(out, x.Slug)
			}
			return out
		}
		if n := len(slugs(false)); n != 7 {
			t.Errorf("%d published pathways, want the seven of the seed", n)
		}
		if all := slugs(true); len(all) != 8 || all[7] != p.Slug {
			t.Errorf("with drafts: %v", all)
		}

		// Update, publish, a stale update, an unknown slug.
		stale := *p
		p.Title.FI = "Uusi otsikko"
		if err := ps.Update(ctx, p); err != nil {
			t.Fatal(err)
		}
		p.Status = pathways.StatusPublished
		if err := ps.Update(ctx, p); err != nil {
			t.Fatal(err)
		}
		if p.Version != 3 {
			t.Errorf("version after two updates = %d, want 3", p.Version)
		}
		stale.Title.FI = "Kilpaileva otsikko"
		if err := ps.Update(ctx, &stale); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale update: err = %v, want conflict", err)
		}
		if got, _ := ps.Pathway(ctx, p.Slug); got.Title.FI != "Uusi otsikko" || got.Version != 3 {
			t.Errorf("stale update changed the row: %q v%d", got.Title.FI, got.Version)
		}
		missing := valid()
		missing.Slug, missing.Version = "test-missing", 1
		if err := ps.Update(ctx, missing); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("update of unknown slug: err = %v, want not_found", err)
		}
		if n := len(slugs(false)); n != 8 {
			t.Errorf("%d published pathways after publishing, want 8", n)
		}

		// One change-log row and one audit row per successful write.
		var changes []struct {
			Entity string `db:"entity"`
			Op     string `db:"op"`
		}
		if err := d.SelectContext(ctx, &changes, d.Rebind(`SELECT entity, op FROM change_log WHERE entity_id = ? ORDER BY seq`), p.Slug); err != nil {
			t.Fatal(err)
		}
		if len(changes) != 3 {
			t.Errorf("change log rows = %v, want 3", changes)
		}
		for _, c := range changes {
			if c.Entity != pathways.EntityPathway || c.Op != db.OpUpsert {
				t.Errorf("change log row %+v", c)
			}
		}
		var audit []struct {
			Actor  string  `db:"actor"`
			Action string  `db:"action"`
			Before *string `db:"before_json"`
			After  *string `db:"after_json"`
		}
		if err := d.SelectContext(ctx, &audit, d.Rebind(`SELECT actor, action, before_json, after_json FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id`), pathways.EntityPathway, p.Slug); err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, a := range audit {
			actions = append(actions, a.Actor+" "+a.Action)
		}
		if diff := cmp.Diff([]string{"admin-1 create", "admin-1 update", "admin-1 publish"}, actions); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
		if len(audit) == 3 {
			if audit[0].Before != nil {
				t.Errorf("create audit has a before: %s", *audit[0].Before)
			}
			var before, after pathways.Pathway
			if err := json.Unmarshal([]byte(*audit[1].Before), &before); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(*audit[1].After), &after); err != nil {
				t.Fatal(err)
			}
			if before.Title.FI != "Testipolku" || after.Title.FI != "Uusi otsikko" || len(after.Steps) != 3 {
				t.Errorf("update audit before %q after %q with %d steps", before.Title.FI, after.Title.FI, len(after.Steps))
			}
		}
	})
}

// The store checks what Validate cannot see: that named services exist
// and are not archived. An invalid pathway writes nothing.
func TestStoreChecksServices(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st, ps := seeded(t, d)
		gone := &services.Service{ID: "test-gone", Name: l10n.T("Lopetettu", "", ""), TargetGroups: []string{"suspected"},
			ServiceTypes: []string{"counselling"}, Area: services.Area{National: true}, Status: services.StatusArchived}
		if err := st.Services.Create(ctx, users.System("test"), gone); err != nil {
			t.Fatal(err)
		}
		seq, _ := d.LatestSeq(ctx)
		p := valid()
		p.Steps[1].Targets[0].Services = []string{"serie-tukipalvelu", "no-such-service", "test-gone"}
		p.Steps[1].Next = "x"
		err := ps.Create(ctx, p)
		e := apperr.As(err)
		if e == nil || e.Code != apperr.Invalid {
			t.Fatalf("err = %v, want invalid", err)
		}
		got := map[string]string{}
		for _, f := range e.Fields {
			got[f.Field] = f.Message
		}
		want := map[string]string{
			"steps[1:b].next":                   `refers to missing step "x"`,
			"steps[1:b].targets[0].services[1]": `refers to missing service "no-such-service"`,
			"steps[1:b].targets[0].services[2]": `service "test-gone" is archived`,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("fields (-want +got):\n%s", diff)
		}
		if _, err := ps.Pathway(ctx, p.Slug); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("invalid pathway was stored (err %v)", err)
		}
		if seq2, _ := d.LatestSeq(ctx); seq2 != seq {
			t.Errorf("an invalid pathway wrote %d change-log rows", seq2-seq)
		}
		if p.Steps[1].Targets[0].Services[1] != "no-such-service" || p.Version != 0 {
			t.Errorf("a failed create changed the caller's pathway")
		}
	})
}
