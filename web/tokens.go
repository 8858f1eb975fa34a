package web

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/tokens"
)

// Admins see the integrations' API tokens, make one (its secret shown
// once) and revoke one at once; `directory token add|revoke` does the
// same on the command line. The pages adapt internal/tokens, which
// decides who may.

// TokensView lists the tokens, with the form for a new one.
type TokensView struct {
	*Base
	Tokens []TokenRow
	Done   string
	Form   *Form
	Name   Input
	Role   Choices
	Nets   Choices
	// Secret is a new token's, shown once.
	Secret  string
	Created *tokens.Token
}

// TokenRow is one token of the list, its dates as the page shows them.
type TokenRow struct {
	tokens.Token
	Created, Used, Revoked string
}

func (s *Server) tokensView(b *Base, t tokens.Token, form *Form) (*TokensView, error) {
	if s.cfg.Tokens == nil {
		return nil, apperr.Errorf(apperr.Unavailable, "API tokens are not available")
	}
	list, err := s.cfg.Tokens.List(b.req.Context(), b.User)
	if err != nil {
		return nil, err
	}
	nets, err := s.store.Networks(b.req.Context())
	if err != nil {
		return nil, err
	}
	k := newKit(b, "token", form, nil)
	var roles, netOpts []string
	for _, r := range tokens.Roles {
		roles = append(roles, r, b.T("user.role."+r))
	}
	for _, n := range nets {
		netOpts = append(netOpts, n.Slug, n.Display(b.Lang))
	}
	rows := make([]TokenRow, len(list))
	for i, t := range list {
		rows[i] = TokenRow{Token: t, Created: b.Date(&t.CreatedAt), Used: b.Date(t.LastUsedAt), Revoked: b.Date(t.RevokedAt)}
	}
	v := &TokensView{Base: b, Tokens: rows, Form: k.form, Name: k.Text("name", t.Name),
		Role: k.Pick("role", t.Role, "", roles...), Nets: k.Many("networks", t.Networks, true, netOpts...)}
	v.Name.Required = true
	v.Name.Hint = b.T("tokens.name.hint")
	v.Nets.Hint = b.T("tokens.networks.hint")
	b.Title, b.Nav = b.T("tokens.title"), "tokens"
	return v, nil
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, b *Base) error {
	v, err := s.tokensView(b, tokens.Token{Role: tokens.Roles[0]}, nil)
	if err != nil {
		return err
	}
	if d := r.URL.Query().Get("done"); d != "" && s.cat.Has(b.Lang, "tokens.done."+d) {
		v.Done = b.T("tokens.done." + d)
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "tokens", v)
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, b *Base) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if s.cfg.Tokens == nil {
		return apperr.Errorf(apperr.Unavailable, "API tokens are not available")
	}
	f := newFormReader(r)
	t := tokens.Token{Name: f.str("name"), Role: f.str("role"), Networks: f.list("networks")}
	secret, err := s.cfg.Tokens.Add(r.Context(), b.User, &t)
	if err != nil {
		form := b.formError(err, newKit(b, "token", nil, nil).fieldLabel)
		if form == nil {
			return err
		}
		v, verr := s.tokensView(b, t, form)
		if verr != nil {
			return verr
		}
		b.Status = apperr.HTTPStatus(err)
		return s.render(w, b, "tokens", v)
	}
	v, err := s.tokensView(b, tokens.Token{Role: tokens.Roles[0]}, nil)
	if err != nil {
		return err
	}
	v.Secret, v.Created = secret, &t
	// The secret is on this page only: nothing may keep a copy.
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "tokens", v)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, b *Base) error {
	if s.cfg.Tokens == nil {
		return apperr.Errorf(apperr.Unavailable, "API tokens are not available")
	}
	if err := s.cfg.Tokens.Revoke(r.Context(), b.User, mux.Vars(r)["name"]); err != nil {
		return err
	}
	return redirect(w, r, b.URL("admin.tokens", "?", "done", "revoked"))
}
