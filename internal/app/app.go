// Package app builds the directory's object graph in one place: the stores
// over one database, the search index and its syncer, accounts, the JSON
// API and the pages. The program (cmd/directory), the end-to-end and
// browser tests and the benchmarks all build it here, so that they run
// what production runs.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/serie-verkosto/directory/internal/api"
	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/corrections"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/hsds"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/tokens"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/internal/voikko"
	"github.com/serie-verkosto/directory/seed"
	"github.com/serie-verkosto/directory/web"
)

// Options configure the graph. IndexDir and Log are required.
type Options struct {
	// IndexDir is where the search index lives; a missing, corrupt or
	// outdated index there is rebuilt from the database by Sync.
	IndexDir string
	Log      *slog.Logger
	// DSN, for PostgreSQL, is listened on for the NOTIFY wake-ups of
	// other instances' writes; empty for SQLite.
	DSN string
	// Registry collects the metrics; nil makes a new one with the Go and
	// process collectors.
	Registry *prometheus.Registry
	// Web holds the pages' own settings (Dev, SecureCookies, QuickExit);
	// the stores, the index and the API in it are filled in here.
	Web web.Config
	// Auth configures logins and sessions.
	Auth auth.Options
	// SearchEngine runs the searches: search.EngineFast (default) or
	// search.EngineBleve.
	SearchEngine string
}

// App is the directory's object graph.
type App struct {
	DB          *db.DB
	Log         *slog.Logger
	Registry    *prometheus.Registry
	Services    *services.Store
	Pathways    *pathways.Store
	Users       *users.Store
	Corrections *corrections.Store
	Tokens      *tokens.Store
	Auth        *auth.Authenticator
	Index       *search.Index
	Syncer      *search.Syncer
	API         *api.API
	Web         *web.Server
}

// voikkoOnce opens Voikko once per process: the analyser is shared by
// every index the process opens.
var (
	voikkoOnce   sync.Once
	voikkoDetail string
)

// useVoikko gives search Voikko's Finnish morphology where the library
// and its dictionary are installed (DIRECTORY_VOIKKO=off declines it),
// and says once which analysis search uses; the line is also /readyz's
// detail.
func useVoikko(log *slog.Logger) string {
	voikkoOnce.Do(func() {
		if os.Getenv("DIRECTORY_VOIKKO") == "off" {
			voikkoDetail = "search: Finnish morphology from Snowball and the curated compound list (DIRECTORY_VOIKKO=off)"
			log.Info(voikkoDetail)
			return
		}
		a, err := voikko.Open()
		if err != nil {
			voikkoDetail = "search: Finnish morphology from Snowball and the curated compound list; Voikko not available (install libvoikko1 and voikko-fi)"
			log.Warn(voikkoDetail, "err", err)
			return
		}
		search.SetMorphology(a)
		voikkoDetail = "search: Finnish morphology from Voikko"
		log.Info(voikkoDetail)
	})
	return voikkoDetail
}

// New builds the graph over d, a migrated database. The index is opened
// (not yet synced: see Sync) and the syncer made the database's follower,
// so that every write wakes it and a person's write waits for it.
func New(d *db.DB, o Options) (*App, error) {
	if d == nil || o.IndexDir == "" || o.Log == nil {
		return nil, errors.New("app: a database, an index directory and a logger are required")
	}
	a := &App{DB: d, Log: o.Log, Registry: o.Registry}
	if a.Registry == nil {
		a.Registry = prometheus.NewRegistry()
		a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	a.Services = services.NewStore(d)
	a.Pathways = pathways.NewStore(d, a.Services)
	a.Users = users.NewStore(d)
	a.Corrections = corrections.NewStore(d)
	a.Tokens = tokens.NewStore(d)
	var err error
	if a.Auth, err = auth.New(d, a.Users, o.Auth); err != nil {
		return nil, err
	}
	morphology := useVoikko(o.Log)
	sc, err := seed.SearchConfig(o.IndexDir)
	if err != nil {
		return nil, err
	}
	sc.Engine = o.SearchEngine
	ix, rebuilt, err := search.Open(sc)
	if err != nil {
		return nil, err
	}
	if err := a.Registry.Register(ix.Collector()); err != nil {
		ix.Close()
		return nil, fmt.Errorf("search metrics: %w", err)
	}
	if rebuilt {
		level := slog.LevelWarn
		if ix.RebuildReason() == "missing" {
			level = slog.LevelInfo // a first start
		}
		o.Log.Log(context.Background(), level, "search index is new: building it from the database", "dir", o.IndexDir, "reason", ix.RebuildReason())
	}
	a.Index = ix
	a.Syncer = &search.Syncer{Index: ix, DB: d, Store: a.Services, Log: o.Log, DSN: o.DSN,
		Sources: append(search.ListingSources(a.Services), search.PathwaySource(a.Pathways))}
	d.Follower = a.Syncer
	ix.OnDamaged = a.Syncer.Heal
	a.API = api.New(a.Services, ix, a.Pathways, o.Log)
	wc := o.Web
	wc.Store, wc.Log, wc.Registry, wc.Ready = a.Services, o.Log, a.Registry, a.Ready
	wc.ReadyDetail = morphology
	wc.Index, wc.API, wc.Auth, wc.Users, wc.Corrections, wc.Pathways = ix, a.API, a.Auth, a.Users, a.Corrections, a.Pathways
	wc.Tokens = a.Tokens
	wc.HSDS = &hsds.Server{Store: a.Services, Index: ix, API: a.API}
	if a.Web, err = web.New(wc); err != nil {
		ix.Close()
		return nil, err
	}
	return a, nil
}

// Handler is the whole HTTP handler.
func (a *App) Handler() http.Handler { return a.Web.Handler() }

// MetricsHandler serves GET /metrics, for a listener of its own.
func (a *App) MetricsHandler() http.Handler { return a.Web.MetricsHandler() }

// Sync brings the index up to date with the database (a rebuild when it is
// new), telling progress how far a rebuild is; nil is quiet.
func (a *App) Sync(ctx context.Context, progress func(done, total int)) (db.Position, error) {
	return a.Syncer.Sync(ctx, progress)
}

// Run keeps the index following the database, and the database free of
// ended sessions and stale login throttles, until ctx ends.
func (a *App) Run(ctx context.Context) {
	go a.housekeep(ctx, time.Hour)
	a.Syncer.Run(ctx)
}

// housekeep purges what has run out (sessions, login throttles, login
// devices) every interval. Several instances doing so is harmless.
func (a *App) housekeep(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := a.Auth.Purge(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("housekeeping", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Ready reports whether the database answers and the index has caught up.
//
// Its errors are Unavailable, with a message fit for anyone to read
// ("database unreachable", never the database's address); the cause is
// wrapped for the log.
func (a *App) Ready(ctx context.Context) error {
	if err := a.DB.PingContext(ctx); err != nil {
		return &apperr.Error{Code: apperr.Unavailable, Message: "database unreachable", Err: err}
	}
	if err := a.Syncer.CaughtUp(ctx); err != nil {
		msg := "search index not ready"
		if e := apperr.As(err); e != nil && e.Message != "" {
			msg = e.Message
		}
		return &apperr.Error{Code: apperr.Unavailable, Message: msg, Err: err}
	}
	return nil
}

// Close releases the index; the database is the caller's.
func (a *App) Close() error {
	a.DB.Follower = nil
	return a.Index.Close()
}
