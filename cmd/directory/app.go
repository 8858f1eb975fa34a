package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/serie-verkosto/directory/internal/app"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/seed"
	"github.com/serie-verkosto/directory/web"
)

// Main is the running program: tests start it on port 0 with a temporary
// data dir and talk to it over HTTP. The object graph is internal/app's.
type Main struct {
	Config   Config
	Log      *slog.Logger
	Out      io.Writer
	DB       *db.DB
	Services *services.Store
	App      *app.App
	Server   *http.Server
	Listener net.Listener
	// Metrics serves /metrics on MetricsListener, when --metrics-addr
	// names one.
	Metrics         *http.Server
	MetricsListener net.Listener
}

// Open connects to the database and migrates it.
func (m *Main) Open(ctx context.Context) error {
	d, err := db.Open(ctx, m.Config.DSN(), db.Synchronous(m.Config.SQLiteSync))
	if err != nil {
		return err
	}
	m.DB = d
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	m.Services = services.NewStore(d)
	return nil
}

// SeedIfEmpty loads the seed data into a database that has none.
func (m *Main) SeedIfEmpty(ctx context.Context) error {
	var n int
	if err := m.DB.GetContext(ctx, &n, `SELECT COUNT(*) FROM municipalities`); err != nil {
		return fmt.Errorf("check for seed data: %w", err)
	}
	if n > 0 {
		return nil
	}
	data, err := seed.Parse(seed.Files)
	if err != nil {
		return err
	}
	r, err := seed.Apply(db.WithActor(ctx, "seed"), m.Services, data, seed.Options{})
	if err != nil {
		return err
	}
	m.Log.Info("seeded an empty database", "result", r.String())
	return nil
}

// IndexDir is where the search index lives.
func (c Config) IndexDir() string { return filepath.Join(c.Data, "index") }

// Build builds the directory over the open database, with its search
// index in dir (rebuilt from the database when missing, corrupt or built
// by another mapping).
func (m *Main) Build(dir string) error {
	dsn := ""
	if m.DB.Dialect == db.Postgres {
		dsn = m.Config.DSN()
	}
	a, err := app.New(m.DB, app.Options{IndexDir: dir, Log: m.Log, DSN: dsn, SearchEngine: m.Config.SearchEngine,
		Web: web.Config{Dev: m.Config.Dev, SecureCookies: m.Config.TLSProxy, QuickExit: m.Config.QuickExit,
			// Without a listener of their own, the metrics answer on the
			// public one to this machine only; behind a proxy not at all.
			MetricsOnMain: m.Config.MetricsAddr == "" && !m.Config.TLSProxy}})
	if err != nil {
		return err
	}
	m.App, m.Services = a, a.Services
	return nil
}

// Listen binds the address and builds the HTTP server.
func (m *Main) Listen() error {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.Listener = ln
	if m.Config.MetricsAddr != "" {
		mln, err := net.Listen("tcp", m.Config.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen for metrics on %s: %w", m.Config.MetricsAddr, err)
		}
		m.MetricsListener = mln
		m.Metrics = &http.Server{Handler: m.App.MetricsHandler(), ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second,
			ErrorLog: slog.NewLogLogger(addrlessHandler{m.Log.Handler()}, slog.LevelDebug)}
	}
	m.Server = &http.Server{
		Handler:           m.App.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		// net/http's own log lines (TLS handshake errors and the like)
		// carry client addresses; they go to the logger at debug level
		// with the address left out.
		ErrorLog: slog.NewLogLogger(addrlessHandler{m.Log.Handler()}, slog.LevelDebug),
	}
	return nil
}

// Serve serves until ctx is cancelled, then shuts down gracefully.
func (m *Main) Serve(ctx context.Context) error {
	errc := make(chan error, 2)
	go func() { errc <- m.Server.Serve(m.Listener) }()
	m.Log.Info("serving", "addr", m.Listener.Addr().String(), "db", m.DB.Where)
	if m.Metrics != nil {
		go func() { errc <- m.Metrics.Serve(m.MetricsListener) }()
		m.Log.Info("serving metrics", "addr", m.MetricsListener.Addr().String())
		defer m.Metrics.Close()
	}
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	m.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return m.Server.Shutdown(sctx)
}

// Close releases the index and the database.
func (m *Main) Close() error {
	if m.App != nil {
		m.App.Close()
		m.App = nil
	}
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}
