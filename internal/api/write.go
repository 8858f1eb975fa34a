package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// The write side: creating, updating, verifying, archiving and restoring
// services and contact persons. The exported Save, Verify, SetStatus and
// Restore methods hold the rules every surface obeys (the JSON handlers
// below and the web's forms alike):
//
//   - auth.Can decides, on the stored listing and on the submitted one,
//     so that an editor can neither change another network's listing
//     (also not by guessing its id) nor move theirs out of their network;
//   - un-archiving is restoring (admins only);
//   - an update names the version it read; any other version is a
//     Conflict, checked against the same stored row the decision was made
//     on, and again by the store's UPDATE ... WHERE version = ?;
//   - after a write the caller waits up to a second for the search index,
//     so that the writer sees the change in search at once.

// IndexWait bounds how long a write waits for the search index.
const IndexWait = time.Second

// waitIndexed waits until the index shows every committed change, or
// IndexWait passes (the index then catches up by itself).
func (a *API) waitIndexed(ctx context.Context) {
	if a.Syncer == nil {
		return
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), IndexWait)
	defer cancel()
	if err := a.Syncer.WaitFor(wctx); err != nil && a.Log != nil {
		a.Log.Debug("write: search index not caught up yet", "err", err)
	}
}

// placement turns a refusal to put a listing where it was submitted into
// an error on the field that places it (area or network), so that a form
// can show it there. Other errors pass unchanged.
func placement(err error, field string) error {
	e := apperr.As(err)
	if e == nil || e.Key != auth.KeyForbiddenNetwork {
		return err
	}
	return &apperr.Error{Code: apperr.Forbidden, Key: e.Key, Message: e.Message,
		Fields: []apperr.FieldError{{Field: field, Key: e.Key, Message: e.Message}}}
}

// ServiceResource is the auth.Resource of svc: the networks its area
// belongs to.
func (a *API) ServiceResource(ctx context.Context, svc services.Service) (auth.Resource, error) {
	nets, err := a.Store.Networks(ctx)
	if err != nil {
		return auth.Resource{}, err
	}
	m, err := a.Store.Municipalities(ctx)
	if err != nil {
		return auth.Resource{}, err
	}
	return auth.ServiceResource(svc, nets, m), nil
}

// CanEditService reports whether u may edit the stored service: nil, or
// auth.Can's Unauthorized or Forbidden.
func (a *API) CanEditService(ctx context.Context, u *users.User, svc services.Service) error {
	res, err := a.ServiceResource(ctx, svc)
	if err != nil {
		return err
	}
	return auth.Can(u, auth.Edit, res)
}

// checkNewService validates a submitted service and decides whether u
// may place it where its area says. Validation comes first, so that an
// empty area is reported as such rather than as another network's.
func (a *API) checkNewService(ctx context.Context, u *users.User, svc services.Service) error {
	vocab, err := a.Store.Vocabularies(ctx)
	if err != nil {
		return err
	}
	x := svc
	x.Normalize()
	if err := x.Validate(vocab); err != nil {
		return err
	}
	res, err := a.ServiceResource(ctx, svc)
	if err != nil {
		return err
	}
	return placement(auth.Can(u, auth.Edit, res), "area")
}

// SaveService creates svc (create) or updates it at svc.Version, for u.
// Unauthorized without a user; Forbidden when u may not edit the stored
// service or place the submitted one (a field error on "area"), or
// un-archives without the right to restore; Invalid for bad fields;
// NotFound for an unknown id; Conflict when svc.Version is not the stored
// version, or the id of a new service is taken. On success svc is the
// stored service with its new version.
func (a *API) SaveService(ctx context.Context, u *users.User, svc *services.Service, create bool) error {
	if _, _, err := auth.Scope(u, auth.Edit); err != nil {
		return err
	}
	if create {
		if err := a.checkNewService(ctx, u, *svc); err != nil {
			return err
		}
		if err := a.Store.CreateService(ctx, svc); err != nil {
			return err
		}
		a.waitIndexed(ctx)
		return nil
	}
	before, err := a.Store.Service(ctx, svc.ID)
	if err != nil {
		return err
	}
	if err := a.CanEditService(ctx, u, before); err != nil {
		return err
	}
	if err := a.checkNewService(ctx, u, *svc); err != nil {
		return err
	}
	if before.Status == services.StatusArchived && svc.Status != services.StatusArchived {
		res, err := a.ServiceResource(ctx, before)
		if err != nil {
			return err
		}
		if err := auth.Can(u, auth.Restore, res); err != nil {
			return err
		}
	}
	if svc.Version != before.Version {
		return db.Conflict("service", svc.ID, svc.Version)
	}
	if err := a.Store.UpdateService(ctx, svc); err != nil {
		return err
	}
	a.waitIndexed(ctx)
	return nil
}

// changeListing loads a listing, checks that u may do action to it and
// that version is current, lets change edit it, saves it and waits until
// search shows it: the one path of every one-click action (verify,
// archive, restore) on services and contact persons.
func changeListing[T any](ctx context.Context, a *API, u *users.User, what, id string, version int, action auth.Action,
	load func(context.Context, string) (T, error), resource func(T) (auth.Resource, error),
	versionOf func(T) int, save func(context.Context, *T) error, change func(*T)) (T, error) {
	var zero T
	if _, _, err := auth.Scope(u, auth.Edit); err != nil {
		return zero, err
	}
	x, err := load(ctx, id)
	if err != nil {
		return x, err
	}
	res, err := resource(x)
	if err != nil {
		return x, err
	}
	if err := auth.Can(u, action, res); err != nil {
		return x, err
	}
	if versionOf(x) != version {
		return x, db.Conflict(what, id, version)
	}
	change(&x)
	if err := save(ctx, &x); err != nil {
		return x, err
	}
	a.waitIndexed(ctx)
	return x, nil
}

func (a *API) changeService(ctx context.Context, u *users.User, id string, version int, action auth.Action, change func(*services.Service)) (services.Service, error) {
	return changeListing(ctx, a, u, "service", id, version, action, a.Store.Service,
		func(s services.Service) (auth.Resource, error) { return a.ServiceResource(ctx, s) },
		func(s services.Service) int { return s.Version }, a.Store.UpdateService, change)
}

// VerifyService marks the service still correct at version: verified
// now, to be reviewed after services.ReviewInterval. Errors as
// SaveService.
func (a *API) VerifyService(ctx context.Context, u *users.User, id string, version int) (services.Service, error) {
	now := a.Store.DB().Now().UTC().Truncate(time.Second)
	return a.changeService(ctx, u, id, version, auth.Edit, func(s *services.Service) {
		review := now.Add(services.ReviewInterval)
		s.VerifiedAt, s.ReviewBy = &now, &review
	})
}

// ArchiveService hides the service from lists and search (a soft delete,
// restorable by an admin). Errors as SaveService.
func (a *API) ArchiveService(ctx context.Context, u *users.User, id string, version int) (services.Service, error) {
	return a.changeService(ctx, u, id, version, auth.Edit, func(s *services.Service) { s.Status = services.StatusArchived })
}

// UnarchiveService makes an archived service active again: admins only
// (auth.Restore).
func (a *API) UnarchiveService(ctx context.Context, u *users.User, id string, version int) (services.Service, error) {
	return a.changeService(ctx, u, id, version, auth.Restore, func(s *services.Service) {
		if s.Status == services.StatusArchived {
			s.Status = services.StatusActive
		}
	})
}

// RestoreServiceVersion saves the service as the audit entry auditID left
// it, on top of the current version: itself a recorded change. Admins
// only (auth.Restore); NotFound when the entry is not one of this
// service's or left nothing (a deletion).
func (a *API) RestoreServiceVersion(ctx context.Context, u *users.User, id string, auditID int64, version int) (services.Service, error) {
	e, err := a.Store.DB().AuditEntryByID(ctx, services.EntityService, id, auditID)
	if err != nil {
		return services.Service{}, err
	}
	if len(e.After) == 0 || string(e.After) == "null" {
		return services.Service{}, apperr.Keyed(apperr.NotFound, "err.not_found", "audit entry %d holds no version to restore", auditID)
	}
	var old services.Service
	if err := json.Unmarshal(e.After, &old); err != nil {
		return services.Service{}, fmt.Errorf("audit entry %d: %w", auditID, err)
	}
	return a.changeService(ctx, u, id, version, auth.Restore, func(s *services.Service) {
		meta := s.Meta
		*s = old
		s.ID, s.Meta = id, meta
	})
}

// --- contacts ---

// CanEditContact reports whether u may edit the stored contact.
func CanEditContact(u *users.User, c services.Contact) error {
	return auth.Can(u, auth.Edit, auth.ContactResource(c))
}

func (a *API) checkNewContact(ctx context.Context, u *users.User, c services.Contact) error {
	vocab, err := a.Store.Vocabularies(ctx)
	if err != nil {
		return err
	}
	x := c
	x.Normalize()
	if err := x.Validate(vocab); err != nil {
		return err
	}
	return placement(auth.Can(u, auth.Edit, auth.ContactResource(c)), "network")
}

// SaveContact creates c (create) or updates it at c.Version, for u.
// Errors as SaveService; the placing field is "network".
func (a *API) SaveContact(ctx context.Context, u *users.User, c *services.Contact, create bool) error {
	if _, _, err := auth.Scope(u, auth.Edit); err != nil {
		return err
	}
	if create {
		if err := a.checkNewContact(ctx, u, *c); err != nil {
			return err
		}
		if err := a.Store.CreateContact(ctx, c); err != nil {
			return err
		}
		a.waitIndexed(ctx)
		return nil
	}
	before, err := a.Store.Contact(ctx, c.ID)
	if err != nil {
		return err
	}
	if err := CanEditContact(u, before); err != nil {
		return err
	}
	if err := a.checkNewContact(ctx, u, *c); err != nil {
		return err
	}
	// A form or client that does not send the status keeps the stored
	// one: editing an archived contact must not bring it back.
	if c.Status == "" {
		c.Status = before.Status
	}
	if before.Status == services.StatusArchived && c.Status != services.StatusArchived {
		if err := auth.Can(u, auth.Restore, auth.ContactResource(before)); err != nil {
			return err
		}
	}
	if c.Version != before.Version {
		return db.Conflict("contact", c.ID, c.Version)
	}
	if err := a.Store.UpdateContact(ctx, c); err != nil {
		return err
	}
	a.waitIndexed(ctx)
	return nil
}

func (a *API) changeContact(ctx context.Context, u *users.User, id string, version int, action auth.Action, change func(*services.Contact)) (services.Contact, error) {
	return changeListing(ctx, a, u, "contact", id, version, action, a.Store.Contact,
		func(c services.Contact) (auth.Resource, error) { return auth.ContactResource(c), nil },
		func(c services.Contact) int { return c.Version }, a.Store.UpdateContact, change)
}

// VerifyContact marks the contact person still correct at version.
func (a *API) VerifyContact(ctx context.Context, u *users.User, id string, version int) (services.Contact, error) {
	now := a.Store.DB().Now().UTC().Truncate(time.Second)
	return a.changeContact(ctx, u, id, version, auth.Edit, func(c *services.Contact) {
		review := now.Add(services.ReviewInterval)
		c.VerifiedAt, c.ReviewBy = &now, &review
	})
}

// ArchiveContact hides the contact person from lists, pages and search (a
// soft delete, restorable by an admin). Errors as SaveContact.
func (a *API) ArchiveContact(ctx context.Context, u *users.User, id string, version int) (services.Contact, error) {
	return a.changeContact(ctx, u, id, version, auth.Edit, func(c *services.Contact) { c.Status = services.StatusArchived })
}

// UnarchiveContact makes an archived contact person active again: admins
// only (auth.Restore).
func (a *API) UnarchiveContact(ctx context.Context, u *users.User, id string, version int) (services.Contact, error) {
	return a.changeContact(ctx, u, id, version, auth.Restore, func(c *services.Contact) { c.Status = services.StatusActive })
}

// RestoreContactVersion saves the contact as the audit entry auditID left
// it, on top of the current version. Admins only.
func (a *API) RestoreContactVersion(ctx context.Context, u *users.User, id string, auditID int64, version int) (services.Contact, error) {
	e, err := a.Store.DB().AuditEntryByID(ctx, services.EntityContact, id, auditID)
	if err != nil {
		return services.Contact{}, err
	}
	if len(e.After) == 0 || string(e.After) == "null" {
		return services.Contact{}, apperr.Keyed(apperr.NotFound, "err.not_found", "audit entry %d holds no version to restore", auditID)
	}
	var old services.Contact
	if err := json.Unmarshal(e.After, &old); err != nil {
		return services.Contact{}, fmt.Errorf("audit entry %d: %w", auditID, err)
	}
	return a.changeContact(ctx, u, id, version, auth.Restore, func(c *services.Contact) {
		meta := c.Meta
		*c = old
		c.ID, c.Meta = id, meta
	})
}

// --- JSON handlers ---

// decodeJSON reads one JSON object from the body into v: the body must be
// JSON (by Content-Type), no larger than the server's limit, with no
// unknown fields and nothing after the object.
func decodeJSON(r *http.Request, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return apperr.Keyed(apperr.Invalid, "err.json_type", "send the body as JSON (Content-Type: application/json)")
	}
	dec := json.NewDecoder(r.Body)
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
	n, err := strconv.Atoi(strings.Trim(h, `"`))
	if err != nil || n <= 0 || strings.HasPrefix(h, "W/") {
		return 0, apperr.Keyed(apperr.Invalid, "err.if_match_bad", "If-Match must be the ETag of the resource, such as \"3\"")
	}
	if bodyVersion > 0 && bodyVersion != n {
		return 0, apperr.Keyed(apperr.Invalid, "err.if_match_bad", "If-Match (%d) and version (%d) disagree", n, bodyVersion)
	}
	return n, nil
}

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

// CreateService answers POST /api/v1/services: 201 with the stored
// service, its Location and ETag.
func (a *API) CreateService(w http.ResponseWriter, r *http.Request) error {
	var svc services.Service
	if err := decodePost(r, &svc, &svc.Meta); err != nil {
		return err
	}
	if err := a.SaveService(r.Context(), userOf(r), &svc, true); err != nil {
		return err
	}
	writeCreated(w, "/api/v1/services/"+svc.ID, svc.Version, svc)
	return nil
}

// UpdateService answers PUT /api/v1/services/{id}: the whole service, with
// If-Match (or its version). 409 when stale.
func (a *API) UpdateService(w http.ResponseWriter, r *http.Request) error {
	var svc services.Service
	if err := decodePut(r, &svc, &svc.ID, &svc.Version); err != nil {
		return err
	}
	if err := a.SaveService(r.Context(), userOf(r), &svc, false); err != nil {
		return err
	}
	writeOne(w, svc.Version, svc)
	return nil
}

// decodePost reads a POST body into v, after the write checks; meta, the
// server's own bookkeeping, is cleared whatever the body said.
func decodePost(r *http.Request, v any, meta *services.Meta) error {
	if err := mayWrite(r); err != nil {
		return err
	}
	if err := decodeJSON(r, v); err != nil {
		return err
	}
	*meta = services.Meta{}
	return nil
}

// decodePut reads a PUT body into v for the resource at {id}, after the
// write checks: the body's id must be the path's (or empty), and the
// version to save at comes from If-Match or the body's version.
func decodePut(r *http.Request, v any, id *string, version *int) error {
	pathID, err := idVar(r, "id")
	if err != nil {
		return err
	}
	if err := mayWrite(r); err != nil {
		return err
	}
	if err := decodeJSON(r, v); err != nil {
		return err
	}
	if err := pathMatches(id, pathID); err != nil {
		return err
	}
	*version, err = IfMatch(r, *version)
	return err
}

// currentVersion is the version of If-Match, or the stored one when none
// is given (archiving twice changes nothing more).
func currentVersion(r *http.Request, stored int) (int, error) {
	if r.Header.Get("If-Match") == "" {
		return stored, nil
	}
	return IfMatch(r, 0)
}

// VerifyServiceHandler answers POST /api/v1/services/{id}/verify with
// If-Match: the service is marked still correct.
func (a *API) VerifyServiceHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := idVar(r, "id")
	if err != nil {
		return err
	}
	if err := mayWrite(r); err != nil {
		return err
	}
	v, err := IfMatch(r, 0)
	if err != nil {
		return err
	}
	svc, err := a.VerifyService(r.Context(), userOf(r), id, v)
	if err != nil {
		return err
	}
	writeOne(w, svc.Version, svc)
	return nil
}

// CreateContact answers POST /api/v1/contacts.
func (a *API) CreateContact(w http.ResponseWriter, r *http.Request) error {
	var c services.Contact
	if err := decodePost(r, &c, &c.Meta); err != nil {
		return err
	}
	if err := a.SaveContact(r.Context(), userOf(r), &c, true); err != nil {
		return err
	}
	writeCreated(w, "/api/v1/contacts/"+c.ID, c.Version, c.ForViewer(auth.Level(userOf(r))))
	return nil
}

// UpdateContact answers PUT /api/v1/contacts/{id}.
func (a *API) UpdateContact(w http.ResponseWriter, r *http.Request) error {
	var c services.Contact
	if err := decodePut(r, &c, &c.ID, &c.Version); err != nil {
		return err
	}
	if err := a.SaveContact(r.Context(), userOf(r), &c, false); err != nil {
		return err
	}
	writeOne(w, c.Version, c.ForViewer(auth.Level(userOf(r))))
	return nil
}

// VerifyContactHandler answers POST /api/v1/contacts/{id}/verify.
func (a *API) VerifyContactHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := idVar(r, "id")
	if err != nil {
		return err
	}
	if err := mayWrite(r); err != nil {
		return err
	}
	v, err := IfMatch(r, 0)
	if err != nil {
		return err
	}
	c, err := a.VerifyContact(r.Context(), userOf(r), id, v)
	if err != nil {
		return err
	}
	writeOne(w, c.Version, c.ForViewer(auth.Level(userOf(r))))
	return nil
}

// ArchiveServiceHandler answers DELETE /api/v1/services/{id}: the service
// is archived (restorable by an admin), 204.
func (a *API) ArchiveServiceHandler(w http.ResponseWriter, r *http.Request) error {
	return archiveHandler(w, r, a.Store.Service, func(s services.Service) (int, bool) { return s.Version, s.Status == services.StatusArchived },
		func(s services.Service) error { return a.CanEditService(r.Context(), userOf(r), s) }, a.ArchiveService)
}

// ArchiveContactHandler answers DELETE /api/v1/contacts/{id}: the contact
// person is archived (restorable by an admin), 204.
func (a *API) ArchiveContactHandler(w http.ResponseWriter, r *http.Request) error {
	return archiveHandler(w, r, a.Store.Contact, func(c services.Contact) (int, bool) { return c.Version, c.Status == services.StatusArchived },
		func(c services.Contact) error { return CanEditContact(userOf(r), c) }, a.ArchiveContact)
}

// archiveHandler is DELETE on a listing: archive it at the version of
// If-Match (or the current one); deleting what is already archived at
// that version is a no-op, still subject to the edit right.
func archiveHandler[T any](w http.ResponseWriter, r *http.Request, load func(context.Context, string) (T, error),
	state func(T) (version int, archived bool), canEdit func(T) error,
	archive func(context.Context, *users.User, string, int) (T, error)) error {
	id, err := idVar(r, "id")
	if err != nil {
		return err
	}
	if err := mayWrite(r); err != nil {
		return err
	}
	x, err := load(r.Context(), id)
	if err != nil {
		return err
	}
	current, archived := state(x)
	v, err := currentVersion(r, current)
	if err != nil {
		return err
	}
	if archived && v == current {
		if err := canEdit(x); err != nil {
			return err
		}
	} else if _, err := archive(r.Context(), userOf(r), id, v); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
