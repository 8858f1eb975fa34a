package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/serie-verkosto/directory/internal/db"
)

// Config is every setting of the program; each is a flag and an
// environment variable DIRECTORY_<FLAG>. The README has the table.
type Config struct {
	Data     string // data directory: SQLite file and search index
	DB       string // DSN; empty means the SQLite file in Data
	Addr     string
	LogLevel string
	Dev      bool
	// TLSProxy says the server is reached over TLS through a proxy, so
	// cookies are marked Secure.
	TLSProxy bool
	// QuickExit is where the help-seeker page's quick-exit control leaves
	// for: a neutral site.
	QuickExit string
	// SearchEngine runs the searches: fast or bleve (search.Engines).
	SearchEngine string
	// MetricsAddr is where GET /metrics is served, on a listener of its
	// own; empty: nowhere.
	MetricsAddr string
	// SQLiteSync is the embedded database's durability: full or normal.
	SQLiteSync string
}

// DSN returns the database to open.
func (c Config) DSN() string {
	if c.DB != "" {
		return c.DB
	}
	return filepath.Join(c.Data, "directory.db")
}

// newFlagSet defines the flags every subcommand shares.
func newFlagSet(name string, c *Config, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Data, "data", "./data", "data `dir`: the SQLite file and the search index")
	fs.StringVar(&c.DB, "db", "", "database `DSN`: postgres://... for PostgreSQL (default: directory.db in the data dir)")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.StringVar(&c.SQLiteSync, "sqlite-sync", db.SyncFull, "SQLite durability `mode`: full (a commit waits for the disk) or normal (faster; a power loss may lose the last writes)")
	return fs
}

// parse parses args, then fills every flag not given on the command line
// from its environment variable, so that flags win over the environment.
func parse(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	pos, err := parseArgs(fs, args, getenv)
	if err == nil && len(pos) > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments: %s\n", strings.Join(pos, " "))
		return errUsage
	}
	return err
}

// parseArgs is parse for a command that takes arguments besides its
// flags, before, between or after them: it returns them.
func parseArgs(fs *flag.FlagSet, args []string, getenv func(string) string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		env := EnvName(f.Name)
		if v := getenv(env); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %w", env, v, e)
			}
		}
	})
	return pos, err
}

// EnvName is the environment variable of a flag: --log-level is
// DIRECTORY_LOG_LEVEL.
func EnvName(flagName string) string {
	return "DIRECTORY_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
