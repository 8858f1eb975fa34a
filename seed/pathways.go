package seed

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"go.yaml.in/yaml/v3"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/services"
)

// PathwaysFile holds the care pathways. A seed directory may leave it out
// (then no pathways are loaded); the built-in seed has it.
const PathwaysFile = "pathways.yaml"

// pathwaysFile decodes PathwaysFile into the data and returns the nodes of
// its items, for locating problems.
func (p *parser) pathwaysFile() []*yaml.Node {
	if _, err := fs.Stat(p.fsys, PathwaysFile); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var f struct{ Pathways []pathways.Pathway }
	nodes := p.yaml(PathwaysFile, "pathways", &f)
	p.data.Pathways = f.Pathways
	return nodes
}

// checkPathways validates every pathway against the parsed vocabularies
// and services. Seed pathways are published unless they say otherwise,
// keep the file's order, and may name only national services: a regional
// service belongs in criteria, so that every region resolves the step to
// its own services.
func (p *parser) checkPathways(nodes []*yaml.Node) {
	d := p.data
	vocab := services.NewVocabularies(d.Vocabularies)
	byID := map[string]*services.Service{}
	for i := range d.Services {
		byID[d.Services[i].ID] = &d.Services[i]
	}
	slugs := map[string]int{}
	for i := range d.Pathways {
		pw := &d.Pathways[i]
		item, what := itemNode(nodes, i), fmt.Sprintf("pathway %q", pw.Slug)
		if pw.Status == "" {
			pw.Status = pathways.StatusPublished
		}
		pw.Position = i + 1
		pw.Normalize()
		if e := apperr.As(pw.Validate(vocab)); e != nil {
			for _, f := range e.Fields {
				p.add(PathwaysFile, lineOf(item, pathways.FieldPath(f.Field)), what, "%s: %s", f.Field, f.Message)
			}
		}
		if prev, ok := slugs[pw.Slug]; ok {
			p.add(PathwaysFile, lineOf(item, "slug"), what, "slug repeats line %d", prev)
		}
		slugs[pw.Slug] = lineOf(item, "slug")
		for si, st := range pw.Steps {
			for ti, t := range st.Targets {
				for k, id := range t.Services {
					field := fmt.Sprintf("%s.targets[%d].services[%d]", pathways.StepField(si, st.ID), ti, k)
					line := lineOf(item, pathways.FieldPath(field))
					switch s, ok := byID[id]; {
					case !ok:
						p.add(PathwaysFile, line, what, "%s: refers to missing service %q", field, id)
					case s.Status == services.StatusArchived:
						p.add(PathwaysFile, line, what, "%s: service %q is archived", field, id)
					case !s.Area.National:
						p.add(PathwaysFile, line, what, "%s: service %q is not national: give regional services as criteria", field, id)
					}
				}
			}
		}
	}
}

// applyPathways writes the pathways like the other listings: missing ones
// are created, identical ones left alone, differing ones kept unless
// opts.Overwrite.
func applyPathways(ctx context.Context, st *services.Store, d *Data, opts Options, r *Report) error {
	ps := pathways.NewStore(st.DB(), st)
	for i := range d.Pathways {
		pw := d.Pathways[i]
		err := put(ctx, r, opts, pw.Slug,
			func() (pathways.Pathway, error) { return ps.Pathway(ctx, pw.Slug) },
			func() error { return ps.Create(ctx, &pw) },
			func(old pathways.Pathway) error { pw.Version = old.Version; return ps.Update(ctx, &pw) },
			func(old pathways.Pathway) bool {
				// Compared as instants: PostgreSQL may return another zone.
				if (old.ReviewBy == nil) != (pw.ReviewBy == nil) || (old.ReviewBy != nil && !old.ReviewBy.Equal(*pw.ReviewBy)) {
					return false
				}
				old.Meta, old.ReviewBy = pw.Meta, pw.ReviewBy
				return same(old, pw)
			}, nil)
		if err != nil {
			return fmt.Errorf("%s: pathway %s: %w", PathwaysFile, pw.Slug, err)
		}
	}
	return nil
}
