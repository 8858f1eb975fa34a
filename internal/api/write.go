package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// The write side of listings (services and contact persons): one set of
// handlers for every listing kind, driven by a small spec per kind. The
// handlers parse and render; every rule (who may write what, versions,
// validation) is the use case's (services.Listings).

// listing is what the API needs of one listing kind.
type listing[T any] struct {
	uc   *services.Listings[T]
	path string // the resources' path, "/api/v1/services/"
	// view is x as the caller may see it.
	view func(x T, u *users.User) any
}

func (l *listing[T]) meta(x *T) services.Meta { _, m := l.uc.Fields(x); return *m }

// get answers GET {path}{id}.
func (l *listing[T]) get(w http.ResponseWriter, r *http.Request) error {
	id, err := idVar(r, "id")
	if err != nil {
		return err
	}
	if _, err := query(r, "lang"); err != nil {
		return err
	}
	x, err := l.uc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	writeOne(w, l.meta(&x), l.view(x, userOf(r)))
	return nil
}

// create answers POST {path}: 201 with the stored listing, its Location
// and ETag.
func (l *listing[T]) create(w http.ResponseWriter, r *http.Request) error {
	if err := mayWrite(r); err != nil {
		return err
	}
	var x T
	if err := decodeJSON(r, &x); err != nil {
		return err
	}
	id, meta := l.uc.Fields(&x)
	*meta = services.Meta{} // the server's own bookkeeping, whatever the body said
	if err := l.uc.Create(r.Context(), userOf(r), &x); err != nil {
		return err
	}
	writeCreated(w, l.path+*id, meta.Version, l.view(x, userOf(r)))
	return nil
}

// update answers PUT {path}{id}: the whole listing, with If-Match (or its
// version). 409 when stale.
func (l *listing[T]) update(w http.ResponseWriter, r *http.Request) error {
	pathID, err := writeID(r)
	if err != nil {
		return err
	}
	var x T
	if err := decodeJSON(r, &x); err != nil {
		return err
	}
	id, meta := l.uc.Fields(&x)
	if err := pathMatches(id, pathID); err != nil {
		return err
	}
	if meta.Version, err = IfMatch(r, meta.Version); err != nil {
		return err
	}
	if err := l.uc.Save(r.Context(), userOf(r), &x, false); err != nil {
		return err
	}
	writeOne(w, l.meta(&x), l.view(x, userOf(r)))
	return nil
}

// verify answers POST {path}{id}/verify with If-Match: the listing is
// marked still correct.
func (l *listing[T]) verify(w http.ResponseWriter, r *http.Request) error {
	id, err := writeID(r)
	if err != nil {
		return err
	}
	v, err := IfMatch(r, 0)
	if err != nil {
		return err
	}
	x, err := l.uc.Verify(r.Context(), userOf(r), id, v)
	if err != nil {
		return err
	}
	writeOne(w, l.meta(&x), l.view(x, userOf(r)))
	return nil
}

// archive answers DELETE {path}{id}: the listing is archived (restorable
// by an admin), 204. Without If-Match it is archived at whatever version
// is stored.
func (l *listing[T]) archive(w http.ResponseWriter, r *http.Request) error {
	id, err := writeID(r)
	if err != nil {
		return err
	}
	var v int
	if r.Header.Get("If-Match") == "" {
		x, err := l.uc.Get(r.Context(), id)
		if err != nil {
			return err
		}
		v = l.meta(&x).Version
	} else if v, err = IfMatch(r, 0); err != nil {
		return err
	}
	if _, err := l.uc.Archive(r.Context(), userOf(r), id, v); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// decodeJSON reads one JSON object from the body into v: the body must be
// JSON (by Content-Type), no larger than the server's limit, with no
// unknown fields and nothing after the object.
func decodeJSON(r *http.Request, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return apperr.Keyed(apperr.Invalid, "err.json_type", "send the body as JSON (Content-Type: application/json)")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyError(err)
	}
	if bytes.Contains(body, []byte(`\u0000`)) {
		if field := nulField(body); field != "" {
			return apperr.NUL(field)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return bodyError(err)
		}
		return apperr.Keyed(apperr.Invalid, "err.json", "malformed JSON: more than one value in the body")
	}
	return nil
}

func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apperr.Keyed(apperr.TooLarge, "err.too_large", "the request body is too large (at most %d bytes)", mbe.Limit)
	}
	if errors.Is(err, io.EOF) {
		return apperr.Keyed(apperr.Invalid, "err.json", "malformed JSON: the body is empty")
	}
	return &apperr.Error{Code: apperr.Invalid, Key: "err.json", Message: "malformed JSON: " + strings.TrimPrefix(err.Error(), "json: "), Err: err}
}

// IfMatch returns the version an update names: the If-Match header (the
// ETag of a GET, a quoted version number) or else the body's version.
// PreconditionRequired (428) when neither is given; Invalid when the
// header is not an ETag of ours or disagrees with the body.
func IfMatch(r *http.Request, bodyVersion int) (int, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		if bodyVersion > 0 {
			return bodyVersion, nil
		}
		return 0, apperr.Keyed(apperr.PreconditionRequired, "err.if_match",
			"name the version you read: send If-Match with the ETag (or the version field)")
	}
	// A resolved pathway's ETag is its version and a hash of what was
	// resolved ("3-…"): its version is what a write names.
	tag, _, _ := strings.Cut(strings.Trim(h, `"`), "-")
	n, err := strconv.Atoi(tag)
	if err != nil || n <= 0 || strings.HasPrefix(h, "W/") {
		return 0, apperr.Keyed(apperr.Invalid, "err.if_match_bad", "If-Match must be the ETag of the resource, such as \"3\"")
	}
	if bodyVersion > 0 && bodyVersion != n {
		return 0, apperr.Keyed(apperr.Invalid, "err.if_match_bad", "If-Match (%d) and version (%d) disagree", n, bodyVersion)
	}
	return n, nil
}

// writeCreated answers 201 with v, its Location and its version as ETag.
func writeCreated(w http.ResponseWriter, location string, version int, v any) {
	w.Header().Set("Location", location)
	w.Header().Set("ETag", strconv.Quote(strconv.Itoa(version)))
	writeJSON(w, http.StatusCreated, v)
}

func userOf(r *http.Request) *users.User { return auth.IdentityFrom(r.Context()).User }

// mayWrite answers 401/403 before the body is read, for anyone who may
// edit nothing at all.
func mayWrite(r *http.Request) error {
	_, _, err := auth.Scope(userOf(r), auth.Edit)
	return err
}

// writeID returns the id of the listing a write is to, after the write
// checks that need no body.
func writeID(r *http.Request) (string, error) {
	id, err := idVar(r, "id")
	if err != nil {
		return "", err
	}
	return id, mayWrite(r)
}

// pathMatches fills a body's empty id from the path and refuses another.
func pathMatches(id *string, path string) error {
	if *id == "" {
		*id = path
		return nil
	}
	if *id != path {
		var fs apperr.Fields
		fs.Add("id", "err.id_mismatch", "must match the id in the address (%s)", path)
		return fs.Err()
	}
	return nil
}

// nulField is the path ("name.fi", "phones[0].number") of the first key
// or string in a JSON body that holds U+0000; "" when none does or the
// body is not JSON (then decoding says what is wrong).
func nulField(body []byte) string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	var walk func(path string, v any) string
	walk = func(path string, v any) string {
		switch x := v.(type) {
		case string:
			if strings.IndexByte(x, 0) >= 0 {
				return path
			}
		case []any:
			for i, e := range x {
				if p := walk(fmt.Sprintf("%s[%d]", path, i), e); p != "" {
					return p
				}
			}
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				p := k
				if path != "" {
					p = path + "." + k
				}
				if strings.IndexByte(k, 0) >= 0 {
					return strings.ReplaceAll(p, "\x00", `\x00`)
				}
				if p := walk(p, x[k]); p != "" {
					return p
				}
			}
		}
		return ""
	}
	return walk("", v)
}
