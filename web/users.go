package web

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/serie-verkosto/directory/internal/accounts"
	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// Admins manage accounts: list, create, reset passwords, deactivate and
// activate users, and reset a lost second factor. The pages are adapters
// of the use cases of internal/accounts, which decide who may.

// accounts returns the account use cases over the server's users.
func (s *Server) accounts() *accounts.Accounts { return accounts.New(s.cfg.Users) }

// adminOnly wraps a page for those who manage accounts
// (accounts.MayManage), so that a form is not even shown to others; the
// use cases decide again.
func (s *Server) adminOnly(h pageHandler) pageHandler {
	return s.loggedIn(func(w http.ResponseWriter, r *http.Request, b *Base) error {
		if err := accounts.MayManage(b.User); err != nil {
			return err
		}
		return h(w, r, b)
	})
}

// UsersView lists the accounts.
type UsersView struct {
	*Base
	Users []users.User
	Done  string
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, b *Base) error {
	list, err := s.accounts().List(r.Context(), b.User)
	if err != nil {
		return err
	}
	v := &UsersView{Base: b, Users: list}
	if d := r.URL.Query().Get("done"); d != "" && s.cat.Has(b.Lang, "users.done."+d) {
		v.Done = b.T("users.done." + d)
	}
	b.Title, b.Nav = b.T("users.title"), "users"
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "users", v)
}

// UserView is the form for a new user.
type UserView struct {
	*Base
	Form           *Form
	Email, Name    Input
	Role, Networks Choices
	Password       string // shown once after creating or resetting
	Created        *users.User
	AllNetworks    []services.Network
}

func (s *Server) userView(b *Base, u users.User, form *Form) (*UserView, error) {
	nets, err := s.store.Networks(b.req.Context())
	if err != nil {
		return nil, err
	}
	k := newKit(b, "user", form, nil)
	var roles, netOpts []string
	for _, r := range users.Roles {
		roles = append(roles, r, b.T("user.role."+r))
	}
	for _, n := range nets {
		netOpts = append(netOpts, n.Slug, n.Display(b.Lang))
	}
	v := &UserView{Base: b, Form: k.form, Email: k.Typed("email", "email", u.Email), Name: k.Text("name", u.Name),
		Role: k.Pick("role", u.Role, "", roles...), Networks: k.Many("networks", u.Networks, true, netOpts...), AllNetworks: nets}
	v.Email.Required, v.Name.Required = true, true
	v.Networks.Hint = b.T("user.networks.hint")
	b.Title, b.Nav = b.T("user.new.title"), "users"
	return v, nil
}

func (s *Server) newUserForm(w http.ResponseWriter, r *http.Request, b *Base) error {
	v, err := s.userView(b, users.User{Role: users.RoleEditor}, nil)
	if err != nil {
		return err
	}
	return s.render(w, b, "user", v)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, b *Base) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := newFormReader(r)
	u := users.User{Email: f.str("email"), Name: f.str("name"), Role: f.str("role"), Networks: f.list("networks")}
	// The first password is random and shown once; the user changes it.
	password, err := s.accounts().Create(r.Context(), b.User, &u)
	if err != nil {
		form := b.formError(err, newKit(b, "user", nil, nil).fieldLabel)
		if form == nil {
			return err
		}
		v, verr := s.userView(b, u, form)
		if verr != nil {
			return verr
		}
		b.Status = apperr.HTTPStatus(err)
		return s.render(w, b, "user", v)
	}
	return s.showPassword(w, b, &u, password, "user.created")
}

// showPassword shows a new password once: it is never stored or shown
// again, so the page is not cached.
func (s *Server) showPassword(w http.ResponseWriter, b *Base, u *users.User, password, heading string) error {
	v, err := s.userView(b, *u, nil)
	if err != nil {
		return err
	}
	v.Created, v.Password = u, password
	b.Title = b.T(heading)
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "user_secret", v)
}

func (s *Server) resetUser(w http.ResponseWriter, r *http.Request, b *Base) error {
	id := mux.Vars(r)["id"]
	password, err := s.accounts().ResetPassword(r.Context(), b.User, id)
	if err != nil {
		return err
	}
	u, err := s.cfg.Users.ByID(r.Context(), id)
	if err != nil {
		return err
	}
	return s.showPassword(w, b, &u, password, "user.reset")
}

// accountWrite is one of the account use cases that take only the id.
type accountWrite func(a *accounts.Accounts, ctx context.Context, actor *users.User, id string) error

// The account writes of the list's buttons.
var (
	deactivateUser accountWrite = (*accounts.Accounts).Deactivate
	activateUser   accountWrite = (*accounts.Accounts).Activate
	resetUserTOTP  accountWrite = (*accounts.Accounts).ResetTOTP
)

// userAction runs one account write on the user of the path and returns
// to the list.
func (s *Server) userAction(act accountWrite, done string) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, b *Base) error {
		id := mux.Vars(r)["id"]
		if err := act(s.accounts(), r.Context(), b.User, id); err != nil {
			return err
		}
		return redirect(w, r, b.URL("admin.users", "?", "done", done))
	}
}
