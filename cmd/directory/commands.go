package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/seed"
	"github.com/serie-verkosto/directory/web"
)

func open(ctx context.Context, c Config, stdout, stderr io.Writer) (*Main, error) {
	log, err := newLogger(stderr, c.LogLevel)
	if err != nil {
		return nil, err
	}
	m := &Main{Config: c, Log: log, Out: stdout}
	if err := m.Open(ctx); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// openSeeded opens the database and seeds it if it is empty: the server
// and the importers need the reference data (municipalities,
// vocabularies) from the first run on.
func openSeeded(ctx context.Context, c Config, stdout, stderr io.Writer) (*Main, error) {
	m, err := open(ctx, c, stdout, stderr)
	if err != nil {
		return nil, err
	}
	if err := m.SeedIfEmpty(ctx); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var (
		c       Config
		p       ptvFlags
		ptvSync time.Duration
	)
	fs := newFlagSet("serve", &c, stderr)
	p.define(fs)
	fs.DurationVar(&ptvSync, "ptv-sync", 0, "sync the scopes imported with `import ptv` from PTV every `interval` (e.g. 1h; 0: off)")
	fs.StringVar(&c.Addr, "addr", ":8080", "listen `address`")
	fs.BoolVar(&c.Dev, "dev", false, "re-parse templates on every request (development)")
	fs.BoolVar(&c.TLSProxy, "tls-proxy", false, "clients reach the server over TLS through a proxy: mark cookies Secure")
	fs.StringVar(&c.QuickExit, "quick-exit-url", web.DefaultQuickExit, "`URL` the help-seeker page's quick exit leaves for (a neutral site)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics (GET /metrics) on their own listen `address`, e.g. 127.0.0.1:9090 (default: off)")
	fs.StringVar(&c.SearchEngine, "search-engine", search.EngineFast, "search `engine`: fast (our evaluator over Bleve's index) or bleve (Bleve's public API alone)")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	if !slices.Contains(search.Engines, c.SearchEngine) {
		return fmt.Errorf("--search-engine %q: want fast or bleve", c.SearchEngine)
	}
	if ptvSync < 0 {
		return fmt.Errorf("--ptv-sync must not be negative")
	}
	m, err := openSeeded(ctx, c, stdout, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	if m.DB.Dialect == db.SQLite {
		// SQLite's advice for a long-lived connection: refresh the
		// planner's statistics where they are missing or stale (new
		// indexes, bulk loads) once at start. PostgreSQL's autovacuum
		// does this by itself.
		if err := m.DB.Optimize(ctx); err != nil {
			return err
		}
	}
	if err := m.Build(c.IndexDir()); err != nil {
		return err
	}
	syncCtx, stopSync := context.WithCancel(ctx)
	defer stopSync()
	go m.App.Run(syncCtx)
	if ptvSync > 0 {
		go m.syncPTV(syncCtx, p, ptvSync)
	}
	if err := m.Listen(); err != nil {
		return err
	}
	return m.Serve(ctx)
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var c Config
	fs := newFlagSet("migrate", &c, stderr)
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	m, err := open(ctx, c, stdout, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	v, err := m.DB.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s is at schema version %d\n", m.DB.Where, v)
	return nil
}

func cmdSeed(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var (
		c         Config
		synthetic int
		dir       string
		overwrite bool
	)
	fs := newFlagSet("seed", &c, stderr)
	fs.IntVar(&synthetic, "synthetic", 0, "also add `N` generated services (scale tests only)")
	fs.StringVar(&dir, "seed-dir", "", "load seed files from `dir` instead of the ones built in")
	fs.BoolVar(&overwrite, "overwrite", false, "replace stored listings that differ from the seed files")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	if synthetic < 0 {
		return fmt.Errorf("--synthetic must not be negative")
	}
	files := seed.Files
	var data *seed.Data
	var err error
	if dir != "" {
		data, err = seed.Parse(os.DirFS(dir))
	} else {
		data, err = seed.Parse(files)
	}
	if err != nil {
		return err
	}
	m, err := open(ctx, c, stdout, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	ctx = db.WithActor(ctx, "seed")
	r, err := seed.Apply(ctx, m.Services, data, seed.Options{Overwrite: overwrite})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed: %s\n", r)
	if synthetic > 0 {
		start := time.Now()
		if err := seed.AddSynthetic(db.WithActor(ctx, "synthetic"), m.Services, synthetic, 1000, stdout); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "synthetic: added %d services in %s\n", synthetic, time.Since(start).Round(time.Millisecond))
	}
	return m.DB.Optimize(ctx)
}

func cmdReindex(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var c Config
	fs := newFlagSet("reindex", &c, stderr)
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	m, err := open(ctx, c, stdout, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	// Build beside the live index and swap at the end, so that a server
	// running on the old one is never left with half an index; it keeps
	// its open files until it restarts.
	fresh := c.IndexDir() + ".new"
	if err := os.RemoveAll(fresh); err != nil {
		return err
	}
	if err := m.Build(fresh); err != nil {
		return err
	}
	start := time.Now()
	last := time.Time{}
	pos, err := m.App.Sync(ctx, func(done, total int) {
		if time.Since(last) >= time.Second || done == total {
			last = time.Now()
			rate := float64(done) / max(time.Since(start).Seconds(), 0.001)
			fmt.Fprintf(stdout, "reindex: %d/%d documents (%.0f/s)\n", done, total, rate)
		}
	})
	if err != nil {
		return err
	}
	n, _ := m.App.Index.Count()
	err = m.App.Close()
	m.App = nil
	if err != nil {
		return err
	}
	old := c.IndexDir() + ".old"
	_ = os.RemoveAll(old)
	if err := os.Rename(c.IndexDir(), old); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("replace index: %w", err)
	}
	if err := os.Rename(fresh, c.IndexDir()); err != nil {
		return fmt.Errorf("replace index: %w", err)
	}
	_ = os.RemoveAll(old)
	fmt.Fprintf(stdout, "reindex: %d documents in %s, up to change %d; restart a running server to use it\n",
		n, time.Since(start).Round(time.Millisecond), pos.Seq)
	return nil
}

// stringList is a flag that may be repeated or given comma-separated.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func cmdUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	var (
		c        Config
		u        users.User
		networks stringList
	)
	fs := newFlagSet("user add", &c, stderr)
	fs.StringVar(&u.Email, "email", "", "the user's e-mail `address` (their login)")
	fs.StringVar(&u.Name, "name", "", "the user's `name`")
	fs.StringVar(&u.Role, "role", "", "`role`: admin, editor or member")
	fs.Var(&networks, "network", "network `slug` an editor may edit (repeat or comma-separate)")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	u.Networks = networks
	line, err := bufio.NewReader(io.LimitReader(stdin, users.MaxPasswordLen+2)).ReadString('\n')
	if err != nil && err != io.EOF {
		return fmt.Errorf("read password from standard input: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	m, err := open(ctx, c, stdout, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	st := users.NewStore(m.DB)
	if err := st.Create(db.WithActor(ctx, "cli"), &u, password); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s (%s, %s) added\n", u.Email, u.Role, u.ID)
	return nil
}
