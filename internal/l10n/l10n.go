// Package l10n holds text in the directory's three languages and the rules
// for choosing among them.
package l10n

import (
	"database/sql/driver"
	"strings"

	"github.com/serie-verkosto/directory/internal/db"
)

// Languages the directory speaks, Finnish first: it is the default and the
// fallback for content.
var Languages = []string{"fi", "sv", "en"}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Norm returns lang if supported, else "fi".
func Norm(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if Supported(lang) {
		return lang
	}
	return "fi"
}

// Text is one piece of content in Finnish, Swedish and English. It is
// stored as a JSON object in one column.
type Text struct {
	FI string `json:"fi,omitempty" yaml:"fi"`
	SV string `json:"sv,omitempty" yaml:"sv"`
	EN string `json:"en,omitempty" yaml:"en"`
}

// T is shorthand for a Text in all three languages.
func T(fi, sv, en string) Text { return Text{FI: fi, SV: sv, EN: en} }

// In returns the text in lang exactly, possibly empty.
func (t Text) In(lang string) string {
	switch lang {
	case "sv":
		return t.SV
	case "en":
		return t.EN
	default:
		return t.FI
	}
}

// Get returns the text in lang, falling back to Finnish, then Swedish, then
// English. The second result is the language actually returned, so a page
// can mark a fallback visibly.
func (t Text) Get(lang string) (string, string) {
	if s := t.In(lang); s != "" {
		return s, Norm(lang)
	}
	for _, l := range Languages {
		if s := t.In(l); s != "" {
			return s, l
		}
	}
	return "", Norm(lang)
}

// String returns the Finnish text (or its fallback).
func (t Text) String() string { s, _ := t.Get("fi"); return s }

// IsZero reports whether no language has text.
func (t Text) IsZero() bool { return t.FI == "" && t.SV == "" && t.EN == "" }

// Trimmed returns t with surrounding white space removed in every language.
func (t Text) Trimmed() Text {
	return Text{FI: strings.TrimSpace(t.FI), SV: strings.TrimSpace(t.SV), EN: strings.TrimSpace(t.EN)}
}

// All returns the texts of every language joined by newlines (for search
// and comparison).
func (t Text) All() string {
	return strings.TrimSpace(t.FI + "\n" + t.SV + "\n" + t.EN)
}

// MaxLen returns the longest text of any language, in runes.
func (t Text) MaxLen() int {
	n := 0
	for _, l := range Languages {
		if m := len([]rune(t.In(l))); m > n {
			n = m
		}
	}
	return n
}

// Scan implements sql.Scanner.
func (t *Text) Scan(src any) error { return db.ScanJSON(src, t) }

// Value implements driver.Valuer.
func (t Text) Value() (driver.Value, error) { return db.ValueJSON(t) }

// Texts is a list of Text stored as one JSON column.
type Texts []Text

// Scan implements sql.Scanner.
func (t *Texts) Scan(src any) error { return db.ScanJSON(src, t) }

// Value implements driver.Valuer.
func (t Texts) Value() (driver.Value, error) {
	if t == nil {
		return "[]", nil
	}
	return db.ValueJSON(t)
}
