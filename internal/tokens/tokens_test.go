package tokens_test

import (
	"context"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/tokens"
	"github.com/serie-verkosto/directory/internal/users"
)

var operator = users.System("cli")

func TestAddAuthenticateRevoke(t *testing.T) {
	seedtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := tokens.NewStore(d)
		tok := tokens.Token{Name: "esimerkki-sync", Role: users.RoleEditor, Networks: []string{"turku", "oulu", "oulu"}}
		secret, err := st.Add(ctx, operator, &tok)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, tokens.Prefix) || len(secret) != len(tokens.Prefix)+43 {
			t.Fatalf("secret %q", secret)
		}
		got, err := st.Authenticate(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		u := got.User()
		if u.ID != "token:esimerkki-sync" || u.Role != users.RoleEditor || !u.Active ||
			strings.Join(u.Networks, ",") != "oulu,turku" || got.LastUsedAt == nil {
			t.Errorf("user %+v, token %+v", u, got)
		}
		// Only the hash is stored.
		var stored int
		if err := d.GetContext(ctx, &stored, d.Rebind(`SELECT COUNT(*) FROM api_tokens WHERE token_hash LIKE ?`), "%"+strings.TrimPrefix(secret, tokens.Prefix)+"%"); err != nil || stored != 0 {
			t.Errorf("the secret is stored: %d %v", stored, err)
		}
		for _, bad := range []string{"", "srd_", secret[:len(secret)-1], strings.TrimPrefix(secret, tokens.Prefix),
			tokens.Prefix + strings.Repeat("A", 43), secret + "x"} {
			if _, err := st.Authenticate(ctx, bad); !apperr.Is(err, apperr.Unauthorized) {
				t.Errorf("Authenticate(%q) = %v", bad, err)
			}
		}
		if err := st.Revoke(ctx, operator, "esimerkki-sync"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Authenticate(ctx, secret); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("a revoked token: %v", err)
		}
		if err := st.Revoke(ctx, operator, "esimerkki-sync"); err != nil {
			t.Errorf("revoking twice: %v", err)
		}
		if err := st.Revoke(ctx, operator, "ei-ole"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("revoking an unknown token: %v", err)
		}
		// The name stays taken: the audit log names it.
		if _, err := st.Add(ctx, operator, &tokens.Token{Name: "esimerkki-sync", Role: users.RoleAdmin}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a name again: %v", err)
		}
		list, err := st.List(ctx, operator)
		if err != nil || len(list) != 1 || list[0].RevokedAt == nil || strings.Join(list[0].Networks, ",") != "oulu,turku" {
			t.Errorf("list %+v %v", list, err)
		}
		var audit int
		if err := d.GetContext(ctx, &audit, d.Rebind(`SELECT COUNT(*) FROM audit_log WHERE entity = ? AND actor = ?`), tokens.EntityToken, "cli"); err != nil || audit != 2 {
			t.Errorf("%d audit rows: %v", audit, err)
		}
	})
}

func TestAddRefuses(t *testing.T) {
	d := seedtest.SQLite(t)
	ctx := context.Background()
	st := tokens.NewStore(d)
	tests := []struct {
		name  string
		actor *users.User
		tok   tokens.Token
		code  apperr.Code
		field string
	}{
		{"bad name", operator, tokens.Token{Name: "Iso Nimi", Role: users.RoleAdmin}, apperr.Invalid, "name"},
		{"no name", operator, tokens.Token{Role: users.RoleAdmin}, apperr.Invalid, "name"},
		{"member role", operator, tokens.Token{Name: "x", Role: users.RoleMember}, apperr.Invalid, "role"},
		{"editor without networks", operator, tokens.Token{Name: "x", Role: users.RoleEditor}, apperr.Invalid, "networks"},
		{"unknown network", operator, tokens.Token{Name: "x", Role: users.RoleEditor, Networks: []string{"atlantis"}}, apperr.Invalid, "networks"},
		{"an editor may not", &users.User{ID: "e", Role: users.RoleEditor, Networks: []string{"oulu"}, Active: true},
			tokens.Token{Name: "x", Role: users.RoleEditor, Networks: []string{"oulu"}}, apperr.Forbidden, ""},
		{"nobody may not", nil, tokens.Token{Name: "x", Role: users.RoleAdmin}, apperr.Unauthorized, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.Add(ctx, tt.actor, &tt.tok)
			if !apperr.Is(err, tt.code) {
				t.Fatalf("err %v, want %s", err, tt.code)
			}
			if tt.field != "" {
				e := apperr.As(err)
				if len(e.Fields) == 0 || e.Fields[0].Field != tt.field {
					t.Errorf("fields %+v, want %s", e.Fields, tt.field)
				}
			}
		})
	}
	if list, err := st.List(ctx, operator); err != nil || len(list) != 0 {
		t.Errorf("something was written: %+v %v", list, err)
	}
}
