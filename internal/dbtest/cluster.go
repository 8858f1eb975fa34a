package dbtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// A Cluster is a PostgreSQL server of a test's own, made with initdb in a
// temporary directory and listening on a free loopback port, so that the
// test may stop and start it (an outage) without disturbing the shared
// server. It is stopped when the test ends.
type Cluster struct {
	// DSN reaches the cluster's postgres database as its superuser.
	DSN string

	dir, bin, port string
	runAs          string // the account the server runs as, when the test is root
}

// NewCluster makes and starts a throwaway cluster. Without PostgreSQL's
// server programs (initdb, pg_ctl) the test is skipped, unless
// DIRECTORY_TEST_POSTGRES is set, as in CI: then it fails.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	bin, err := serverBin()
	if err != nil {
		if os.Getenv(PostgresEnv) != "" {
			t.Fatalf("a throwaway PostgreSQL cluster: %v", err)
		}
		t.Skipf("a throwaway PostgreSQL cluster: %v", err)
	}
	c := &Cluster{dir: t.TempDir(), bin: bin}
	// The server refuses to run as root; a test run as root (CI in a
	// container) hands the directory to the postgres account.
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, and no postgres account to run the server as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.runAs = "postgres"
		// TempDir's parents are root's; the server needs to reach its own.
		c.dir = filepath.Join(c.dir, "pg")
		if err := os.Mkdir(c.dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{c.dir, filepath.Dir(c.dir), filepath.Dir(filepath.Dir(c.dir))} {
			_ = os.Chmod(d, 0o755)
		}
		if err := os.Chown(c.dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		_ = os.Chmod(c.dir, 0o700)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.port = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	data := filepath.Join(c.dir, "data")
	if out, err := c.command("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--no-locale").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.DSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%s/postgres?sslmode=disable", c.port)
	c.Start(t)
	t.Cleanup(func() { _ = c.pgctl("stop", "-m", "immediate") })
	return c
}

// serverBin finds the directory of initdb and pg_ctl: on PATH, or in
// Debian's versioned directory.
func serverBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		return "", fmt.Errorf("initdb not found on PATH nor in /usr/lib/postgresql")
	}
	return filepath.Dir(matches[len(matches)-1]), nil
}

func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	prog := filepath.Join(c.bin, name)
	if c.runAs != "" {
		return exec.Command("runuser", append([]string{"-u", c.runAs, "--", prog}, args...)...)
	}
	return exec.Command(prog, args...)
}

func (c *Cluster) pgctl(args ...string) error {
	data := filepath.Join(c.dir, "data")
	all := append([]string{"-D", data, "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60"}, args...)
	if out, err := c.command("pg_ctl", all...).CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl %v: %v\n%s", args, err, out)
	}
	return nil
}

// Start starts the server and waits until it answers.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	// Loopback only, its socket in its own directory, and no waiting for
	// the disk (the cluster is thrown away; the machine does not crash in
	// a test). A commit is still written out before it is acknowledged,
	// so that an immediate stop, a crash of the server, loses nothing.
	opts := fmt.Sprintf("-p %s -c listen_addresses=127.0.0.1 -k %s -c fsync=off -c full_page_writes=off", c.port, c.dir)
	if err := c.pgctl("start", "-o", opts); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		d, err := sqlx.Open("postgres", c.DSN)
		if err == nil {
			err = d.PingContext(ctx)
			d.Close()
		}
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("cluster did not answer: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop stops the server at once, as a crash or a network cut would look
// to its clients: connections are dropped, new ones refused.
func (c *Cluster) Stop(t testing.TB) {
	t.Helper()
	if err := c.pgctl("stop", "-m", "immediate"); err != nil {
		t.Fatal(err)
	}
}
