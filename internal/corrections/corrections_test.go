package corrections_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/corrections"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/users"
)

var now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

type fixture struct {
	st                          *corrections.Store
	admin, south, north, member *users.User
}

func setup(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	clock := now
	d.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	ctx := db.WithActor(context.Background(), "test")
	for _, s := range []string{"etela", "pohjoinen"} {
		if _, err := d.ExecContext(ctx, d.Rebind(`INSERT INTO networks (slug, name, created_at, updated_at) VALUES (?, ?, ?, ?)`), s, `{}`, now, now); err != nil {
			t.Fatal(err)
		}
	}
	us := users.NewStore(d)
	mk := func(email, role string, networks ...string) *users.User {
		u := users.User{Email: email, Name: "Testi", Role: role, Networks: networks}
		if err := us.Create(ctx, &u, "correct horse battery staple"); err != nil {
			t.Fatal(err)
		}
		return &u
	}
	return &fixture{
		st:     corrections.NewStore(d),
		admin:  mk("admin@example.org", users.RoleAdmin),
		south:  mk("south@example.org", users.RoleEditor, "etela"),
		north:  mk("north@example.org", users.RoleEditor, "pohjoinen"),
		member: mk("member@example.org", users.RoleMember),
	}
}

func TestReportValidation(t *testing.T) {
	ok := corrections.Report{Entity: "service", EntityID: "sexpo-chat", Message: "Puhelinnumero on vanhentunut."}
	for _, c := range []struct {
		name   string
		edit   func(r *corrections.Report)
		fields []string
	}{
		{"valid", func(r *corrections.Report) {}, nil},
		{"contact", func(r *corrections.Report) { r.Entity = "contact" }, nil},
		{"2000 characters", func(r *corrections.Report) { r.Message = strings.Repeat("ä", 2000) }, nil},
		{"lines and tabs", func(r *corrections.Report) { r.Message = "rivi 1\r\n\trivi 2" }, nil},
		{"HTML kept as text", func(r *corrections.Report) { r.Message = `<script>alert("x")</script>` }, nil},
		{"empty message", func(r *corrections.Report) { r.Message = "" }, []string{"message"}},
		{"blank message", func(r *corrections.Report) { r.Message = " \n\t " }, []string{"message"}},
		{"2001 characters", func(r *corrections.Report) { r.Message = strings.Repeat("ä", 2001) }, []string{"message"}},
		{"control characters", func(r *corrections.Report) { r.Message = "a\x00b" }, []string{"message"}},
		{"invalid UTF-8", func(r *corrections.Report) { r.Message = "a\xffb" }, []string{"message"}},
		{"entity network", func(r *corrections.Report) { r.Entity = "network" }, []string{"entity"}},
		{"no entity", func(r *corrections.Report) { r.Entity = "" }, []string{"entity"}},
		{"bad id", func(r *corrections.Report) { r.EntityID = "'; DROP TABLE services; --" }, []string{"entity_id"}},
		{"bad network", func(r *corrections.Report) { r.Networks = []string{"Etelä Suomi"} }, []string{"networks[0]"}},
		{"everything wrong", func(r *corrections.Report) { r.Entity, r.EntityID, r.Message = "x", "", "" }, []string{"entity", "entity_id", "message"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := ok
			c.edit(&r)
			r.Normalize()
			err := r.Validate()
			var got []string
			if e := apperr.As(err); e != nil {
				if e.Code != apperr.Invalid {
					t.Fatalf("code %s", e.Code)
				}
				for _, f := range e.Fields {
					got = append(got, f.Field)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.fields, got); diff != "" {
				t.Errorf("invalid fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReportsQueueAndResolve(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		// Whoever sends it, the report is recorded as anonymous.
		ctx := db.WithActor(context.Background(), f.member.ID)
		south := corrections.Report{Entity: "service", EntityID: "s-1", Networks: []string{"etela"}, Message: "  Väärä numero <b>!</b> '; --  "}
		shared := corrections.Report{Entity: "service", EntityID: "s-2", Networks: []string{"pohjoinen", "etela", "etela"}, Message: "Aukioloajat muuttuneet"}
		north := corrections.Report{Entity: "contact", EntityID: "c-1", Networks: []string{"pohjoinen"}, Message: "Ei enää tehtävässä"}
		national := corrections.Report{Entity: "service", EntityID: "s-3", Message: "Linkki rikki"}
		for _, r := range []*corrections.Report{&south, &shared, &north, &national} {
			if err := f.st.Create(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if south.Message != "Väärä numero <b>!</b> '; --" || south.Version != 1 || !south.Open() || !cmp.Equal(shared.Networks, []string{"etela", "pohjoinen"}) {
			t.Errorf("stored %+v, %+v", south, shared)
		}
		bad := corrections.Report{Entity: "service", EntityID: "s-4", Networks: []string{"ei-ole"}, Message: "x"}
		if err := f.st.Create(ctx, &bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown network: %v", err)
		}
		var actors []string
		if err := d.SelectContext(ctx, &actors, d.Rebind(`SELECT DISTINCT actor FROM audit_log WHERE entity = ?`), corrections.EntityCorrection); err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(actors, []string{corrections.Anonymous}) {
			t.Errorf("report audit actors %v; want only %q", actors, corrections.Anonymous)
		}

		ids := func(list []corrections.Report) []string {
			var out []string
			for _, r := range list {
				out = append(out, r.EntityID)
			}
			return out
		}
		for _, c := range []struct {
			who  *users.User
			want []string
			code apperr.Code
		}{
			{f.admin, []string{"s-1", "s-2", "c-1", "s-3"}, ""},
			{f.south, []string{"s-1", "s-2"}, ""},
			{f.north, []string{"s-2", "c-1"}, ""},
			{f.member, nil, apperr.Forbidden},
			{nil, nil, apperr.Unauthorized},
		} {
			filter, err := corrections.FilterFor(c.who)
			if c.code != "" {
				if !apperr.Is(err, c.code) {
					t.Errorf("%v: %v; want %s", c.who, err, c.code)
				}
				continue
			}
			list, total, err := f.st.ListOpen(ctx, filter)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, ids(list)); diff != "" || total != len(c.want) {
				t.Errorf("%s sees (-want +got):\n%s (total %d)", c.who.Email, diff, total)
			}
		}
		list, total, err := f.st.ListOpen(ctx, corrections.Filter{All: true, Limit: 1, Offset: 1})
		if err != nil || total != 4 || !cmp.Equal(ids(list), []string{"s-2"}) {
			t.Errorf("page 2 of 1: %v of %d, %v", ids(list), total, err)
		}
		if list[0].Message != "Aukioloajat muuttuneet" || !cmp.Equal(list[0].Networks, []string{"etela", "pohjoinen"}) {
			t.Errorf("listed %+v", list[0])
		}
		list, _, _ = f.st.ListOpen(ctx, corrections.Filter{Networks: []string{"pohjoinen"}, Entity: "contact", EntityID: "c-1"})
		if !cmp.Equal(ids(list), []string{"c-1"}) {
			t.Errorf("one listing's reports: %v", ids(list))
		}
		if _, _, err := f.st.ListOpen(ctx, corrections.Filter{All: true, Limit: 10000}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("huge page: %v", err)
		}

		// Resolving: only where one may, once, at the version read.
		for _, c := range []struct {
			name    string
			id      string
			version int
			who     *users.User
			code    apperr.Code
		}{
			{"other network's editor", north.ID, 1, f.south, apperr.Forbidden},
			{"member", south.ID, 1, f.member, apperr.Forbidden},
			{"anonymous", south.ID, 1, nil, apperr.Unauthorized},
			{"unknown report", "r-nope", 1, f.admin, apperr.NotFound},
			{"stale version", south.ID, 7, f.south, apperr.Conflict},
			{"national by an editor", national.ID, 1, f.south, apperr.Forbidden},
			{"own network", south.ID, 1, f.south, ""},
			{"again", south.ID, 2, f.south, apperr.Conflict},
			{"shared, by the other network", shared.ID, 1, f.north, ""},
			{"national by an admin", national.ID, 1, f.admin, ""},
		} {
			err := f.st.Resolve(context.Background(), c.id, c.version, c.who)
			if c.code == "" && err != nil || c.code != "" && !apperr.Is(err, c.code) {
				t.Errorf("%s: %v; want %q", c.name, err, c.code)
			}
		}
		got, err := f.st.Report(ctx, south.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Open() || got.ResolvedBy != db.Ref(f.south.ID) || got.Version != 2 {
			t.Errorf("resolved report %+v", got)
		}
		list, total, _ = f.st.ListOpen(ctx, corrections.Filter{All: true})
		if total != 1 || !cmp.Equal(ids(list), []string{"c-1"}) {
			t.Errorf("still open: %v", ids(list))
		}
		var resolvers []string
		if err := d.SelectContext(ctx, &resolvers, d.Rebind(`SELECT actor FROM audit_log WHERE entity = ? AND action = ? ORDER BY id`), corrections.EntityCorrection, "resolve"); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{f.south.ID, f.north.ID, f.admin.ID}, resolvers); diff != "" {
			t.Errorf("resolutions audited as (-want +got):\n%s", diff)
		}
	})
}
