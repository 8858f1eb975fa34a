package hsds

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// Importing HSDS: a document of this directory's profile (with the
// serie_directory extension) comes back whole; any other HSDS document is
// read from its core fields, its texts in one language (Import.Lang), its
// area from its service areas where they name Finnish places. Every
// listing is checked before anything is written; one problem anywhere and
// nothing is (services.SyncAll writes the checked listings in batches). Imported listings record their source (kind
// "hsds", their HSDS id and last_modified) and are unverified unless the
// extension says when they were verified.

// Actor is the importer's identity in the audit log.
const Actor = "import:hsds"

// SourceKind marks listings read from HSDS.
const SourceKind = "hsds"

// Import reads a Dataset into the directory.
type Import struct {
	Store *services.Store
	// Lang is the language of the texts of documents without the
	// extension: fi (the default), sv or en.
	Lang string
	// DefaultArea is the area of services whose service areas name no
	// Finnish place ("national", "county:SLUG", "network:SLUG" or
	// "municipality:CODE"); by default the whole country, said in the
	// result for each such service, which stays unverified.
	DefaultArea string
	// DryRun checks everything and writes nothing.
	DryRun bool
	// Now stamps the source's fetch time; time.Now by default.
	Now func() time.Time
}

// Result says what an import did or, dry, would do.
type Result struct {
	Services, Organizations int
	// Dropped are the channel details left out, and the areas assumed.
	Dropped []string
	services.SyncResult
}

func (r Result) String() string {
	s := fmt.Sprintf("%d services (%d created, %d updated, %d unchanged), %d organizations",
		r.Services, r.Created, r.Updated, r.Unchanged, r.Organizations)
	if len(r.Dropped) > 0 {
		s += fmt.Sprintf("; %d details left out or assumed:\n  %s", len(r.Dropped), strings.Join(r.Dropped, "\n  "))
	}
	return s
}

// ownedAll are the fields a document of this profile owns: all of them,
// since another directory curates them as this one does.
var ownedAll = func() []string {
	b, _ := json.Marshal(services.Service{})
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	var out []string
	for k := range m {
		switch k {
		case "id", "status", "version", "created_at", "updated_at", "source", "source_changes", "verified_at", "review_by":
		default:
			out = append(out, k)
		}
	}
	// Fields left out of JSON when empty are owned too.
	out = append(out, "description", "cost", "eligibility", "how_to_refer", "self_referral", "hours_note", "alert")
	slices.Sort(out)
	return slices.Compact(out)
}()

// ownedCore are the fields a plain HSDS document gives.
var ownedCore = append(slices.Clone(services.SourceOwned), "hours", "age_min", "age_max", "eligibility", "how_to_refer", "alert")

// Run checks ds and, unless dry, writes it. Faults of the input are
// Invalid errors naming each document; nothing is written then.
func (im Import) Run(ctx context.Context, ds *Dataset) (Result, error) {
	var res Result
	lang := im.Lang
	if lang == "" {
		lang = "fi"
	}
	if !l10n.Supported(lang) {
		return res, fmt.Errorf("language %q: want fi, sv or en", lang)
	}
	now := time.Now
	if im.Now != nil {
		now = im.Now
	}
	sref, err := im.Store.Reference(ctx)
	if err != nil {
		return res, err
	}
	ref := Ref{sref}
	var problems []string
	fail := func(where, format string, args ...any) {
		problems = append(problems, where+": "+fmt.Sprintf(format, args...))
	}
	// Organizations, by HSDS id. A service nests its organization, so the
	// same one comes many times, more or less complete: the fullest wins.
	orgs := map[string]services.Organization{}
	for _, o := range ds.Organizations {
		x := importOrganization(o, lang)
		if prev, ok := orgs[o.ID]; !ok || orgSize(x) > orgSize(prev) {
			orgs[o.ID] = x
		}
	}
	problems = append(problems, ds.Duplicates...)
	var list []services.Incoming
	for _, s := range ds.Services {
		where := ds.Where[s.ID]
		if s.Status != "" && s.Status != "active" {
			// Inactive or defunct: not listed; one imported before ends
			// (archived, as a withdrawn PTV service is).
			id := localID(s.ID)
			if s.Directory != nil {
				id = s.Directory.ID
			}
			list = append(list, services.Incoming{Ended: true, Service: services.Service{ID: id,
				Source: services.Source{Kind: SourceKind, ID: s.ID, Status: s.Status}}})
			continue
		}
		x, err := im.service(ref, s, lang, orgs, &res.Dropped)
		if err != nil {
			fail(where, "%v", err)
			continue
		}
		x.Source = services.Source{Kind: SourceKind, ID: s.ID, Status: "active"}
		if t, err := time.Parse(time.RFC3339, s.LastModified); err == nil {
			t = t.UTC()
			x.Source.Modified = &t
		}
		fetched := now().UTC().Truncate(time.Second)
		x.Source.Fetched = &fetched
		list = append(list, services.Incoming{Service: x})
	}
	var orgList []services.Organization
	for _, o := range orgs {
		orgList = append(orgList, o)
	}
	sort.Slice(orgList, func(i, j int) bool { return orgList[i].ID < orgList[j].ID })
	for i := range orgList {
		o := &orgList[i]
		err := o.Validate()
		e := apperr.As(err)
		if e == nil {
			continue
		}
		if !strings.HasPrefix(o.ID, "hsds-") {
			fail("organization "+o.ID, "%v", apperr.PublicMessage(err))
			continue
		}
		// A plain document's organization: its channels that the
		// directory cannot take are left out, as a service's are.
		for _, f := range e.Fields {
			switch f.Field {
			case "phone":
				o.Phone = ""
			case "email":
				o.Email = ""
			case "url":
				o.URL = ""
			default:
				fail("organization "+o.ID, "%s: %s", f.Field, f.Message)
				continue
			}
			res.Dropped = append(res.Dropped, fmt.Sprintf("organization %s: %s left out (%s)", o.ID, f.Field, f.Message))
		}
	}
	// A plain HSDS document may hold channel details the directory cannot
	// take (a foreign phone number, a postal code that is not Finnish,
	// coordinates out of range): they are left out and said, never made
	// up. A document of this profile is taken whole or refused.
	extended := map[string]bool{}
	for _, s := range ds.Services {
		extended[s.ID] = s.Directory != nil
	}
	for round := 0; ; round++ {
		rejected := services.CheckIncoming(sref, orgList, list)
		byID := map[string]services.Rejected{}
		for _, r := range rejected {
			byID[r.ID] = r
		}
		dropped := false
		for i := range list {
			r, ok := byID[list[i].Service.ID]
			if !ok {
				continue
			}
			if extended[r.SourceID] || round > 2 {
				fail(ds.Where[r.SourceID]+" (service "+r.ID+")", "%s", apperr.PublicMessage(r.Err))
				continue
			}
			left, notes := dropInvalid(&list[i].Service, r.Err)
			for _, n := range notes {
				res.Dropped = append(res.Dropped, ds.Where[r.SourceID]+": "+n)
				dropped = true
			}
			for _, f := range left {
				fail(ds.Where[r.SourceID]+" (service "+r.ID+")", "%s: %s", f.Field, f.Message)
			}
		}
		if !dropped || len(problems) > 0 {
			break
		}
	}
	res.Organizations = len(orgList)
	for _, in := range list {
		if !in.Ended {
			res.Services++
		}
	}
	if len(problems) > 0 {
		return res, &ImportError{Problems: problems}
	}
	if im.DryRun {
		res.Created = res.Services
		return res, nil
	}
	// A listing of this profile owns every field; the others the core
	// ones. One Sync each, so that each keeps its own.
	var ext, core []services.Incoming
	for _, in := range list {
		if extended[in.Service.Source.ID] {
			ext = append(ext, in)
		} else {
			core = append(core, in)
		}
	}
	actor := users.System(Actor)
	pending := orgList // written with the first batch
	for _, part := range []struct {
		list  []services.Incoming
		owned []string
	}{{ext, ownedAll}, {core, ownedCore}} {
		if len(part.list) == 0 {
			continue
		}
		r, err := im.Store.SyncAll(ctx, actor, pending, part.list, part.owned)
		if err != nil {
			return res, err
		}
		pending = nil
		res.SyncResult.Add(r)
	}
	if len(pending) > 0 {
		if _, err := im.Store.SyncAll(ctx, actor, pending, nil, ownedCore); err != nil {
			return res, err
		}
	}
	if len(res.Rejected) > 0 {
		// Checked above; a rejection now is the store changing meanwhile.
		return res, fmt.Errorf("%d services were refused while writing: %v", len(res.Rejected), res.Rejected[0].Err)
	}
	return res, nil
}

// ImportError lists every fault of an input.
type ImportError struct {
	Problems []string
}

func (e *ImportError) Error() string { return apperr.Problems(e.Problems) }

// localID is the directory's id of a document without the extension.
func localID(hsdsID string) string {
	id := strings.ToLower(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, hsdsID))
	return "hsds-" + strings.Trim(id, "-")
}

func importOrganization(o Organization, lang string) services.Organization {
	if e := o.Directory; e != nil {
		return services.Organization{ID: e.ID, Name: e.Name, Description: e.Description, Kind: e.Kind,
			URL: o.Website, Email: o.Email, Phone: firstNumber(o.Phones)}
	}
	return services.Organization{ID: localID(o.ID), Name: named(lang, o.Name), Description: in(lang, o.Description),
		Kind: "other", URL: o.Website, Email: o.Email, Phone: firstNumber(o.Phones)}
}

func orgSize(o services.Organization) int {
	b, _ := json.Marshal(o)
	return len(b)
}

func firstNumber(ps []Phone) string {
	if len(ps) > 0 {
		return ps[0].Number
	}
	return ""
}

// named is a name in lang, and in Finnish too when it is not Finnish:
// the directory needs a Finnish name, and the one given is the best there
// is until an editor translates it.
func named(lang, s string) l10n.Text {
	t := in(lang, s)
	if t.FI == "" {
		t.FI = strings.TrimSpace(s)
	}
	return t
}

// in puts s in lang's slot.
func in(lang, s string) l10n.Text {
	s = strings.TrimSpace(s)
	switch lang {
	case "sv":
		return l10n.Text{SV: s}
	case "en":
		return l10n.Text{EN: s}
	}
	return l10n.Text{FI: s}
}

// service converts one HSDS service.
func (im Import) service(ref Ref, s Service, lang string, orgs map[string]services.Organization, notes *[]string) (services.Service, error) {
	orgID := ""
	if s.OrganizationID != "" {
		o, ok := orgs[s.OrganizationID]
		if !ok {
			// Perhaps already in the directory (an earlier import).
			o, ok = ref.organization(s.OrganizationID)
		}
		if !ok {
			return services.Service{}, fmt.Errorf("organization_id %s names no organization of the input or the directory", s.OrganizationID)
		}
		orgID = o.ID
	}
	if e := s.Directory; e != nil {
		var x services.Service
		dec := json.NewDecoder(strings.NewReader(string(e.Service)))
		if err := dec.Decode(&x); err != nil {
			return x, fmt.Errorf("serie_directory.service: %v", err)
		}
		if x.ID != e.ID || s.ID != ID(KindService, e.ID) {
			return x, fmt.Errorf("serie_directory.id %q does not match the service's id %s", e.ID, s.ID)
		}
		return x, nil
	}
	x := services.Service{ID: localID(s.ID), OrganizationID: "", Name: named(lang, s.Name), Description: in(lang, s.Description),
		URL: s.URL, Email: s.Email, HowToRefer: in(lang, s.ApplicationProcess), Cost: in(lang, s.FeesDescription),
		Eligibility: in(lang, s.EligibilityDescription), Alert: in(lang, s.Alert), Status: services.StatusActive}
	if orgID != "" {
		x.OrganizationID = db.Ref(orgID)
	}
	var err error
	if x.AgeMin, err = wholeAge("minimum_age", s.MinimumAge); err != nil {
		return x, err
	}
	if x.AgeMax, err = wholeAge("maximum_age", s.MaximumAge); err != nil {
		return x, err
	}
	for _, p := range s.Phones {
		kind := map[string]string{"sms": "sms", "fax": "fax", "text": "sms"}[strings.ToLower(p.Type)]
		x.Phones = append(x.Phones, services.Phone{Number: p.Number, Kind: kind, Description: in(lang, p.Description)})
	}
	for _, sc := range s.Schedules {
		if h, ok := weeklyHours(sc); ok {
			x.Hours = append(x.Hours, h)
		}
	}
	for _, l := range s.Languages {
		if code := strings.ToLower(l.Code); len(code) == 2 && !slices.Contains(x.Languages, code) {
			x.Languages = append(x.Languages, code)
		}
	}
	for _, a := range s.Attributes {
		t := a.TaxonomyTerm
		if t == nil {
			continue
		}
		voc := t.Taxonomy
		if _, ok := ref.Vocab.Term(voc, t.Code); !ok {
			continue // another taxonomy's term: the directory has no place for it
		}
		switch voc {
		case services.VocabClientSituation:
			x.TargetGroups = append(x.TargetGroups, t.Code)
		case services.VocabServiceType:
			x.ServiceTypes = append(x.ServiceTypes, t.Code)
		case services.VocabDeliveryMode:
			x.DeliveryModes = append(x.DeliveryModes, t.Code)
		}
	}
	for _, sal := range s.ServiceAtLocations {
		if sal.Location != nil {
			x.Locations = append(x.Locations, location(ref, sal.Location, lang))
		}
	}
	area, assumed, err := im.area(ref, s.ServiceAreas)
	if err != nil {
		return x, err
	}
	x.Area = area
	if assumed {
		*notes = append(*notes, fmt.Sprintf("service %s names no Finnish place: given the area %s (choose with --default-area)", x.ID, im.defaultArea()))
	}
	return x, nil
}

func wholeAge(field string, f *float64) (*int, error) {
	if f == nil {
		return nil, nil
	}
	if *f != math.Trunc(*f) || *f < 0 || *f > 120 {
		return nil, fmt.Errorf("%s %v: want a whole age from 0 to 120", field, *f)
	}
	n := int(*f)
	return &n, nil
}

var dayNames = map[string]string{"MO": "mon", "TU": "tue", "WE": "wed", "TH": "thu", "FR": "fri", "SA": "sat", "SU": "sun"}

// weeklyHours reads a weekly schedule with days and times; others (dated
// exceptions, monthly rules) have no place in the weekly hours.
func weeklyHours(sc Schedule) (services.OpeningHours, bool) {
	if !strings.EqualFold(sc.Freq, "WEEKLY") || sc.ByDay == "" || sc.OpensAt == "" || sc.ClosesAt == "" || sc.ValidFrom != "" {
		return services.OpeningHours{}, false
	}
	var h services.OpeningHours
	for _, d := range strings.Split(sc.ByDay, ",") {
		if n, ok := dayNames[strings.ToUpper(strings.TrimSpace(d))]; ok {
			h.Days = append(h.Days, n)
		}
	}
	short := func(t string) string {
		if len(t) >= 5 {
			return t[:5]
		}
		return t
	}
	h.Opens, h.Closes = short(sc.OpensAt), short(sc.ClosesAt)
	return h, len(h.Days) > 0
}

func location(ref Ref, l *Location, lang string) services.Location {
	out := services.Location{ID: l.ExternalIdentifier, Name: in(lang, l.Name), Note: in(lang, l.Description),
		Latitude: l.Latitude, Longitude: l.Longitude}
	if len(l.Addresses) > 0 {
		a := l.Addresses[0]
		out.Street, out.PostalCode, out.PostOffice = in(lang, a.Address1), a.PostalCode, in(lang, a.City)
		if m, ok := ref.Munis.Lookup(a.City); ok {
			out.Municipality = m.Code
		}
	}
	return out
}

func (im Import) defaultArea() string {
	if im.DefaultArea == "" {
		return "national"
	}
	return im.DefaultArea
}

// area reads the service areas this profile writes (extent_type and
// "kind:id"), or Finnish municipalities named; else the default area, and
// says it assumed it.
func (im Import) area(ref Ref, areas []ServiceArea) (services.Area, bool, error) {
	var a services.Area
	add := func(kind, v string) error {
		if !a.Add(kind, v) {
			return fmt.Errorf("area %q: want national, county:SLUG, network:SLUG or municipality:CODE", kind+":"+v)
		}
		return nil
	}
	for _, sa := range areas {
		if kind, v, ok := strings.Cut(sa.Description, ":"); ok && slices.Contains([]string{"country", "county", "network", "municipality"}, kind) {
			if err := add(kind, v); err != nil {
				return a, false, err
			}
			continue
		}
		if m, ok := ref.Munis.Lookup(sa.Name); ok {
			a.Municipalities = append(a.Municipalities, m.Code)
		}
	}
	if a.National && (len(a.Counties)+len(a.Networks)+len(a.Municipalities)) > 0 {
		a = services.Area{National: true}
	}
	if a.National || len(a.Counties)+len(a.Networks)+len(a.Municipalities) > 0 {
		return a, false, nil
	}
	kind, v, _ := strings.Cut(im.defaultArea(), ":")
	return a, true, add(kind, v)
}

// droppable are the fields of a plain document left out when the directory
// cannot take them: channel details, never what the listing is.
var droppable = regexp.MustCompile(`^(email|url|phones\[(\d+)\].*|links\[(\d+)\].*|locations\[(\d+)\]\.(postal_code|latitude|longitude|phones\[(\d+)\].*|email))$`)

// dropInvalid leaves out of x the fields err names that may be dropped,
// and returns the other field errors and what it dropped.
func dropInvalid(x *services.Service, err error) ([]apperr.FieldError, []string) {
	e := apperr.As(err)
	if e == nil {
		return []apperr.FieldError{{Field: "service", Message: apperr.PublicMessage(err)}}, nil
	}
	var left []apperr.FieldError
	var notes []string
	phones, links := map[int]bool{}, map[int]bool{}
	locPhones := map[[2]int]bool{}
	for _, f := range e.Fields {
		m := droppable.FindStringSubmatch(f.Field)
		if m == nil {
			left = append(left, f)
			continue
		}
		notes = append(notes, fmt.Sprintf("service %s: %s left out (%s)", x.ID, f.Field, f.Message))
		switch {
		case f.Field == "email":
			x.Email = ""
		case f.Field == "url":
			x.URL = ""
		case m[2] != "":
			phones[atoi(m[2])] = true
		case m[3] != "":
			links[atoi(m[3])] = true
		case m[4] != "":
			i := atoi(m[4])
			if i >= len(x.Locations) {
				continue
			}
			l := &x.Locations[i]
			switch {
			case m[5] == "postal_code":
				l.PostalCode = ""
			case m[5] == "latitude" || m[5] == "longitude":
				l.Latitude, l.Longitude = nil, nil
			case m[5] == "email":
				l.Email = ""
			case m[6] != "":
				locPhones[[2]int{i, atoi(m[6])}] = true
			}
		}
	}
	x.Phones = dropIndexes(x.Phones, phones)
	x.Links = dropIndexes(x.Links, links)
	for i := range x.Locations {
		drop := map[int]bool{}
		for k := range locPhones {
			if k[0] == i {
				drop[k[1]] = true
			}
		}
		x.Locations[i].Phones = dropIndexes(x.Locations[i].Phones, drop)
	}
	return left, notes
}

func dropIndexes[S ~[]E, E any](s S, drop map[int]bool) S {
	if len(drop) == 0 {
		return s
	}
	var out S
	for i, v := range s {
		if !drop[i] {
			out = append(out, v)
		}
	}
	return out
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }
