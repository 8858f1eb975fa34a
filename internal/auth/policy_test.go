package auth_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// The resources of the matrix, as an editor of "etela" sees them.
var matrixResources = []struct {
	name string
	res  auth.Resource
}{
	{"own service", auth.Resource{Kind: services.EntityService, Networks: []string{"etela"}}},
	{"other's service", auth.Resource{Kind: services.EntityService, Networks: []string{"pohjoinen"}}},
	{"shared service", auth.Resource{Kind: services.EntityService, Networks: []string{"etela", "pohjoinen"}}},
	{"national service", auth.Resource{Kind: services.EntityService}},
	{"own contact", auth.Resource{Kind: services.EntityContact, Networks: []string{"etela"}}},
	{"other's contact", auth.Resource{Kind: services.EntityContact, Networks: []string{"pohjoinen"}}},
	{"own network", auth.Resource{Kind: services.EntityNetwork, Networks: []string{"etela"}}},
	{"organization", auth.Resource{Kind: services.EntityOrganization, Networks: []string{"etela"}}},
	{"pathway", auth.Resource{Kind: auth.KindPathway, Networks: []string{"etela"}}},
	{"own report", auth.Resource{Kind: auth.KindCorrection, Networks: []string{"etela"}}},
	{"other's report", auth.Resource{Kind: auth.KindCorrection, Networks: []string{"pohjoinen"}}},
}

// TestCanMatrix is the authorization matrix: role × action × resource
// (own or other network). Each row gives the outcome per resource column,
// in the order of matrixResources: A allowed, U unauthorized (401: log in),
// F forbidden (403).
func TestCanMatrix(t *testing.T) {
	anon := (*users.User)(nil)
	member := &users.User{ID: "m", Role: users.RoleMember, Active: true}
	editor := &users.User{ID: "e", Role: users.RoleEditor, Active: true, Networks: []string{"etela"}}
	admin := &users.User{ID: "a", Role: users.RoleAdmin, Active: true}
	inactive := &users.User{ID: "i", Role: users.RoleAdmin, Active: false}
	odd := &users.User{ID: "o", Role: "superuser", Active: true}
	roles := map[string]*users.User{"anonymous": anon, "member": member, "editor": editor, "admin": admin, "inactive admin": inactive, "unknown role": odd}

	// Columns: service own, other's, shared, national; contact own,
	// other's; own network; organization; pathway; report own, other's.
	matrix := map[string]map[auth.Action]string{
		"anonymous": {
			auth.ReadPublic:    "AAAAAAAAAAA",
			auth.ReadMembers:   "UUUUUUUUUUU",
			auth.Edit:          "UUUUUUUUUUU",
			auth.Propose:       "UUUUUUUUUUU",
			auth.Publish:       "UUUUUUUUUUU",
			auth.AdminUsers:    "UUUUUUUUUUU",
			auth.Restore:       "UUUUUUUUUUU",
			auth.ResolveReport: "UUUUUUUUUUU",
		},
		"member": {
			auth.ReadPublic:    "AAAAAAAAAAA",
			auth.ReadMembers:   "AAAAAAAAAAA",
			auth.Edit:          "FFFFFFFFFFF",
			auth.Propose:       "FFFFFFFFFFF",
			auth.Publish:       "FFFFFFFFFFF",
			auth.AdminUsers:    "FFFFFFFFFFF",
			auth.Restore:       "FFFFFFFFFFF",
			auth.ResolveReport: "FFFFFFFFFFF",
		},
		"editor": {
			auth.ReadPublic:    "AAAAAAAAAAA",
			auth.ReadMembers:   "AAAAAAAAAAA",
			auth.Edit:          "AFAFAFFFFFF",
			auth.Propose:       "FFFFFFFFAFF",
			auth.Publish:       "FFFFFFFFFFF",
			auth.AdminUsers:    "FFFFFFFFFFF",
			auth.Restore:       "FFFFFFFFFFF",
			auth.ResolveReport: "FFFFFFFFFAF",
		},
		"admin": {
			auth.ReadPublic:    "AAAAAAAAAAA",
			auth.ReadMembers:   "AAAAAAAAAAA",
			auth.Edit:          "AAAAAAAAAAA",
			auth.Propose:       "AAAAAAAAAAA",
			auth.Publish:       "AAAAAAAAAAA",
			auth.AdminUsers:    "AAAAAAAAAAA",
			auth.Restore:       "AAAAAAAAAAA",
			auth.ResolveReport: "AAAAAAAAAAA",
		},
		"inactive admin": {
			auth.ReadPublic:    "AAAAAAAAAAA",
			auth.ReadMembers:   "UUUUUUUUUUU",
			auth.Edit:          "UUUUUUUUUUU",
			auth.Propose:       "UUUUUUUUUUU",
			auth.Publish:       "UUUUUUUUUUU",
			auth.AdminUsers:    "UUUUUUUUUUU",
			auth.Restore:       "UUUUUUUUUUU",
			auth.ResolveReport: "UUUUUUUUUUU",
		},
		"unknown role": {
			auth.ReadPublic:    "AAAAAAAAAAA",
			auth.ReadMembers:   "FFFFFFFFFFF",
			auth.Edit:          "FFFFFFFFFFF",
			auth.Propose:       "FFFFFFFFFFF",
			auth.Publish:       "FFFFFFFFFFF",
			auth.AdminUsers:    "FFFFFFFFFFF",
			auth.Restore:       "FFFFFFFFFFF",
			auth.ResolveReport: "FFFFFFFFFFF",
		},
	}
	outcome := func(err error) string {
		switch {
		case err == nil:
			return "A"
		case apperr.Is(err, apperr.Unauthorized):
			return "U"
		case apperr.Is(err, apperr.Forbidden):
			return "F"
		}
		return "?" + err.Error()
	}
	for role, u := range roles {
		rows := matrix[role]
		if len(rows) != len(auth.Actions) {
			t.Fatalf("%s: %d actions in the matrix; want all %d", role, len(rows), len(auth.Actions))
		}
		for _, a := range auth.Actions {
			var got strings.Builder
			for _, r := range matrixResources {
				got.WriteString(outcome(auth.Can(u, a, r.res)))
			}
			if want := rows[a]; got.String() != want {
				t.Errorf("%s %s: got %s, want %s", role, a, got.String(), want)
				for i, r := range matrixResources {
					if i < len(want) && got.String()[i] != want[i] {
						t.Errorf("    %s: got %c, want %c", r.name, got.String()[i], want[i])
					}
				}
			}
		}
	}
	// Unknown actions are refused even to admins.
	if err := auth.Can(admin, "delete-everything", auth.Resource{}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("unknown action: %v", err)
	}
	// An editor is told the listing is another network's.
	err := auth.Can(editor, auth.Edit, matrixResources[1].res)
	if e := apperr.As(err); e == nil || e.Key != auth.KeyForbiddenNetwork {
		t.Errorf("other network: %v", err)
	}
	if e := apperr.As(auth.Can(nil, auth.Edit, matrixResources[0].res)); e == nil || e.Key != auth.KeyLoginRequired {
		t.Errorf("anonymous edit: %v", e)
	}
	// An editor of no network proposes no pathway, as auth.Scope of Edit
	// refused them before Propose was an action of its own.
	lone := &users.User{ID: "l", Role: users.RoleEditor, Active: true}
	if e := apperr.As(auth.Can(lone, auth.Propose, auth.Resource{Kind: auth.KindPathway})); e == nil || e.Key != auth.KeyForbiddenNetwork {
		t.Errorf("editor of no network proposes: %v", e)
	}
}

func TestScope(t *testing.T) {
	editor := &users.User{Role: users.RoleEditor, Active: true, Networks: []string{"etela", "pohjoinen"}}
	admin := &users.User{Role: users.RoleAdmin, Active: true}
	member := &users.User{Role: users.RoleMember, Active: true}
	for _, c := range []struct {
		u        *users.User
		a        auth.Action
		networks []string
		all      bool
		code     apperr.Code
	}{
		{editor, auth.Edit, []string{"etela", "pohjoinen"}, false, ""},
		{editor, auth.ResolveReport, []string{"etela", "pohjoinen"}, false, ""},
		{editor, auth.ReadMembers, nil, true, ""},
		{editor, auth.Publish, nil, false, apperr.Forbidden},
		{&users.User{Role: users.RoleEditor, Active: true}, auth.Edit, nil, false, apperr.Forbidden},
		{admin, auth.Edit, nil, true, ""},
		{admin, auth.ResolveReport, nil, true, ""},
		{member, auth.Edit, nil, false, apperr.Forbidden},
		{member, auth.ReadMembers, nil, true, ""},
		{nil, auth.ResolveReport, nil, false, apperr.Unauthorized},
		{nil, auth.ReadPublic, nil, true, ""},
	} {
		networks, all, err := auth.Scope(c.u, c.a)
		name := fmt.Sprintf("%v %s", c.u, c.a)
		if c.code != "" {
			if !apperr.Is(err, c.code) {
				t.Errorf("%s: err %v; want %s", name, err, c.code)
			}
			continue
		}
		if err != nil || all != c.all || !cmp.Equal(networks, c.networks) {
			t.Errorf("%s: %v, all %v, %v; want %v, all %v", name, networks, all, err, c.networks, c.all)
		}
	}
}

func TestLevel(t *testing.T) {
	for _, c := range []struct {
		u    *users.User
		want users.Level
	}{
		{nil, users.LevelPublic},
		{&users.User{Role: users.RoleMember, Active: true}, users.LevelMember},
		{&users.User{Role: users.RoleEditor, Active: true}, users.LevelMember},
		{&users.User{Role: users.RoleAdmin, Active: true}, users.LevelAdmin},
		{&users.User{Role: users.RoleAdmin, Active: false}, users.LevelPublic},
		{&users.User{Role: "superuser", Active: true}, users.LevelPublic},
	} {
		if got := auth.Level(c.u); got != c.want {
			t.Errorf("Level(%+v) = %v; want %v", c.u, got, c.want)
		}
	}
}

func TestSummarizeUserAgent(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0":    "Edge, Windows",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15":               "Safari, macOS",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile Safari/604.1": "Safari, iOS",
		"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36":                     "Chrome, Android",
		"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0":                                                           "Firefox, Linux",
		"curl/8.5.0": "curl",
		"":           "",
		"<script>":   "",
	} {
		if got := auth.SummarizeUserAgent(ua); got != want {
			t.Errorf("%q: %q; want %q", ua, got, want)
		}
	}
}
