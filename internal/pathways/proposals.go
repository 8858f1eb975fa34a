package pathways

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
)

// Proposal is an editor's change to a published pathway, waiting for an
// admin: the published version is untouched until it is accepted.
type Proposal struct {
	Pathway     Pathway   `json:"pathway"`
	BaseVersion int       `json:"base_version"` // the version it was written on
	ProposedBy  string    `json:"proposed_by"`
	ProposedAt  time.Time `json:"proposed_at"`
}

type proposalRow struct {
	Slug        string    `db:"slug"`
	Body        string    `db:"body"`
	BaseVersion int       `db:"base_version"`
	ProposedBy  string    `db:"proposed_by"`
	ProposedAt  time.Time `db:"proposed_at"`
}

// Propose stores p as the pending proposal for the published pathway of
// its slug, replacing an earlier one. p must be valid (as for Update) and
// written on the current version: otherwise Invalid, NotFound or Conflict.
func (s *Store) Propose(ctx context.Context, p *Pathway) error {
	x := *p
	if err := s.check(ctx, &x); err != nil {
		return err
	}
	x.Status = StatusPublished
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var cur struct {
			Version int    `db:"version"`
			Status  string `db:"status"`
		}
		if err := tx.GetContext(ctx, &cur, tx.Rebind(`SELECT version, status FROM pathways WHERE slug = ?`), x.Slug); err != nil {
			return db.NotFoundIf(err, "pathway", x.Slug)
		}
		if cur.Version != x.Version {
			return db.Conflict("pathway", x.Slug, x.Version)
		}
		body, err := json.Marshal(x)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM pathway_proposals WHERE slug = ?`), x.Slug); err != nil {
			return fmt.Errorf("proposal %s: %w", x.Slug, err)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO pathway_proposals (slug, body, base_version, proposed_by, proposed_at)
			VALUES (?, ?, ?, ?, ?)`), x.Slug, string(body), x.Version, tx.Actor, tx.Now); err != nil {
			return fmt.Errorf("proposal %s: %w", x.Slug, err)
		}
		return tx.Audit(ctx, EntityPathway, x.Slug, "propose", nil, x)
	})
}

// Proposal returns the pending proposal of a pathway, or NotFound.
func (s *Store) Proposal(ctx context.Context, slug string) (Proposal, error) {
	var r proposalRow
	err := s.db.GetContext(ctx, &r, s.db.Rebind(`SELECT slug, body, base_version, proposed_by, proposed_at FROM pathway_proposals WHERE slug = ?`), slug)
	if err != nil {
		return Proposal{}, db.NotFoundIf(err, "proposal for pathway", slug)
	}
	p := Proposal{BaseVersion: r.BaseVersion, ProposedBy: r.ProposedBy, ProposedAt: r.ProposedAt}
	if err := json.Unmarshal([]byte(r.Body), &p.Pathway); err != nil {
		return p, fmt.Errorf("proposal %s: %w", slug, err)
	}
	return p, nil
}

// AcceptProposal publishes the pending proposal over the pathway, which
// must still be at version (the one the admin saw): Conflict otherwise,
// NotFound without a proposal. The proposal is then removed.
func (s *Store) AcceptProposal(ctx context.Context, slug string, version int) (Pathway, error) {
	pr, err := s.Proposal(ctx, slug)
	if err != nil {
		return Pathway{}, err
	}
	p := pr.Pathway
	p.Version = version
	if err := s.Update(ctx, &p); err != nil {
		return p, err
	}
	if err := s.DiscardProposal(ctx, slug); err != nil && !apperr.Is(err, apperr.NotFound) {
		return p, err
	}
	return p, nil
}

// DiscardProposal removes the pending proposal (NotFound when none).
func (s *Store) DiscardProposal(ctx context.Context, slug string) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM pathway_proposals WHERE slug = ?`), slug)
		if err != nil {
			return fmt.Errorf("proposal %s: %w", slug, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Keyed(apperr.NotFound, "err.not_found", "no proposal for pathway %q", slug)
		}
		return tx.Audit(ctx, EntityPathway, slug, "discard-proposal", nil, nil)
	})
}
