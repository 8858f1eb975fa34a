package web

import (
	"net/http"

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
	Items        []services.Service
	Total        int
	ExitURL      string
}

// help is the page for people worried about their own thoughts. It is
// discreet: a neutral title without the site's name, never stored by the
// browser or a proxy (no-store), and a quick exit that replaces this page
// in the history (web/static/quickexit.js; without JavaScript it is a
// plain link to the same neutral site).
func (s *Server) help(w http.ResponseWriter, r *http.Request, b *Base) error {
	w.Header().Set("Cache-Control", "no-store")
	b.Title, b.BareTitle, b.Nav = b.T("help.title"), true, "help"
	b.Scripts = []string{"quickexit.js"}
	v := &HelpView{Base: b, ExitURL: s.cfg.QuickExit}
	f := services.ServiceFilter{TargetGroup: helpTargetGroup, Anonymous: true, Limit: helpLimit}
	if code := r.URL.Query().Get("municipality"); code != "" {
		m, err := s.store.Municipality(r.Context(), code)
		if err != nil {
			return err
		}
		f.Municipality, v.Municipality = m.Code, m.Code
	}
	var err error
	if v.Items, v.Total, err = s.store.FindServices(r.Context(), f); err != nil {
		return err
	}
	return s.render(w, b, "help", v)
}
