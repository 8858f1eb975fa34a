package web

import (
	"net/http"

	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/services"
)

// CoverageView is a network's coverage report.
type CoverageView struct {
	*Base
	Networks []services.Network
	Network  string
	Report   *pathways.Report
}

// GapURL links a gap's step on its pathway page, resolved for the
// network.
func (v *CoverageView) GapURL(slug, step string) string {
	return v.URL("pathway", "slug", slug, "?", "network", v.Network, "step", step)
}

func (s *Server) showCoverage(w http.ResponseWriter, r *http.Request, b *Base) error {
	if err := s.pathwaysOn(); err != nil {
		return err
	}
	v := &CoverageView{Base: b, Network: r.URL.Query().Get("network")}
	var err error
	if v.Networks, err = s.store.Networks(r.Context()); err != nil {
		return err
	}
	if v.Network == "" && b.User != nil && len(b.User.Networks) > 0 {
		v.Network = b.User.Networks[0]
	}
	if v.Network != "" {
		rep, err := s.cfg.Pathways.Coverage(r.Context(), v.Network)
		if err != nil {
			return err
		}
		v.Report = &rep
	}
	b.Title, b.Nav = b.T("coverage.title"), "pathways"
	if v.Report != nil {
		name, _ := v.Report.Network.Name.Get(b.Lang)
		b.Title = b.T("coverage.title_network", name)
	}
	return s.render(w, b, "coverage", v)
}
