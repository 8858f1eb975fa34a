package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/services"
)

// The catalogue's changes to fields an editor overrode, on the editor's
// dashboard: "the catalogue changed this: accept or keep yours", with both
// values. The decision is the services store's ResolveSourceChange.

// SourceChangeRow is one waiting change.
type SourceChangeRow struct {
	ID, Name, Field string
	Version         int
	Yours, Theirs   string
	At              time.Time
}

// sourceChangeRows lists the waiting changes of svcs in lang.
func sourceChangeRows(svcs []services.Service, lang string) []SourceChangeRow {
	var rows []SourceChangeRow
	for _, x := range svcs {
		if len(x.SourceChanges) == 0 {
			continue
		}
		raw, err := json.Marshal(x)
		if err != nil {
			continue
		}
		var cur map[string]json.RawMessage
		if json.Unmarshal(raw, &cur) != nil {
			continue
		}
		name, _ := x.Name.Get(lang)
		for _, c := range x.SourceChanges {
			rows = append(rows, SourceChangeRow{ID: x.ID, Name: name, Field: c.Field, Version: x.Version, At: c.At,
				Yours: displayJSON(cur[c.Field], lang), Theirs: displayJSON(json.RawMessage(c.Value), lang)})
		}
	}
	return rows
}

// displayJSON shows a field's JSON value as text for a person: a text in
// their language, a list joined, the numbers, addresses and links of
// channels; never as markup.
func displayJSON(raw json.RawMessage, lang string) string {
	var t l10n.Text
	if json.Unmarshal(raw, &t) == nil && !t.IsZero() {
		s, _ := t.Get(lang)
		return s
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		var parts []string
		for _, item := range list {
			if p := displayItem(item, lang); p != "" {
				parts = append(parts, p)
			}
		}
		return strings.Join(parts, "; ")
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		return displayItem(raw, lang)
	}
	return strings.TrimSpace(string(raw))
}

// displayItem shows one list item: a string, or the telling parts of a
// phone, link, location or area.
func displayItem(raw json.RawMessage, lang string) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return ""
	}
	var parts []string
	for _, k := range []string{"number", "url", "name", "street", "postal_code", "post_office", "municipalities"} {
		if v, ok := obj[k]; ok {
			if p := displayJSON(v, lang); p != "" {
				parts = append(parts, p)
			}
		}
	}
	if v, ok := obj["national"]; ok && string(v) == "true" {
		parts = append(parts, "national")
	}
	return strings.Join(parts, " ")
}

// resolveSourceChange takes the catalogue's value or keeps the editor's.
func (s *Server) resolveSourceChange(w http.ResponseWriter, r *http.Request, b *Base) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	var accept bool
	switch r.PostForm.Get("choice") {
	case "accept":
		accept = true
	case "keep":
	default:
		return apperr.Keyed(apperr.Invalid, "err.bad_choice", "choice must be accept or keep")
	}
	if _, err := s.store.ResolveSourceChange(r.Context(), b.User, id, versionOf(r), r.PostForm.Get("field"), accept); err != nil {
		return err
	}
	return redirect(w, r, safeNext(r.PostForm.Get("next"), b.URL("dashboard")))
}
