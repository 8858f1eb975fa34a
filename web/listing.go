package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// The editing pages of listings (services and contact persons, and the
// kinds to come): one flow for every kind, driven by a small spec per kind
// (edit.go). The rules are the use cases' (services.Listings): the pages
// parse the form, call them and render. A save whose version is stale
// shows a merge view (merge.go) instead of overwriting.

// listingPages is what the editing pages need of one listing kind.
type listingPages[T any] struct {
	kind     string // route names ("service.edit") and entity name
	template string // the edit form's template
	nav      string // the menu entry the pages belong to
	uc       *services.Listings[T]
	// name is x's display name in the language.
	name func(x T, lang string) string
	// blank is a new listing's starting values for u.
	blank func(u *users.User) T
	// read reads a posted form as the listing id.
	read func(f *formReader, id string) T
	// view builds the edit form's view around e.
	view func(s *Server, ctx context.Context, e ListingEdit, x T) (any, error)
}

// ListingEdit is what every listing form shows.
type ListingEdit struct {
	*Base
	K      *kit
	Form   *Form
	New    bool
	Action string
	Merge  *Merge
}

// render renders the edit form of x.
func (p *listingPages[T]) render(w http.ResponseWriter, r *http.Request, s *Server, b *Base, x T, isNew bool, form *Form, raw map[string]string, m *Merge) error {
	k := newKit(b, p.kind, form, raw)
	e := ListingEdit{Base: b, K: k, Form: k.form, New: isNew, Merge: m}
	if isNew {
		e.Action = b.URL(p.kind + ".new")
		b.Title = b.T("edit." + p.kind + ".new")
	} else {
		id, _ := p.uc.Fields(&x)
		e.Action = b.URL(p.kind+".edit", "id", *id)
		b.Title = b.T("edit."+p.kind+".title", p.name(x, b.Lang))
	}
	b.Nav = p.nav
	v, err := p.view(s, r.Context(), e, x)
	if err != nil {
		return err
	}
	if !isNew {
		w.Header().Set("Cache-Control", "no-store")
	}
	return s.render(w, b, p.template, v)
}

// stored loads the listing of the path and checks that b's user may edit
// it: whose listing it is decides before anything else.
func (p *listingPages[T]) stored(r *http.Request, b *Base, id string) (T, error) {
	x, err := p.uc.Get(r.Context(), id)
	if err != nil {
		return x, err
	}
	return x, p.uc.MayEdit(r.Context(), b.User, x)
}

// ofPath loads the listing of the path for an editor who may edit it.
func (p *listingPages[T]) ofPath(r *http.Request, b *Base) (T, error) {
	var zero T
	id, err := pathID(r, "id")
	if err != nil {
		return zero, err
	}
	if _, _, err := auth.Scope(b.User, auth.Edit); err != nil {
		return zero, err
	}
	return p.stored(r, b, id)
}

// newForm serves the empty form of a new listing.
func (p *listingPages[T]) newForm(s *Server) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, b *Base) error {
		if _, _, err := auth.Scope(b.User, auth.Edit); err != nil {
			return err
		}
		return p.render(w, r, s, b, p.blank(b.User), true, nil, nil, nil)
	}
}

// editForm serves the form of the listing of the path.
func (p *listingPages[T]) editForm(s *Server) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, b *Base) error {
		x, err := p.ofPath(r, b)
		if err != nil {
			return err
		}
		return p.render(w, r, s, b, x, false, nil, nil, nil)
	}
}

// save handles a posted form: a new listing when the path has no id.
func (p *listingPages[T]) save(s *Server) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, b *Base) error {
		id := ""
		if _, ok := mux.Vars(r)["id"]; ok {
			var err error
			if id, err = pathID(r, "id"); err != nil {
				return err
			}
		}
		if _, _, err := auth.Scope(b.User, auth.Edit); err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		isNew := id == ""
		if !isNew {
			if _, err := p.stored(r, b, id); err != nil {
				return err
			}
		}
		f := newFormReader(r)
		if isNew {
			// A new listing's id is a field of the form.
			id = strings.TrimSpace(f.str("id"))
		}
		x := p.read(f, id)
		var err error
		if len(f.fs) > 0 {
			// The form's own faults and the model's, all at once.
			y := x
			err = mergeErrors(f.fs, p.uc.Check(r.Context(), &y))
		} else {
			err = p.uc.Save(r.Context(), b.User, &x, isNew)
		}
		xid, _ := p.uc.Fields(&x)
		if err == nil {
			return redirect(w, r, b.URL(p.kind, "id", *xid))
		}
		if isNew && apperr.Is(err, apperr.Conflict) {
			var fs apperr.Fields
			fs.Add("id", "err.id_taken", "is already in use")
			err = fs.Err()
		}
		if apperr.Is(err, apperr.Conflict) {
			return p.conflict(w, r, s, b, x)
		}
		form := b.formError(err, newKit(b, p.kind, nil, nil).fieldLabel)
		if form == nil {
			return err
		}
		b.Status = apperr.HTTPStatus(err)
		return p.render(w, r, s, b, x, isNew, form, f.raw, nil)
	}
}

// conflict shows the merge view of a stale save: the stored listing
// merged with the editor's changes, to be saved again on top of the
// stored version.
func (p *listingPages[T]) conflict(w http.ResponseWriter, r *http.Request, s *Server, b *Base, mine T) error {
	id, meta := p.uc.Fields(&mine)
	theirs, err := p.stored(r, b, *id)
	if err != nil {
		return err
	}
	// Normalised as the store keeps it (municipality names as codes), so
	// that it compares with the stored listing; its faults were reported
	// already, or are not what stopped the save.
	_ = p.uc.Check(r.Context(), &mine)
	merged, m, err := s.mergeListing(r.Context(), b, p.kind, *id, meta.Version, mine, theirs)
	if err != nil {
		return err
	}
	var out T
	if err := unmarshalMerged(merged, &out); err != nil {
		return err
	}
	oid, ometa := p.uc.Fields(&out)
	tid, tmeta := p.uc.Fields(&theirs)
	*oid, *ometa = *tid, *tmeta
	b.Status = http.StatusConflict
	return p.render(w, r, s, b, out, false, &Form{Errors: map[string]string{}}, nil, m)
}

// action runs a one-click action (verify, archive, restore) on the
// listing of the path, and returns to next or the listing.
func (p *listingPages[T]) action(act func(ctx context.Context, u *users.User, id string, version int) (T, error)) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, b *Base) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		if _, err := act(r.Context(), b.User, id, versionOf(r)); err != nil {
			return err
		}
		return redirect(w, r, safeNext(r.PostForm.Get("next"), b.URL(p.kind, "id", id)))
	}
}

// history serves the listing's history.
func (p *listingPages[T]) history(s *Server) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, b *Base) error {
		x, err := p.ofPath(r, b)
		if err != nil {
			return err
		}
		id, meta := p.uc.Fields(&x)
		b.Nav = p.nav
		return s.historyPage(w, r, b, &HistoryView{Base: b, Kind: p.kind, ID: *id, Name: p.name(x, b.Lang), Version: meta.Version,
			CanRestore: auth.Can(b.User, auth.Restore, auth.Resource{Kind: p.kind}) == nil})
	}
}

// restoreVersion restores the listing as an audit entry left it.
func (p *listingPages[T]) restoreVersion() pageHandler {
	return func(w http.ResponseWriter, r *http.Request, b *Base) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		auditID, err := strconv.ParseInt(mux.Vars(r)["audit"], 10, 64)
		if err != nil {
			return apperr.Keyed(apperr.Invalid, "err.bad_id", "malformed id %q", mux.Vars(r)["audit"])
		}
		if err := parseForm(r); err != nil {
			return err
		}
		if _, err := p.uc.RestoreVersion(r.Context(), b.User, id, auditID, versionOf(r)); err != nil {
			return err
		}
		return redirect(w, r, b.URL(p.kind+".history", "id", id))
	}
}

// tools returns the editing tools of x's page, or nil for those who may
// not edit it.
func (p *listingPages[T]) tools(b *Base, x T, archived bool) *Tools {
	if b.User == nil || p.uc.MayEdit(b.req.Context(), b.User, x) != nil {
		return nil
	}
	id, meta := p.uc.Fields(&x)
	return &Tools{Base: b, Kind: p.kind, ID: *id, Version: meta.Version, Archived: archived,
		CanRestore: auth.Can(b.User, auth.Restore, auth.Resource{Kind: p.kind}) == nil}
}

// summary returns the name of the listing with the id and the networks it
// belongs to: whose dashboards its correction reports go to.
func (p *listingPages[T]) summary(ctx context.Context, b *Base, id string) (name string, networks []string, err error) {
	x, err := p.uc.Get(ctx, id)
	if err != nil {
		return "", nil, err
	}
	res, err := p.uc.Resource(ctx, x)
	if err != nil {
		return "", nil, err
	}
	return p.name(x, b.Lang), res.Networks, nil
}

// Tools are the editing links and buttons on a listing page, for those
// who may edit it.
type Tools struct {
	*Base
	Kind, ID   string
	Version    int
	Archived   bool
	CanRestore bool
}
