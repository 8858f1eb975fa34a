package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/serie-verkosto/directory/internal/apperr"
)

// contentSecurityPolicy allows nothing from other origins and no inline
// script or style: the directory uses no third-party assets at all.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		next.ServeHTTP(w, r)
	})
}

// Request limits: the longest query string and form body the directory
// reads. Longer ones are refused before any handler parses them.
const (
	MaxQueryBytes = 4096
	MaxBodyBytes  = 1 << 20
)

// limitRequest refuses an over-long query string, and a path or query
// parameter holding U+0000, with 400 and a clear message, as JSON on the
// API and as a page elsewhere.
func (s *Server) limitRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var err error
		switch {
		case len(r.URL.RawQuery) > MaxQueryBytes:
			err = apperr.Keyed(apperr.Invalid, "err.query_too_long", "the query string is too long (%d bytes, at most %d)", len(r.URL.RawQuery), MaxQueryBytes)
		case strings.IndexByte(r.URL.Path, 0) >= 0:
			err = apperr.NUL("path")
		case strings.Contains(r.URL.RawQuery, "%00"):
			// U+0000 reaches a query only escaped; only then is it parsed
			// here, to name the parameter.
			err = apperr.NULIn(r.URL.Query())
		}
		if err != nil {
			// Keep only the language: the rest is what was refused.
			lang := r.URL.Query().Get("lang")
			r.URL.RawQuery = ""
			if lang != "" {
				r.URL.RawQuery = "lang=" + url.QueryEscape(lang)
			}
			s.refuse(w, r, err)
			return
		}
		limit := int64(MaxBodyBytes)
		if r.URL.Path == "/admin/import" {
			limit = MaxUploadBytes // a spreadsheet
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// refuse answers err before any route has run: as JSON on the API, as a
// page in the user's language elsewhere.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/hsds/") {
		s.cfg.API.WriteError(w, r, err)
		return
	}
	s.renderError(w, r, err)
}

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "directory_http_requests_total", Help: "HTTP requests by route name and status code."},
			[]string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "directory_http_request_duration_seconds", Help: "HTTP request latency by route name.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}},
			[]string{"route"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe records metrics and the access log by route name. It never logs
// the client address or the query string: who searched for what is
// exactly what must not be kept.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := "unmatched"
		var match mux.RouteMatch
		if s.router.Match(r, &match) && match.Route != nil && match.Route.GetName() != "" {
			route = match.Route.GetName()
		}
		d := time.Since(start)
		s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		s.metrics.duration.WithLabelValues(route).Observe(d.Seconds())
		level := slog.LevelDebug
		if sw.status >= 500 && route != "readyz" { // readyz logs its changes itself
			level = slog.LevelWarn
		}
		s.log.Log(r.Context(), level, "request", "method", r.Method, "route", route,
			"status", sw.status, "bytes", sw.bytes, "ms", float64(d.Microseconds())/1000)
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				s.renderError(w, r, apperr.Errorf(apperr.Internal, "panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
