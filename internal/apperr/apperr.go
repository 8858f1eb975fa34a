// Package apperr holds the directory's one error type. Every layer returns
// *Error (or wraps one with %w) so that the HTTP surfaces can map a code to a
// status in a single table and show the user a message in their language.
package apperr

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// Code classifies an error for the user and for HTTP status mapping.
type Code string

// The codes. Keep in step with the status table below.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	TooLarge     Code = "too_large"
	TooMany      Code = "too_many_requests"
	// PreconditionRequired: an update that names no version (If-Match).
	PreconditionRequired Code = "precondition_required"
	Unavailable          Code = "unavailable"
	Internal             Code = "internal"
)

var statusByCode = map[Code]int{
	Invalid:              http.StatusBadRequest,
	NotFound:             http.StatusNotFound,
	Conflict:             http.StatusConflict,
	Unauthorized:         http.StatusUnauthorized,
	Forbidden:            http.StatusForbidden,
	TooLarge:             http.StatusRequestEntityTooLarge,
	TooMany:              http.StatusTooManyRequests,
	PreconditionRequired: http.StatusPreconditionRequired,
	Unavailable:          http.StatusServiceUnavailable,
	Internal:             http.StatusInternalServerError,
}

// FieldError names one invalid field. Key is a message-catalogue key so the
// web layer can say it in the user's language; Message is the English text
// used by the API and logs. Args fill the catalogue message.
type FieldError struct {
	Field   string `json:"field"`
	Key     string `json:"-"`
	Message string `json:"message"`
	Args    []any  `json:"-"`
}

// Error is the directory's error type.
type Error struct {
	Code    Code
	Message string // safe to show to the user (English); empty means generic
	// Key and Args name the message in the web's catalogues, so that pages
	// can say it in the user's language. Empty Key means a generic text.
	Key    string
	Args   []any
	Fields []FieldError
	Err    error // underlying cause, logged but never shown
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted, user-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Keyed returns an *Error whose message also has a catalogue key; args
// fill both the English format and the catalogue message.
func Keyed(code Code, key, format string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an internal error carrying err, with context for the log.
func Wrap(err error, context string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", context, err)
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the first *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// HTTPStatus maps err to its HTTP status: the one place this is decided.
func HTTPStatus(err error) int {
	if s, ok := statusByCode[CodeOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// PublicMessage is what may be shown to a user: the error's own message, or
// a generic one for internal errors whose detail belongs only in the log.
func PublicMessage(err error) string {
	e := As(err)
	if e == nil || e.Code == Internal {
		return "internal error"
	}
	if e.Message != "" {
		return e.Message
	}
	if len(e.Fields) > 0 {
		parts := make([]string, 0, len(e.Fields))
		for _, f := range e.Fields {
			parts = append(parts, f.Field+": "+f.Message)
		}
		return strings.Join(parts, "; ")
	}
	return strings.ReplaceAll(string(e.Code), "_", " ")
}

// Fields collects field-level validation errors.
type Fields []FieldError

// Add records that field is invalid. key is a catalogue key such as
// "err.required"; msg is the English message.
func (fs *Fields) Add(field, key, msg string, args ...any) {
	*fs = append(*fs, FieldError{Field: field, Key: key, Message: fmt.Sprintf(msg, args...), Args: args})
}

// OneOf records that field is invalid unless value is empty or one of
// allowed, naming the allowed values: a client learns from the error
// what it may send.
func (fs *Fields) OneOf(field, value string, allowed ...string) {
	if value == "" || slices.Contains(allowed, value) {
		return
	}
	fs.Add(field, "err.unknown_value", "unknown value %q; allowed: %s", value, strings.Join(allowed, ", "))
}

// Err returns nil when no field failed, else an Invalid *Error.
func (fs Fields) Err() error {
	if len(fs) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Fields: append([]FieldError(nil), fs...)}
}

// NUL is the Invalid error for an input that holds U+0000: no text of the
// directory may (PostgreSQL refuses it in text, and nobody types it), so
// it is refused where it arrives, naming the field, on either database.
func NUL(field string) error {
	var fs Fields
	fs.Add(field, "err.nul", "must not contain a NUL character (U+0000)")
	return fs.Err()
}

// NULIn returns NUL for the first key or value of vs that holds U+0000,
// in key order; nil when none does.
func NULIn(vs map[string][]string) error {
	for _, k := range slices.Sorted(maps.Keys(vs)) {
		if strings.IndexByte(k, 0) >= 0 {
			return NUL(strings.ReplaceAll(k, "\x00", "\\x00"))
		}
		for _, v := range vs[k] {
			if strings.IndexByte(v, 0) >= 0 {
				return NUL(k)
			}
		}
	}
	return nil
}

// Problems says the faults of an input that was refused whole: their count
// and the first fifty, one a line.
func Problems(lines []string) string {
	const show = 50
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems, nothing written:", len(lines))
	for i, l := range lines {
		if i == show {
			fmt.Fprintf(&b, "\n  … and %d more", len(lines)-show)
			break
		}
		b.WriteString("\n  " + l)
	}
	return b.String()
}
