package services

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
)

var serviceCols = []string{"id", "organization_id", "name", "sort_name", "description", "target_groups",
	"service_types", "delivery_modes", "languages", "cost", "referral_required", "anonymous",
	"identity_recorded", "reporting", "eligibility", "age_min", "age_max", "how_to_refer", "self_referral",
	"url", "email", "phones", "hours", "hours_exceptions", "hours_note", "always_open", "links", "locations",
	"area", "national", "status", "alert", "verified_at", "review_by", "source", "source_values", "source_changes",
	"version", "created_at", "updated_at"}

var (
	selectService    = "SELECT s." + strings.Join(serviceCols, ", s.") + " FROM services s"
	insertService    = insertSQL("services", serviceCols)
	updateServiceSQL = updateSQL("services", "id", serviceCols)
)

// VocabLanguage is the pseudo-vocabulary under which a service's languages
// are stored in service_terms for filtering.
const VocabLanguage = "language"

// Service returns one service, or a NotFound error.
func (s *Store) Service(ctx context.Context, id string) (Service, error) {
	return s.Services.Get(ctx, id)
}

// ServicesByID returns the services with the given ids (missing ones are
// left out), in the order of ids.
func (s *Store) ServicesByID(ctx context.Context, ids []string) ([]Service, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q, args, err := sqlx.In(selectService+` WHERE s.id IN (?)`, ids)
	if err != nil {
		return nil, err
	}
	var list []Service
	if err := s.db.SelectContext(ctx, &list, s.db.Rebind(q), args...); err != nil {
		return nil, fmt.Errorf("services by id: %w", err)
	}
	pos := map[string]int{}
	for i, id := range ids {
		pos[id] = i
	}
	out := make([]Service, len(ids))
	for _, x := range list {
		out[pos[x.ID]] = x
	}
	compact := out[:0]
	for _, x := range out {
		if x.ID != "" {
			compact = append(compact, x)
		}
	}
	return compact, nil
}

// ServiceFilter selects services. Empty fields do not filter.
type ServiceFilter struct {
	Network      string // services available in the network's area
	Municipality string // code or Finnish/Swedish name
	TargetGroup  string // client_situation term
	ServiceType  string
	DeliveryMode string
	Language     string
	Organization string
	// Anonymous keeps only services that can be used without giving a
	// name (the help-seeker page lists those).
	Anonymous bool
	// Age leaves out services whose age range excludes a client of this
	// age; a service without a range serves every age.
	Age *int
	// Local leaves out national services when a network or municipality
	// is given.
	Local bool
	// IncludeArchived lists archived services too (they are hidden by
	// default).
	IncludeArchived bool
	// Sort is SortFit (the default) or SortName.
	Sort string
	// ClientLang, with SortFit, puts the services known to serve in the
	// client's language (fi, sv, en) first within local and national.
	ClientLang string
	// ModifiedAfter, when set, keeps the services changed at or after it,
	// for a system that copies the directory and asks what is new.
	ModifiedAfter time.Time
	// AnyTermOf keeps the services with some term of this vocabulary.
	AnyTermOf string
	// HasLocation keeps the services with a place to visit.
	HasLocation   bool
	Limit, Offset int
}

// The orders of a service list.
const (
	// SortFit: local services before national ones; with a client
	// situation chosen, those for fewer situations (the specialised ones)
	// first; then those in the client's language, then verified ones,
	// then by name.
	SortFit = "fit"
	// SortName: by name only.
	SortName = "name"
)

// SortOrders are the allowed ServiceFilter.Sort values.
var SortOrders = []string{SortFit, SortName}

// orderBy is the ORDER BY of f over columns of alias a (which has
// national, target_groups, verified_at, languages, sort_name and id), with
// its argument.
func (f ServiceFilter) orderBy(a string, d db.Dialect) (string, []any, error) {
	switch f.Sort {
	case "", SortFit:
		keys := []string{a + ".national"}
		var args []any
		if f.TargetGroup != "" {
			n := "json_array_length(" + a + ".target_groups)"
			if d == db.Postgres {
				n = "jsonb_array_length(" + a + ".target_groups::jsonb)"
			}
			keys = append(keys, n)
		}
		if f.ClientLang != "" {
			// Languages are a JSON list of codes: a code in quotes is in it.
			keys = append(keys, "CASE WHEN "+a+".languages LIKE ? THEN 0 ELSE 1 END")
			args = append(args, `%"`+f.ClientLang+`"%`)
		}
		keys = append(keys, a+".verified_at IS NULL", a+".sort_name", a+".id")
		return " ORDER BY " + strings.Join(keys, ", "), args, nil
	case SortName:
		return fmt.Sprintf(" ORDER BY %[1]s.sort_name, %[1]s.id", a), nil, nil
	}
	var fs apperr.Fields
	fs.Add("sort", "err.sort", "must be one of %s", strings.Join(SortOrders, ", "))
	return "", nil, fs.Err()
}

// FindServices returns one page of the services matching f in f's order
// (by default local ones before national ones, then in the client's
// language, then verified, then by name) and the total count. Unknown
// municipalities, networks and terms are Invalid errors.
func (s *Store) FindServices(ctx context.Context, f ServiceFilter) ([]Service, int, error) {
	limit, offset, err := paging(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	cond, args, err := s.serviceWhere(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if f.ClientLang != "" && !l10n.Supported(f.ClientLang) {
		var fs apperr.Fields
		fs.Add("client_lang", "err.client_lang", "must be fi, sv or en")
		return nil, 0, fs.Err()
	}
	// The page's ids first, then their rows: sorting tens of thousands of
	// matches by the narrow services_list index is several times cheaper
	// than sorting whole rows (measured at 100,000 services).
	var (
		total int
		ids   []string
	)
	order, orderArgs, err := f.orderBy("s", s.db.Dialect)
	if err != nil {
		return nil, 0, err
	}
	if len(args) == 0 && !f.Anonymous {
		// No filter: an index in the order gives the page directly
		// (services_fit, services_order, services_name).
		if err := s.db.GetContext(ctx, &total, s.db.Rebind(`SELECT COUNT(*) FROM services s`+cond), args...); err != nil {
			return nil, 0, fmt.Errorf("count services: %w", err)
		}
		if err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`SELECT s.id FROM services s`+cond+order+` LIMIT ? OFFSET ?`), append(orderArgs, limit, offset)...); err != nil {
			return nil, 0, fmt.Errorf("find services: %w", err)
		}
	} else {
		// A filter: the count and the page in one statement over the
		// matches, found once.
		var page []struct {
			Total int    `db:"total"`
			ID    string `db:"id"`
		}
		morder, _, _ := f.orderBy("m", s.db.Dialect)
		q := `WITH m AS MATERIALIZED (SELECT s.id, s.national, s.target_groups, s.verified_at, s.languages, s.sort_name FROM services s` + cond + `)
			SELECT (SELECT COUNT(*) FROM m) AS total, m.id FROM m` + morder + ` LIMIT ? OFFSET ?`
		if err := s.db.SelectContext(ctx, &page, s.db.Rebind(q), append(append(args, orderArgs...), limit, offset)...); err != nil {
			return nil, 0, fmt.Errorf("find services: %w", err)
		}
		for _, p := range page {
			total, ids = p.Total, append(ids, p.ID)
		}
		if len(page) == 0 && offset > 0 {
			// Past the last page: the count is still wanted.
			if err := s.db.GetContext(ctx, &total, s.db.Rebind(`SELECT COUNT(*) FROM services s`+cond), args...); err != nil {
				return nil, 0, fmt.Errorf("count services: %w", err)
			}
		}
	}
	list, err := s.ServicesByID(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// VerifiedShare counts the services matching f (paging aside) and how many
// of them are verified and not past their review date at now.
func (s *Store) VerifiedShare(ctx context.Context, f ServiceFilter, now time.Time) (verified, total int, err error) {
	cond, args, err := s.serviceWhere(ctx, f)
	if err != nil {
		return 0, 0, err
	}
	rows, err := s.db.QueryxContext(ctx, s.db.Rebind(`SELECT s.verified_at, s.review_by FROM services s`+cond), args...)
	if err != nil {
		return 0, 0, fmt.Errorf("verified share: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at, by *time.Time
		if err := rows.Scan(&at, &by); err != nil {
			return 0, 0, fmt.Errorf("verified share: %w", err)
		}
		total++
		if Verified(at, by, now) {
			verified++
		}
	}
	return verified, total, rows.Err()
}

// serviceWhere is the WHERE clause of f, with its arguments.
func (s *Store) serviceWhere(ctx context.Context, f ServiceFilter) (string, []any, error) {
	var (
		where []string
		args  []any
		err   error
	)
	if !f.IncludeArchived {
		where = append(where, "s.status <> 'archived'")
	}
	national := "s.national = TRUE OR "
	if f.Local {
		national = ""
	}
	if f.Municipality != "" {
		m, err := s.Municipality(ctx, f.Municipality)
		if err != nil {
			return "", nil, err
		}
		where = append(where, `(`+national+`s.id IN (SELECT a.service_id FROM service_areas a WHERE
			(a.kind = 'municipality' AND a.ref = ?) OR (a.kind = 'county' AND a.ref = ?) OR
			(a.kind = 'network' AND a.ref IN (SELECT network_slug FROM network_municipalities WHERE municipality_code = ?))))`)
		args = append(args, m.Code, m.CountySlug, m.Code)
	}
	var ref *Reference
	if f.Network != "" || f.TargetGroup != "" || f.ServiceType != "" || f.DeliveryMode != "" {
		if ref, err = s.Reference(ctx); err != nil {
			return "", nil, err
		}
	}
	var fs apperr.Fields
	ref.CheckFilters(&fs, FilterValues{Network: f.Network, TargetGroup: f.TargetGroup,
		ServiceType: f.ServiceType, DeliveryMode: f.DeliveryMode})
	if err := fs.Err(); err != nil {
		return "", nil, err
	}
	if f.Network != "" {
		where = append(where, `(`+national+`s.id IN (SELECT a.service_id FROM service_areas a WHERE
			(a.kind = 'network' AND a.ref = ?) OR
			(a.kind = 'municipality' AND a.ref IN (SELECT municipality_code FROM network_municipalities WHERE network_slug = ?)) OR
			(a.kind = 'county' AND a.ref IN (SELECT m.county_slug FROM municipalities m JOIN network_municipalities nm ON nm.municipality_code = m.code WHERE nm.network_slug = ?))))`)
		args = append(args, f.Network, f.Network, f.Network)
	}
	for _, t := range []struct{ vocab, term string }{
		{VocabClientSituation, f.TargetGroup},
		{VocabServiceType, f.ServiceType},
		{VocabDeliveryMode, f.DeliveryMode},
		{VocabLanguage, f.Language},
	} {
		if t.term == "" {
			continue
		}
		where = append(where, `s.id IN (SELECT t.service_id FROM service_terms t WHERE t.vocabulary = ? AND t.term = ?)`)
		args = append(args, t.vocab, t.term)
	}
	if f.Organization != "" {
		where = append(where, `s.organization_id = ?`)
		args = append(args, f.Organization)
	}
	if f.Anonymous {
		where = append(where, `s.anonymous = TRUE`)
	}
	if !f.ModifiedAfter.IsZero() {
		where = append(where, `s.updated_at >= ?`)
		args = append(args, f.ModifiedAfter.UTC())
	}
	if f.AnyTermOf != "" {
		where = append(where, `s.id IN (SELECT t.service_id FROM service_terms t WHERE t.vocabulary = ?)`)
		args = append(args, f.AnyTermOf)
	}
	if f.HasLocation {
		where = append(where, `s.locations <> '[]'`)
	}
	if f.Age != nil {
		where = append(where, `(s.age_min IS NULL OR s.age_min <= ?) AND (s.age_max IS NULL OR s.age_max >= ?)`)
		args = append(args, *f.Age, *f.Age)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	return cond, args, nil
}

// CountServices returns how many services are not archived.
func (s *Store) CountServices(ctx context.Context) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM services WHERE status <> 'archived'`)
	return n, err
}

// checkService normalises and validates svc, including its references;
// area municipalities given by name are turned into codes.
func checkService(ref *Reference, svc *Service) error {
	svc.Normalize()
	svc.Area.Municipalities = append([]string(nil), svc.Area.Municipalities...)
	err := svc.Validate(ref.Vocab)
	var fs apperr.Fields
	if e := apperr.As(err); e != nil {
		fs = e.Fields
	}
	if svc.OrganizationID != "" {
		if _, ok := ref.Organization(string(svc.OrganizationID)); !ok {
			fs.Add("organization", "err.unknown_organization", "unknown organization %q", svc.OrganizationID)
		}
	}
	for i, c := range svc.Area.Counties {
		if _, ok := ref.Munis.County(c); !ok {
			fs.Add(fmt.Sprintf("area.counties[%d]", i), "err.unknown_county", "unknown wellbeing services county %q", c)
		}
	}
	for i, n := range svc.Area.Networks {
		if _, ok := ref.Network(n); !ok {
			fs.Add(fmt.Sprintf("area.networks[%d]", i), "err.unknown_network", "unknown network %q", n)
		}
	}
	for i, r := range svc.Area.Municipalities {
		if m, ok := ref.Munis.Lookup(r); ok {
			svc.Area.Municipalities[i] = m.Code
		} else {
			fs.Add(fmt.Sprintf("area.municipalities[%d]", i), "err.unknown_municipality", "unknown municipality %q", r)
		}
	}
	svc.SortName = sortName(svc.Name.FI)
	svc.National = svc.Area.National
	return fs.Err()
}

type areaRow struct {
	ServiceID string `db:"service_id"`
	Kind      string `db:"kind"`
	Ref       string `db:"ref"`
}

type termRow struct {
	ServiceID  string `db:"service_id"`
	Vocabulary string `db:"vocabulary"`
	Term       string `db:"term"`
}

// derivedRows returns the filter rows of services: their areas and terms.
func derivedRows(list []Service) ([]areaRow, []termRow) {
	var areas []areaRow
	var terms []termRow
	for _, svc := range list {
		for _, a := range []struct {
			kind string
			refs []string
		}{{"county", svc.Area.Counties}, {"network", svc.Area.Networks}, {"municipality", svc.Area.Municipalities}} {
			for _, ref := range uniqSorted(a.refs) {
				areas = append(areas, areaRow{svc.ID, a.kind, ref})
			}
		}
		for _, t := range []struct {
			vocab string
			ids   []string
		}{{VocabClientSituation, svc.TargetGroups}, {VocabServiceType, svc.ServiceTypes},
			{VocabDeliveryMode, svc.DeliveryModes}, {VocabLanguage, svc.Languages}} {
			for _, id := range uniqSorted(t.ids) {
				terms = append(terms, termRow{svc.ID, t.vocab, id})
			}
		}
	}
	return areas, terms
}

func writeDerived(ctx context.Context, tx *db.Tx, list []Service, replace bool) error {
	if replace {
		for _, svc := range list {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM service_areas WHERE service_id = ?`), svc.ID); err != nil {
				return fmt.Errorf("service %s areas: %w", svc.ID, err)
			}
			if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM service_terms WHERE service_id = ?`), svc.ID); err != nil {
				return fmt.Errorf("service %s terms: %w", svc.ID, err)
			}
		}
	}
	areas, terms := derivedRows(list)
	if err := db.InsertMany(ctx, tx, `INSERT INTO service_areas (service_id, kind, ref) VALUES (:service_id, :kind, :ref)`, areas, 3); err != nil {
		return fmt.Errorf("service areas: %w", err)
	}
	if err := db.InsertMany(ctx, tx, `INSERT INTO service_terms (service_id, vocabulary, term) VALUES (:service_id, :vocabulary, :term)`, terms, 3); err != nil {
		return fmt.Errorf("service terms: %w", err)
	}
	return nil
}

// serviceKind is the write path's knowledge of services.
var serviceKind = &kind[Service]{
	entity: EntityService,
	place:  "area",
	fields: func(s *Service) common {
		return common{id: &s.ID, status: &s.Status, verifiedAt: &s.VerifiedAt, reviewBy: &s.ReviewBy, meta: &s.Meta}
	},
	check: checkService,
	keep: func(x *Service, stored *Service) {
		if stored == nil {
			stored = &Service{}
		}
		x.Source, x.SourceValues, x.SourceChanges = stored.Source, stored.SourceValues, stored.SourceChanges
	},
	resource: func(ref *Reference, s Service) auth.Resource { return ref.Resource(s) },
	load: func(ctx context.Context, q getter, id string) (Service, error) {
		var svc Service
		err := q.GetContext(ctx, &svc, q.Rebind(selectService+` WHERE s.id = ?`), id)
		return svc, db.NotFoundIf(err, "service", id)
	},
	insert: func(ctx context.Context, tx *db.Tx, list []Service) error {
		entries := make([]db.Entry, len(list))
		for i := range list {
			entries[i] = db.Entry{Entity: EntityService, ID: list[i].ID, Action: "create", After: list[i]}
		}
		if err := db.InsertMany(ctx, tx, insertService, list, len(serviceCols)); err != nil {
			if db.IsUniqueViolation(err) {
				if len(list) == 1 {
					return apperr.Errorf(apperr.Conflict, "service %q already exists", list[0].ID)
				}
				return apperr.Errorf(apperr.Conflict, "a service with one of these ids already exists (%s … %s)", list[0].ID, list[len(list)-1].ID)
			}
			return fmt.Errorf("insert services: %w", err)
		}
		if err := writeDerived(ctx, tx, list, false); err != nil {
			return err
		}
		return tx.RecordMany(ctx, entries)
	},
	update: func(ctx context.Context, tx *db.Tx, svc *Service) error {
		res, err := tx.NamedExecContext(ctx, updateServiceSQL, svc)
		if err != nil {
			return fmt.Errorf("update service %s: %w", svc.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.Conflict("service", svc.ID, svc.Version)
		}
		return writeDerived(ctx, tx, []Service{*svc}, true)
	},
}

// CountServicesByPrefix counts services whose id starts with prefix.
func (s *Store) CountServicesByPrefix(ctx context.Context, prefix string) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, s.db.Rebind(`SELECT COUNT(*) FROM services WHERE id LIKE ?`), prefix+"%")
	if err != nil {
		return 0, fmt.Errorf("count services: %w", err)
	}
	return n, nil
}

// ServiceIDs returns the ids of every service that is not archived, for
// rebuilding the search index.
func (s *Store) ServiceIDs(ctx context.Context) ([]string, error) {
	var ids []string
	if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM services WHERE status <> 'archived' ORDER BY id`); err != nil {
		return nil, fmt.Errorf("service ids: %w", err)
	}
	return ids, nil
}

// Places is how many places (locations) one service has.
type Places struct {
	ID    string `db:"id"`
	Count int    `db:"n"`
}

// PlaceCounts returns, for the services f keeps that have a place, how
// many places each has, in the order of f.Sort (paging is the caller's:
// it pages over places, not services). A list of places reads the few
// services its page needs instead of them all.
func (s *Store) PlaceCounts(ctx context.Context, f ServiceFilter) ([]Places, error) {
	f.HasLocation = true
	cond, args, err := s.serviceWhere(ctx, f)
	if err != nil {
		return nil, err
	}
	order, orderArgs, err := f.orderBy("s", s.db.Dialect)
	if err != nil {
		return nil, err
	}
	length := "json_array_length(s.locations)"
	if s.db.Dialect == db.Postgres {
		length = "json_array_length(s.locations::json)"
	}
	var out []Places
	q := `SELECT s.id, ` + length + ` AS n FROM services s` + cond + order
	if err := s.db.SelectContext(ctx, &out, s.db.Rebind(q), append(args, orderArgs...)...); err != nil {
		return nil, fmt.Errorf("place counts: %w", err)
	}
	return out, nil
}

// PlaceKey names one place of a service: its position and its id in its
// source ("" when it has none).
type PlaceKey struct {
	Service string `db:"service"`
	Index   int    `db:"idx"`
	ID      string `db:"place"`
}

// PlaceKeys returns every place of every service that is not archived,
// read from the places' JSON by the database, for finding a place by a
// name made of them (the HSDS service_at_location ids).
func (s *Store) PlaceKeys(ctx context.Context) ([]PlaceKey, error) {
	q := `SELECT s.id AS service, CAST(l.key AS INTEGER) AS idx, COALESCE(json_extract(l.value, '$.id'), '') AS place
		FROM services s, json_each(s.locations) l WHERE s.status <> 'archived' AND s.locations <> '[]'`
	if s.db.Dialect == db.Postgres {
		q = `SELECT s.id AS service, (l.n - 1)::int AS idx, COALESCE(l.v->>'id', '') AS place
			FROM services s, jsonb_array_elements(s.locations::jsonb) WITH ORDINALITY AS l(v, n)
			WHERE s.status <> 'archived' AND s.locations <> '[]'`
	}
	var out []PlaceKey
	if err := s.db.SelectContext(ctx, &out, q); err != nil {
		return nil, fmt.Errorf("place keys: %w", err)
	}
	return out, nil
}
