package web

import (
	"net/http"
	"strconv"

	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/users"
)

// ProposalView shows an editor's pending change to a published pathway.
type ProposalView struct {
	*Base
	Slug      string
	Current   pathways.Pathway
	Proposal  pathways.Proposal
	Steps     string // the proposed steps as YAML
	CanAccept bool
}

// showProposal answers GET /pathways/{slug}/proposal for editors and
// admins: what is proposed, by whom, and for admins the publish and
// discard buttons.
func (s *Server) showProposal(w http.ResponseWriter, r *http.Request, b *Base) error {
	slug, err := s.proposalSlug(r, b, pathways.MayPropose)
	if err != nil {
		return err
	}
	pr, err := s.cfg.Pathways.Proposal(r.Context(), b.User, slug)
	if err != nil {
		return err
	}
	cur, err := s.cfg.Pathways.Pathway(r.Context(), slug)
	if err != nil {
		return err
	}
	steps, err := pathways.StepsYAML(pr.Pathway.Steps)
	if err != nil {
		return err
	}
	v := &ProposalView{Base: b, Slug: slug, Current: cur, Proposal: pr, Steps: steps,
		CanAccept: pathways.MayPublish(b.User) == nil}
	if u, err := s.cfg.Users.ByID(r.Context(), pr.ProposedBy); err == nil {
		v.Proposal.ProposedBy = u.Name
	}
	b.Title, b.Nav = b.T("proposal.title"), "pathways"
	w.Header().Set("Cache-Control", "private, no-cache")
	return s.render(w, b, "pathway_proposal", v)
}

// decideProposal answers the admin's POST to publish or discard it.
func (s *Server) decideProposal(accept bool) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, b *Base) error {
		slug, err := s.proposalSlug(r, b, pathways.MayPublish)
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		if accept {
			version, _ := strconv.Atoi(r.PostForm.Get("version"))
			if _, err := s.cfg.Pathways.AcceptProposal(r.Context(), b.User, slug, version); err != nil {
				return err
			}
		} else if err := s.cfg.Pathways.DiscardProposal(r.Context(), b.User, slug); err != nil {
			return err
		}
		return redirect(w, r, b.URL("pathway", "slug", slug))
	}
}

// proposalSlug is the slug of a proposal's page, for those who may
// (may: pathways.MayPropose to see it, MayPublish to decide it). The use
// cases decide again; asking first, before the path is read, tells a
// stranger nothing about the slug.
func (s *Server) proposalSlug(r *http.Request, b *Base, may func(*users.User) error) (string, error) {
	if err := s.pathwaysOn(); err != nil {
		return "", err
	}
	if err := may(b.User); err != nil {
		return "", err
	}
	return pathID(r, "slug")
}

// PendingProposal returns the link to a pathway's pending proposal for
// those who may see it, or "".
func (b *Base) PendingProposal(slug string) string {
	if b.User == nil || b.s.cfg.Pathways == nil {
		return ""
	}
	if _, err := b.s.cfg.Pathways.Proposal(b.req.Context(), b.User, slug); err != nil {
		return ""
	}
	return b.URL("pathway.proposal", "slug", slug)
}
