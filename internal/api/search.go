package api

import (
	"net/http"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/search"
)

// MaxSearchOffset bounds deep paging, which costs the index more the
// deeper it goes; nobody reads past it.
const MaxSearchOffset = 10000

// SearchParams are the parameters GET /api/v1/search takes.
var SearchParams = []string{"q", "type", "network", "municipality", "target_group", "service_type",
	"delivery_mode", "language", "fresh", "lang", "limit", "offset", "facets"}

// SearchRequest parses and checks the search parameters of r; the HTML
// search page uses it too.
func SearchRequest(r *http.Request) (search.Request, error) {
	q, err := query(r, SearchParams...)
	if err != nil {
		return search.Request{}, err
	}
	limit, offset, err := pageParams(q)
	if err != nil {
		return search.Request{}, err
	}
	var fs apperr.Fields
	noFacets := false
	switch q.Get("facets") {
	case "", "1", "true":
	case "0", "false":
		noFacets = true
	default:
		fs.Add("facets", "err.bool", "must be true or false")
	}
	if limit < 0 || limit > search.MaxLimit {
		fs.Add("limit", "err.limit", "must be from 1 to %d", search.MaxLimit)
	}
	if offset < 0 || offset > MaxSearchOffset {
		fs.Add("offset", "err.search_offset", "must be from 0 to %d", MaxSearchOffset)
	}
	if err := fs.Err(); err != nil {
		return search.Request{}, err
	}
	return search.Request{Q: q.Get("q"), Type: q.Get("type"), Network: q.Get("network"),
		Municipality: q.Get("municipality"), TargetGroup: q.Get("target_group"), ServiceType: q.Get("service_type"),
		DeliveryMode: q.Get("delivery_mode"), Language: q.Get("language"), Fresh: q.Get("fresh"),
		Lang: q.Get("lang"), Limit: limit, Offset: offset, NoFacets: noFacets}, nil
}

// Search answers GET /api/v1/search. Results are not cached anywhere: a
// search can say something about the person who made it.
func (a *API) Search(w http.ResponseWriter, r *http.Request) error {
	if a.Index == nil {
		return apperr.Errorf(apperr.Unavailable, "search is not available")
	}
	req, err := SearchRequest(r)
	if err != nil {
		return err
	}
	res, err := a.Index.Search(r.Context(), req)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, res)
	return nil
}
