package web

import (
	"net/http"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/services"
)

// helpTargetGroup is the client situation of people worried about their
// own thoughts: the help-seeker page lists the anonymous services for it.
const helpTargetGroup = "worried-about-own-thoughts"

// helpLimit keeps the page short and light even with a large directory.
const helpLimit = 12

// HelpView is the help-seeker page.
type HelpView struct {
	*Base
	Municipality string
	// PlaceError says the municipality asked for is unknown.
	PlaceError string
	Items      []services.Service
	Pager      Pager
	// Unavailable says the services could not be read (the database is
	// away): the page still gives its advice and the privacy note.
	Unavailable bool
}

// help is the page for people worried about their own thoughts. It is
// discreet: a neutral title without the site's name, never stored by the
// browser or a proxy (no-store), and a quick exit that replaces this page
// in the history (web/static/quickexit.js; without JavaScript it is a
// plain link to the same neutral site). Its own mistakes (an unknown
// municipality) are shown on the page itself, so that no ordinary error
// page, with the site's name in its title, comes in between.
func (s *Server) help(w http.ResponseWriter, r *http.Request, b *Base) error {
	w.Header().Set("Cache-Control", "no-store")
	b.Title, b.BareTitle, b.Nav = b.T("help.title"), true, "help"
	b.Scripts, b.ExitURL = []string{"quickexit.js"}, s.cfg.QuickExit
	v := &HelpView{Base: b}
	offset, err := intParam(r, "offset")
	if err != nil || offset < 0 {
		offset = 0
	}
	f := services.ServiceFilter{TargetGroup: helpTargetGroup, Anonymous: true, Limit: helpLimit, Offset: offset}
	if code := r.URL.Query().Get("municipality"); code != "" {
		m, err := s.store.Municipality(r.Context(), code)
		switch {
		case apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.NotFound):
			b.Status, v.PlaceError = http.StatusBadRequest, b.T("help.place.unknown", code)
		case db.Unreachable(err):
			f.Municipality, v.Municipality = code, code
		case err != nil:
			return err
		default:
			f.Municipality, v.Municipality = m.Code, m.Code
		}
	}
	items, total, err := s.store.FindServices(r.Context(), f)
	if db.Unreachable(err) {
		// Whoever needs this page gets its advice even so.
		s.log.Warn("help page without its services", "err", err)
		v.Unavailable, b.Status = true, http.StatusServiceUnavailable
		return s.render(w, b, "help", v)
	} else if err != nil {
		return err
	}
	v.Items = items
	v.Pager = b.pager("help", total, offset, helpLimit, "municipality", v.Municipality)
	return s.render(w, b, "help", v)
}
