// Package corrections holds reports that a listing is wrong: anyone may
// send one, without an account; it queues on the dashboards of the
// networks the listing belongs to until an editor of one of them (or an
// admin) resolves it. Nothing about the reporter is stored: no account, no
// address, no browser, not even in the audit log.
package corrections

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// EntityCorrection names reports in the audit log.
const EntityCorrection = auth.KindCorrection

// MaxMessageLen is the longest message accepted, in characters.
const MaxMessageLen = 2000

// Anonymous is the audit actor of every new report, whoever sends it, so
// that the log does not tie a logged-in reporter to their report.
const Anonymous = "anonymous"

// Report says that a listing (a service or a contact person) is wrong.
type Report struct {
	ID       string `db:"id" json:"id"`
	Entity   string `db:"entity" json:"entity"`
	EntityID string `db:"entity_id" json:"entity_id"`
	// Networks are the networks the listing belongs to, which the caller
	// computes (auth.ServiceResource, auth.ContactResource); none means
	// only admins see the report.
	Networks   []string   `db:"-" json:"networks"`
	Message    string     `db:"message" json:"message"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	ResolvedAt *time.Time `db:"resolved_at" json:"resolved_at"`
	ResolvedBy db.Ref     `db:"resolved_by" json:"resolved_by,omitempty"`
	Version    int        `db:"version" json:"version"`
}

// Open reports whether the report still waits for an editor.
func (r Report) Open() bool { return r.ResolvedAt == nil }

// Normalize trims the message and orders the networks.
func (r *Report) Normalize() {
	r.Message = strings.TrimSpace(r.Message)
	r.Networks = slices.Compact(slices.Sorted(slices.Values(r.Networks)))
}

// Validate checks a new report: a service or contact, a well-formed id,
// and a message of 1 to MaxMessageLen characters of text.
func (r *Report) Validate() error {
	var fs apperr.Fields
	if r.Entity != services.EntityService && r.Entity != services.EntityContact {
		fs.Add("entity", "err.report_entity", "must be service or contact")
	}
	if !services.ValidID(r.EntityID) {
		fs.Add("entity_id", "err.bad_id", "is not a valid id")
	}
	switch n := utf8.RuneCountInString(r.Message); {
	case !utf8.ValidString(r.Message):
		fs.Add("message", "err.bad_text", "is not valid text")
	case n == 0:
		fs.Add("message", "err.required", "is required")
	case n > MaxMessageLen:
		fs.Add("message", "err.too_long", "is too long (at most %d characters)", MaxMessageLen)
	case strings.ContainsFunc(r.Message, func(c rune) bool { return unicode.IsControl(c) && c != '\n' && c != '\r' && c != '\t' }):
		fs.Add("message", "err.bad_text", "is not valid text")
	}
	for i, n := range r.Networks {
		if !services.ValidID(n) {
			fs.Add(fmt.Sprintf("networks[%d]", i), "err.unknown_network", "unknown network %q", n)
		}
	}
	return fs.Err()
}

// Store loads and saves correction reports.
type Store struct{ db *db.DB }

// NewStore returns a report store over d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "r-" + hex.EncodeToString(b)
}

const reportCols = `id, entity, entity_id, message, created_at, resolved_at, resolved_by, version`

// Create stores a new open report and fills in its id, time and version.
// The caller has loaded the listing (so it exists) and computed its
// networks. Invalid for a bad entity, id, message or network. The audit
// entry's actor is Anonymous whatever ctx says.
func (s *Store) Create(ctx context.Context, r *Report) error {
	x := *r
	x.Normalize()
	if err := x.Validate(); err != nil {
		return err
	}
	x.ID, x.ResolvedAt, x.ResolvedBy = newID(), nil, ""
	err := s.db.InTx(db.WithActor(ctx, Anonymous), func(tx *db.Tx) error {
		x.CreatedAt, x.Version = tx.Now, 1
		if _, err := tx.NamedExecContext(ctx, `INSERT INTO correction_reports (`+reportCols+`)
			VALUES (:id, :entity, :entity_id, :message, :created_at, :resolved_at, :resolved_by, :version)`, x); err != nil {
			return fmt.Errorf("insert report: %w", err)
		}
		for _, n := range x.Networks {
			_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO correction_report_networks (report_id, network_slug) VALUES (?, ?)`), x.ID, n)
			if db.IsForeignKeyViolation(err) {
				return apperr.Keyed(apperr.Invalid, "err.unknown_network", "unknown network %q", n)
			} else if err != nil {
				return fmt.Errorf("report network %s: %w", n, err)
			}
		}
		return tx.Audit(ctx, EntityCorrection, x.ID, "create", nil, x)
	})
	if err == nil {
		*r = x
	}
	return err
}

// queryer is the database or a transaction.
type queryer interface {
	sqlx.QueryerContext
	Rebind(string) string
}

// withNetworks fills in the networks of the reports.
func withNetworks(ctx context.Context, q queryer, list []Report) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]string, len(list))
	for i, r := range list {
		ids[i] = r.ID
	}
	query, args, err := sqlx.In(`SELECT report_id, network_slug FROM correction_report_networks WHERE report_id IN (?) ORDER BY report_id, network_slug`, ids)
	if err != nil {
		return fmt.Errorf("report networks: %w", err)
	}
	var rows []struct {
		ReportID string `db:"report_id"`
		Slug     string `db:"network_slug"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, q.Rebind(query), args...); err != nil {
		return fmt.Errorf("report networks: %w", err)
	}
	byID := map[string][]string{}
	for _, r := range rows {
		byID[r.ReportID] = append(byID[r.ReportID], r.Slug)
	}
	for i := range list {
		list[i].Networks = byID[list[i].ID]
	}
	return nil
}

// Report returns one report with its networks, or NotFound.
func (s *Store) Report(ctx context.Context, id string) (Report, error) {
	var r Report
	if err := s.db.GetContext(ctx, &r, s.db.Rebind(`SELECT `+reportCols+` FROM correction_reports WHERE id = ?`), id); err != nil {
		return r, db.NotFoundIf(err, "report", id)
	}
	list := []Report{r}
	err := withNetworks(ctx, s.db, list)
	return list[0], err
}

// Filter selects open reports. All (for admins) selects every open
// report, also those of no network; otherwise only the reports of one of
// Networks, and none when Networks is empty. Entity and EntityID, when
// set, narrow to one listing's reports.
type Filter struct {
	Networks      []string
	All           bool
	Entity        string
	EntityID      string
	Limit, Offset int
}

// Page sizes of ListOpen.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// ListOpen returns one page of the open reports f selects, oldest first,
// and how many there are in all. Invalid for a bad page.
func (s *Store) ListOpen(ctx context.Context, f Filter) ([]Report, int, error) {
	var fs apperr.Fields
	if f.Limit < 0 || f.Limit > MaxLimit {
		fs.Add("limit", "err.limit", "must be from 1 to %d", MaxLimit)
	}
	if f.Offset < 0 {
		fs.Add("offset", "err.offset", "must not be negative")
	}
	if err := fs.Err(); err != nil {
		return nil, 0, err
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	if !f.All && len(f.Networks) == 0 {
		return []Report{}, 0, nil
	}
	where := []string{"resolved_at IS NULL"}
	var args []any
	if !f.All {
		where = append(where, "id IN (SELECT report_id FROM correction_report_networks WHERE network_slug IN (?))")
		args = append(args, f.Networks)
	}
	if f.Entity != "" {
		where = append(where, "entity = ?")
		args = append(args, f.Entity)
	}
	if f.EntityID != "" {
		where = append(where, "entity_id = ?")
		args = append(args, f.EntityID)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	query, qargs, err := sqlx.In(`SELECT COUNT(*) FROM correction_reports`+cond, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("count reports: %w", err)
	}
	var total int
	if err := s.db.GetContext(ctx, &total, s.db.Rebind(query), qargs...); err != nil {
		return nil, 0, fmt.Errorf("count reports: %w", err)
	}
	query, qargs, err = sqlx.In(`SELECT `+reportCols+` FROM correction_reports`+cond+` ORDER BY created_at, id LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list reports: %w", err)
	}
	list := []Report{}
	if err := s.db.SelectContext(ctx, &list, s.db.Rebind(query), qargs...); err != nil {
		return nil, 0, fmt.Errorf("list reports: %w", err)
	}
	if err := withNetworks(ctx, s.db, list); err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// FilterFor returns the filter of the open reports u may resolve:
// everything for admins, their networks' for editors. Unauthorized or
// Forbidden (from auth.Scope) for anyone else.
func FilterFor(u *users.User) (Filter, error) {
	networks, all, err := auth.Scope(u, auth.ResolveReport)
	if err != nil {
		return Filter{}, err
	}
	return Filter{Networks: networks, All: all}, nil
}

// Resolve marks the report resolved by u, if version is still the stored
// version. NotFound when there is no such report; Forbidden when u may
// not resolve it (another network's report), Unauthorized without u;
// Conflict when the version is stale or the report is already resolved.
func (s *Store) Resolve(ctx context.Context, id string, version int, u *users.User) error {
	if u == nil {
		return auth.Can(nil, auth.ResolveReport, auth.Resource{Kind: EntityCorrection})
	}
	return s.db.InTx(db.WithActor(ctx, u.ID), func(tx *db.Tx) error {
		var before Report
		if err := tx.GetContext(ctx, &before, tx.Rebind(`SELECT `+reportCols+` FROM correction_reports WHERE id = ?`), id); err != nil {
			return db.NotFoundIf(err, "report", id)
		}
		list := []Report{before}
		if err := withNetworks(ctx, tx, list); err != nil {
			return err
		}
		before = list[0]
		if err := auth.Can(u, auth.ResolveReport, auth.Resource{Kind: EntityCorrection, Networks: before.Networks}); err != nil {
			return err
		}
		if !before.Open() {
			return apperr.Keyed(apperr.Conflict, "err.report_resolved", "the report was already resolved")
		}
		after := before
		now := tx.Now
		after.ResolvedAt, after.ResolvedBy, after.Version = &now, db.Ref(u.ID), before.Version+1
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE correction_reports SET resolved_at = ?, resolved_by = ?, version = version + 1
			WHERE id = ? AND version = ? AND resolved_at IS NULL`), now, u.ID, id, version)
		if err != nil {
			return fmt.Errorf("resolve report %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.Conflict("report", id, version)
		}
		return tx.Audit(ctx, EntityCorrection, id, "resolve", before, after)
	})
}
