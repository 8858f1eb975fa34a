package api

import (
	"net/http"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/params"
	"github.com/serie-verkosto/directory/internal/services"
)

// ListServices answers GET /api/v1/services.
func (a *API) ListServices(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "network", "municipality", "target_group", "service_type", "delivery_mode",
		"language", "organization", "local", "age", "sort", "client_lang", "modified_after", "lang", "limit", "offset")
	if err != nil {
		return err
	}
	limit, offset, err := pageParams(q)
	if err != nil {
		return err
	}
	age, err := params.Age(q)
	if err != nil {
		return err
	}
	since, err := params.Time(q, "modified_after")
	if err != nil {
		return err
	}
	var fs apperr.Fields
	fs.OneOf("local", q.Get("local"), "true", "false", "1", "0")
	if err := fs.Err(); err != nil {
		return err
	}
	f := services.ServiceFilter{
		Network: q.Get("network"), Municipality: q.Get("municipality"), TargetGroup: q.Get("target_group"),
		ServiceType: q.Get("service_type"), DeliveryMode: q.Get("delivery_mode"), Language: q.Get("language"),
		Organization: q.Get("organization"), Local: q.Get("local") == "true" || q.Get("local") == "1",
		Age: age, Sort: q.Get("sort"), ClientLang: q.Get("client_lang"), ModifiedAfter: since, Limit: limit, Offset: offset,
	}
	items, total, err := a.Store.FindServices(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(items, total, limit, offset))
	return nil
}

// ListContacts answers GET /api/v1/contacts. Fields limited to members or
// admins are left out for anonymous callers.
func (a *API) ListContacts(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "network", "municipality", "role", "modified_after", "lang", "limit", "offset")
	if err != nil {
		return err
	}
	limit, offset, err := pageParams(q)
	if err != nil {
		return err
	}
	since, err := params.Time(q, "modified_after")
	if err != nil {
		return err
	}
	items, total, err := a.Store.FindContacts(r.Context(), services.ContactFilter{
		Network: q.Get("network"), Municipality: q.Get("municipality"), Role: q.Get("role"),
		ModifiedAfter: since, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	for i := range items {
		items[i] = items[i].ForViewer(auth.IdentityFrom(r.Context()).Level())
	}
	writeJSON(w, http.StatusOK, list(items, total, limit, offset))
	return nil
}

// ListNetworks answers GET /api/v1/networks.
func (a *API) ListNetworks(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, "municipality", "lang")
	if err != nil {
		return err
	}
	var items []services.Network
	if m := q.Get("municipality"); m != "" {
		x, err := a.Store.Municipality(r.Context(), m)
		if err != nil {
			return err
		}
		items, err = a.Store.NetworksFor(r.Context(), x.Code)
		if err != nil {
			return err
		}
	} else if items, err = a.Store.Networks(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(items, len(items), len(items), 0))
	return nil
}

// GetNetwork answers GET /api/v1/networks/{slug}.
func (a *API) GetNetwork(w http.ResponseWriter, r *http.Request) error {
	slug, err := idVar(r, "slug")
	if err != nil {
		return err
	}
	if _, err := query(r, "lang"); err != nil {
		return err
	}
	n, err := a.Store.Network(r.Context(), slug)
	if err != nil {
		return err
	}
	writeOne(w, n.Meta, n)
	return nil
}

// ListMunicipalities answers GET /api/v1/municipalities.
func (a *API) ListMunicipalities(w http.ResponseWriter, r *http.Request) error {
	if _, err := query(r, "lang"); err != nil {
		return err
	}
	m, err := a.Store.Municipalities(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(m.List, len(m.List), len(m.List), 0))
	return nil
}

// ListVocabularies answers GET /api/v1/vocabularies.
func (a *API) ListVocabularies(w http.ResponseWriter, r *http.Request) error {
	if _, err := query(r, "lang"); err != nil {
		return err
	}
	v, err := a.Store.Vocabularies(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(v.List, len(v.List), len(v.List), 0))
	return nil
}
