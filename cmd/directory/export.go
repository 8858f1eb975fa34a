package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/serie-verkosto/directory/internal/hsds"
)

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "hsds" {
		fmt.Fprintln(stderr, "usage: directory export hsds [--out DIR|-]")
		return errUsage
	}
	var (
		c   Config
		out string
	)
	fs := newFlagSet("export hsds", &c, stderr)
	fs.StringVar(&out, "out", "-", "write the files services.json, organizations.json, taxonomies.json and taxonomy_terms.json into `DIR`, or one JSON object to standard output (-)")
	if err := parse(fs, args[1:], getenv); err != nil {
		return err
	}
	m, err := openSeeded(ctx, c, stdout, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	e := hsds.Export{Store: m.Services}
	start := time.Now()
	var n int
	if out == "-" {
		n, err = e.To(ctx, stdout)
	} else {
		n, err = e.ToDir(ctx, out)
	}
	if err != nil {
		return err
	}
	// The count on standard error: standard output may be the export.
	fmt.Fprintf(stderr, "exported %d services as HSDS %s in %s\n", n, hsds.Version, time.Since(start).Round(time.Millisecond))
	return nil
}
