// Package api is the JSON API under /api/v1. Handlers parse the request,
// call the store and render; errors are rendered in one place, as
// {"error": {"code", "message", "fields"}} with the status apperr decides.
package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/params"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// API serves the JSON endpoints.
type API struct {
	Store *services.Store
	Index *search.Index
	Log   *slog.Logger
	// Pathways serves /api/v1/pathways; nil answers 503 there.
	Pathways *pathways.Store

	services *listing[services.Service]
	contacts *listing[services.Contact]
}

// New returns the API over the stores; index serves the search.
func New(store *services.Store, index *search.Index, paths *pathways.Store, log *slog.Logger) *API {
	return &API{Store: store, Index: index, Pathways: paths, Log: log,
		services: &listing[services.Service]{uc: store.Services, path: "/api/v1/services/",
			view: func(s services.Service, _ *users.User) any { return s }},
		contacts: &listing[services.Contact]{uc: store.Contacts, path: "/api/v1/contacts/",
			// Fields limited to members or admins are left out for others.
			view: func(c services.Contact, u *users.User) any { return c.ForViewer(auth.Level(u)) }},
	}
}

// Handler is an API handler that returns its error instead of writing it.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Route serves one API path, dispatching on the method. It answers a
// method it has no handler for with 405 and an Allow header (gorilla/mux
// cannot, for routes in a subrouter). Errors are rendered as JSON: 5xx
// are logged in full and shown as a generic message; 4xx carry their
// message and field errors.
type Route struct {
	API                    *API
	Get, Post, Put, Delete Handler
}

// Methods routes one path's methods.
func (a *API) Methods(get, post, put, del Handler) Route {
	return Route{API: a, Get: get, Post: post, Put: put, Delete: del}
}

// Get routes a read-only path.
func (a *API) Get(h Handler) Route { return a.Methods(h, nil, nil, nil) }

func (rt Route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	handlers := map[string]Handler{http.MethodGet: rt.Get, http.MethodHead: rt.Get,
		http.MethodPost: rt.Post, http.MethodPut: rt.Put, http.MethodDelete: rt.Delete}
	h := handlers[r.Method]
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	if rt.Get != nil && (read || r.Method == http.MethodOptions) && allowCORS(w, r) && !read {
		w.WriteHeader(http.StatusNoContent) // a preflight for a read
		return
	}
	if h == nil {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete} {
			if handlers[m] != nil {
				allow = append(allow, m)
			}
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		MethodNotAllowed(w, r)
		return
	}
	serve := func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			WriteError(w, r, err, rt.API.Log)
		}
	}
	if read {
		conditional(w, r, serve)
		return
	}
	serve(w, r)
}

type errorBody struct {
	Error struct {
		Code    apperr.Code         `json:"code"`
		Message string              `json:"message"`
		Fields  []apperr.FieldError `json:"fields,omitempty"`
	} `json:"error"`
}

// Classify is the one mapping of an error to what the client is told, for
// the API and the pages alike: a database that does not answer is a 503,
// and so is "log in" to someone whose session could not be read in such
// an outage; a 503 says when to try again. It returns the status and the
// error to show.
func Classify(w http.ResponseWriter, r *http.Request, err error) (int, error) {
	err = auth.NotLoggedIn(r.Context(), db.AsUnavailable(err))
	status := apperr.HTTPStatus(err)
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "30")
	}
	return status, err
}

// WriteError writes err as the API's JSON error.
func WriteError(w http.ResponseWriter, r *http.Request, err error, log *slog.Logger) {
	status, err := Classify(w, r, err)
	var body errorBody
	body.Error.Code = apperr.CodeOf(err)
	body.Error.Message = apperr.PublicMessage(err)
	if e := apperr.As(err); e != nil {
		body.Error.Fields = e.Fields
	}
	if log == nil {
		log = slog.Default()
	}
	// The path only, never the query: it may hold what someone searched.
	if status >= 500 {
		log.Error("api error", "path", r.URL.Path, "status", status, "err", err)
	}
	writeJSON(w, status, body)
}

// WriteJSON writes v as the API's JSON answer, for other read APIs served
// through its routes (HSDS).
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// List is the envelope of every list response.
type List[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

func list[T any](items []T, total, limit, offset int) List[T] {
	if items == nil {
		items = []T{}
	}
	if limit == 0 {
		limit = services.DefaultLimit
	}
	return List[T]{Items: items, Total: total, Limit: limit, Offset: offset}
}

// writeOne writes one resource with its version as a strong ETag, which a
// client sends back in If-Match when it updates, and its last change as
// Last-Modified.
func writeOne(w http.ResponseWriter, m services.Meta, v any) {
	w.Header().Set("ETag", strconv.Quote(strconv.Itoa(m.Version)))
	setLastModified(w, m.UpdatedAt)
	writeJSON(w, http.StatusOK, v)
}

// query checks that r's query string has only the allowed parameters,
// each given once.
func query(r *http.Request, allowed ...string) (url.Values, error) {
	return params.Parse(r.URL.RawQuery, allowed...)
}

// pageParams parses limit and offset; bounds are checked by the store.
func pageParams(q url.Values) (limit, offset int, err error) { return params.Page(q) }

// idVar returns the path id, rejecting malformed ones before any lookup.
func idVar(r *http.Request, name string) (string, error) {
	id := mux.Vars(r)[name]
	if !services.ValidID(id) {
		return "", apperr.Keyed(apperr.Invalid, "err.bad_id", "malformed id %q: ids are lowercase letters, digits and hyphens", id)
	}
	return id, nil
}

// NotFound answers unknown API paths in JSON.
func NotFound(w http.ResponseWriter, r *http.Request) {
	WriteError(w, r, apperr.Keyed(apperr.NotFound, "err.not_found", "no such API endpoint: %s %s", r.Method, r.URL.Path), nil)
}

// MethodNotAllowed answers a known path with the wrong method.
func MethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": map[string]string{
		"code": "method_not_allowed", "message": r.Method + " is not allowed here"}})
}
