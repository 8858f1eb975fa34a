package web

import (
	"net/http"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/serie-verkosto/directory/internal/api"
)

// routes lists every route of the directory, top to bottom. Route names
// label metrics and build links.
func (s *Server) routes() *mux.Router {
	r := mux.NewRouter()
	r.StrictSlash(false)

	// Operations.
	r.HandleFunc("/healthz", s.healthz).Methods(http.MethodGet, http.MethodHead).Name("healthz")
	r.HandleFunc("/readyz", s.readyz).Methods(http.MethodGet, http.MethodHead).Name("readyz")
	r.Handle("/metrics", promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{})).Methods(http.MethodGet).Name("metrics")
	r.HandleFunc("/static/{name}", s.serveStatic).Methods(http.MethodGet, http.MethodHead).Name("static")

	// JSON API, read side (anonymous).
	a := r.PathPrefix("/api/v1").Subrouter()
	a.Handle("/search", s.api.Get(s.api.Search)).Name("api.search")
	a.Handle("/services", s.api.Get(s.api.ListServices)).Name("api.services")
	a.Handle("/services/{id}", s.api.Get(s.api.GetService)).Name("api.service")
	a.Handle("/contacts", s.api.Get(s.api.ListContacts)).Name("api.contacts")
	a.Handle("/contacts/{id}", s.api.Get(s.api.GetContact)).Name("api.contact")
	a.Handle("/networks", s.api.Get(s.api.ListNetworks)).Name("api.networks")
	a.Handle("/networks/{slug}", s.api.Get(s.api.GetNetwork)).Name("api.network")
	a.Handle("/municipalities", s.api.Get(s.api.ListMunicipalities)).Name("api.municipalities")
	a.Handle("/vocabularies", s.api.Get(s.api.ListVocabularies)).Name("api.vocabularies")
	a.NotFoundHandler = http.HandlerFunc(api.NotFound)

	// HTML pages.
	r.Handle("/", s.page(s.home)).Methods(http.MethodGet, http.MethodHead).Name("home")
	r.Handle("/search", s.page(s.search)).Methods(http.MethodGet, http.MethodHead).Name("search")
	r.Handle("/services", s.page(s.listServices)).Methods(http.MethodGet, http.MethodHead).Name("services")
	r.Handle("/services/{id}", s.page(s.showService)).Methods(http.MethodGet, http.MethodHead).Name("service")
	r.Handle("/networks", s.page(s.listNetworks)).Methods(http.MethodGet, http.MethodHead).Name("networks")
	r.Handle("/networks/{slug}", s.page(s.showNetwork)).Methods(http.MethodGet, http.MethodHead).Name("network")
	r.Handle("/contacts", s.page(s.listContacts)).Methods(http.MethodGet, http.MethodHead).Name("contacts")
	r.Handle("/contacts/{id}", s.page(s.showContact)).Methods(http.MethodGet, http.MethodHead).Name("contact")

	r.NotFoundHandler = s.page(s.notFound)
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	})
	return r
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready: " + err.Error() + "\n"))
			return
		}
	}
	_, _ = w.Write([]byte("ready\n"))
}
