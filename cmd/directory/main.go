// Command directory runs the SeriE referral and care-pathway directory:
// the web server and its maintenance subcommands. Configuration and wiring
// live here and nowhere else.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

const usage = `usage: directory [command] [flags]

commands:
  serve     migrate, seed an empty database and serve (the default)
  migrate   bring the database schema up to date
  seed      load seed/ (idempotent); --synthetic N adds N generated services
  reindex   rebuild the search index from the database
  import    import ptv: import and sync services from the Suomi.fi service catalogue (PTV)
  export    export hsds: the public directory as Open Referral HSDS 3.0 JSON
  user add  add a user; the password is read from standard input
  token add     make an API token for an integration (printed once)
  token revoke  end an API token at once

Every flag can also be set as an environment variable DIRECTORY_<FLAG>
(for example --db as DIRECTORY_DB). Run "directory COMMAND -h" for flags.
`

// Run runs the command line args and returns the exit code. Tests call it
// with their own streams and environment.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, args, stdout, stderr, getenv)
	case "migrate":
		err = cmdMigrate(ctx, args, stdout, stderr, getenv)
	case "seed":
		err = cmdSeed(ctx, args, stdout, stderr, getenv)
	case "reindex":
		err = cmdReindex(ctx, args, stdout, stderr, getenv)
	case "import":
		err = cmdImport(ctx, args, stdout, stderr, getenv)
	case "export":
		err = cmdExport(ctx, args, stdout, stderr, getenv)
	case "user":
		if len(args) == 0 || args[0] != "add" {
			fmt.Fprintln(stderr, "usage: directory user add --email E --name N --role admin|editor|member [--network SLUG]")
			return 2
		}
		err = cmdUserAdd(ctx, args[1:], stdin, stdout, stderr, getenv)
	case "token":
		sub := ""
		if len(args) > 0 {
			sub = args[0]
		}
		switch sub {
		case "add":
			err = cmdTokenAdd(ctx, args[1:], stdout, stderr, getenv)
		case "revoke":
			err = cmdTokenRevoke(ctx, args[1:], stdout, stderr, getenv)
		default:
			fmt.Fprintln(stderr, "usage: directory token add --name N --role editor|admin [--network SLUG]\n       directory token revoke --name N")
			return 2
		}
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "directory: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintf(stderr, "directory %s: %v\n", cmd, err)
		return 1
	}
}

var errUsage = errors.New("usage")
