package web

import (
	"net/http"
	"strings"

	"github.com/serie-verkosto/directory/internal/api"
)

// The API page (/api): what another system can read and write, listed
// from the same operations as the OpenAPI document, for a developer to
// read before fetching /api/v1/openapi.json.

// APIDocsView lists the API's operations.
type APIDocsView struct {
	*Base
	Operations []APIOperation
}

// APIOperation is one operation as the page shows it.
type APIOperation struct {
	Method, Path, Summary, Anchor string
	Query                         []string
	Write                         bool
}

func (s *Server) apiDocs(w http.ResponseWriter, r *http.Request, b *Base) error {
	v := &APIDocsView{Base: b}
	for _, op := range api.SortedOperations() {
		v.Operations = append(v.Operations, APIOperation{Method: op.Method, Path: "/api/v1" + op.Path, Summary: op.Summary,
			Anchor: strings.ToLower(op.ID), Query: op.Query, Write: op.Write})
	}
	b.Title = b.T("apidocs.title")
	return s.render(w, b, "apidocs", v)
}
