package search

import (
	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/params"
)

// MaxSearchOffset bounds deep paging, which costs the index more the
// deeper it goes; nobody reads past it.
const MaxSearchOffset = 10000

// RequestParams are the query parameters a search takes.
var RequestParams = []string{"q", "type", "network", "municipality", "target_group", "service_type",
	"delivery_mode", "language", "fresh", "age", "lang", "limit", "offset", "facets"}

// ParseRequest reads a search from a query string, as the search API and
// the search page take it: Invalid, naming the parameter, for an unknown or
// repeated parameter, a bad number or a page out of bounds.
func ParseRequest(rawQuery string) (Request, error) {
	q, err := params.Parse(rawQuery, RequestParams...)
	if err != nil {
		return Request{}, err
	}
	limit, offset, err := params.Page(q)
	if err != nil {
		return Request{}, err
	}
	age, err := params.Age(q)
	if err != nil {
		return Request{}, err
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
	if limit < 0 || limit > MaxLimit {
		fs.Add("limit", "err.limit", "must be from 1 to %d", MaxLimit)
	}
	if offset < 0 || offset > MaxSearchOffset {
		fs.Add("offset", "err.search_offset", "must be from 0 to %d", MaxSearchOffset)
	}
	if err := fs.Err(); err != nil {
		return Request{}, err
	}
	return Request{Q: q.Get("q"), Type: q.Get("type"), Network: q.Get("network"),
		Municipality: q.Get("municipality"), TargetGroup: q.Get("target_group"), ServiceType: q.Get("service_type"),
		DeliveryMode: q.Get("delivery_mode"), Language: q.Get("language"), Fresh: q.Get("fresh"),
		Age: age, Lang: q.Get("lang"), Limit: limit, Offset: offset, NoFacets: noFacets}, nil
}
