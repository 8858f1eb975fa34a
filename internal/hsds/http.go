package hsds

import (
	_ "embed"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/serie-verkosto/directory/internal/api"
	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/params"
	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/services"
)

// Profile documents the directory's HSDS profile (GET /hsds/v3/profile).
//
//go:embed PROFILE.md
var Profile []byte

// OfficialOpenAPI is where HSDS 3.0's own OpenAPI file is published; the
// API under /hsds/v3/ follows it.
const OfficialOpenAPI = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"

// Paging of the HSDS lists.
const (
	DefaultPerPage = 50
	MaxPerPage     = 100
)

// Server is the HSDS 3.0 read API: anonymous, public listings only,
// served through the JSON API's routes (conditional GETs, CORS, errors).
type Server struct {
	Store *services.Store
	// Index serves search=; without it search answers 503.
	Index *search.Index
	API   *api.API

	services, places idCache // HSDS ids of services and of their places
}

// Routes adds the HSDS API to r, the router of /hsds/v3.
func (h *Server) Routes(r *mux.Router) {
	get := func(path, name string, f api.Handler) { r.Handle(path, h.API.Get(f)).Name(name) }
	get("/", "hsds.root", h.root)
	get("/profile", "hsds.profile", h.profile)
	get("/services", "hsds.services", h.listServices)
	get("/services/{id}", "hsds.service", h.getService)
	get("/organizations", "hsds.organizations", h.listOrganizations)
	get("/organizations/{id}", "hsds.organization", h.getOrganization)
	get("/service_at_locations", "hsds.service_at_locations", h.listServiceAtLocations)
	get("/service_at_locations/{id}", "hsds.service_at_location", h.getServiceAtLocation)
	get("/taxonomies", "hsds.taxonomies", h.listTaxonomies)
	get("/taxonomies/{id}", "hsds.taxonomy", h.getTaxonomy)
	get("/taxonomy_terms", "hsds.taxonomy_terms", h.listTerms)
	get("/taxonomy_terms/{id}", "hsds.taxonomy_term", h.getTerm)
	r.NotFoundHandler = http.HandlerFunc(api.NotFound)
}

func (h *Server) ref(r *http.Request) (Ref, error) {
	ref, err := h.Store.Reference(r.Context())
	return Ref{ref}, err
}

// baseURL is the absolute address of the directory as the client reached
// it, for the URIs HSDS wants absolute.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (h *Server) root(w http.ResponseWriter, r *http.Request) error {
	if _, err := params.Parse(r.URL.RawQuery); err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, Root{Version: Version, Profile: baseURL(r) + "/hsds/v3/profile", OpenAPIURL: OfficialOpenAPI})
	return nil
}

func (h *Server) profile(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	_, err := w.Write(Profile)
	return err
}

// paging reads HSDS's page (1-based) and per_page.
func paging(q url.Values) (page, perPage int, err error) {
	var fs apperr.Fields
	page, perPage = 1, DefaultPerPage
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 || page > 1_000_000 {
			fs.Add("page", "err.page", "must be a whole number from 1")
		}
	}
	if v := q.Get("per_page"); v != "" {
		if perPage, err = strconv.Atoi(v); err != nil || perPage < 1 || perPage > MaxPerPage {
			fs.Add("per_page", "err.limit", "must be from 1 to %d", MaxPerPage)
		}
	}
	return page, perPage, fs.Err()
}

func boolParam(fs *apperr.Fields, q url.Values, name string) bool {
	v := q.Get(name)
	fs.OneOf(name, v, "true", "false", "1", "0")
	return v == "true" || v == "1"
}

// serviceParams are the parameters of the services list.
var serviceParams = []string{"search", "page", "per_page", "format", "taxonomy_term_id", "taxonomy_id",
	"organization_id", "modified_after", "minimal", "full"}

func (h *Server) listServices(w http.ResponseWriter, r *http.Request) error {
	q, err := params.Parse(r.URL.RawQuery, serviceParams...)
	if err != nil {
		return err
	}
	page, perPage, err := paging(q)
	if err != nil {
		return err
	}
	var fs apperr.Fields
	minimal, full := boolParam(&fs, q, "minimal"), boolParam(&fs, q, "full")
	fs.OneOf("format", q.Get("format"), "json")
	if err := fs.Err(); err != nil {
		return err
	}
	ref, err := h.ref(r)
	if err != nil {
		return err
	}
	f, err := h.serviceFilter(ref, q)
	if err != nil {
		return err
	}
	var list []services.Service
	var total int
	if s := strings.TrimSpace(q.Get("search")); s != "" {
		list, total, err = h.search(r, s, f, page, perPage)
	} else {
		f.Limit, f.Offset, f.Sort = perPage, (page-1)*perPage, services.SortName
		list, total, err = h.Store.FindServices(r.Context(), f)
	}
	if err != nil {
		return err
	}
	out := make([]*Service, 0, len(list))
	for _, s := range list {
		x, err := ref.FromService(s)
		if err != nil {
			return err
		}
		switch {
		case minimal:
			x = &Service{ID: x.ID, Name: x.Name, Status: x.Status, LastModified: x.LastModified}
		case !full:
			x = x.listed()
		}
		out = append(out, x)
	}
	api.WriteJSON(w, http.StatusOK, NewPage(out, total, page, perPage))
	return nil
}

// pageOf is one page of a list held whole.
func pageOf[T any](all []T, page, perPage int) Page[T] {
	total := len(all)
	from, to := min((page-1)*perPage, total), min(page*perPage, total)
	return NewPage(all[from:to], total, page, perPage)
}

// listed is the service as a list shows it (HSDS's service_list): its own
// fields and its organization, without what it holds.
func (s *Service) listed() *Service {
	x := *s
	x.Phones, x.Schedules, x.ServiceAreas, x.ServiceAtLocations, x.Languages, x.Attributes = nil, nil, nil, nil, nil, nil
	return &x
}

// serviceFilter reads the filters of the services lists.
func (h *Server) serviceFilter(ref Ref, q url.Values) (services.ServiceFilter, error) {
	f := services.ServiceFilter{}
	var fs apperr.Fields
	since, err := params.Time(q, "modified_after")
	if err != nil {
		return f, err
	}
	f.ModifiedAfter = since
	if v := q.Get("organization_id"); v != "" {
		if o, ok := ref.organization(v); ok {
			f.Organization = o.ID
		} else {
			fs.Add("organization_id", "err.unknown_organization", "no organization %q", v)
		}
	}
	f.AnyTermOf = taxonomyParam(&fs, q)
	if v := q.Get("taxonomy_term_id"); v != "" {
		voc, term, ok := ref.termOf(v)
		switch {
		case !ok:
			fs.Add("taxonomy_term_id", "err.unknown_term", "no taxonomy term %q", v)
		case voc == services.VocabClientSituation:
			f.TargetGroup = term
		case voc == services.VocabServiceType:
			f.ServiceType = term
		case voc == services.VocabDeliveryMode:
			f.DeliveryMode = term
		}
	}
	return f, fs.Err()
}

// taxonomyParam reads taxonomy_id: the vocabulary it names, "" when it
// is not given; an unknown one is recorded in fs with the known ones.
func taxonomyParam(fs *apperr.Fields, q url.Values) string {
	v := q.Get("taxonomy_id")
	if v == "" {
		return ""
	}
	voc, ok := taxonomyOf(v)
	if !ok {
		fs.Add("taxonomy_id", "err.unknown_taxonomy", "no taxonomy %q; taxonomies: %s", v, strings.Join(Taxonomies, ", "))
	}
	return voc
}

// taxonomyOf finds a taxonomy by its HSDS id or its name.
func taxonomyOf(v string) (string, bool) {
	for _, voc := range Taxonomies {
		if v == voc || v == ID(KindTaxonomy, voc) {
			return voc, true
		}
	}
	return "", false
}

// termOf finds a term by its HSDS id, or as "vocabulary:code".
func (r Ref) termOf(v string) (vocab, term string, ok bool) {
	if voc, code, found := strings.Cut(v, ":"); found {
		_, ok = r.Vocab.Term(voc, code)
		return voc, code, ok && slices.Contains(Taxonomies, voc)
	}
	for _, voc := range Taxonomies {
		vv, _ := r.Vocab.Vocabulary(voc)
		for _, t := range vv.Terms {
			if ID(KindTerm, voc, t.ID) == v {
				return voc, t.ID, true
			}
		}
	}
	return "", "", false
}

// search finds services with the directory's search, then keeps those
// the filters keep.
func (h *Server) search(r *http.Request, words string, f services.ServiceFilter, page, perPage int) ([]services.Service, int, error) {
	if h.Index == nil {
		return nil, 0, apperr.Errorf(apperr.Unavailable, "search is not available")
	}
	if f != (services.ServiceFilter{}) {
		var fs apperr.Fields
		fs.Add("search", "err.search_alone", "search cannot be combined with other filters here; use /api/v1/search for that")
		return nil, 0, fs.Err()
	}
	offset := (page - 1) * perPage
	if offset > search.MaxSearchOffset {
		var fs apperr.Fields
		fs.Add("page", "err.search_offset", "must be at most %d", search.MaxSearchOffset/perPage+1)
		return nil, 0, fs.Err()
	}
	res, err := h.Index.Search(r.Context(), search.Request{Q: words, Type: search.TypeService, Limit: perPage, Offset: offset, NoFacets: true})
	if err != nil {
		return nil, 0, err
	}
	ids := make([]string, len(res.Hits))
	for i, hit := range res.Hits {
		ids[i] = hit.ID
	}
	list, err := h.Store.ServicesByID(r.Context(), ids)
	return list, int(res.Total), err
}

// serviceID turns a path's id (an HSDS id, or the directory's own) into
// the directory's.
func (h *Server) serviceID(r *http.Request, id string) (string, error) {
	if _, err := uuid.Parse(id); err != nil {
		return id, nil
	}
	return h.services.lookup(id, "service", func() (map[string]string, error) {
		all, err := h.Store.ServiceIDs(r.Context())
		m := make(map[string]string, len(all))
		for _, sid := range all {
			m[ID(KindService, sid)] = sid
		}
		return m, err
	})
}

// placeService finds the service whose place has the HSDS id.
func (h *Server) placeService(r *http.Request, id string) (string, error) {
	return h.places.lookup(id, "service at location", func() (map[string]string, error) {
		keys, err := h.Store.PlaceKeys(r.Context())
		m := make(map[string]string, len(keys))
		for _, k := range keys {
			m[salID(k.Service, placeKey(k.ID, k.Index))] = k.Service
		}
		return m, err
	})
}

// idCache maps HSDS ids to the directory's, which are not derived from
// them. A miss reads them all again, at most every few seconds, so that
// unknown ids cannot keep the database busy.
type idCache struct {
	mu   sync.Mutex
	ids  map[string]string
	read time.Time
}

func (c *idCache) lookup(id, what string, load func() (map[string]string, error)) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.ids[id]; ok {
		return v, nil
	}
	if c.ids != nil && time.Since(c.read) < 5*time.Second {
		return "", apperr.Errorf(apperr.NotFound, "no %s %q", what, id)
	}
	m, err := load()
	if err != nil {
		return "", err
	}
	c.ids, c.read = m, time.Now()
	if v, ok := c.ids[id]; ok {
		return v, nil
	}
	return "", apperr.Errorf(apperr.NotFound, "no %s %q", what, id)
}

// publicService reads one public service.
func (h *Server) publicService(r *http.Request, id string) (services.Service, error) {
	sid, err := h.serviceID(r, id)
	if err != nil {
		return services.Service{}, err
	}
	s, err := h.Store.Service(r.Context(), sid)
	if err == nil && s.Status == services.StatusArchived {
		err = apperr.Errorf(apperr.NotFound, "no service %q", id)
	}
	return s, err
}

func (h *Server) getService(w http.ResponseWriter, r *http.Request) error {
	if _, err := params.Parse(r.URL.RawQuery); err != nil {
		return err
	}
	s, err := h.publicService(r, mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	ref, err := h.ref(r)
	if err != nil {
		return err
	}
	x, err := ref.FromService(s)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, x)
	return nil
}

func (h *Server) listOrganizations(w http.ResponseWriter, r *http.Request) error {
	q, err := params.Parse(r.URL.RawQuery, "search", "full_service", "full", "page", "per_page", "format")
	if err != nil {
		return err
	}
	page, perPage, err := paging(q)
	if err != nil {
		return err
	}
	var fs apperr.Fields
	fullService := boolParam(&fs, q, "full_service")
	boolParam(&fs, q, "full")
	fs.OneOf("format", q.Get("format"), "json")
	if err := fs.Err(); err != nil {
		return err
	}
	ref, err := h.ref(r)
	if err != nil {
		return err
	}
	words := strings.ToLower(strings.TrimSpace(q.Get("search")))
	var all []*Organization
	for _, o := range ref.Orgs {
		x := ref.FromOrganization(o)
		if words != "" && !strings.Contains(strings.ToLower(o.Name.FI+" "+o.Name.SV+" "+o.Name.EN), words) {
			continue
		}
		all = append(all, x)
	}
	p := pageOf(all, page, perPage)
	if fullService {
		for _, o := range p.Contents {
			if err := h.addServices(r, ref, o); err != nil {
				return err
			}
		}
	}
	api.WriteJSON(w, http.StatusOK, p)
	return nil
}

// addServices lists an organization's public services in it.
func (h *Server) addServices(r *http.Request, ref Ref, o *Organization) error {
	for offset := 0; ; offset += services.MaxLimit {
		list, total, err := h.Store.FindServices(r.Context(), services.ServiceFilter{Organization: o.Directory.ID,
			Sort: services.SortName, Limit: services.MaxLimit, Offset: offset})
		if err != nil {
			return err
		}
		for _, s := range list {
			x, err := ref.FromService(s)
			if err != nil {
				return err
			}
			x.Organization = nil
			o.Services = append(o.Services, x)
		}
		if offset+services.MaxLimit >= total {
			return nil
		}
	}
}

func (h *Server) getOrganization(w http.ResponseWriter, r *http.Request) error {
	q, err := params.Parse(r.URL.RawQuery, "full_service")
	if err != nil {
		return err
	}
	var fs apperr.Fields
	fullService := boolParam(&fs, q, "full_service")
	if err := fs.Err(); err != nil {
		return err
	}
	ref, err := h.ref(r)
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	o, ok := ref.organization(id)
	if !ok {
		return apperr.Errorf(apperr.NotFound, "no organization %q", id)
	}
	x := ref.FromOrganization(o)
	if fullService {
		if err := h.addServices(r, ref, x); err != nil {
			return err
		}
	}
	api.WriteJSON(w, http.StatusOK, x)
	return nil
}

// serviceAtLocations returns the places from the from-th to before the
// to-th (of all the services f keeps, by name), and how many there are:
// only the services of the window are read.
func (h *Server) serviceAtLocations(r *http.Request, ref Ref, f services.ServiceFilter, from, to int) ([]ServiceAtLocation, int, error) {
	f.Sort = services.SortName
	counts, err := h.Store.PlaceCounts(r.Context(), f)
	if err != nil {
		return nil, 0, err
	}
	total, skip := 0, 0
	var ids []string
	for _, c := range counts {
		if total+c.Count > from && total < to {
			if len(ids) == 0 {
				skip = from - total
			}
			ids = append(ids, c.ID)
		}
		total += c.Count
	}
	list, err := h.Store.ServicesByID(r.Context(), ids)
	if err != nil {
		return nil, 0, err
	}
	var out []ServiceAtLocation
	for _, s := range list {
		x, err := ref.FromService(s)
		if err != nil {
			return nil, 0, err
		}
		for _, sal := range x.ServiceAtLocations {
			sal.Service = x.listed()
			out = append(out, sal)
		}
	}
	out = out[min(max(skip, 0), len(out)):]
	return out[:min(to-from, len(out))], total, nil
}

func (h *Server) listServiceAtLocations(w http.ResponseWriter, r *http.Request) error {
	q, err := params.Parse(r.URL.RawQuery, "search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after",
		"full", "page", "per_page", "format", "postcode", "proximity")
	if err != nil {
		return err
	}
	page, perPage, err := paging(q)
	if err != nil {
		return err
	}
	var fs apperr.Fields
	boolParam(&fs, q, "full")
	fs.OneOf("format", q.Get("format"), "json")
	if q.Get("proximity") != "" {
		fs.Add("proximity", "err.unsupported", "is not supported: filter by postcode")
	}
	if q.Get("search") != "" {
		fs.Add("search", "err.unsupported", "is not supported here: use /hsds/v3/services?search=")
	}
	if err := fs.Err(); err != nil {
		return err
	}
	ref, err := h.ref(r)
	if err != nil {
		return err
	}
	f, err := h.serviceFilter(ref, q)
	if err != nil {
		return err
	}
	if pc := strings.TrimSpace(q.Get("postcode")); pc != "" {
		// By postal code: the places are filtered by what they hold, so
		// the page is made of all the places of the services kept.
		all, _, err := h.serviceAtLocations(r, ref, f, 0, math.MaxInt)
		if err != nil {
			return err
		}
		all = slices.DeleteFunc(all, func(s ServiceAtLocation) bool {
			return !slices.ContainsFunc(s.Location.Addresses, func(a Address) bool { return a.PostalCode == pc })
		})
		api.WriteJSON(w, http.StatusOK, pageOf(all, page, perPage))
		return nil
	}
	from := (page - 1) * perPage
	out, total, err := h.serviceAtLocations(r, ref, f, from, from+perPage)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, NewPage(out, total, page, perPage))
	return nil
}

func (h *Server) getServiceAtLocation(w http.ResponseWriter, r *http.Request) error {
	if _, err := params.Parse(r.URL.RawQuery); err != nil {
		return err
	}
	ref, err := h.ref(r)
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	sid, err := h.placeService(r, id)
	if err != nil {
		return err
	}
	sv, err := h.publicService(r, sid)
	if err != nil {
		return err
	}
	x, err := ref.FromService(sv)
	if err != nil {
		return err
	}
	for _, sal := range x.ServiceAtLocations {
		if sal.ID == id {
			sal.Service = x.listed()
			api.WriteJSON(w, http.StatusOK, sal)
			return nil
		}
	}
	return apperr.Errorf(apperr.NotFound, "no service at location %q", id)
}

// writeFound answers the item of all that matches, or NotFound.
func writeFound[T any](w http.ResponseWriter, all []T, match func(T) bool, what, id string) error {
	for _, x := range all {
		if match(x) {
			api.WriteJSON(w, http.StatusOK, x)
			return nil
		}
	}
	return apperr.Errorf(apperr.NotFound, "no %s %q", what, id)
}

func (h *Server) taxonomies(r *http.Request) ([]Taxonomy, error) {
	ref, err := h.ref(r)
	if err != nil {
		return nil, err
	}
	return ref.Taxonomies(), nil
}

func (h *Server) listTaxonomies(w http.ResponseWriter, r *http.Request) error {
	q, err := params.Parse(r.URL.RawQuery, "search", "page", "per_page", "format")
	if err != nil {
		return err
	}
	page, perPage, err := paging(q)
	if err != nil {
		return err
	}
	all, err := h.taxonomies(r)
	if err != nil {
		return err
	}
	if words := strings.ToLower(strings.TrimSpace(q.Get("search"))); words != "" {
		all = slices.DeleteFunc(all, func(t Taxonomy) bool { return !strings.Contains(strings.ToLower(t.Name+" "+t.Description), words) })
	}
	api.WriteJSON(w, http.StatusOK, pageOf(all, page, perPage))
	return nil
}

func (h *Server) getTaxonomy(w http.ResponseWriter, r *http.Request) error {
	if _, err := params.Parse(r.URL.RawQuery); err != nil {
		return err
	}
	all, err := h.taxonomies(r)
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	voc, _ := taxonomyOf(id)
	return writeFound(w, all, func(t Taxonomy) bool { return voc != "" && t.ID == ID(KindTaxonomy, voc) }, "taxonomy", id)
}

func (h *Server) terms(r *http.Request) ([]TaxonomyTerm, error) {
	ref, err := h.ref(r)
	if err != nil {
		return nil, err
	}
	return ref.Terms(), nil
}

func (h *Server) listTerms(w http.ResponseWriter, r *http.Request) error {
	q, err := params.Parse(r.URL.RawQuery, "search", "page", "per_page", "format", "taxonomy_id", "top_only", "parent_id")
	if err != nil {
		return err
	}
	page, perPage, err := paging(q)
	if err != nil {
		return err
	}
	var fs apperr.Fields
	boolParam(&fs, q, "top_only") // the vocabularies are flat: every term is at the top
	voc := taxonomyParam(&fs, q)
	if err := fs.Err(); err != nil {
		return err
	}
	all, err := h.terms(r)
	if err != nil {
		return err
	}
	words := strings.ToLower(strings.TrimSpace(q.Get("search")))
	all = slices.DeleteFunc(all, func(t TaxonomyTerm) bool {
		return (voc != "" && t.Taxonomy != voc) || q.Get("parent_id") != "" ||
			(words != "" && !strings.Contains(strings.ToLower(t.Name+" "+t.Code+" "+t.Description), words))
	})
	api.WriteJSON(w, http.StatusOK, pageOf(all, page, perPage))
	return nil
}

func (h *Server) getTerm(w http.ResponseWriter, r *http.Request) error {
	if _, err := params.Parse(r.URL.RawQuery); err != nil {
		return err
	}
	all, err := h.terms(r)
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	return writeFound(w, all, func(t TaxonomyTerm) bool { return t.ID == id || t.Taxonomy+":"+t.Code == id }, "taxonomy term", id)
}
