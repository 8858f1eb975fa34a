package web

import (
	"net/http"

	"github.com/serie-verkosto/directory/internal/pathways"
)

// PathwaysView is the list of care pathways.
type PathwaysView struct {
	*Base
	Items      []pathways.Pathway
	MayPropose bool
}

func (s *Server) listPathways(w http.ResponseWriter, r *http.Request, b *Base) error {
	if err := s.pathwaysOn(); err != nil {
		return err
	}
	items, err := s.cfg.Pathways.List(r.Context(), b.User)
	if err != nil {
		return err
	}
	b.Title, b.Nav = b.T("pathways.title"), "pathways"
	return s.render(w, b, "pathways", &PathwaysView{Base: b, Items: items, MayPropose: pathways.MayPropose(b.User) == nil})
}
