package pathways

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/services"
)

// Store loads and saves pathways and resolves them against the directory.
// Every exported write is one transaction that also writes the change log
// and the audit log.
type Store struct {
	db  *db.DB
	svc *services.Store

	// The service catalogue resolution matches against: loaded on first
	// use (or by Warm) and brought up to date from the change log.
	cat       atomic.Pointer[catalog]
	refreshMu sync.Mutex
}

// NewStore returns a store over d that reads services, networks and
// contact persons through svc (a new services.Store over d when nil).
// Share one Store per process: it holds the resolution catalogue.
func NewStore(d *db.DB, svc *services.Store) *Store {
	if svc == nil {
		svc = services.NewStore(d)
	}
	return &Store{db: d, svc: svc}
}

var pathwayCols = []string{"slug", "title", "situation", "description", "target_group", "age_min", "age_max", "owner", "review_by",
	"status", "steps", "position", "version", "created_at", "updated_at"}

var (
	selectPathway = "SELECT " + strings.Join(pathwayCols, ", ") + " FROM pathways"
	insertPathway = fmt.Sprintf("INSERT INTO pathways (%s) VALUES (:%s)",
		strings.Join(pathwayCols, ", "), strings.Join(pathwayCols, ", :"))
	// The version check makes a stale update match no row.
	updatePathway = `UPDATE pathways SET title = :title, situation = :situation, description = :description,
		target_group = :target_group, age_min = :age_min, age_max = :age_max, owner = :owner, review_by = :review_by, status = :status, steps = :steps,
		position = :position, updated_at = :updated_at, version = version + 1
		WHERE slug = :slug AND version = :version`
)

// Pathway returns one pathway, drafts included, or a NotFound error:
// for the search index, importers and checks behind a use case. A
// person's read goes through Read, which hides drafts.
func (s *Store) Pathway(ctx context.Context, slug string) (Pathway, error) {
	var p Pathway
	err := s.db.GetContext(ctx, &p, s.db.Rebind(selectPathway+` WHERE slug = ?`), slug)
	return p, db.NotFoundIf(err, "pathway", slug)
}

// Pathways returns the published pathways, and the drafts too when
// includeDrafts, in display order. A person's list goes through List,
// which decides includeDrafts by the policy.
func (s *Store) Pathways(ctx context.Context, includeDrafts bool) ([]Pathway, error) {
	q := selectPathway + ` WHERE status = 'published' ORDER BY position, slug`
	if includeDrafts {
		q = selectPathway + ` ORDER BY position, slug`
	}
	var list []Pathway
	if err := s.db.SelectContext(ctx, &list, q); err != nil {
		return nil, fmt.Errorf("list pathways: %w", err)
	}
	return list, nil
}

// check normalises and validates p, including that the services it names
// exist and are not archived.
func (s *Store) check(ctx context.Context, p *Pathway) error {
	p.Normalize()
	vocab, err := s.svc.Vocabularies(ctx)
	if err != nil {
		return err
	}
	err = p.Validate(vocab)
	var fs apperr.Fields
	if e := apperr.As(err); e != nil {
		fs = e.Fields
	} else if err != nil {
		return err
	}
	ids := p.ServiceIDs()
	found, err := s.svc.ServicesByID(ctx, ids)
	if err != nil {
		return err
	}
	status := map[string]string{}
	for _, svc := range found {
		status[svc.ID] = svc.Status
	}
	for i, st := range p.Steps {
		for j, t := range st.Targets {
			for k, id := range t.Services {
				f := fmt.Sprintf("%s.targets[%d].services[%d]", StepField(i, st.ID), j, k)
				switch st, ok := status[id]; {
				case !idPattern.MatchString(id):
					// Reported by Validate.
				case !ok:
					fs.Add(f, "err.unknown_service", "refers to missing service %q", id)
				case st == services.StatusArchived:
					fs.Add(f, "err.archived_service", "service %q is archived", id)
				}
			}
		}
	}
	return fs.Err()
}

// Create stores a new pathway at version 1 for an importer (the seed
// loader): no person acts, so nothing is authorized; the audit actor is
// the one in ctx. People save through Save. A pathway without a position
// goes last. Invalid fields and missing services are an Invalid error
// naming each problem and its step; an existing slug is a Conflict.
// Nothing is saved unless all of it is valid.
func (s *Store) Create(ctx context.Context, p *Pathway) error {
	x := checkable(p)
	if err := s.check(ctx, &x); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error { return insert(ctx, tx, &x) })
	if err == nil {
		*p = x
	}
	return err
}

// Update saves p for an importer (see Create) if p.Version is still the
// stored version; otherwise it returns a Conflict, or NotFound for an
// unknown slug. Validation is as for Create. On success p carries the
// new version.
func (s *Store) Update(ctx context.Context, p *Pathway) error {
	x := checkable(p)
	if err := s.check(ctx, &x); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := getPathway(ctx, tx, x.Slug)
		if err != nil {
			return err
		}
		return update(ctx, tx, before, &x)
	})
	if err == nil {
		*p = x
	}
	return err
}

// checkable is a copy of p that normalising (in check) may change
// without changing the caller's pathway.
func checkable(p *Pathway) Pathway {
	x := *p
	x.Steps = cloneSteps(x.Steps)
	return x
}

// getPathway reads one pathway in tx, or NotFound.
func getPathway(ctx context.Context, tx *db.Tx, slug string) (Pathway, error) {
	var p Pathway
	err := tx.GetContext(ctx, &p, tx.Rebind(selectPathway+` WHERE slug = ?`), slug)
	return p, db.NotFoundIf(err, "pathway", slug)
}

// insert writes the checked pathway x at version 1, with its change-log
// and audit entries; a taken slug is a Conflict.
func insert(ctx context.Context, tx *db.Tx, x *Pathway) error {
	if x.Position == 0 {
		if err := tx.GetContext(ctx, &x.Position, `SELECT COALESCE(MAX(position), 0) + 1 FROM pathways`); err != nil {
			return fmt.Errorf("pathway position: %w", err)
		}
	}
	x.Meta = services.Meta{Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
	if _, err := tx.NamedExecContext(ctx, insertPathway, *x); err != nil {
		if db.IsUniqueViolation(err) {
			return apperr.Errorf(apperr.Conflict, "pathway %q already exists", x.Slug)
		}
		return fmt.Errorf("insert pathway %s: %w", x.Slug, err)
	}
	return tx.Record(ctx, EntityPathway, x.Slug, "create", nil, *x)
}

// update writes the checked pathway x over before (read in tx) if
// x.Version is still the stored one (Conflict otherwise), with its
// change-log and audit entries; x then carries the new version. The
// audit action is "publish" when a draft becomes published, else
// "update".
func update(ctx context.Context, tx *db.Tx, before Pathway, x *Pathway) error {
	x.CreatedAt, x.UpdatedAt = before.CreatedAt, tx.Now
	res, err := tx.NamedExecContext(ctx, updatePathway, *x)
	if err != nil {
		return fmt.Errorf("update pathway %s: %w", x.Slug, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.Conflict("pathway", x.Slug, x.Version)
	}
	x.Version++
	action := "update"
	if before.Status == StatusDraft && x.Status == StatusPublished {
		action = "publish"
	}
	return tx.Record(ctx, EntityPathway, x.Slug, action, before, *x)
}

// cloneSteps copies the steps deeply enough that normalising the copy
// leaves the caller's pathway alone.
func cloneSteps(steps db.List[Step]) db.List[Step] {
	if steps == nil {
		return nil
	}
	out := make(db.List[Step], len(steps))
	for i, s := range steps {
		if s.Decision != nil {
			d := *s.Decision
			d.Answers = append([]Answer(nil), d.Answers...)
			s.Decision = &d
		}
		s.Targets = append([]Target(nil), s.Targets...)
		s.Duties = append([]services.ReportingDuty(nil), s.Duties...)
		out[i] = s
	}
	return out
}
