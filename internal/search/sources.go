package search

import (
	"context"
	"fmt"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/services"
)

// ListingSources returns the sources of services, contacts and networks.
func ListingSources(st *services.Store) []Source {
	return []Source{serviceSource{st}, contactSource{st}, networkSource{st}}
}

type serviceSource struct{ st *services.Store }

func (serviceSource) Entity() string { return services.EntityService }

func (s serviceSource) IDs(ctx context.Context) ([]string, error) {
	return s.st.ServiceIDs(ctx)
}

func (s serviceSource) Docs(ctx context.Context, env *Env, ids []string) ([]Doc, error) {
	list, err := s.st.ServicesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	docs := make([]Doc, 0, len(list))
	for _, x := range list {
		if x.Status == services.StatusArchived {
			continue
		}
		docs = append(docs, env.ServiceDoc(x))
	}
	return docs, nil
}

type contactSource struct{ st *services.Store }

func (contactSource) Entity() string { return services.EntityContact }

func (s contactSource) IDs(ctx context.Context) ([]string, error) { return s.st.ContactIDs(ctx) }

func (s contactSource) Docs(ctx context.Context, env *Env, ids []string) ([]Doc, error) {
	var docs []Doc
	for _, id := range ids {
		c, err := s.st.Contact(ctx, id)
		if err != nil {
			if isNotFound(err) {
				continue
			}
			return nil, fmt.Errorf("contact %s: %w", id, err)
		}
		if c.Status == services.StatusArchived {
			continue
		}
		docs = append(docs, env.ContactDoc(c))
	}
	return docs, nil
}

type networkSource struct{ st *services.Store }

func (networkSource) Entity() string { return services.EntityNetwork }

func (s networkSource) IDs(ctx context.Context) ([]string, error) {
	nets, err := s.st.Networks(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(nets))
	for i, n := range nets {
		ids[i] = n.Slug
	}
	return ids, nil
}

func (s networkSource) Docs(ctx context.Context, env *Env, ids []string) ([]Doc, error) {
	var docs []Doc
	for _, id := range ids {
		for _, n := range env.Networks {
			if n.Slug == id {
				docs = append(docs, env.NetworkDoc(n))
			}
		}
	}
	return docs, nil
}

func isNotFound(err error) bool { return apperr.Is(err, apperr.NotFound) }
