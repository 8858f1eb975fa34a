// Package ptvtest is a stand-in for PTV's v11 open API, for tests: an HTTP
// handler (and an httptest server around it) that serves fixture datasets the
// way FORMAT.md describes PTV: id+name paging with a configurable page size,
// full-object lists of 100 per page, list?guids= with its 100 limit and its
// 404, date/dateBefore and status filters, areas with includeWholeCountry,
// PTV's error bodies, and injected faults (429, 5xx, hangs, dropped
// connections, malformed bodies). Datasets can be switched while it runs,
// e.g. from Now to WeekLater.
package ptvtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/serie-verkosto/directory/internal/ptv/v11"
)

// FullPageSize is PTV's fixed page size for full-object lists.
const FullPageSize = 100

// Dataset is what the server serves: objects as PTV would send them, in
// creation order (PTV's list order).
type Dataset struct {
	Services      []json.RawMessage
	Channels      []json.RawMessage
	Organizations []json.RawMessage
	// ConnectionChanged records services whose channel connections changed
	// at a time later than their modified: PTV's Service?date= reports them
	// although modified stays old.
	ConnectionChanged map[string]time.Time
}

// Fault is an injected failure.
type Fault struct {
	Status     int    // answer with this status (and an errorMessage body)
	RetryAfter string // Retry-After header, seconds or an HTTP date
	Body       string // answer 200 (or Status) with this body instead
	Hang       bool   // never answer, until the client gives up
	Close      bool   // drop the connection without answering
}

type fault struct {
	prefix string
	n      int
	f      Fault
}

type object struct {
	raw      json.RawMessage
	id       string
	name     string
	status   string // Published, Archived, Withdrawn
	modified time.Time
	changed  time.Time // modified or a later connection change (services)
	areaType string
	munis    []string
	orgs     []string // services: organizations[] of any role
}

type index struct {
	services, channels, orgs []*object
	byID                     map[string]*object // key: kind + id
}

// Handler serves the PTV v11 API under any prefix ending in /api/v11/.
type Handler struct {
	mu       sync.Mutex
	idx      *index
	faults   []*fault
	requests []string
	// PageSize is the id+name list page size (PTV's server setting).
	pageSize int
	done     chan struct{}
}

// NewHandler returns a handler serving ds.
func NewHandler(ds *Dataset) *Handler {
	h := &Handler{pageSize: 1000, done: make(chan struct{})}
	h.SetDataset(ds)
	return h
}

// SetDataset switches what is served, e.g. to the week-later fixtures.
func (h *Handler) SetDataset(ds *Dataset) {
	idx := build(ds)
	h.mu.Lock()
	h.idx = idx
	h.mu.Unlock()
}

// SetPageSize sets the page size of id+name lists.
func (h *Handler) SetPageSize(n int) {
	h.mu.Lock()
	h.pageSize = n
	h.mu.Unlock()
}

// Inject makes the next n requests whose path and query under /api/v11/
// start with prefix (e.g. "ServiceChannel/list", "Service?status=Archived")
// fail with f. Faults queue in the order injected.
func (h *Handler) Inject(prefix string, n int, f Fault) {
	h.mu.Lock()
	h.faults = append(h.faults, &fault{prefix: prefix, n: n, f: f})
	h.mu.Unlock()
}

// Requests returns the requests served so far (path and query under
// /api/v11/), in order.
func (h *Handler) Requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.requests)
}

// Count is how many requests so far started with prefix.
func (h *Handler) Count(prefix string) int {
	n := 0
	for _, r := range h.Requests() {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

// Server is a Handler on an httptest server.
type Server struct {
	*Handler
	ts *httptest.Server
}

// NewServer starts a server for ds; call Close when done.
func NewServer(ds *Dataset) *Server {
	h := NewHandler(ds)
	return &Server{Handler: h, ts: httptest.NewServer(h)}
}

// URL is the API base URL, ending in /api/v11/.
func (s *Server) URL() string { return s.ts.URL + "/api/v11/" }

// Close stops the server, releasing any hanging requests.
func (s *Server) Close() {
	close(s.done)
	s.ts.Close()
}

func statusOf(wire string) string {
	switch wire {
	case "Deleted", "Archived", "Removed":
		return "Archived"
	case "Modified", "Withdrawn":
		return "Withdrawn"
	}
	return wire
}

func build(ds *Dataset) *index {
	idx := &index{byID: map[string]*object{}}
	add := func(kind string, raws []json.RawMessage) []*object {
		var out []*object
		for _, raw := range raws {
			// Tolerant on purpose: a test may serve deliberately broken
			// objects, which are indexed by whatever could be read.
			var m struct {
				ID               string                    `json:"id"`
				Modified         v11.Time                  `json:"modified"`
				PublishingStatus string                    `json:"publishingStatus"`
				AreaType         *string                   `json:"areaType"`
				Areas            []v11.Area                `json:"areas"`
				ServiceNames     []v11.LocalizedListItem   `json:"serviceNames"`
				ChannelNames     []v11.LocalizedListItem   `json:"serviceChannelNames"`
				OrgNames         []v11.LocalizedListItem   `json:"organizationNames"`
				Organizations    []v11.ServiceOrganization `json:"organizations"`
			}
			_ = json.Unmarshal(raw, &m)
			o := &object{raw: raw, id: strings.ToLower(m.ID), status: statusOf(m.PublishingStatus), modified: m.Modified.Time}
			o.changed = o.modified
			if m.AreaType != nil {
				o.areaType = *m.AreaType
			}
			for _, a := range m.Areas {
				for _, mu := range a.Municipalities {
					o.munis = append(o.munis, mu.Code)
				}
			}
			for _, so := range m.Organizations {
				if so.Organization != nil {
					o.orgs = append(o.orgs, strings.ToLower(so.Organization.ID))
				}
			}
			for _, names := range [][]v11.LocalizedListItem{m.ServiceNames, m.ChannelNames, m.OrgNames} {
				for _, n := range names {
					if n.Type == "Name" && o.name == "" {
						o.name = n.Value
					}
				}
			}
			if t, ok := ds.ConnectionChanged[m.ID]; ok && kind == "Service" && t.After(o.changed) {
				o.changed = t
			}
			idx.byID[kind+"/"+o.id] = o
			out = append(out, o)
		}
		return out
	}
	idx.services = add("Service", ds.Services)
	idx.channels = add("ServiceChannel", ds.Channels)
	idx.orgs = add("Organization", ds.Organizations)
	return idx
}

var (
	guidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	codeRe = regexp.MustCompile(`^[0-9]{1,6}$`)
)

const zeroGUID = "00000000-0000-0000-0000-000000000000"

// alandCodes are the Åland municipalities, for which
// NationwideExceptAlandIslands does not count as covering them.
var alandCodes = map[string]bool{"035": true, "043": true, "060": true, "062": true, "065": true, "076": true,
	"170": true, "295": true, "318": true, "417": true, "438": true, "478": true, "736": true, "766": true, "771": true, "941": true}

// ServeHTTP answers as PTV would, or with the next matching injected fault.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := strings.Index(r.URL.Path, "/api/v11/")
	if i < 0 {
		notFound(w, "No v11 API here.")
		return
	}
	path := r.URL.Path[i+len("/api/v11/"):]
	full := path
	if r.URL.RawQuery != "" {
		full += "?" + r.URL.RawQuery
	}
	h.mu.Lock()
	h.requests = append(h.requests, full)
	var f *Fault
	for j, ft := range h.faults {
		if strings.HasPrefix(full, ft.prefix) {
			ff := ft.f
			f = &ff
			if ft.n--; ft.n <= 0 {
				h.faults = slices.Delete(h.faults, j, j+1)
			}
			break
		}
	}
	idx, pageSize := h.idx, h.pageSize
	h.mu.Unlock()

	if f != nil {
		switch {
		case f.Hang:
			select {
			case <-r.Context().Done():
			case <-h.done:
			}
			return
		case f.Close:
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		body := f.Body
		if body == "" {
			body = fmt.Sprintf(`{"errorMessage":"Injected fault %d."}`, status)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h.route(w, r, idx, pageSize, strings.Split(strings.Trim(path, "/"), "/"))
}

func (h *Handler) route(w http.ResponseWriter, r *http.Request, idx *index, pageSize int, seg []string) {
	q := r.URL.Query()
	var objs []*object
	switch seg[0] {
	case "Service":
		objs = idx.services
	case "ServiceChannel":
		objs = idx.channels
	case "Organization":
		objs = idx.orgs
	default:
		notFound(w, "Unknown resource.")
		return
	}
	kind := seg[0]
	switch {
	case len(seg) == 1:
		h.guidList(w, q, objs, pageSize, false)
	case len(seg) == 2 && seg[1] == "list":
		h.byGuids(w, q, idx, kind)
	case len(seg) == 2:
		h.one(w, idx, kind, seg[1])
	case kind == "Service" && len(seg) == 3 && seg[1] == "list" && seg[2] == "organization":
		org := q.Get("organizationId")
		if org == "" {
			badRequest(w, "organizationId", "The organizationId field is required.")
			return
		}
		if !guidRe.MatchString(org) {
			// PTV's unguarded parser: a malformed id here is a 500.
			serverError(w, "Unrecognized Guid format.")
			return
		}
		org = strings.ToLower(org)
		h.fullList(w, q, filter(objs, func(o *object) bool { return slices.Contains(o.orgs, org) }))
	case len(seg) == 5 && seg[1] == "area" && seg[3] == "code":
		h.area(w, q, objs, pageSize, seg[2], seg[4], false)
	case len(seg) == 6 && seg[1] == "list" && seg[2] == "area" && seg[4] == "code":
		h.area(w, q, objs, pageSize, seg[3], seg[5], true)
	default:
		notFound(w, "Unknown route.")
	}
}

func filter(objs []*object, keep func(*object) bool) []*object {
	var out []*object
	for _, o := range objs {
		if o.status == "Published" && keep(o) {
			out = append(out, o)
		}
	}
	return out
}

func (h *Handler) area(w http.ResponseWriter, q map[string][]string, objs []*object, pageSize int, area, code string, full bool) {
	if area != "Municipality" {
		// The fixtures carry municipality lists only; other area kinds
		// are not served.
		notFound(w, "Area type not served by ptvtest.")
		return
	}
	if !codeRe.MatchString(code) {
		badRequest(w, "code", "The field code must match the regular expression '^[0-9]{1,6}$'.")
		return
	}
	wc := first(q, "includeWholeCountry") == "true"
	matched := filter(objs, func(o *object) bool {
		switch o.areaType {
		case "Nationwide":
			return wc
		case "NationwideExceptAlandIslands":
			return wc && !alandCodes[code]
		}
		return slices.Contains(o.munis, code)
	})
	if full {
		// Full-object area lists have no date filter.
		h.fullList(w, q, matched)
		return
	}
	h.guidList(w, q, matched, pageSize, true)
}

func first(q map[string][]string, k string) string {
	if v := q[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// page reads page=: absent is 1, negative is 400.
func page(w http.ResponseWriter, q map[string][]string) (int, bool) {
	s := first(q, "page")
	if s == "" {
		return 1, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		badRequest(w, "page", "The field page must be a non-negative number.")
		return 0, false
	}
	return n, true
}

func parseDate(w http.ResponseWriter, q map[string][]string, k string) (time.Time, bool) {
	s := first(q, k)
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.ParseInLocation(v11.DateParam, s, time.UTC)
	if err != nil {
		badRequest(w, k, "The field "+k+" must be in format yyyy-MM-ddTHH:mm:ss.")
		return time.Time{}, false
	}
	return t, true
}

// guidList serves a paged id+name list with the date, dateBefore and status
// filters. An area list's objs are already the published ones in the area,
// and its date filter looks at modified only; the plain list's also sees
// connection changes, as PTV's does since 3.x.
func (h *Handler) guidList(w http.ResponseWriter, q map[string][]string, objs []*object, pageSize int, areaList bool) {
	n, ok := page(w, q)
	if !ok {
		return
	}
	date, ok := parseDate(w, q, "date")
	if !ok {
		return
	}
	before, ok := parseDate(w, q, "dateBefore")
	if !ok {
		return
	}
	status := first(q, "status")
	if status == "" {
		status = "Published"
	}
	if status != "Published" && status != "Archived" && status != "Withdrawn" {
		badRequest(w, "status", "The field status must be one of Published, Archived, Withdrawn.")
		return
	}
	var matched []*object
	for _, o := range objs {
		if !areaList && o.status != status {
			continue
		}
		changed := o.changed
		if areaList {
			changed = o.modified
		}
		if !date.IsZero() && !changed.After(date) || !before.IsZero() && !o.modified.Before(before) {
			continue
		}
		matched = append(matched, o)
	}
	type item struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	writePage(w, n, pageSize, len(matched), func(lo, hi int) any {
		items := make([]item, 0, hi-lo)
		for _, o := range matched[lo:hi] {
			items = append(items, item{o.id, o.name})
		}
		return items
	})
}

func (h *Handler) fullList(w http.ResponseWriter, q map[string][]string, objs []*object) {
	n, ok := page(w, q)
	if !ok {
		return
	}
	writePage(w, n, FullPageSize, len(objs), func(lo, hi int) any {
		items := make([]json.RawMessage, 0, hi-lo)
		for _, o := range objs[lo:hi] {
			items = append(items, o.raw)
		}
		return items
	})
}

func writePage(w http.ResponseWriter, n, size, total int, items func(lo, hi int) any) {
	count := (total + size - 1) / size
	p := struct {
		PageNumber int `json:"pageNumber"`
		PageSize   int `json:"pageSize"`
		PageCount  int `json:"pageCount"`
		ItemList   any `json:"itemList"`
	}{PageNumber: n, PageSize: size, PageCount: count}
	if n == 0 {
		p.PageCount = 0
	}
	if n >= 1 && n <= count {
		lo := (n - 1) * size
		p.ItemList = items(lo, min(lo+size, total))
	}
	writeJSON(w, http.StatusOK, p)
}

func (h *Handler) byGuids(w http.ResponseWriter, q map[string][]string, idx *index, kind string) {
	s := first(q, "guids")
	if s == "" {
		badRequest(w, "guids", "The guids field is required.")
		return
	}
	var found []json.RawMessage
	seen := map[string]bool{}
	for _, id := range strings.Split(s, ",") {
		id = strings.TrimSpace(id)
		if !guidRe.MatchString(id) {
			badRequest(w, "guids", "Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).")
			return
		}
		if o, ok := idx.byID[kind+"/"+strings.ToLower(id)]; ok && o.status == "Published" && !seen[o.id] {
			seen[o.id] = true
			found = append(found, o.raw)
		}
	}
	if len(found) > 100 {
		if kind == "ServiceChannel" {
			badRequest(w, "guids", "TooManyItems: the maximum number of items is 100.")
		} else {
			serverError(w, "Too many items: maximum is 100.")
		}
		return
	}
	if len(found) == 0 {
		notFound(w, kind+"s with given ids not found.")
		return
	}
	writeJSON(w, http.StatusOK, found)
}

func (h *Handler) one(w http.ResponseWriter, idx *index, kind, id string) {
	if id == zeroGUID {
		serverError(w, "An error has occurred.")
		return
	}
	if !guidRe.MatchString(id) {
		badRequest(w, "id", "Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).")
		return
	}
	o, ok := idx.byID[kind+"/"+strings.ToLower(id)]
	if !ok || o.status != "Published" {
		notFound(w, kind+" with id '"+id+"' not found.")
		return
	}
	writeJSON(w, http.StatusOK, o.raw)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func badRequest(w http.ResponseWriter, param, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string][]string{param: {msg}})
}

func notFound(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusNotFound, map[string]string{"errorMessage": msg})
}

func serverError(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusInternalServerError, map[string]string{"errorMessage": msg})
}
