package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"time"

	"github.com/serie-verkosto/directory/internal/csvimport"
	"github.com/serie-verkosto/directory/internal/hsds"
	"github.com/serie-verkosto/directory/internal/ptv"
	"github.com/serie-verkosto/directory/internal/ptv/v11"
	"github.com/serie-verkosto/directory/internal/ptvimport"
	"github.com/serie-verkosto/directory/seed"
)

const importUsage = `usage: directory import ptv [--ptv-url URL] [--municipality CODE|NAME]... [--organization GUID]...
                          [--service-class URI|all]... [--nationwide] [--full]
       directory import hsds FILE|DIR|URL [--dry-run] [--lang fi|sv|en] [--default-area AREA]
       directory import csv FILE [--dry-run]`

// ptvFlags are the settings of the PTV reader, shared by import and serve.
type ptvFlags struct {
	url     string
	seedDir string
}

func (p *ptvFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&p.url, "ptv-url", v11.DefaultBaseURL, "`URL` of the PTV v11 open API")
}

// importer builds the PTV importer over m's store.
func (p *ptvFlags) importer(ctx context.Context, m *Main) (*ptvimport.Importer, error) {
	client, err := v11.New(p.url)
	if err != nil {
		return nil, err
	}
	var files fs.FS = seed.Files
	if p.seedDir != "" {
		files = os.DirFS(p.seedDir)
	}
	return ptvimport.New(ctx, m.Services, m.DB, client, files)
}

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) > 0 && args[0] == "hsds" {
		return cmdImportHSDS(ctx, args[1:], stdout, stderr, getenv)
	}
	if len(args) > 0 && args[0] == "csv" {
		return cmdImportCSV(ctx, args[1:], stdout, stderr, getenv)
	}
	if len(args) == 0 || args[0] != "ptv" {
		fmt.Fprintln(stderr, importUsage)
		return errUsage
	}
	var (
		c    Config
		p    ptvFlags
		opts ptvimport.Options
	)
	fs := newFlagSet("import ptv", &c, stderr)
	p.define(fs)
	fs.StringVar(&p.seedDir, "seed-dir", "", "read the import rules (ptv.yaml) from `dir` instead of the ones built in")
	fs.Var((*stringList)(&opts.Municipalities), "municipality", "import the services of the municipality `CODE|NAME` (repeat or comma-separate)")
	fs.Var((*stringList)(&opts.Organizations), "organization", "import the services of the organization `GUID` (repeat or comma-separate)")
	fs.Var((*stringList)(&opts.ServiceClasses), "service-class", "only PTV service class `URI|CODE`, or all: every service in scope (default: those seed/ptv.yaml matches)")
	fs.BoolVar(&opts.Nationwide, "nationwide", false, "also import the services offered in the whole country")
	fs.BoolVar(&opts.Full, "full", false, "read everything in scope again, not only what changed since the last run")
	if err := parse(fs, args[1:], getenv); err != nil {
		return err
	}
	m, err := openSeeded(ctx, c, stdout, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	im, err := p.importer(ctx, m)
	if err != nil {
		return err
	}
	opts.Progress = progressLine(stdout)
	rep, err := im.Run(ctx, opts)
	if rep.Scope != "" {
		fmt.Fprintln(stdout, rep)
	}
	if err != nil {
		return fmt.Errorf("%w (what was written is consistent; the next run resumes)", err)
	}
	return nil
}

// progressLine prints the read's progress at most once a second.
func progressLine(w io.Writer) func(ptv.Progress) {
	var last time.Time
	return func(p ptv.Progress) {
		if time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		fmt.Fprintf(w, "ptv: %d pages, %d services, %d channels, %d organizations read\n", p.Pages, p.Services, p.Channels, p.Organizations)
	}
}

// syncPTV keeps every scope imported before current, every interval,
// until ctx ends. A failed run is logged and tried again at the next tick.
func (m *Main) syncPTV(ctx context.Context, p ptvFlags, every time.Duration) {
	im, err := p.importer(ctx, m)
	if err != nil {
		m.Log.Error("ptv sync disabled", "err", err)
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		scopes, err := ptvimport.Scopes(ctx, m.DB)
		if err != nil {
			m.Log.Error("ptv sync", "err", err)
		}
		if len(scopes) == 0 && err == nil {
			m.Log.Warn("ptv sync: nothing imported yet; run directory import ptv with a scope first")
		}
		for _, opts := range scopes {
			rep, err := im.Run(ctx, opts)
			if err != nil {
				m.Log.Error("ptv sync failed; the next run resumes", "scope", rep.Scope, "err", err)
				continue
			}
			m.Log.Info("ptv sync", "scope", rep.Scope, "full", rep.Full, "created", rep.Created, "updated", rep.Updated,
				"unchanged", rep.Unchanged, "withdrawn", rep.Ended, "rejected", len(rep.Rejected), "took", rep.Took.Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func cmdImportHSDS(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var (
		c  Config
		im hsds.Import
	)
	fs := newFlagSet("import hsds", &c, stderr)
	fs.BoolVar(&im.DryRun, "dry-run", false, "check everything and report, write nothing")
	fs.StringVar(&im.Lang, "lang", "fi", "the `language` of the texts of documents without the directory's extension: fi, sv or en")
	fs.StringVar(&im.DefaultArea, "default-area", "", "the `area` of services whose service areas name no Finnish place: national, county:SLUG, network:SLUG or municipality:CODE")
	src, err := source(fs, args, getenv, stderr)
	if err != nil {
		return err
	}
	m, err := openSeeded(ctx, c, stdout, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	ds, err := hsds.Read(ctx, src, &http.Client{Timeout: time.Minute})
	if err != nil {
		return err
	}
	im.Store = m.Services
	res, err := im.Run(ctx, ds)
	if err != nil {
		return err
	}
	reportImport(stdout, "hsds", im.DryRun, res)
	return nil
}

// source parses an import's flags and returns its one source argument,
// which may come before, between or after the flags.
func source(fs *flag.FlagSet, args []string, getenv func(string) string, stderr io.Writer) (string, error) {
	pos, err := parseArgs(fs, args, getenv)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, importUsage)
		return "", errUsage
	}
	return pos[0], nil
}

func cmdImportCSV(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var (
		c  Config
		im csvimport.Import
	)
	fs := newFlagSet("import csv", &c, stderr)
	fs.BoolVar(&im.DryRun, "dry-run", false, "check every row and report, write nothing")
	src, err := source(fs, args, getenv, stderr)
	if err != nil {
		return err
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	m, err := openSeeded(ctx, c, stdout, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	im.Store = m.Services
	res, err := im.Run(ctx, f)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	reportImport(stdout, "csv", im.DryRun, res)
	return nil
}

// reportImport says what an import wrote, or would have.
func reportImport(w io.Writer, kind string, dry bool, res fmt.Stringer) {
	verb := "imported"
	if dry {
		verb = "would import (dry run, nothing written)"
	}
	fmt.Fprintf(w, "%s: %s %s\n", kind, verb, res)
}
