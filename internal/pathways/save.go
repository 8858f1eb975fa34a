package pathways

import (
	"context"
	"slices"
	"strings"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/users"
)

// ReservedSlugs are path segments of the pathway pages that a pathway's
// slug may not take (/pathways/new, /pathways/coverage).
var ReservedSlugs = []string{"new", "coverage"}

// Save is a person's write of a pathway: it creates p (create) or
// updates the pathway of p.Slug at p.Version, for actor, in one
// transaction that also writes the change log and the audit log (as
// actor). An update by someone who may propose but not publish, of a
// published pathway, is kept as a proposal for an admin to publish
// (proposed is then true) and leaves the published pathway as it was.
//
// The refusals, in this order: Unauthorized without an (active) actor;
// Forbidden when actor may not propose pathways, or publishes (creates
// or saves a draft as published) without auth.Publish; NotFound for an
// unknown slug; Conflict when p.Version is stale; Invalid (each problem
// naming its step) for a malformed pathway or a reserved slug; Conflict,
// on the slug field, when a new pathway's slug is taken. Nothing is saved
// unless all of it is valid. On success p is the stored pathway (or the
// proposed one).
func (s *Store) Save(ctx context.Context, actor *users.User, p *Pathway, create bool) (proposed bool, err error) {
	if err := s.refusal(ctx, actor, p, create); err != nil {
		return false, err
	}
	ctx = db.WithActor(ctx, actor.ID)
	x := checkable(p)
	if create {
		err = s.create(ctx, &x)
	} else {
		err = s.db.InTx(ctx, func(tx *db.Tx) error {
			var err error
			proposed, err = s.update(ctx, tx, actor, &x)
			return err
		})
	}
	if err == nil {
		*p = x
		if !proposed {
			// A proposal changes nothing anyone can find.
			s.db.Settle(ctx)
		}
	}
	return proposed, err
}

// refusal is what the policy says before anything is read: may actor
// propose at all, and publish a new pathway as published.
func (s *Store) refusal(ctx context.Context, actor *users.User, p *Pathway, create bool) error {
	if err := MayPropose(actor); err != nil {
		return err
	}
	if create && strings.TrimSpace(p.Status) == StatusPublished {
		return MayPublish(actor)
	}
	return nil
}

// create validates and inserts a new pathway.
func (s *Store) create(ctx context.Context, x *Pathway) error {
	if slices.Contains(ReservedSlugs, strings.TrimSpace(x.Slug)) {
		var fs apperr.Fields
		fs.Add("slug", "err.slug_reserved", "%q is reserved: choose another slug", strings.TrimSpace(x.Slug))
		return fs.Err()
	}
	if err := s.check(ctx, x); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error { return insert(ctx, tx, x) })
	if apperr.Is(err, apperr.Conflict) {
		// On the slug's field, so that a form shows it there.
		var fs apperr.Fields
		fs.Add("slug", "err.slug_taken", "a pathway %q already exists", x.Slug)
		e := apperr.As(fs.Err())
		e.Code = apperr.Conflict
		return e
	}
	return err
}

// update reads the pathway in tx and, as the policy decides on what it
// read, saves x over it or keeps x as a proposal (proposed true).
func (s *Store) update(ctx context.Context, tx *db.Tx, actor *users.User, x *Pathway) (proposed bool, err error) {
	before, err := getPathway(ctx, tx, x.Slug)
	if err != nil {
		return false, err
	}
	toProposal := before.Status == StatusPublished && MayPublish(actor) != nil
	if !toProposal && strings.TrimSpace(x.Status) == StatusPublished {
		if err := MayPublish(actor); err != nil {
			return false, err
		}
	}
	if x.Version != before.Version {
		return false, db.Conflict("pathway", x.Slug, x.Version)
	}
	if err := s.check(ctx, x); err != nil {
		return false, err
	}
	if toProposal {
		return true, propose(ctx, tx, x)
	}
	return false, update(ctx, tx, before, x)
}

// SaveRefusal is the answer Save would give to a submission the adapter
// could not read whole (problems: a malformed date, steps that are not
// YAML), so that a form shows everything at once: the policy's refusal
// first (as Save decides it, the stored pathway read), else problems
// together with those validation finds in the rest of p (its steps left
// out, as they could not be read). Never nil.
func (s *Store) SaveRefusal(ctx context.Context, actor *users.User, p Pathway, create bool, problems apperr.Fields) error {
	if err := s.refusal(ctx, actor, &p, create); err != nil {
		return err
	}
	if !create && strings.TrimSpace(p.Status) == StatusPublished && MayPublish(actor) != nil {
		// Publishing a draft is refused; a published pathway is proposed.
		before, err := s.Pathway(ctx, p.Slug)
		if err != nil {
			return err
		}
		if before.Status != StatusPublished {
			return MayPublish(actor)
		}
	}
	vocab, err := s.svc.Vocabularies(ctx)
	if err != nil {
		return err
	}
	fs := slices.Clone(problems)
	p.Normalize()
	if e := apperr.As(p.Validate(vocab)); e != nil {
		for _, f := range e.Fields {
			if f.Field != "steps" && !strings.HasPrefix(f.Field, "steps[") {
				fs = append(fs, f)
			}
		}
	}
	if len(fs) == 0 {
		fs.Add("steps", "err.steps_yaml", "the steps could not be read")
	}
	return fs.Err()
}
