package pathways

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/users"
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

// propose stores the checked x, written on the published pathway's
// current version, as its pending proposal in tx, replacing an earlier
// one, with an audit entry. A proposal publishes: its status is
// published whatever was sent.
func propose(ctx context.Context, tx *db.Tx, x *Pathway) error {
	x.Status = StatusPublished
	body, err := json.Marshal(*x)
	if err != nil {
		return fmt.Errorf("proposal %s: %w", x.Slug, err)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM pathway_proposals WHERE slug = ?`), x.Slug); err != nil {
		return fmt.Errorf("proposal %s: %w", x.Slug, err)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO pathway_proposals (slug, body, base_version, proposed_by, proposed_at)
		VALUES (?, ?, ?, ?, ?)`), x.Slug, string(body), x.Version, tx.Actor, tx.Now); err != nil {
		return fmt.Errorf("proposal %s: %w", x.Slug, err)
	}
	return tx.Audit(ctx, EntityPathway, x.Slug, "propose", nil, *x)
}

const selectProposal = `SELECT slug, body, base_version, proposed_by, proposed_at FROM pathway_proposals WHERE slug = ?`

// getProposal reads the pending proposal of a pathway, or NotFound.
func getProposal(ctx context.Context, q sqlx.QueryerContext, rebind func(string) string, slug string) (Proposal, error) {
	var r proposalRow
	if err := sqlx.GetContext(ctx, q, &r, rebind(selectProposal), slug); err != nil {
		return Proposal{}, db.NotFoundIf(err, "proposal for pathway", slug)
	}
	p := Proposal{BaseVersion: r.BaseVersion, ProposedBy: r.ProposedBy, ProposedAt: r.ProposedAt}
	if err := json.Unmarshal([]byte(r.Body), &p.Pathway); err != nil {
		return p, fmt.Errorf("proposal %s: %w", slug, err)
	}
	return p, nil
}

// Proposal returns the pending proposal of a pathway for viewer:
// Unauthorized or Forbidden unless viewer may propose pathways (a
// proposal is a draft), NotFound when there is none.
func (s *Store) Proposal(ctx context.Context, viewer *users.User, slug string) (Proposal, error) {
	if err := MayPropose(viewer); err != nil {
		return Proposal{}, err
	}
	return getProposal(ctx, s.db, s.db.Rebind, slug)
}

// AcceptProposal publishes the pending proposal over the pathway for
// actor, in one transaction: Unauthorized or Forbidden unless actor may
// publish; NotFound without a proposal; Conflict unless the pathway is
// still at version (the one the admin saw); Invalid when the proposal no
// longer validates (a service it names was archived since). The proposal
// is then removed. It returns the published pathway.
func (s *Store) AcceptProposal(ctx context.Context, actor *users.User, slug string, version int) (Pathway, error) {
	if err := MayPublish(actor); err != nil {
		return Pathway{}, err
	}
	var p Pathway
	err := s.db.InTx(db.WithActor(ctx, actor.ID), func(tx *db.Tx) error {
		pr, err := getProposal(ctx, tx, tx.Rebind, slug)
		if err != nil {
			return err
		}
		before, err := getPathway(ctx, tx, slug)
		if err != nil {
			return err
		}
		p = checkable(&pr.Pathway)
		p.Version = version
		if version != before.Version {
			return db.Conflict("pathway", slug, version)
		}
		if err := s.check(ctx, &p); err != nil {
			return err
		}
		if err := update(ctx, tx, before, &p); err != nil {
			return err
		}
		return deleteProposal(ctx, tx, slug, "accept-proposal")
	})
	if err == nil {
		s.db.Settle(ctx)
	}
	return p, err
}

// DiscardProposal removes the pending proposal for actor: Unauthorized
// or Forbidden unless actor may publish; NotFound when there is none.
func (s *Store) DiscardProposal(ctx context.Context, actor *users.User, slug string) error {
	if err := MayPublish(actor); err != nil {
		return err
	}
	return s.db.InTx(db.WithActor(ctx, actor.ID), func(tx *db.Tx) error {
		return deleteProposal(ctx, tx, slug, "discard-proposal")
	})
}

// deleteProposal removes the pending proposal in tx and audits why
// (action); NotFound when there is none.
func deleteProposal(ctx context.Context, tx *db.Tx, slug, action string) error {
	res, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM pathway_proposals WHERE slug = ?`), slug)
	if err != nil {
		return fmt.Errorf("proposal %s: %w", slug, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Keyed(apperr.NotFound, "err.not_found", "no proposal for pathway %q", slug)
	}
	return tx.Audit(ctx, EntityPathway, slug, action, nil, nil)
}
