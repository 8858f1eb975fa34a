package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/corrections"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/tokens"
)

// The history of a listing: every audit-log entry with who, when and a
// field-level diff of before and after; an admin can restore the listing
// as any entry left it (itself a recorded change).

// HistoryView is a listing's history page.
type HistoryView struct {
	*Base
	Kind, ID, Name string
	BackURL        string // the listing's page
	Version        int
	Entries        []HistoryEntry
	CanRestore     bool
}

// HistoryEntry is one change.
type HistoryEntry struct {
	AuditID    int64
	At         time.Time
	Who        string
	Action     string
	Changes    []Change
	Restorable bool
}

// Change is one field's before and after.
type Change struct {
	Label, Before, After string
}

// termFields are fields whose values are vocabulary terms.
var termFields = map[string]string{
	"target_groups": services.VocabClientSituation, "service_types": services.VocabServiceType,
	"delivery_modes": services.VocabDeliveryMode, "profession": services.VocabProfession,
	"duty": services.VocabReportingDuty,
}

// valueText shows a stored JSON value of field as text: localized texts
// by language, lists joined, terms by their names, dates as dates.
func (b *Base) valueText(field string, raw json.RawMessage) string {
	if len(raw) == 0 {
		return "—"
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return string(raw)
	}
	s := b.anyText(field, v)
	if s == "" {
		return "—"
	}
	return s
}

func (b *Base) anyText(field string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return b.T("yes")
		}
		return b.T("no")
	case json.Number:
		return x.String()
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return b.Date(&t)
		}
		if vocab, ok := termFields[field]; ok {
			return b.Term(vocab, x)
		}
		return x
	case []any:
		parts := make([]string, 0, len(x))
		for _, item := range x {
			if s := b.anyText(field, item); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		keys := make([]string, 0, len(x))
		texts := true
		for k := range x {
			keys = append(keys, k)
			texts = texts && l10n.Supported(k)
		}
		if texts {
			var parts []string
			for _, l := range l10n.Languages {
				if s := b.anyText(field, x[l]); s != "" {
					parts = append(parts, strings.ToUpper(l)+": "+s)
				}
			}
			return strings.Join(parts, " | ")
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			if s := b.anyText(k, x[k]); s != "" {
				parts = append(parts, k+": "+s)
			}
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// diff lists the fields that differ between two stored versions.
func (b *Base) diff(entity string, before, after json.RawMessage) []Change {
	var bm, am map[string]json.RawMessage
	_ = json.Unmarshal(before, &bm)
	_ = json.Unmarshal(after, &am)
	keys := jsonKeys(after)
	for _, k := range jsonKeys(before) {
		if _, ok := am[k]; !ok {
			keys = append(keys, k)
		}
	}
	k := newKit(b, entity, nil, nil)
	var out []Change
	for _, key := range keys {
		if metaKeys[key] || sameJSON(bm[key], am[key]) {
			continue
		}
		switch {
		case entity == pathways.EntityPathway && key == "steps":
			out = append(out, b.stepChanges(bm[key], am[key])...)
		case entity == pathways.EntityPathway:
			out = append(out, Change{Label: b.pathwayLabel(key), Before: b.valueText(key, bm[key]), After: b.valueText(key, am[key])})
		default:
			out = append(out, Change{Label: k.label(key), Before: b.valueText(key, bm[key]), After: b.valueText(key, am[key])})
		}
	}
	return out
}

// stepChanges lists a pathway's changed steps one by one, matched by id:
// a whole pathway's steps in one cell would hide what changed.
func (b *Base) stepChanges(before, after json.RawMessage) []Change {
	type step struct {
		n   int
		raw json.RawMessage
	}
	index := func(raw json.RawMessage) (map[string]step, []string) {
		var list []json.RawMessage
		_ = json.Unmarshal(raw, &list)
		m, order := map[string]step{}, []string{}
		for i, s := range list {
			var x struct{ ID string }
			_ = json.Unmarshal(s, &x)
			m[x.ID] = step{i, s}
			order = append(order, x.ID)
		}
		return m, order
	}
	bm, border := index(before)
	am, order := index(after)
	for _, id := range border {
		if _, ok := am[id]; !ok {
			order = append(order, id)
		}
	}
	var out []Change
	for _, id := range order {
		x, y := bm[id], am[id]
		if sameJSON(x.raw, y.raw) {
			continue
		}
		n := y.n
		if y.raw == nil {
			n = x.n
		}
		out = append(out, Change{Label: b.T("pathway.edit.err_step", n+1, id), Before: b.valueText("step", x.raw), After: b.valueText("step", y.raw)})
	}
	return out
}

// actorName shows who made a change: a user's name, or what a system
// actor is.
func (s *Server) actorName(ctx context.Context, b *Base, actor string, cache map[string]string) string {
	if n, ok := cache[actor]; ok {
		return n
	}
	name := actor
	switch {
	case actor == "seed" || actor == "system" || actor == corrections.Anonymous:
		name = b.T("history.actor." + actor)
	case strings.HasPrefix(actor, tokens.ActorPrefix):
		name = b.T("history.actor.token", strings.TrimPrefix(actor, tokens.ActorPrefix))
	default:
		if s.cfg.Users != nil {
			if u, err := s.cfg.Users.ByID(ctx, actor); err == nil {
				name = u.Name
			}
		}
	}
	cache[actor] = name
	return name
}

// historyPage fills in and renders v, the history of the listing it
// names, whose rights the caller has checked.
func (s *Server) historyPage(w http.ResponseWriter, r *http.Request, b *Base, v *HistoryView) error {
	hist, err := s.store.DB().History(r.Context(), v.Kind, v.ID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for i, e := range hist {
		he := HistoryEntry{AuditID: e.ID, At: e.At, Who: s.actorName(r.Context(), b, e.Actor, names),
			Action: b.actionText(e.Action), Changes: b.diff(v.Kind, redactVersion(b, v.Kind, e.Before), redactVersion(b, v.Kind, e.After))}
		// The newest entry is the current version.
		he.Restorable = i > 0 && len(e.After) > 0 && string(e.After) != "null"
		v.Entries = append(v.Entries, he)
	}
	if v.BackURL == "" {
		v.BackURL = b.URL(v.Kind, "id", v.ID)
	}
	b.Title = b.T("history.title", v.Name)
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "history", v)
}

func (b *Base) actionText(action string) string {
	if b.s.cat.Has(b.Lang, "history.action."+action) {
		return b.T("history.action." + action)
	}
	return action
}
