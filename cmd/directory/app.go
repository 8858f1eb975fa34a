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

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/corrections"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/seed"
	"github.com/serie-verkosto/directory/web"
)

// Main is the running program: tests start it on port 0 with a temporary
// data dir and talk to it over HTTP.
type Main struct {
	Config   Config
	Log      *slog.Logger
	Out      io.Writer
	DB       *db.DB
	Services *services.Store
	Pathways *pathways.Store
	Index    *search.Index
	Syncer   *search.Syncer
	Server   *http.Server
	Listener net.Listener
}

// Open connects to the database and migrates it.
func (m *Main) Open(ctx context.Context) error {
	d, err := db.Open(ctx, m.Config.DSN())
	if err != nil {
		return err
	}
	m.DB = d
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	m.Services = services.NewStore(d)
	m.Pathways = pathways.NewStore(d, m.Services)
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

// OpenIndex opens the search index in dir (rebuilt from the database when
// missing, corrupt or built by another mapping) and prepares its syncer,
// which local writes wake.
func (m *Main) OpenIndex(dir string) error {
	sc, err := seed.SearchConfig(dir)
	if err != nil {
		return err
	}
	ix, rebuilt, err := search.Open(sc)
	if err != nil {
		return err
	}
	if rebuilt {
		m.Log.Info("search index is new or outdated: building it from the database", "dir", dir)
	}
	m.Index = ix
	dsn := ""
	if m.DB.Dialect == db.Postgres {
		dsn = m.Config.DSN()
	}
	m.Syncer = &search.Syncer{Index: ix, DB: m.DB, Store: m.Services, Sources: append(search.ListingSources(m.Services), search.PathwaySource(m.Pathways)),
		Log: m.Log, DSN: dsn}
	m.DB.OnChange = m.Syncer.Wake
	return nil
}

// Ready reports whether the database answers and the index has caught up.
func (m *Main) Ready(ctx context.Context) error {
	if err := m.DB.PingContext(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if m.Syncer != nil {
		return m.Syncer.CaughtUp(ctx)
	}
	return nil
}

// Listen binds the address and builds the HTTP server.
func (m *Main) Listen() error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	au, err := auth.New(m.DB, users.NewStore(m.DB), auth.Options{})
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{Store: m.Services, Log: m.Log, Registry: reg, Dev: m.Config.Dev,
		Ready: m.Ready, Index: m.Index, Syncer: m.Syncer, Auth: au, Users: users.NewStore(m.DB),
		Corrections: corrections.NewStore(m.DB), Pathways: m.Pathways,
		SecureCookies: m.Config.TLSProxy, QuickExit: m.Config.QuickExit})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.Listener = ln
	m.Server = &http.Server{
		Handler:           srv.Handler(),
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
	errc := make(chan error, 1)
	go func() { errc <- m.Server.Serve(m.Listener) }()
	m.Log.Info("serving", "addr", m.Listener.Addr().String(), "db", m.DB.Where)
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
	if m.Index != nil {
		m.Index.Close()
	}
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}
