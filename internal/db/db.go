// Package db is the storage plumbing shared by the feature packages: opening
// SQLite or PostgreSQL behind one *sqlx.DB, running the embedded goose
// migrations, and the write transaction that appends to the change log and
// the audit log. Feature packages own their tables and SQL; this package owns
// only change_log and audit_log.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/serie-verkosto/directory/internal/apperr"
)

// Dialect names the SQL flavour behind a DB.
type Dialect string

// The two supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed migrations
var migrations embed.FS

func init() {
	// sqlx does not know modernc's driver name; it uses '?' like sqlite3.
	sqlx.BindDriver("sqlite", sqlx.QUESTION)
}

// DB is the database handle every store shares.
type DB struct {
	*sqlx.DB
	Dialect Dialect
	// Now is the clock; tests replace it. Read once per transaction.
	Now func() time.Time
	// Where is a printable description of the database without secrets.
	Where string
	// Follower, when set, reads the change log: it is woken after every
	// transaction that wrote to the log, and Settle waits for it. A
	// program without a search index (the CLI's seed) has none.
	Follower Follower
}

// Follower reads the change log after commits: the search syncer.
type Follower interface {
	// Wake asks for the new changes to be read soon; it never blocks.
	Wake()
	// WaitFor returns once every change committed before the call has
	// been applied, or with ctx's error.
	WaitFor(ctx context.Context) error
}

// SettleWait bounds how long Settle waits.
const SettleWait = time.Second

// Settle waits until the follower (the search index) shows every change
// committed so far, or SettleWait passes; the index then catches up by
// itself. A person's write calls it after commit, so that they find their
// change in search at once; bulk writers (seed, importers) do not. This is
// the one place a write waits for the index.
func (d *DB) Settle(ctx context.Context) {
	if d.Follower == nil {
		return
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), SettleWait)
	defer cancel()
	_ = d.Follower.WaitFor(wctx) // a timeout is not the writer's failure
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SQLite's durability settings (PRAGMA synchronous).
const (
	// SyncFull, the default, makes a commit wait until it is on the disk:
	// a power loss keeps every acknowledged write.
	SyncFull = "full"
	// SyncNormal commits to the write-ahead log without waiting for the
	// disk: faster, and a power loss (not a crash of the program) may lose
	// the last writes.
	SyncNormal = "normal"
)

// Option changes how Open opens a database.
type Option func(*options)

type options struct{ sqliteSync string }

// Synchronous sets SQLite's durability: SyncFull (also for "") or
// SyncNormal. It does not apply to PostgreSQL, whose server decides.
func Synchronous(mode string) Option { return func(o *options) { o.sqliteSync = mode } }

// Open connects to dsn: a postgres:// URL or a SQLite file path. It pings
// the database so that an unreachable server fails here with one clear line.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if o.sqliteSync == "" {
		o.sqliteSync = SyncFull
	}
	if o.sqliteSync != SyncFull && o.sqliteSync != SyncNormal {
		return nil, fmt.Errorf("sqlite synchronous %q: want full or normal", o.sqliteSync)
	}
	var (
		x     *sqlx.DB
		err   error
		d     = &DB{Now: func() time.Time { return time.Now().UTC() }}
		where string
	)
	if IsPostgres(dsn) {
		where = redact(dsn)
		x, err = sqlx.Open("postgres", dsn)
		d.Dialect = Postgres
	} else {
		where = dsn
		if dir := filepath.Dir(dsn); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("database %s: %w", where, err)
			}
		}
		// WAL lets readers run beside the one writer; immediate transactions
		// take the write lock up front, so two writers queue on busy_timeout
		// instead of failing with SQLITE_BUSY when one upgrades its lock.
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "synchronous("+strings.ToUpper(o.sqliteSync)+")")
		q.Set("_txlock", "immediate")
		x, err = sqlx.Open("sqlite", "file:"+dsn+"?"+q.Encode())
		d.Dialect = SQLite
	}
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", where, err)
	}
	d.DB, d.Where = x, where
	if d.Dialect == SQLite {
		// One connection writes at a time anyway; a small pool keeps reads
		// concurrent without piling up writers on the lock.
		x.SetMaxOpenConns(8)
	} else {
		x.SetMaxOpenConns(20)
	}
	x.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := x.PingContext(pctx); err != nil {
		x.Close()
		return nil, fmt.Errorf("database %s is not reachable: %w", where, err)
	}
	return d, nil
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxx")
		}
	}
	return u.Redacted()
}

func (d *DB) gooseProvider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(d.Dialect))
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	if d.Dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	return goose.NewProvider(dialect, d.DB.DB, sub)
}

// Migrate brings the schema to the newest embedded version. It returns the
// number of migrations applied.
func (d *DB) Migrate(ctx context.Context) (int, error) {
	p, err := d.gooseProvider()
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate %s: %w", d.Where, err)
	}
	return len(res), nil
}

// SchemaVersion returns the schema version the database is at.
func (d *DB) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := d.gooseProvider()
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

type actorKey struct{}

// WithActor returns a context whose writes are recorded as done by actor
// (a user id, or a name such as "seed" for the loader).
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns the actor recorded in ctx, or "system".
func ActorFrom(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	return "system"
}

// Tx is one write transaction. Now is the transaction's single clock
// reading, so every row it writes carries the same time.
type Tx struct {
	*sqlx.Tx
	Dialect Dialect
	Now     time.Time
	Actor   string
	changes int
}

// InTx runs fn in one transaction and commits it when fn returns nil.
func (d *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	x, err := d.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{Tx: x, Dialect: d.Dialect, Now: d.Now().UTC().Truncate(time.Microsecond), Actor: ActorFrom(ctx)}
	if err := fn(tx); err != nil {
		_ = x.Rollback()
		return err
	}
	if err := x.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if tx.changes > 0 && d.Follower != nil {
		d.Follower.Wake()
	}
	return nil
}

// Change operations recorded in the change log.
const (
	OpUpsert = "upsert"
	OpDelete = "delete"
)

// LogChange appends one row to the change log, which the search index
// follows. Every write to an indexed entity calls it in the same transaction.
func (tx *Tx) LogChange(ctx context.Context, entity, id, op string) error {
	_, err := tx.ExecContext(ctx, tx.Rebind(
		`INSERT INTO change_log (entity, entity_id, op, changed_at) VALUES (?, ?, ?, ?)`),
		entity, id, op, tx.Now)
	if err != nil {
		return fmt.Errorf("change log %s %s: %w", entity, id, err)
	}
	tx.changes++
	return nil
}

// Audit appends who changed what to the audit log. before and after are
// marshalled to JSON; nil means the entity did not exist on that side.
func (tx *Tx) Audit(ctx context.Context, entity, id, action string, before, after any) error {
	b, err := marshalOrNull(before)
	if err != nil {
		return err
	}
	a, err := marshalOrNull(after)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, tx.Rebind(
		`INSERT INTO audit_log (at, actor, entity, entity_id, action, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		tx.Now, tx.Actor, entity, id, action, b, a)
	if err != nil {
		return fmt.Errorf("audit log %s %s: %w", entity, id, err)
	}
	return nil
}

// Record writes both the change-log and the audit row of one entity write.
func (tx *Tx) Record(ctx context.Context, entity, id, action string, before, after any) error {
	op := OpUpsert
	if after == nil {
		op = OpDelete
	}
	if err := tx.LogChange(ctx, entity, id, op); err != nil {
		return err
	}
	return tx.Audit(ctx, entity, id, action, before, after)
}

// Entry is one entity write for RecordMany.
type Entry struct {
	Entity, ID, Action string
	Before, After      any
}

type changeRow struct {
	Entity    string    `db:"entity"`
	EntityID  string    `db:"entity_id"`
	Op        string    `db:"op"`
	ChangedAt time.Time `db:"changed_at"`
}

type auditRow struct {
	At       time.Time `db:"at"`
	Actor    string    `db:"actor"`
	Entity   string    `db:"entity"`
	EntityID string    `db:"entity_id"`
	Action   string    `db:"action"`
	Before   any       `db:"before_json"`
	After    any       `db:"after_json"`
}

// RecordMany writes the change-log and audit rows of many writes with
// multi-row inserts: a bulk load costs a few round trips per batch, not
// two per row.
func (tx *Tx) RecordMany(ctx context.Context, entries []Entry) error {
	changes := make([]changeRow, len(entries))
	audits := make([]auditRow, len(entries))
	for i, e := range entries {
		op := OpUpsert
		if e.After == nil {
			op = OpDelete
		}
		changes[i] = changeRow{e.Entity, e.ID, op, tx.Now}
		b, err := marshalOrNull(e.Before)
		if err != nil {
			return err
		}
		a, err := marshalOrNull(e.After)
		if err != nil {
			return err
		}
		audits[i] = auditRow{tx.Now, tx.Actor, e.Entity, e.ID, e.Action, b, a}
	}
	if err := InsertMany(ctx, tx, `INSERT INTO change_log (entity, entity_id, op, changed_at) VALUES (:entity, :entity_id, :op, :changed_at)`, changes, 4); err != nil {
		return fmt.Errorf("change log: %w", err)
	}
	tx.changes += len(changes)
	if err := InsertMany(ctx, tx, `INSERT INTO audit_log (at, actor, entity, entity_id, action, before_json, after_json) VALUES (:at, :actor, :entity, :entity_id, :action, :before_json, :after_json)`, audits, 7); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}

// maxParams keeps a multi-row insert under both databases' limits on bound
// parameters (SQLite 32766, PostgreSQL 65535).
const maxParams = 30000

// InsertMany runs a named INSERT ... VALUES (:a, :b) for all rows, as few
// multi-row statements as the parameter limit allows. cols is the number
// of parameters per row.
func InsertMany[T any](ctx context.Context, tx *Tx, query string, rows []T, cols int) error {
	per := max(1, maxParams/cols)
	for len(rows) > 0 {
		n := min(per, len(rows))
		if _, err := tx.NamedExecContext(ctx, query, rows[:n]); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// IsUniqueViolation reports whether err is a unique or primary-key
// violation, by the driver's error code rather than its text.
func IsUniqueViolation(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKeyViolation reports whether err is a foreign-key violation.
func IsForeignKeyViolation(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// NotFoundIf turns sql.ErrNoRows into a NotFound error naming what was
// missing, and wraps any other error with context.
func NotFoundIf(err error, what, id string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		// The catalogue text is generic: what and id are English and
		// user input, so only the API's message names them.
		return &apperr.Error{Code: apperr.NotFound, Key: "err.not_found", Message: fmt.Sprintf("%s %q not found", what, id)}
	}
	return fmt.Errorf("load %s %s: %w", what, id, err)
}

// Conflict is the error for a stale version: someone saved in between.
func Conflict(what, id string, have int) error {
	return &apperr.Error{Code: apperr.Conflict, Key: "err.conflict",
		Message: fmt.Sprintf("%s %q was changed by someone else (your version %d is stale); reload and merge", what, id, have)}
}

// Optimize refreshes the query planner's statistics after a bulk load, so
// that the indexes on the derived filter tables are used well.
func (d *DB) Optimize(ctx context.Context) error {
	q := `ANALYZE`
	if d.Dialect == SQLite {
		q = `PRAGMA optimize=0x10002`
	}
	if _, err := d.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	return nil
}

// LatestSeq returns the newest change-log sequence number (0 when empty).
func (d *DB) LatestSeq(ctx context.Context) (int64, error) {
	var seq sql.NullInt64
	if err := d.GetContext(ctx, &seq, `SELECT MAX(seq) FROM change_log`); err != nil {
		return 0, fmt.Errorf("latest change: %w", err)
	}
	return seq.Int64, nil
}

// Unreachable reports whether err says the database could not be asked at
// all (closed, refused, reset, shutting down), rather than that a query
// was wrong: such an error is a 503, "try again", never a 500.
func Unreachable(err error) bool {
	if err == nil {
		return false
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01-03: shutdown, crash,
		// cannot connect now.
		return strings.HasPrefix(string(pe.Code), "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) ||
		// database/sql's own error for a closed pool has no variable.
		strings.Contains(err.Error(), "sql: database is closed")
}

// AsUnavailable turns an Unreachable error into apperr's Unavailable
// (503), keeping it as the cause; any other error is returned as it is.
func AsUnavailable(err error) error {
	if !Unreachable(err) || apperr.CodeOf(err) != apperr.Internal {
		return err
	}
	return &apperr.Error{Code: apperr.Unavailable, Key: "err.db_unavailable",
		Message: "the database is not answering; try again in a moment", Err: err}
}
