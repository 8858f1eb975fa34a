package api

import (
	"encoding/json"
	"net/http"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/labels"
	"github.com/serie-verkosto/directory/internal/search"
)

// Search answers GET /api/v1/search. Results are not cached anywhere: a
// search can say something about the person who made it.
func (a *API) Search(w http.ResponseWriter, r *http.Request) error {
	if a.Index == nil {
		return apperr.Errorf(apperr.Unavailable, "search is not available")
	}
	req, err := search.ParseRequest(r.URL.RawQuery)
	if err != nil {
		return err
	}
	res, err := a.Index.Search(r.Context(), req)
	if err != nil {
		return err
	}
	// Labels come from the reference data; without the database the
	// codes alone still answer.
	if ref, err := a.Store.Reference(r.Context()); err == nil {
		labels.Default().Facets(ref, res, l10n.Norm(req.Lang))
	}
	// The time taken differs every time; the validator is of the rest.
	took := res.TookMS
	res.TookMS = 0
	if b, err := json.Marshal(res); err == nil {
		w.Header().Set("ETag", BodyETag(b))
	}
	res.TookMS = took
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, res)
	return nil
}
