package search

import (
	"context"
	"fmt"

	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/pathways"
)

// PathwaySource indexes the published care pathways: one more document
// type beside the listings. Drafts are not searchable.
func PathwaySource(st *pathways.Store) Source { return pathwaySource{st} }

type pathwaySource struct{ st *pathways.Store }

func (pathwaySource) Entity() string { return pathways.EntityPathway }

func (s pathwaySource) IDs(ctx context.Context) ([]string, error) {
	list, err := s.st.Pathways(ctx, false)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(list))
	for i, p := range list {
		ids[i] = p.Slug
	}
	return ids, nil
}

func (s pathwaySource) Docs(ctx context.Context, env *Env, ids []string) ([]Doc, error) {
	var docs []Doc
	for _, id := range ids {
		p, err := s.st.Pathway(ctx, id)
		if isNotFound(err) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("pathway %s: %w", id, err)
		}
		if p.Status != pathways.StatusPublished {
			continue
		}
		docs = append(docs, env.PathwayDoc(p))
	}
	return docs, nil
}

// PathwayDoc builds a pathway's document: its situation, description and
// the titles and guidance of its steps. Pathways apply in every
// municipality, so a place never filters them out.
func (e *Env) PathwayDoc(p pathways.Pathway) Doc {
	parts := []l10n.Text{p.Situation, p.Description}
	for _, st := range p.Steps {
		parts = append(parts, st.Title, st.Guidance)
	}
	fresh := "verified"
	if p.ReviewBy != nil && !e.Now.Before(*p.ReviewBy) {
		fresh = "overdue"
	}
	var groups []string
	if p.TargetGroup != "" {
		groups = []string{p.TargetGroup}
	}
	return Doc{Type: TypePathway, ID: p.Slug, Title: p.Title, Body: join(parts...), URL: "/pathways/" + p.Slug,
		National: true, TargetGroups: groups, Fresh: fresh, Status: p.Status}
}
