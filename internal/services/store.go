package services

import (
	"fmt"
	"slices"
	"strings"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
)

// Store loads and saves listings. Every exported write is one transaction
// that also writes the change log and the audit log.
type Store struct {
	db   *db.DB
	refs refCache

	// Services and Contacts are the listings' read and write paths.
	Services *Listings[Service]
	Contacts *Listings[Contact]
}

// NewStore returns a store over d.
func NewStore(d *db.DB) *Store {
	s := &Store{db: d}
	s.Services = &Listings[Service]{s: s, k: serviceKind}
	s.Contacts = &Listings[Contact]{s: s, k: contactKind}
	return s
}

// DB returns the database the store uses.
func (s *Store) DB() *db.DB { return s.db }

// insertSQL and updateSQL build the statements of a table from one column
// list, so that a column added to the list is written everywhere at once.
func insertSQL(table string, cols []string) string {
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (:%s)", table,
		strings.Join(cols, ", "), strings.Join(cols, ", :"))
}

// updateSQL writes every column but the key and created_at, and bumps the
// version only when the stored version is the one the caller read.
func updateSQL(table, key string, cols []string) string {
	var sets []string
	for _, c := range cols {
		if c == key || c == "created_at" || c == "version" {
			continue
		}
		sets = append(sets, c+" = :"+c)
	}
	return fmt.Sprintf("UPDATE %s SET %s, version = version + 1 WHERE %s = :%s AND version = :version",
		table, strings.Join(sets, ", "), key, key)
}

// paging clamps a requested page to sane bounds.
func paging(limit, offset int) (int, int, error) {
	var fs apperr.Fields
	if limit < 0 || limit > MaxLimit {
		fs.Add("limit", "err.limit", "must be from 1 to %d", MaxLimit)
	}
	if offset < 0 {
		fs.Add("offset", "err.offset", "must not be negative")
	}
	if err := fs.Err(); err != nil {
		return 0, 0, err
	}
	if limit == 0 {
		limit = DefaultLimit
	}
	return limit, offset, nil
}

// Page sizes of list queries.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

func sortName(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

func uniqSorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}
