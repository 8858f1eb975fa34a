// Package web is the directory's HTML interface and HTTP plumbing: routes,
// middleware, templates and static files (all embedded), and the page
// handlers. Pages are rendered on the server and work without JavaScript.
package web

import (
	"cmp"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync/atomic"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/corrections"
	"github.com/serie-verkosto/directory/internal/labels"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/tokens"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/web/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the web layer needs from the program.
type Config struct {
	Store *services.Store
	Log   *slog.Logger
	// Ready reports whether the database answers and the index has caught
	// up; /readyz answers 503 with its error until then.
	Ready func(ctx context.Context) error
	// ReadyDetail is a line /readyz adds after its state: which Finnish
	// morphology search uses.
	ReadyDetail string
	// Registry collects the HTTP metrics; /metrics serves it.
	Registry *prometheus.Registry
	// Dev re-parses templates on every request.
	Dev bool
	// Index serves /search and /api/v1/search; nil disables search.
	Index *search.Index
	// API is the JSON API, served under /api/v1.
	API API
	// HSDS is the Open Referral HSDS 3.0 read API, served under /hsds/v3;
	// nil serves none.
	HSDS Router
	// Auth, Users, Corrections and Pathways serve accounts, editing,
	// correction reports and care pathways; nil disables them.
	Auth        *auth.Authenticator
	Users       *users.Store
	Corrections *corrections.Store
	Pathways    *pathways.Store
	// Tokens lets integrations write through the API with a bearer
	// token; nil refuses every token.
	Tokens *tokens.Store
	// TokenRate and TokenBurst throttle each token's requests; zero means
	// TokenRate and TokenBurst (the constants).
	TokenRate  rate.Limit
	TokenBurst int
	// SecureCookies marks the session cookie Secure (TLS, or a TLS proxy
	// in front).
	SecureCookies bool
	// QuickExit is the neutral site the help-seeker page's quick exit
	// leaves for; empty means DefaultQuickExit.
	QuickExit string
	// MetricsOnMain serves GET /metrics on the public handler too, to
	// clients on this machine only (the default when no listener of its
	// own is set): never to a visitor, nor through a proxy.
	MetricsOnMain bool
}

// API is the JSON API (internal/api) as the web layer serves it, without
// knowing it.
type API interface {
	// Routes adds the API's named routes to the /api/v1 router.
	Routes(r *mux.Router)
	// WriteError renders an error as the API does, for the server's own
	// refusals on API paths.
	WriteError(w http.ResponseWriter, r *http.Request, err error)
}

// Router is a set of routes served under a path prefix.
type Router interface {
	Routes(r *mux.Router)
}

// DefaultQuickExit is a neutral public site (the Finnish Meteorological
// Institute's weather pages): leaving for it looks like checking the
// weather.
const DefaultQuickExit = "https://www.ilmatieteenlaitos.fi/"

// Server renders pages and serves the API.
type Server struct {
	cfg   Config
	store *services.Store
	log   *slog.Logger
	cat   *i18n.Catalog
	// labels names facet values as the API does.
	labels *labels.Labeler
	// services and contacts are the listing kinds' editing pages.
	services *listingPages[services.Service]
	contacts *listingPages[services.Contact]
	router   *mux.Router
	pages    map[string]*template.Template
	static   map[string]staticFile // by hashed name
	hashed   map[string]string     // plain name -> hashed URL
	metrics  *httpMetrics
	// readiness is the last state /readyz answered, to log its changes.
	readiness atomic.Pointer[string]
	// reports throttles correction reports per client address.
	reports *auth.Limiter
	// tokenUse throttles the requests of each API token, tokenFail the
	// refused tokens per client address.
	tokenUse, tokenFail *auth.Limiter
}

type staticFile struct {
	body  []byte
	ctype string
}

// New parses the templates and catalogues and builds the routes.
func New(cfg Config) (*Server, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	if cfg.Store == nil || cfg.API == nil {
		return nil, errors.New("web: a store and the API are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.QuickExit == "" {
		cfg.QuickExit = DefaultQuickExit
	}
	if u, err := url.Parse(cfg.QuickExit); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("quick-exit URL %q: want an absolute http(s) address", cfg.QuickExit)
	}
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Log, cat: cat, labels: labels.New(cat),
		reports:   newReportLimiter(),
		tokenUse:  auth.NewLimiter(cmp.Or(cfg.TokenRate, TokenRate), cmp.Or(cfg.TokenBurst, TokenBurst), auth.DefaultMaxKeys),
		tokenFail: newTokenFailLimiter(),
		services:  servicePages(cfg.Store), contacts: contactPages(cfg.Store)}
	if err := s.loadStatic(); err != nil {
		return nil, err
	}
	if s.metrics, err = newHTTPMetrics(cfg.Registry); err != nil {
		return nil, err
	}
	s.router = s.routes()
	if s.pages, err = s.parseTemplates(); err != nil {
		return nil, err
	}
	return s, nil
}

// MetricsHandler serves the metrics (GET /metrics) for a listener of its
// own (serve --metrics-addr): they name the Go version and count the
// requests per page (the help page's too), which is not for every visitor
// to read.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{}))
	return mux
}

// localMetrics is GET /metrics on the public handler: for a client on this
// machine that no proxy forwarded, when Config.MetricsOnMain; a 404
// otherwise, as if there were no such page.
func (s *Server) localMetrics(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	forwarded := r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != ""
	if !s.cfg.MetricsOnMain || ip == nil || !ip.IsLoopback() || forwarded {
		s.renderError(w, r, apperr.Keyed(apperr.NotFound, "err.not_found", "not found"))
		return
	}
	s.MetricsHandler().ServeHTTP(w, r)
}

// Handler returns the whole HTTP handler with its middleware.
func (s *Server) Handler() http.Handler {
	var h http.Handler = s.router
	h = s.identify(h)
	h = s.observe(h)
	h = s.limitRequest(h)
	h = crossOriginProtection(h)
	h = s.recoverPanics(h)
	// Outermost, so that even refusals (414, cross-origin 403) carry them.
	return securityHeaders(h)
}

// loadStatic reads the embedded static files and names each by a hash of
// its content, so that they can be cached forever.
func (s *Server) loadStatic() error {
	s.static, s.hashed = map[string]staticFile{}, map[string]string{}
	return fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		ctype := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
			".svg": "image/svg+xml", ".ico": "image/x-icon", ".png": "image/png"}[ext]
		s.static[hashed] = staticFile{body: b, ctype: ctype}
		s.hashed[name] = "/static/" + hashed
		return nil
	})
}

func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := s.static[mux.Vars(r)["name"]]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(f.body)
}

// StaticURL returns the content-hashed URL of a static file.
func (s *Server) StaticURL(name string) string {
	if u, ok := s.hashed[name]; ok {
		return u
	}
	return "/static/missing/" + name
}

// pageNames are the templates that are pages; each is parsed together with
// the layout.
var pageNames = []string{"home", "search", "services", "service", "networks", "network", "contacts", "contact", "error", "help", "apidocs",
	// Accounts, editing, history, dashboard and corrections.
	"login", "sessions", "password", "totp", "users", "user", "user_secret", "tokens", "admin_import", "consultations", "consultation", "edit_service", "edit_contact",
	"history", "dashboard", "report",
	// Care pathways (the handout is one of barePages).
	"pathways", "pathway", "pathway_all", "coverage", "pathway_edit", "pathway_proposal"}

func (s *Server) parseTemplates() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/partials.html", "templates/channels.html", "templates/forms.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		pages[name] = t
	}
	for _, name := range barePages {
		t, err := template.New(name+".html").Funcs(funcs).ParseFS(templateFS, "templates/partials.html", "templates/channels.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}
