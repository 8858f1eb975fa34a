package main

import (
	"context"
	"fmt"
	"io"

	"github.com/serie-verkosto/directory/internal/tokens"
	"github.com/serie-verkosto/directory/internal/users"
)

// cliActor is the audit log's actor of what the operator does on the
// command line.
var cliActor = users.System("cli")

func cmdTokenAdd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var (
		c        Config
		t        tokens.Token
		networks stringList
	)
	fs := newFlagSet("token add", &c, stderr)
	fs.StringVar(&t.Name, "name", "", "the token's `name`: the integration, as the audit log names its writes")
	fs.StringVar(&t.Role, "role", "", "`role`: editor (the networks' listings) or admin")
	fs.Var(&networks, "network", "network `slug` an editor token may edit (repeat or comma-separate)")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	t.Networks = networks
	m, err := openSeeded(ctx, c, stdout, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	secret, err := tokens.NewStore(m.DB).Add(ctx, cliActor, &t)
	if err != nil {
		return err
	}
	// The secret alone on standard output, for a script to capture; what
	// it is on standard error.
	fmt.Fprintf(stderr, "token %q (%s", t.Name, t.Role)
	if len(t.Networks) > 0 {
		fmt.Fprintf(stderr, ", %s", networks.String())
	}
	fmt.Fprintln(stderr, ") added; it is shown once, now. Send it as \"Authorization: Bearer <token>\".")
	fmt.Fprintln(stdout, secret)
	return nil
}

func cmdTokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var (
		c    Config
		name string
	)
	fs := newFlagSet("token revoke", &c, stderr)
	fs.StringVar(&name, "name", "", "the token's `name`")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	m, err := open(ctx, c, stdout, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := tokens.NewStore(m.DB).Revoke(ctx, cliActor, name); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "token %q revoked\n", name)
	return nil
}
