package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/search"
)

// SearchView is the search page.
type SearchView struct {
	*Base
	Req        search.Request
	Result     *search.Result
	Hits       []SearchHit
	Facets     []FacetGroup
	Active     []FacetLink // the filters in force, each with a link that removes it
	Pager      Pager
	Contacts   []NetworkCard // whom to ask when nothing was found
	Suggest    string        // a spelling that finds more, when nothing was found
	SuggestURL string
}

// SearchHit is a result with its snippet ready to show.
type SearchHit struct {
	search.Hit
	Snippet   template.HTML
	TypeLabel string
	// Brief is how to get in touch with a service hit.
	Brief *Brief
}

// FacetGroup is one facet: its label and values as filter links.
type FacetGroup struct {
	Field  string
	Label  string
	Values []FacetLink
}

// FacetLink is a filter value with its count and the link that applies
// (or, when Active, removes) it.
type FacetLink struct {
	Label  string
	Count  int
	URL    string
	Active bool
}

// facetFields are the facets shown, in order, with their filter parameter.
var facetFields = []struct{ field, param, label string }{
	{"type", "type", "facet.type"},
	{"network", "network", "field.network"},
	{"municipality", "municipality", "field.municipality"},
	{"target_group", "target_group", "field.target_group"},
	{"service_type", "service_type", "field.service_type"},
	{"delivery_mode", "delivery_mode", "field.delivery_mode"},
	{"language", "language", "field.language"},
	{"fresh", "fresh", "facet.fresh"},
}

func (s *Server) search(w http.ResponseWriter, r *http.Request, b *Base) error {
	if s.cfg.Index == nil {
		return apperr.Errorf(apperr.Unavailable, "search is not available")
	}
	req, err := search.ParseRequest(r.URL.RawQuery)
	if err != nil {
		return err
	}
	req.Lang = b.Lang
	res, err := s.cfg.Index.Search(r.Context(), req)
	if err != nil {
		return err
	}
	v := &SearchView{Base: b, Req: req, Result: res}
	briefs, err := s.briefs(r, b, res.Hits)
	if db.Unreachable(err) {
		// The hits come from the index: show them without their ways in
		// rather than nothing while the database is away.
		s.log.Warn("search page without contact briefs", "err", err)
	} else if err != nil {
		return err
	}
	for _, h := range res.Hits {
		// Bleve's highlighter escapes the text and adds only <mark>.
		v.Hits = append(v.Hits, SearchHit{Hit: h, Snippet: template.HTML(h.Snippet), TypeLabel: b.T("type." + h.Type),
			Brief: briefs[h.ID]})
	}
	q := r.URL.Query()
	q.Del("offset")
	link := func(param, value string) string {
		u := url.Values{}
		for k, vs := range q {
			u[k] = append([]string(nil), vs...)
		}
		if value == "" {
			u.Del(param)
		} else {
			u.Set(param, value)
		}
		return (&url.URL{Path: "/search", RawQuery: u.Encode()}).String()
	}
	ref, err := s.store.Reference(r.Context())
	if err != nil {
		return err
	}
	label := func(field, value string) string { return s.labels.Of(ref, field, value, b.Lang) }
	if req.Age != nil {
		v.Active = append(v.Active, FacetLink{Label: b.T("field.age") + ": " + strconv.Itoa(*req.Age), URL: link("age", ""), Active: true})
	}
	for _, f := range facetFields {
		cur := q.Get(f.param)
		if cur != "" {
			v.Active = append(v.Active, FacetLink{Label: b.T(f.label) + ": " + label(f.field, cur), URL: link(f.param, ""), Active: true})
		}
		vals := res.Facets[f.field]
		if len(vals) == 0 || (len(vals) == 1 && cur != "") || f.field == "municipality" && res.Place != nil {
			continue
		}
		g := FacetGroup{Field: f.field, Label: b.T(f.label)}
		for _, fv := range vals {
			g.Values = append(g.Values, FacetLink{Label: label(f.field, fv.Value), Count: fv.Count,
				URL: link(f.param, fv.Value), Active: fv.Value == cur})
		}
		v.Facets = append(v.Facets, g)
	}
	if res.Total == 0 {
		if v.Suggest = s.cfg.Index.Suggest(req.Q); v.Suggest != "" {
			v.SuggestURL = link("q", v.Suggest)
		}
		cards, _, err := s.networkCards(r)
		if err != nil {
			return err
		}
		for _, c := range cards {
			if res.Place == nil || contains(c.Municipalities, res.Place.Code) {
				v.Contacts = append(v.Contacts, c)
			}
		}
	}
	limit := req.Limit
	if limit == 0 {
		limit = search.DefaultLimit
	}
	v.Pager = b.searchPager(q, int(res.Total), req.Offset, limit)
	b.Title, b.Nav, b.OwnSearch = b.T("search.title"), "search", true
	if req.Q != "" {
		b.Title = b.T("search.title_q", req.Q)
	}
	// Searches are not kept by the browser or any proxy.
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "search", v)
}

func (b *Base) searchPager(q url.Values, total, offset, limit int) Pager {
	p := Pager{Total: total, From: offset + 1, To: min(offset+limit, total)}
	if total == 0 {
		p.From = 0
	}
	link := func(off int) string {
		u := url.Values{}
		for k, vs := range q {
			u[k] = vs
		}
		if off > 0 {
			u.Set("offset", strconv.Itoa(off))
		} else {
			u.Del("offset")
		}
		return (&url.URL{Path: "/search", RawQuery: u.Encode()}).String()
	}
	if offset > 0 {
		p.Prev = link(max(0, offset-limit))
	}
	if offset+limit < total && offset+limit <= search.MaxSearchOffset {
		p.Next = link(offset + limit)
	}
	return p
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// briefs are the ways in of the service hits, read in one query.
func (s *Server) briefs(r *http.Request, b *Base, hits []search.Hit) (map[string]*Brief, error) {
	var ids []string
	for _, h := range hits {
		if h.Type == "service" {
			ids = append(ids, h.ID)
		}
	}
	list, err := s.store.ServicesByID(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Brief, len(list))
	for _, x := range list {
		out[x.ID] = b.BriefOf(x)
	}
	return out, nil
}
