package pathways_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/users"
)

// The use cases decide who may do what to pathways, without HTTP: every
// actor tries every action on a fixture of its own, and the outcome is
// "ok", "proposed" (kept for an admin) or the apperr code.
func TestUseCaseMatrix(t *testing.T) {
	actors := []struct {
		name string
		u    *users.User
	}{
		{"anonymous", nil},
		{"member", &users.User{ID: "u-member", Role: users.RoleMember, Active: true}},
		{"editor A", &users.User{ID: "u-editor-a", Role: users.RoleEditor, Active: true, Networks: []string{"pirkanmaa"}}},
		{"editor B", &users.User{ID: "u-editor-b", Role: users.RoleEditor, Active: true, Networks: []string{"etela-suomi"}}},
		{"editor of no network", &users.User{ID: "u-editor-0", Role: users.RoleEditor, Active: true}},
		{"admin", &users.User{ID: "u-admin", Role: users.RoleAdmin, Active: true}},
		{"inactive admin", &users.User{ID: "u-gone", Role: users.RoleAdmin, Active: false}},
	}
	const (
		ok       = "ok"
		proposed = "proposed"
		U        = string(apperr.Unauthorized)
		F        = string(apperr.Forbidden)
		N        = string(apperr.NotFound)
	)
	admin := actors[5].u
	// fixture creates the pathway of slug as the admin, with status.
	fixture := func(t *testing.T, ps *pathways.Store, slug, status string) *pathways.Pathway {
		t.Helper()
		p := valid()
		p.Slug, p.Status = slug, status
		if _, err := ps.Save(context.Background(), admin, p, true); err != nil {
			t.Fatalf("fixture %s: %v", slug, err)
		}
		return p
	}
	outcome := func(err error) string {
		if err == nil {
			return ok
		}
		return string(apperr.CodeOf(err))
	}
	actions := []struct {
		name string
		// Outcomes in the order of actors.
		want []string
		run  func(t *testing.T, ps *pathways.Store, u *users.User, slug string) string
	}{
		{"create draft", []string{U, F, ok, ok, F, ok, U},
			func(t *testing.T, ps *pathways.Store, u *users.User, slug string) string {
				p := valid()
				p.Slug = slug
				_, err := ps.Save(context.Background(), u, p, true)
				return outcome(err)
			}},
		{"create published", []string{U, F, F, F, F, ok, U},
			func(t *testing.T, ps *pathways.Store, u *users.User, slug string) string {
				p := valid()
				p.Slug, p.Status = slug, pathways.StatusPublished
				_, err := ps.Save(context.Background(), u, p, true)
				return outcome(err)
			}},
		{"update draft", []string{U, F, ok, ok, F, ok, U},
			func(t *testing.T, ps *pathways.Store, u *users.User, slug string) string {
				p := fixture(t, ps, slug, pathways.StatusDraft)
				p.Owner = "Uusi omistaja"
				_, err := ps.Save(context.Background(), u, p, false)
				return outcome(err)
			}},
		{"publish draft", []string{U, F, F, F, F, ok, U},
			func(t *testing.T, ps *pathways.Store, u *users.User, slug string) string {
				p := fixture(t, ps, slug, pathways.StatusDraft)
				p.Status = pathways.StatusPublished
				_, err := ps.Save(context.Background(), u, p, false)
				return outcome(err)
			}},
		{"change published", []string{U, F, proposed, proposed, F, ok, U},
			func(t *testing.T, ps *pathways.Store, u *users.User, slug string) string {
				p := fixture(t, ps, slug, pathways.StatusPublished)
				p.Owner = "Uusi omistaja"
				prop, err := ps.Save(context.Background(), u, p, false)
				if prop {
					if got, _ := ps.Pathway(context.Background(), slug); got.Owner != "" || got.Version != 1 {
						t.Errorf("a proposal changed the published pathway: %q v%d", got.Owner, got.Version)
					}
					return proposed
				}
				return outcome(err)
			}},
		{"update unknown", []string{U, F, N, N, F, N, U},
			func(t *testing.T, ps *pathways.Store, u *users.User, slug string) string {
				p := valid()
				p.Slug, p.Version = slug, 1
				_, err := ps.Save(context.Background(), u, p, false)
				return outcome(err)
			}},
		{"read draft", []string{N, N, ok, ok, N, ok, N},
			func(t *testing.T, ps *pathways.Store, u *users.User, slug string) string {
				fixture(t, ps, slug, pathways.StatusDraft)
				_, err := ps.Read(context.Background(), u, slug)
				list, lerr := ps.List(context.Background(), u)
				if lerr != nil {
					t.Fatal(lerr)
				}
				listed := false
				for _, p := range list {
					listed = listed || p.Slug == slug
				}
				if listed != (err == nil) {
					t.Errorf("read %v but listed %v", err, listed)
				}
				return outcome(err)
			}},
		{"read published", []string{ok, ok, ok, ok, ok, ok, ok},
			func(t *testing.T, ps *pathways.Store, u *users.User, slug string) string {
				fixture(t, ps, slug, pathways.StatusPublished)
				_, err := ps.Read(context.Background(), u, slug)
				return outcome(err)
			}},
		{"read proposal", []string{U, F, ok, ok, F, ok, U},
			func(t *testing.T, ps *pathways.Store, u *users.User, slug string) string {
				p := fixture(t, ps, slug, pathways.StatusPublished)
				p.Owner = "Ehdottaja"
				if prop, err := ps.Save(context.Background(), actors[2].u, p, false); err != nil || !prop {
					t.Fatalf("proposal fixture: %v %v", prop, err)
				}
				_, err := ps.Proposal(context.Background(), u, slug)
				return outcome(err)
			}},
		{"accept proposal", []string{U, F, F, F, F, ok, U},
			func(t *testing.T, ps *pathways.Store, u *users.User, slug string) string {
				p := fixture(t, ps, slug, pathways.StatusPublished)
				p.Owner = "Ehdottaja"
				if _, err := ps.Save(context.Background(), actors[2].u, p, false); err != nil {
					t.Fatal(err)
				}
				got, err := ps.AcceptProposal(context.Background(), u, slug, 1)
				if err == nil && (got.Owner != "Ehdottaja" || got.Version != 2) {
					t.Errorf("accepted: %q v%d", got.Owner, got.Version)
				}
				return outcome(err)
			}},
		{"discard proposal", []string{U, F, F, F, F, ok, U},
			func(t *testing.T, ps *pathways.Store, u *users.User, slug string) string {
				p := fixture(t, ps, slug, pathways.StatusPublished)
				p.Owner = "Ehdottaja"
				if _, err := ps.Save(context.Background(), actors[2].u, p, false); err != nil {
					t.Fatal(err)
				}
				return outcome(ps.DiscardProposal(context.Background(), u, slug))
			}},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		_, ps := seeded(t, d)
		for _, a := range actions {
			for i, actor := range actors {
				slug := strings.NewReplacer(" ", "-").Replace(fmt.Sprintf("%s-%d", a.name, i))
				t.Run(a.name+"/"+actor.name, func(t *testing.T) {
					before := auditRows(t, d)
					got := a.run(t, ps, actor.u, slug)
					if got != a.want[i] {
						t.Errorf("got %s, want %s", got, a.want[i])
					}
					// The fixture is the admin's; a refusal writes nothing more.
					if got != ok && got != proposed {
						if _, err := ps.Pathway(context.Background(), slug); err == nil && strings.HasPrefix(a.name, "create") {
							t.Errorf("a refused create was saved")
						}
						if rows := auditRows(t, d); rows-before > fixtureRows[a.name] {
							t.Errorf("a refusal wrote %d audit rows", rows-before-fixtureRows[a.name])
						}
					}
				})
			}
		}
	})
}

// fixtureRows are the audit rows the admin's fixture of an action writes.
var fixtureRows = map[string]int{"update draft": 1, "publish draft": 1, "change published": 1, "read draft": 1,
	"read published": 1, "read proposal": 2, "accept proposal": 2, "discard proposal": 2}

func auditRows(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	return n
}

// A submission whose steps could not be read is answered as Save would
// answer it: the policy's refusal first, else every problem at once.
func TestSaveRefusal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		_, ps := seeded(t, d)
		admin := &users.User{ID: "u-admin", Role: users.RoleAdmin, Active: true}
		editor := &users.User{ID: "u-editor", Role: users.RoleEditor, Active: true, Networks: []string{"pirkanmaa"}}
		member := &users.User{ID: "u-member", Role: users.RoleMember, Active: true}
		published := valid()
		published.Slug, published.Status = "julkaistu", pathways.StatusPublished
		if _, err := ps.Save(ctx, admin, published, true); err != nil {
			t.Fatal(err)
		}
		draft := valid()
		draft.Slug = "luonnos"
		if _, err := ps.Save(ctx, admin, draft, true); err != nil {
			t.Fatal(err)
		}
		var unread apperr.Fields
		unread.Add("steps", "err.steps_yaml", "the steps are not valid YAML")
		sent := func(slug, status string) pathways.Pathway {
			p := *valid()
			p.Slug, p.Status, p.Steps, p.TargetGroup = slug, status, nil, "everyone"
			return p
		}
		for _, c := range []struct {
			name   string
			actor  *users.User
			p      pathways.Pathway
			create bool
			code   apperr.Code
			fields []string
		}{
			{"anonymous", nil, sent("uusi", pathways.StatusDraft), true, apperr.Unauthorized, nil},
			{"member", member, sent("uusi", pathways.StatusDraft), true, apperr.Forbidden, nil},
			{"editor publishes a new one", editor, sent("uusi", pathways.StatusPublished), true, apperr.Forbidden, nil},
			{"editor publishes a draft", editor, sent("luonnos", pathways.StatusPublished), false, apperr.Forbidden, nil},
			{"editor's change to a published one (a proposal)", editor, sent("julkaistu", pathways.StatusPublished), false, apperr.Invalid, []string{"steps", "target_group"}},
			{"editor's draft", editor, sent("uusi", pathways.StatusDraft), true, apperr.Invalid, []string{"steps", "target_group"}},
			{"admin publishes", admin, sent("luonnos", pathways.StatusPublished), false, apperr.Invalid, []string{"steps", "target_group"}},
		} {
			err := ps.SaveRefusal(ctx, c.actor, c.p, c.create, unread)
			var fields []string
			if e := apperr.As(err); e != nil {
				for _, f := range e.Fields {
					fields = append(fields, f.Field)
				}
			}
			if !apperr.Is(err, c.code) || fmt.Sprint(fields) != fmt.Sprint(c.fields) {
				t.Errorf("%s: %v (fields %v); want %s %v", c.name, err, fields, c.code, c.fields)
			}
		}
	})
}
