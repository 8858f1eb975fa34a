package db

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// ScanJSON decodes a JSON column into dst. NULL and empty text leave dst
// untouched, so a zero value stays zero.
func ScanJSON(src any, dst any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("json column: unexpected %T", src)
	}
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return fmt.Errorf("json column: %w", err)
	}
	return nil
}

// ValueJSON encodes v for a JSON column. It is stored as text in both
// dialects so that the schema needs no JSON type.
func ValueJSON(v any) (driver.Value, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func marshalOrNull(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return string(b), nil
}

// List is a slice stored as one JSON array column.
type List[T any] []T

// Scan implements sql.Scanner.
func (l *List[T]) Scan(src any) error { return ScanJSON(src, l) }

// Value implements driver.Valuer; nil is stored as an empty array.
func (l List[T]) Value() (driver.Value, error) {
	if l == nil {
		return "[]", nil
	}
	return ValueJSON([]T(l))
}

// Ref is an optional reference to another row's id: empty in Go, NULL in
// the database, so that foreign keys hold.
type Ref string

// Scan implements sql.Scanner.
func (r *Ref) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*r = ""
	case string:
		*r = Ref(v)
	case []byte:
		*r = Ref(v)
	default:
		return fmt.Errorf("ref column: unexpected %T", src)
	}
	return nil
}

// Value implements driver.Valuer.
func (r Ref) Value() (driver.Value, error) {
	if r == "" {
		return nil, nil
	}
	return string(r), nil
}

// MarshalJSON writes a nil list as [] so that stored and fresh listings
// look the same to API clients.
func (l List[T]) MarshalJSON() ([]byte, error) {
	if l == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]T(l))
}

// CompactJSON is raw without insignificant space, for comparing JSON
// values; a missing value is null, and raw that is not JSON is itself.
func CompactJSON(raw []byte) []byte {
	if len(raw) == 0 {
		return []byte("null")
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}
