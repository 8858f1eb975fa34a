package web

import (
	"strings"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/services"
)

// Care pathway pages, one file per action: the list (pathway_list.go),
// one pathway step by step or all steps at once, for print, resolved to
// the client's municipality or a network (pathway_show.go); the client
// handout (pathway_handout.go); the coverage report
// (pathway_coverage.go); the editor (pathway_edit.go); and proposals
// (pathway_proposal.go). They are adapters: who may see drafts, propose
// and publish is decided by the use cases of internal/pathways (the same
// as the API's). This file holds what they share.

// barePages are complete documents of their own, parsed without the
// layout: the client handout must carry nothing of the site around it.
var barePages = []string{"handout"}

// HandoutPerStep is how many services of each step the client handout
// lists, nearest first, so that it fits on one page.
const HandoutPerStep = 3

// pathwaysOn is the error of the pathway pages when the server has none.
func (s *Server) pathwaysOn() error {
	if s.cfg.Pathways == nil {
		return apperr.Errorf(apperr.Unavailable, "care pathways are not enabled")
	}
	return nil
}

// RoleName is a pathway role's name in the page's language.
func (b *Base) RoleName(id string) string { return pathways.RoleLabel(id, b.Lang) }

// TargetCriteria describes a criteria target in the page's language
// ("Nuorisopsykiatria, chat, nimetön asiointi").
func (b *Base) TargetCriteria(t pathways.Target) string {
	var parts []string
	if t.TargetGroup != "" {
		parts = append(parts, b.Term(services.VocabClientSituation, t.TargetGroup))
	}
	if t.ServiceType != "" {
		parts = append(parts, b.Term(services.VocabServiceType, t.ServiceType))
	}
	if t.DeliveryMode != "" {
		parts = append(parts, b.Term(services.VocabDeliveryMode, t.DeliveryMode))
	}
	if t.Anonymous {
		parts = append(parts, b.T("tag.anonymous"))
	}
	if t.NoReferral {
		parts = append(parts, b.T("pathway.no_referral"))
	}
	return strings.Join(parts, ", ")
}
