package services_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// The actors of the use-case tests.
var (
	editorA       = &users.User{ID: "u-editor-a", Role: users.RoleEditor, Active: true, Networks: []string{"pirkanmaa"}}
	editorB       = &users.User{ID: "u-editor-b", Role: users.RoleEditor, Active: true, Networks: []string{"turku"}}
	editorNone    = &users.User{ID: "u-editor-0", Role: users.RoleEditor, Active: true}
	member        = &users.User{ID: "u-member", Role: users.RoleMember, Active: true}
	admin         = &users.User{ID: "u-admin", Role: users.RoleAdmin, Active: true}
	inactiveAdmin = &users.User{ID: "u-admin-old", Role: users.RoleAdmin, Active: false}
	system        = users.System("import:test")
)

const ok = apperr.Code("")

// listingOp is one use case run by an actor on a fresh listing of the
// Pirkanmaa network (id; an archived one for unarchive).
type listingOp struct {
	name     string
	archived bool // the listing is archived first
	run      func(ctx context.Context, st *services.Store, u *users.User, svc *services.Service, c *services.Contact) (svcErr, contactErr error)
}

var listingOps = []listingOp{
	{name: "create", run: func(ctx context.Context, st *services.Store, u *users.User, svc *services.Service, c *services.Contact) (error, error) {
		s2, c2 := *svc, *c
		s2.ID, c2.ID = svc.ID+"-new", c.ID+"-new"
		s2.Meta, c2.Meta = services.Meta{}, services.Meta{}
		return st.Services.Save(ctx, u, &s2, true), st.Contacts.Save(ctx, u, &c2, true)
	}},
	{name: "update", run: func(ctx context.Context, st *services.Store, u *users.User, svc *services.Service, c *services.Contact) (error, error) {
		svc.Name.FI, c.Name = "Muutettu", "Muutettu Nimi"
		return st.Services.Save(ctx, u, svc, false), st.Contacts.Save(ctx, u, c, false)
	}},
	{name: "verify", run: func(ctx context.Context, st *services.Store, u *users.User, svc *services.Service, c *services.Contact) (error, error) {
		_, e1 := st.Services.Verify(ctx, u, svc.ID, svc.Version)
		_, e2 := st.Contacts.Verify(ctx, u, c.ID, c.Version)
		return e1, e2
	}},
	{name: "archive", run: func(ctx context.Context, st *services.Store, u *users.User, svc *services.Service, c *services.Contact) (error, error) {
		_, e1 := st.Services.Archive(ctx, u, svc.ID, svc.Version)
		_, e2 := st.Contacts.Archive(ctx, u, c.ID, c.Version)
		return e1, e2
	}},
	{name: "unarchive", archived: true, run: func(ctx context.Context, st *services.Store, u *users.User, svc *services.Service, c *services.Contact) (error, error) {
		_, e1 := st.Services.Unarchive(ctx, u, svc.ID, svc.Version)
		_, e2 := st.Contacts.Unarchive(ctx, u, c.ID, c.Version)
		return e1, e2
	}},
	{name: "edit archived, status kept", archived: true, run: func(ctx context.Context, st *services.Store, u *users.User, svc *services.Service, c *services.Contact) (error, error) {
		svc.Status, c.Status = "", ""
		return st.Services.Save(ctx, u, svc, false), st.Contacts.Save(ctx, u, c, false)
	}},
	{name: "restore version", run: func(ctx context.Context, st *services.Store, u *users.User, svc *services.Service, c *services.Contact) (error, error) {
		hs, _ := st.DB().History(ctx, services.EntityService, svc.ID)
		hc, _ := st.DB().History(ctx, services.EntityContact, c.ID)
		_, e1 := st.Services.RestoreVersion(ctx, u, svc.ID, hs[len(hs)-1].ID, svc.Version)
		_, e2 := st.Contacts.RestoreVersion(ctx, u, c.ID, hc[len(hc)-1].ID, c.Version)
		return e1, e2
	}},
	{name: "move to another network", run: func(ctx context.Context, st *services.Store, u *users.User, svc *services.Service, c *services.Contact) (error, error) {
		svc.Area = services.Area{Networks: []string{"turku"}}
		c.NetworkSlug = "turku"
		return st.Services.Save(ctx, u, svc, false), st.Contacts.Save(ctx, u, c, false)
	}},
	{name: "stale version", run: func(ctx context.Context, st *services.Store, u *users.User, svc *services.Service, c *services.Contact) (error, error) {
		svc.Version--
		c.Version--
		return st.Services.Save(ctx, u, svc, false), st.Contacts.Save(ctx, u, c, false)
	}},
}

// TestListingUseCases runs every listing use case as every kind of actor,
// on SQLite and PostgreSQL, without HTTP: the answer is the policy's, and
// a refused write writes nothing (no row, no change log, no audit entry).
func TestListingUseCases(t *testing.T) {
	const (
		unauth = apperr.Unauthorized
		forbid = apperr.Forbidden
		stale  = apperr.Conflict
	)
	want := map[string]map[*users.User]apperr.Code{
		"create":                     {nil: unauth, inactiveAdmin: unauth, member: forbid, editorNone: forbid, editorB: forbid, editorA: ok, admin: ok, system: ok},
		"update":                     {nil: unauth, inactiveAdmin: unauth, member: forbid, editorNone: forbid, editorB: forbid, editorA: ok, admin: ok, system: ok},
		"verify":                     {nil: unauth, inactiveAdmin: unauth, member: forbid, editorNone: forbid, editorB: forbid, editorA: ok, admin: ok, system: ok},
		"archive":                    {nil: unauth, inactiveAdmin: unauth, member: forbid, editorNone: forbid, editorB: forbid, editorA: ok, admin: ok, system: ok},
		"unarchive":                  {nil: unauth, inactiveAdmin: unauth, member: forbid, editorNone: forbid, editorB: forbid, editorA: forbid, admin: ok, system: forbid},
		"edit archived, status kept": {nil: unauth, inactiveAdmin: unauth, member: forbid, editorNone: forbid, editorB: forbid, editorA: ok, admin: ok, system: ok},
		"restore version":            {nil: unauth, inactiveAdmin: unauth, member: forbid, editorNone: forbid, editorB: forbid, editorA: forbid, admin: ok, system: forbid},
		"move to another network":    {nil: unauth, inactiveAdmin: unauth, member: forbid, editorNone: forbid, editorB: forbid, editorA: forbid, admin: ok, system: ok},
		"stale version":              {nil: unauth, inactiveAdmin: unauth, member: forbid, editorNone: forbid, editorB: forbid, editorA: stale, admin: stale, system: stale},
	}
	actors := []*users.User{nil, inactiveAdmin, member, editorNone, editorB, editorA, admin, system}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := seeded(t, d)
		n := 0
		for _, op := range listingOps {
			for _, u := range actors {
				n++
				name := "anonymous"
				if u != nil {
					name = u.ID
				}
				svc := pirkanmaaService(fmt.Sprintf("uc-s-%d", n))
				c := &services.Contact{ID: fmt.Sprintf("uc-c-%d", n), Name: "Testi Henkilö", Role: "member", NetworkSlug: "pirkanmaa", Status: services.StatusActive}
				if err := st.Services.Create(ctx, system, svc); err != nil {
					t.Fatal(err)
				}
				if err := st.Contacts.Create(ctx, system, c); err != nil {
					t.Fatal(err)
				}
				if op.archived {
					s2, err := st.Services.Archive(ctx, admin, svc.ID, svc.Version)
					if err != nil {
						t.Fatal(err)
					}
					c2, err := st.Contacts.Archive(ctx, admin, c.ID, c.Version)
					if err != nil {
						t.Fatal(err)
					}
					*svc, *c = s2, c2
				}
				before := auditCount(t, d)
				es, ec := op.run(ctx, st, u, svc, c)
				w := want[op.name][u]
				for kind, err := range map[string]error{"service": es, "contact": ec} {
					if got := apperr.CodeOf(err); (err == nil) != (w == ok) || (err != nil && got != w) {
						t.Errorf("%s by %s on a %s: %v (code %q), want %q", op.name, name, kind, err, got, w)
					}
				}
				if w != ok && auditCount(t, d) != before {
					t.Errorf("%s by %s was refused but wrote to the audit log", op.name, name)
				}
			}
		}
	})
}

// TestListingUseCaseEffects checks what the allowed use cases write: the
// actor and action in the audit log, a kept status, a no-op archive, the
// placing field of a refusal.
func TestListingUseCaseEffects(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := seeded(t, d)
		svc := pirkanmaaService("uc-effects")
		if err := st.Services.Create(ctx, editorA, svc); err != nil {
			t.Fatal(err)
		}
		got, err := st.Services.Archive(ctx, editorA, svc.ID, svc.Version)
		if err != nil || got.Status != services.StatusArchived || got.Version != 2 {
			t.Fatalf("archive: %v, status %q v%d", err, got.Status, got.Version)
		}
		again, err := st.Services.Archive(ctx, editorA, svc.ID, got.Version)
		if err != nil || again.Version != 2 {
			t.Errorf("archiving an archived service: %v, v%d; want no write", err, again.Version)
		}
		got.Status = ""
		got.Name.FI = "Arkistossa muokattu"
		if err := st.Services.Save(ctx, editorA, &got, false); err != nil {
			t.Fatal(err)
		}
		if got.Status != services.StatusArchived {
			t.Errorf("an edit without a status un-archived the service: %q", got.Status)
		}
		hist, err := d.History(ctx, services.EntityService, svc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var acts []string
		for _, e := range hist {
			if e.Actor != editorA.ID {
				t.Errorf("audit actor %q, want %q", e.Actor, editorA.ID)
			}
			acts = append(acts, e.Action)
		}
		if fmt.Sprint(acts) != "[update archive create]" && fmt.Sprint(acts) != "[create archive update]" {
			t.Errorf("audit actions %v", acts)
		}
		moved := *pirkanmaaService("uc-moved")
		moved.Area = services.Area{Networks: []string{"turku"}}
		err = st.Services.Save(ctx, editorA, &moved, true)
		if e := apperr.As(err); e == nil || e.Code != apperr.Forbidden || len(e.Fields) != 1 || e.Fields[0].Field != "area" {
			t.Errorf("placing a service in another network: %v, want forbidden on area", err)
		}
		c := &services.Contact{ID: "uc-moved-c", Name: "Testi Henkilö", Role: "member", NetworkSlug: "turku"}
		err = st.Contacts.Save(ctx, editorA, c, true)
		if e := apperr.As(err); e == nil || e.Code != apperr.Forbidden || len(e.Fields) != 1 || e.Fields[0].Field != "network" {
			t.Errorf("placing a contact in another network: %v, want forbidden on network", err)
		}
		bad := *pirkanmaaService("uc-bad")
		bad.Area.Municipalities = []string{"Atlantis"}
		if err := st.Services.Save(ctx, editorA, &bad, true); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown municipality: %v, want invalid", err)
		}
	})
}

// pirkanmaaService is a valid service of the Pirkanmaa network.
func pirkanmaaService(id string) *services.Service {
	return &services.Service{ID: id, Name: l10n.T("Esimerkkipalvelu", "", ""), Status: services.StatusActive,
		TargetGroups: []string{"worried-about-own-thoughts"}, ServiceTypes: []string{"counselling"},
		Area: services.Area{Networks: []string{"pirkanmaa"}}}
}

func auditCount(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestVerifiedNotInTheFuture: a verification date after today is refused,
// naming verified_at, on a save and on a create; today's is taken.
func TestVerifiedNotInTheFuture(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := seeded(t, d)
		now := d.Now()
		svc, err := st.Service(ctx, "serie-tukipalvelu")
		if err != nil {
			t.Fatal(err)
		}
		future := now.AddDate(973, 0, 0)
		svc.VerifiedAt = &future
		err = st.Services.Save(ctx, admin, &svc, false)
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "verified_at" {
			t.Errorf("save verified in %d: %v", future.Year(), err)
		}
		fresh := svc
		fresh.ID, fresh.Meta = "tulevaisuus-testi", services.Meta{}
		if err := st.Services.Save(ctx, admin, &fresh, true); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("create verified in %d: %v", future.Year(), err)
		}
		svc.VerifiedAt = &now
		if err := st.Services.Save(ctx, admin, &svc, false); err != nil {
			t.Errorf("save verified today: %v", err)
		}
	})
}

// TestEditorSaveKeepsFieldsTheyCannotSee: an editor's save does not change
// a contact's e-mail limited to admins, nor lift the limit; an admin's does.
func TestEditorSaveKeepsFieldsTheyCannotSee(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := seeded(t, d)
		c := services.Contact{ID: "piilo-testi", Name: "Piilo Testi", Role: "deputy", NetworkSlug: "pirkanmaa",
			Email: "piilo@example.fi", Visibility: services.Visibility{"email": services.Admins}}
		if err := st.Contacts.Save(ctx, admin, &c, true); err != nil {
			t.Fatal(err)
		}
		mine := c.ForViewer(users.LevelMember) // what the editor's form holds
		mine.Name, mine.Visibility = "Uusi Nimi", services.Visibility{}
		if err := st.Contacts.Save(ctx, editorA, &mine, false); err != nil {
			t.Fatal(err)
		}
		got, _ := st.Contact(ctx, c.ID)
		if got.Email != "piilo@example.fi" || got.Visibility["email"] != services.Admins || got.Name != "Uusi Nimi" {
			t.Errorf("after the editor's save: %q %v %q", got.Email, got.Visibility, got.Name)
		}
		got.Email = "uusi@example.fi"
		if err := st.Contacts.Save(ctx, admin, &got, false); err != nil {
			t.Fatal(err)
		}
		if again, _ := st.Contact(ctx, c.ID); again.Email != "uusi@example.fi" {
			t.Errorf("the admin's change: %q", again.Email)
		}
	})
}
