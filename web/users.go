package web

import (
	"crypto/rand"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// Admins manage accounts: list, create, reset passwords, deactivate and
// activate users, and reset a lost second factor.

// adminOnly wraps a page for those who manage users (auth.AdminUsers).
func (s *Server) adminOnly(h pageHandler) pageHandler {
	return s.loggedIn(func(w http.ResponseWriter, r *http.Request, b *Base) error {
		if err := auth.Can(b.User, auth.AdminUsers, auth.Resource{}); err != nil {
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
	list, err := s.cfg.Users.List(r.Context())
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
	if u.Role != users.RoleEditor {
		u.Networks = nil
	}
	// The first password is random and shown once; the user changes it.
	password := rand.Text()
	err := s.cfg.Users.Create(r.Context(), &u, password)
	if apperr.Is(err, apperr.Conflict) {
		var fs apperr.Fields
		fs.Add("email", "err.email_taken", "is already in use")
		err = fs.Err()
	}
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
	u, err := s.cfg.Users.ByID(r.Context(), id)
	if err != nil {
		return err
	}
	password, err := s.cfg.Users.ResetPassword(r.Context(), id)
	if err != nil {
		return err
	}
	return s.showPassword(w, b, &u, password, "user.reset")
}

// userAction runs one account write on the user of the path and returns
// to the list.
func (s *Server) userAction(act func(*Server, *http.Request, string) error, done string) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, b *Base) error {
		id := mux.Vars(r)["id"]
		if err := act(s, r, id); err != nil {
			return err
		}
		return redirect(w, r, b.URL("admin.users", "?", "done", done))
	}
}

func deactivateUser(s *Server, r *http.Request, id string) error {
	return s.cfg.Users.Deactivate(r.Context(), id)
}

func activateUser(s *Server, r *http.Request, id string) error {
	return s.cfg.Users.Activate(r.Context(), id)
}

func resetUserTOTP(s *Server, r *http.Request, id string) error {
	return s.cfg.Users.DisableTOTP(r.Context(), id)
}
