package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/services"
)

// The merge view of a stale save. When an editor saves a listing that
// someone else saved after they loaded it, nothing is written. Instead the
// form comes back at the stored version, merged field by field (three
// ways, against the version the editor loaded, found in the audit log):
//
//   - a field only the other person changed takes the stored value;
//   - a field only this editor changed keeps the editor's value;
//   - a field both changed keeps the editor's value and is listed, stored
//     value next to theirs, for the editor to decide.
//
// Saving again writes on top of the stored version; nothing is lost and
// nothing is overwritten without the editor seeing it. When the loaded
// version is not in the log, every differing field is listed as changed
// by both.

// Merge is what a stale save found.
type Merge struct {
	// Conflicts are fields changed by both: stored and submitted value.
	Conflicts []MergeField
	// Taken are fields only the other person changed, now in the form.
	Taken []MergeField
}

// MergeField is one field of the merge view.
type MergeField struct {
	Key, Label, Stored, Mine string
}

// metaKeys are bookkeeping, never merged or diffed.
var metaKeys = map[string]bool{"version": true, "created_at": true, "updated_at": true}

// jsonKeys returns the top-level keys of a JSON object in their order.
func jsonKeys(raw []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		keys = append(keys, fmt.Sprint(t))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}

// sameJSON compares two JSON values; a missing value is null.
func sameJSON(a, b json.RawMessage) bool {
	return bytes.Equal(db.CompactJSON(a), db.CompactJSON(b))
}

// baseVersion returns the listing as it was at version, from the audit
// log, or nil when the log does not have it.
func (s *Server) baseVersion(ctx context.Context, entity, id string, version int) (map[string]json.RawMessage, error) {
	hist, err := s.store.DB().History(ctx, entity, id)
	if err != nil {
		return nil, err
	}
	for _, e := range hist {
		if len(e.After) == 0 {
			continue
		}
		var v struct {
			Version int `json:"version"`
		}
		if json.Unmarshal(e.After, &v) == nil && v.Version == version {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(e.After, &m); err != nil {
				return nil, err
			}
			return m, nil
		}
	}
	return nil, nil
}

// mergeListing merges mine (submitted at readVersion) into theirs (the
// stored listing) and returns the merged listing as JSON with the merge
// view.
func (s *Server) mergeListing(ctx context.Context, b *Base, entity, id string, readVersion int, mine, theirs any) (json.RawMessage, *Merge, error) {
	mineJ, err := json.Marshal(mine)
	if err != nil {
		return nil, nil, err
	}
	theirsJ, err := json.Marshal(theirs)
	if err != nil {
		return nil, nil, err
	}
	base, err := s.baseVersion(ctx, entity, id, readVersion)
	if err != nil {
		return nil, nil, err
	}
	var mm, tm map[string]json.RawMessage
	if err := json.Unmarshal(mineJ, &mm); err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal(theirsJ, &tm); err != nil {
		return nil, nil, err
	}
	// What the viewer may not see stays out of the merge, as out of the
	// form; the save keeps the stored value (services' unseen rule).
	for _, key := range hiddenFrom(b, theirs) {
		delete(mm, key)
		delete(tm, key)
		delete(base, key)
	}
	keys := jsonKeys(theirsJ)
	for _, k := range jsonKeys(mineJ) {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	k := newKit(b, entity, nil, nil)
	merged := map[string]json.RawMessage{}
	for key, v := range tm {
		merged[key] = v
	}
	m := &Merge{}
	for _, key := range keys {
		if metaKeys[key] {
			continue
		}
		mv, tv := mm[key], tm[key]
		if sameJSON(mv, tv) {
			continue
		}
		var bv json.RawMessage
		if base != nil {
			bv = base[key]
		}
		out, taken, conflict := merge3(bv, mv, tv, base != nil)
		setOrDelete(merged, key, out)
		f := MergeField{Key: key, Label: k.label(key), Stored: b.valueText(key, tv), Mine: b.valueText(key, mv)}
		switch {
		case conflict:
			m.Conflicts = append(m.Conflicts, f)
		case taken:
			m.Taken = append(m.Taken, f)
		}
	}
	out, err := json.Marshal(merged)
	return out, m, err
}

// merge3 merges one value three ways: a side that did not change it from
// base gives way to the other; where both changed it, objects (such as a
// text's languages) merge key by key and anything else keeps mine. It
// reports whether any of theirs was taken and whether both changed the
// same part (a conflict). Without a base every difference is a conflict.
func merge3(base, mine, theirs json.RawMessage, haveBase bool) (out json.RawMessage, taken, conflict bool) {
	switch {
	case sameJSON(mine, theirs):
		return mine, false, false
	case haveBase && sameJSON(mine, base):
		return theirs, true, false
	case haveBase && sameJSON(theirs, base):
		return mine, false, false
	}
	mo, mok := object(mine)
	to, tok := object(theirs)
	bo, bok := object(base)
	if !haveBase || !mok || !tok || (!bok && len(base) > 0 && string(base) != "null") {
		return mine, false, true
	}
	keys := append(jsonKeys(theirs), jsonKeys(mine)...)
	res := map[string]json.RawMessage{}
	for _, k := range keys {
		if _, done := res[k]; done {
			continue
		}
		v, tk, cf := merge3(bo[k], mo[k], to[k], true)
		taken, conflict = taken || tk, conflict || cf
		if len(v) > 0 && string(v) != "null" {
			res[k] = v
		} else {
			res[k] = nil
		}
	}
	for k, v := range res {
		if v == nil {
			delete(res, k)
		}
	}
	b, err := json.Marshal(res)
	if err != nil {
		return mine, false, true
	}
	return b, taken, conflict
}

// object decodes a JSON object; false for anything else.
func object(raw json.RawMessage) (map[string]json.RawMessage, bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, false
	}
	return m, true
}

func setOrDelete(m map[string]json.RawMessage, key string, v json.RawMessage) {
	if len(v) == 0 {
		delete(m, key)
		return
	}
	m[key] = v
}

// unmarshalMerged decodes a merged listing.
func unmarshalMerged(raw json.RawMessage, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	return nil
}

// hiddenFrom lists the fields of the listing x that b's viewer may not
// see (a contact's e-mail or phone limited to admins, for an editor):
// they are left out of edit forms, merges and history.
func hiddenFrom(b *Base, x any) []string {
	c, ok := x.(services.Contact)
	if !ok {
		return nil
	}
	shown := c.ForViewer(b.Level())
	var out []string
	if shown.Email != c.Email {
		out = append(out, "email")
	}
	if shown.Phone != c.Phone {
		out = append(out, "phone")
	}
	return out
}

// redactVersion is a stored version (JSON) of a listing of the kind
// entity without the fields b's viewer may not see in it.
func redactVersion(b *Base, entity string, raw json.RawMessage) json.RawMessage {
	if entity != services.EntityContact || len(raw) == 0 || string(raw) == "null" {
		return raw
	}
	var c services.Contact
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &c) != nil || json.Unmarshal(raw, &m) != nil {
		return raw
	}
	hidden := hiddenFrom(b, c)
	if len(hidden) == 0 {
		return raw
	}
	for _, key := range hidden {
		delete(m, key)
	}
	out, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return out
}
