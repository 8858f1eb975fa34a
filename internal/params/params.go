// Package params reads query strings strictly: a misspelt or repeated
// parameter is an error naming it, instead of being silently ignored. The
// JSON API and the search request use it alike.
package params

import (
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/l10n"
)

// Parse parses a raw query string that may hold only the allowed
// parameters, each at most once. Invalid, naming the parameters, for
// anything else.
func Parse(rawQuery string, allowed ...string) (url.Values, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, apperr.Keyed(apperr.Invalid, "err.bad_query_string", "malformed query string: %v", err)
	}
	var unknown []string
	var fs apperr.Fields
	for k, v := range q {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		} else if len(v) > 1 {
			fs.Add(k, "err.repeated", "is given more than once")
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, apperr.Keyed(apperr.Invalid, "err.unknown_params",
			"unknown parameter(s) %s; allowed: %s", strings.Join(unknown, ", "), strings.Join(allowed, ", "))
	}
	return q, fs.Err()
}

// Page parses limit and offset (0 when absent); their bounds are the
// reader's to check.
func Page(q url.Values) (limit, offset int, err error) {
	var fs apperr.Fields
	num := func(name string) int {
		s := q.Get(name)
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			fs.Add(name, "err.bad_number", "must be a whole number")
		}
		return n
	}
	limit, offset = num("limit"), num("offset")
	return limit, offset, fs.Err()
}

// MaxAge is the highest client age a filter takes.
const MaxAge = 120

// Age parses the optional client age "age": nil when absent; Invalid,
// naming the field, unless a whole number from 0 to MaxAge.
func Age(q url.Values) (*int, error) {
	s := strings.TrimSpace(q.Get("age"))
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > MaxAge {
		var fs apperr.Fields
		fs.Add("age", "err.age", "must be an age from 0 to 120")
		return nil, fs.Err()
	}
	return &n, nil
}

// ClientLang parses the optional client language "client_lang": "" when
// absent; Invalid, naming the field and the allowed values, unless fi, sv
// or en (the languages the directory's texts are in).
func ClientLang(q url.Values) (string, error) {
	s := strings.TrimSpace(q.Get("client_lang"))
	if s == "" || l10n.Supported(s) {
		return s, nil
	}
	var fs apperr.Fields
	fs.Add("client_lang", "err.client_lang", "must be fi, sv or en")
	return "", fs.Err()
}

// Time parses the optional instant param ("modified_after"): zero when
// absent; an RFC 3339 date and time, or a date (midnight UTC); Invalid,
// naming the field, for anything else.
func Time(q url.Values, param string) (time.Time, error) {
	s := strings.TrimSpace(q.Get(param))
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	var fs apperr.Fields
	fs.Add(param, "err.datetime", "must be a date (2026-01-31) or a date and time (2026-01-31T12:00:00Z)")
	return time.Time{}, fs.Err()
}
