// Package services holds the directory's listings and reference data:
// municipalities, controlled vocabularies, organizations, networks, services
// and contact persons; their validation; and the SQL that loads and saves
// them. The shapes follow Open Referral HSDS 3.0 where it has a concept, so
// that an HSDS export is a mapping, not a rewrite.
package services

import (
	"database/sql/driver"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/users"
)

// Entity names used in the change log and audit log.
const (
	EntityService      = auth.KindService
	EntityContact      = auth.KindContact
	EntityNetwork      = "network"
	EntityOrganization = "organization"
	EntityVocabulary   = "vocabulary"
)

// Vocabulary ids: the controlled vocabularies the model refers to.
const (
	VocabClientSituation = "client_situation"
	VocabProfession      = "profession"
	VocabServiceType     = "service_type"
	VocabDeliveryMode    = "delivery_mode"
	VocabReportingDuty   = "reporting_duty"
)

// Statuses of a service.
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
	StatusArchived = "archived"
)

// ReviewInterval is how long a verification stays fresh by default.
const ReviewInterval = 6 * 30 * 24 * time.Hour

// Municipality is a Finnish municipality (kunta) and the wellbeing services
// county it belongs to, as Statistics Finland classifies them.
type Municipality struct {
	Code       string `db:"code" json:"code"`
	NameFI     string `db:"name_fi" json:"name_fi"`
	NameSV     string `db:"name_sv" json:"name_sv"`
	CountySlug string `db:"county_slug" json:"county"`
	CountyFI   string `db:"county_fi" json:"county_fi"`
	CountySV   string `db:"county_sv" json:"county_sv"`
	RegionFI   string `db:"region_fi" json:"region_fi"`
}

// Name returns the municipality's name in lang (Swedish for sv).
func (m Municipality) Name(lang string) string {
	if lang == "sv" && m.NameSV != "" {
		return m.NameSV
	}
	return m.NameFI
}

// County returns the county's name in lang.
func (m Municipality) County(lang string) string {
	if lang == "sv" && m.CountySV != "" {
		return m.CountySV
	}
	return m.CountyFI
}

// Vocabulary is a controlled vocabulary (an HSDS taxonomy).
type Vocabulary struct {
	ID       string    `db:"id" json:"id"`
	Name     l10n.Text `db:"name" json:"name"`
	Position int       `db:"position" json:"-"`
	Terms    []Term    `db:"-" json:"terms"`
}

// Term is one entry of a vocabulary (an HSDS taxonomy term).
type Term struct {
	Vocabulary  string    `db:"vocabulary" json:"-"`
	ID          string    `db:"id" json:"id"`
	Name        l10n.Text `db:"name" json:"name"`
	Description l10n.Text `db:"description" json:"description,omitzero"`
	Position    int       `db:"position" json:"-"`
}

// Vocabularies looks terms up by vocabulary and id.
type Vocabularies struct {
	List  []Vocabulary
	terms map[string]map[string]Term
}

// NewVocabularies indexes list for lookups.
func NewVocabularies(list []Vocabulary) *Vocabularies {
	v := &Vocabularies{List: list, terms: map[string]map[string]Term{}}
	for _, voc := range list {
		m := map[string]Term{}
		for _, t := range voc.Terms {
			m[t.ID] = t
		}
		v.terms[voc.ID] = m
	}
	return v
}

// Term returns the term, and whether it exists.
func (v *Vocabularies) Term(vocab, id string) (Term, bool) {
	if v == nil {
		return Term{}, false
	}
	t, ok := v.terms[vocab][id]
	return t, ok
}

// CheckTerm records in fs that param is invalid unless id is empty or a
// term of vocab, naming the terms allowed.
func (v *Vocabularies) CheckTerm(fs *apperr.Fields, param, vocab, id string) {
	if id == "" {
		return
	}
	if _, ok := v.Term(vocab, id); ok {
		return
	}
	voc, _ := v.Vocabulary(vocab)
	ids := make([]string, len(voc.Terms))
	for i, t := range voc.Terms {
		ids[i] = t.ID
	}
	fs.OneOf(param, id, ids...)
}

// Label returns the term's name in lang, or the id when it is unknown.
func (v *Vocabularies) Label(vocab, id, lang string) string {
	if t, ok := v.Term(vocab, id); ok {
		s, _ := t.Name.Get(lang)
		return s
	}
	return id
}

// Vocabulary returns one vocabulary, and whether it exists.
func (v *Vocabularies) Vocabulary(id string) (Vocabulary, bool) {
	if v == nil {
		return Vocabulary{}, false
	}
	for _, voc := range v.List {
		if voc.ID == id {
			return voc, true
		}
	}
	return Vocabulary{}, false
}

// Organization runs services (HSDS organization).
type Organization struct {
	ID          string     `db:"id" json:"id" yaml:"id"`
	Name        l10n.Text  `db:"name" json:"name" yaml:"name"`
	Description l10n.Text  `db:"description" json:"description,omitzero" yaml:"description"`
	Kind        string     `db:"kind" json:"kind" yaml:"kind"`
	URL         string     `db:"url" json:"url,omitempty" yaml:"url"`
	Email       string     `db:"email" json:"email,omitempty" yaml:"email"`
	Phone       string     `db:"phone" json:"phone,omitempty" yaml:"phone"`
	VerifiedAt  *time.Time `db:"verified_at" json:"verified_at" yaml:"verified_at"`
	ReviewBy    *time.Time `db:"review_by" json:"review_by" yaml:"-"`
	Meta        `yaml:"-"`
}

// Meta is the bookkeeping every stored listing carries.
type Meta struct {
	Version   int       `db:"version" json:"version"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
}

// OrganizationKinds are the allowed Organization.Kind values.
var OrganizationKinds = []string{"ngo", "state", "wellbeing-county", "municipality", "hospital-district", "foundation", "church", "other"}

// Newsletter is one issue of a network's newsletter.
type Newsletter struct {
	Issue string `json:"issue" yaml:"issue"` // as published, e.g. "4/2020"
	URL   string `json:"url,omitempty" yaml:"url"`
}

// Network is a SeriE regional network.
type Network struct {
	Slug        string          `db:"slug" json:"slug" yaml:"slug"`
	Name        l10n.Text       `db:"name" json:"name" yaml:"name"`
	ShortName   l10n.Text       `db:"short_name" json:"short_name,omitzero" yaml:"short_name"`
	Description l10n.Text       `db:"description" json:"description,omitzero" yaml:"description"`
	Meeting     l10n.Text       `db:"meeting" json:"meeting,omitzero" yaml:"meeting"`
	MemberInfo  l10n.Text       `db:"member_info" json:"member_info,omitzero" yaml:"member_info"`
	Counties    db.List[string] `db:"counties" json:"counties" yaml:"counties"`
	// ExtraMunicipalities are covered beyond the counties (codes).
	ExtraMunicipalities db.List[string] `db:"extra_municipalities" json:"extra_municipalities,omitempty" yaml:"municipalities"`
	// Municipalities is the whole coverage: the counties' municipalities
	// plus the extra ones, sorted by code. Derived; stored in
	// network_municipalities.
	Municipalities []string            `db:"-" json:"municipalities" yaml:"-"`
	Goals          l10n.Texts          `db:"goals" json:"goals,omitempty" yaml:"goals"`
	Professions    db.List[string]     `db:"professions" json:"professions,omitempty" yaml:"professions"`
	Newsletters    db.List[Newsletter] `db:"newsletters" json:"newsletters,omitempty" yaml:"newsletters"`
	Position       int                 `db:"position" json:"-" yaml:"-"`
	Meta           `yaml:"-"`
}

// Display returns the network's short name if it has one, else its name.
func (n Network) Display(lang string) string {
	if s, _ := n.ShortName.Get(lang); s != "" {
		return s
	}
	s, _ := n.Name.Get(lang)
	return s
}

// Phone is one phone number of a service (HSDS phone).
type Phone struct {
	Number      string    `json:"number" yaml:"number"`
	Description l10n.Text `json:"description,omitzero" yaml:"description"`
	// Kind is phone (the default), sms or fax.
	Kind string `json:"kind,omitempty" yaml:"kind"`
	// Charge is free, normal or chargeable; empty when not known.
	Charge     string    `json:"charge,omitempty" yaml:"charge"`
	ChargeNote l10n.Text `json:"charge_note,omitzero" yaml:"charge_note"`
	// Language is the language the line answers in, when it is one.
	Language string `json:"language,omitempty" yaml:"language"`
	// Hours are the line's own, when they differ from the service's.
	Hours *Schedule `json:"hours,omitempty" yaml:"hours"`
	Seen  *Seen     `json:"seen,omitempty" yaml:"seen"`
}

// OpeningHours is one weekly opening period (HSDS schedule, simplified).
type OpeningHours struct {
	Days   []string `json:"days" yaml:"days"` // mon..sun
	Opens  string   `json:"opens" yaml:"opens"`
	Closes string   `json:"closes" yaml:"closes"`
}

// HoursException overrides the weekly hours on one date.
type HoursException struct {
	Date   string    `json:"date" yaml:"date"` // YYYY-MM-DD
	Closed bool      `json:"closed" yaml:"closed"`
	Opens  string    `json:"opens,omitempty" yaml:"opens"`
	Closes string    `json:"closes,omitempty" yaml:"closes"`
	Note   l10n.Text `json:"note,omitzero" yaml:"note"`
}

// ReportingDuty says what a service must report and to whom, so that a
// help-seeker and a referrer know it before contact.
type ReportingDuty struct {
	Duty string    `json:"duty" yaml:"duty"` // a reporting_duty term
	To   l10n.Text `json:"to,omitzero" yaml:"to"`
	Note l10n.Text `json:"note,omitzero" yaml:"note"`
}

// Area is where a service is available: the whole country, or a set of
// wellbeing services counties, networks and municipalities.
type Area struct {
	National       bool     `json:"national" yaml:"national"`
	Counties       []string `json:"counties,omitempty" yaml:"counties"`
	Networks       []string `json:"networks,omitempty" yaml:"networks"`
	Municipalities []string `json:"municipalities,omitempty" yaml:"municipalities"`
}

// Scan implements sql.Scanner.
func (a *Area) Scan(src any) error { return db.ScanJSON(src, a) }

// Add adds one place written as importers take it: "national" (or
// "country", "koko maa", "hela landet"), or county, network or
// municipality with its id or name. It reports whether kind is one of
// those; whether the id exists is checked with the listing.
func (a *Area) Add(kind, ref string) bool {
	switch strings.ToLower(strings.TrimSpace(kind)) {
	case "national", "country", "koko maa", "hela landet":
		a.National = true
	case "county":
		a.Counties = append(a.Counties, ref)
	case "network":
		a.Networks = append(a.Networks, ref)
	case "municipality":
		a.Municipalities = append(a.Municipalities, ref)
	default:
		return false
	}
	return true
}

// Value implements driver.Valuer.
func (a Area) Value() (driver.Value, error) { return db.ValueJSON(a) }

// Service is a support or treatment service professionals refer to (HSDS
// service). Pointer booleans are unknown when nil: the directory never
// claims what it does not know.
type Service struct {
	ID               string                  `db:"id" json:"id" yaml:"id"`
	OrganizationID   db.Ref                  `db:"organization_id" json:"organization,omitempty" yaml:"organization"`
	Name             l10n.Text               `db:"name" json:"name" yaml:"name"`
	Description      l10n.Text               `db:"description" json:"description,omitzero" yaml:"description"`
	TargetGroups     db.List[string]         `db:"target_groups" json:"target_groups" yaml:"target_groups"`
	ServiceTypes     db.List[string]         `db:"service_types" json:"service_types" yaml:"service_types"`
	DeliveryModes    db.List[string]         `db:"delivery_modes" json:"delivery_modes" yaml:"delivery_modes"`
	Languages        db.List[string]         `db:"languages" json:"languages" yaml:"languages"`
	Cost             l10n.Text               `db:"cost" json:"cost,omitzero" yaml:"cost"`
	ReferralRequired *bool                   `db:"referral_required" json:"referral_required" yaml:"referral_required"`
	Anonymous        *bool                   `db:"anonymous" json:"anonymous" yaml:"anonymous"`
	IdentityRecorded *bool                   `db:"identity_recorded" json:"identity_recorded" yaml:"identity_recorded"`
	Reporting        db.List[ReportingDuty]  `db:"reporting" json:"reporting" yaml:"reporting"`
	Eligibility      l10n.Text               `db:"eligibility" json:"eligibility,omitzero" yaml:"eligibility"`
	AgeMin           *int                    `db:"age_min" json:"age_min" yaml:"age_min"`
	AgeMax           *int                    `db:"age_max" json:"age_max" yaml:"age_max"`
	HowToRefer       l10n.Text               `db:"how_to_refer" json:"how_to_refer,omitzero" yaml:"how_to_refer"`
	SelfReferral     l10n.Text               `db:"self_referral" json:"self_referral,omitzero" yaml:"self_referral"`
	URL              string                  `db:"url" json:"url" yaml:"url"`
	Email            string                  `db:"email" json:"email" yaml:"email"`
	Phones           db.List[Phone]          `db:"phones" json:"phones" yaml:"phones"`
	Hours            db.List[OpeningHours]   `db:"hours" json:"hours" yaml:"hours"`
	HoursExceptions  db.List[HoursException] `db:"hours_exceptions" json:"hours_exceptions" yaml:"hours_exceptions"`
	HoursNote        l10n.Text               `db:"hours_note" json:"hours_note,omitzero" yaml:"hours_note"`
	// AlwaysOpen is around the clock, every day ("24 h").
	AlwaysOpen bool              `db:"always_open" json:"always_open" yaml:"always_open"`
	Links      db.List[Link]     `db:"links" json:"links" yaml:"links"`
	Locations  db.List[Location] `db:"locations" json:"locations" yaml:"locations"`
	Area       Area              `db:"area" json:"area" yaml:"area"`
	Status     string            `db:"status" json:"status" yaml:"status"`
	Alert      l10n.Text         `db:"alert" json:"alert,omitzero" yaml:"alert"`
	VerifiedAt *time.Time        `db:"verified_at" json:"verified_at" yaml:"verified_at"`
	ReviewBy   *time.Time        `db:"review_by" json:"review_by" yaml:"review_by"`
	// Source is where the listing came from; empty for an editor's own.
	Source Source `db:"source" json:"source,omitzero" yaml:"source"`
	// SourceValues and SourceChanges are the sync's bookkeeping (see
	// SourceValues): the source's last values of the fields it owns, and
	// its changes to fields an editor overrode, waiting for the editor.
	SourceValues  SourceValues          `db:"source_values" json:"-" yaml:"-"`
	SourceChanges db.List[SourceChange] `db:"source_changes" json:"source_changes,omitempty" yaml:"-"`
	Meta          `yaml:"-"`

	// Derived columns for SQL ordering and filtering.
	SortName string `db:"sort_name" json:"-" yaml:"-"`
	National bool   `db:"national" json:"-" yaml:"-"`
}

// Verified reports whether the listing has been verified and is not past
// its review date at now.
func Verified(verifiedAt, reviewBy *time.Time, now time.Time) bool {
	return verifiedAt != nil && (reviewBy == nil || now.Before(*reviewBy))
}

// Overdue reports whether a verified listing is past its review date, or
// was never verified.
func Overdue(verifiedAt, reviewBy *time.Time, now time.Time) bool {
	return !Verified(verifiedAt, reviewBy, now)
}

// Visibility levels of a contact person's fields.
const (
	Public  = "public"
	Members = "members"
	Admins  = "admins"
)

func levelOf(visibility string) users.Level {
	switch visibility {
	case Members:
		return users.LevelMember
	case Admins:
		return users.LevelAdmin
	default:
		return users.LevelPublic
	}
}

// Visibility maps a contact field (email, phone) to who may see it. A field
// not named is public.
type Visibility map[string]string

// Scan implements sql.Scanner.
func (v *Visibility) Scan(src any) error { return db.ScanJSON(src, v) }

// Value implements driver.Valuer.
func (v Visibility) Value() (driver.Value, error) {
	if v == nil {
		return "{}", nil
	}
	return db.ValueJSON(map[string]string(v))
}

// VisibilityFields are the contact fields whose visibility can be limited.
var VisibilityFields = []string{"email", "phone"}

// Contact roles.
var ContactRoles = []string{"regional-contact", "deputy", "coordinator", "communications", "member"}

// Contact is a contact person (HSDS contact) of a network or organization.
type Contact struct {
	ID             string          `db:"id" json:"id" yaml:"id"`
	Name           string          `db:"name" json:"name" yaml:"name"`
	Title          l10n.Text       `db:"title" json:"title,omitzero" yaml:"title"`
	Profession     string          `db:"profession" json:"profession,omitempty" yaml:"profession"`
	OrganizationID db.Ref          `db:"organization_id" json:"organization_id,omitempty" yaml:"organization_id"`
	Organization   l10n.Text       `db:"organization" json:"organization,omitzero" yaml:"organization"`
	Email          string          `db:"email" json:"email,omitempty" yaml:"email"`
	Phone          string          `db:"phone" json:"phone,omitempty" yaml:"phone"`
	NetworkSlug    db.Ref          `db:"network_slug" json:"network,omitempty" yaml:"network"`
	Role           string          `db:"role" json:"role" yaml:"role"`
	Languages      db.List[string] `db:"languages" json:"languages,omitempty" yaml:"languages"`
	Visibility     Visibility      `db:"visibility" json:"visibility,omitempty" yaml:"visibility"`
	Source         string          `db:"source" json:"source,omitempty" yaml:"source"`
	// Status is active or archived (a soft delete).
	Status     string     `db:"status" json:"status" yaml:"status"`
	VerifiedAt *time.Time `db:"verified_at" json:"verified_at" yaml:"verified_at"`
	ReviewBy   *time.Time `db:"review_by" json:"review_by" yaml:"review_by"`
	Meta       `yaml:"-"`

	SortName string `db:"sort_name" json:"-" yaml:"-"` // derived, for ordering
}

// ForViewer returns the contact with every field the viewer may not see
// emptied. Pages, API and the index all read contacts through it.
func (c Contact) ForViewer(l users.Level) Contact {
	if levelOf(c.Visibility["email"]) > l {
		c.Email = ""
	}
	if levelOf(c.Visibility["phone"]) > l {
		c.Phone = ""
	}
	return c
}

// --- validation ---

var (
	idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,79}$`)
	// phonePattern allows the three-digit emergency number 112 too.
	phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{2,24}$`)
	timePattern  = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$`)
	langPattern  = regexp.MustCompile(`^[a-z]{2,3}$`)
	// postalPattern is a Finnish postal code.
	postalPattern = regexp.MustCompile(`^[0-9]{5}$`)
	weekdays      = map[string]bool{"mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true, "sun": true}
)

// ValidID reports whether s is a well-formed listing id or slug.
func ValidID(s string) bool { return idPattern.MatchString(s) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func checkID(fs *apperr.Fields, field, id string) {
	switch {
	case id == "":
		fs.Add(field, "err.required", "is required")
	case !ValidID(id):
		fs.Add(field, "err.id", "must be 1-80 lowercase letters, digits or hyphens")
	}
}

// CheckText adds to fs what is wrong with a text in three languages:
// Finnish missing when required, invalid UTF-8, or longer than max
// characters in a language.
func CheckText(fs *apperr.Fields, field string, t l10n.Text, required bool, max int) {
	if required && strings.TrimSpace(t.FI) == "" {
		fs.Add(field+".fi", "err.required", "is required")
	}
	for _, lang := range l10n.Languages {
		s := t.In(lang)
		if !utf8.ValidString(s) {
			fs.Add(field+"."+lang, "err.utf8", "is not valid UTF-8")
		} else if n := utf8.RuneCountInString(s); n > max {
			fs.Add(field+"."+lang, "err.too_long", "is too long (%d characters, at most %d)", n, max)
		}
	}
}

func checkPlain(fs *apperr.Fields, field, s string, required bool, max int) {
	if required && strings.TrimSpace(s) == "" {
		fs.Add(field, "err.required", "is required")
		return
	}
	if !utf8.ValidString(s) {
		fs.Add(field, "err.utf8", "is not valid UTF-8")
	} else if n := utf8.RuneCountInString(s); n > max {
		fs.Add(field, "err.too_long", "is too long (%d characters, at most %d)", n, max)
	}
}

func checkEmail(fs *apperr.Fields, field, s string) {
	if s == "" {
		return
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		fs.Add(field, "err.email", "is not a valid e-mail address")
	}
}

func checkURL(fs *apperr.Fields, field, s string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s) > 500 {
		fs.Add(field, "err.url", "must be a web address starting with https://")
	}
}

func checkPhone(fs *apperr.Fields, field, s string) {
	if s != "" && !phonePattern.MatchString(s) {
		fs.Add(field, "err.phone", "is not a valid phone number")
	}
}

func checkTerms(fs *apperr.Fields, field string, v *Vocabularies, vocab string, ids []string, required bool) {
	if required && len(ids) == 0 {
		fs.Add(field, "err.choose_one", "choose at least one")
	}
	seen := map[string]bool{}
	for i, id := range ids {
		if _, ok := v.Term(vocab, id); !ok {
			fs.Add(fmt.Sprintf("%s[%d]", field, i), "err.unknown_term", "unknown term %q", id)
		} else if seen[id] {
			fs.Add(fmt.Sprintf("%s[%d]", field, i), "err.duplicate", "%q is listed twice", id)
		}
		seen[id] = true
	}
}

// Normalize trims text and fills derived defaults (review date six months
// after verification, active status) before validation and storage.
func (s *Service) Normalize() {
	s.Name = s.Name.Trimmed()
	s.URL, s.Email = strings.TrimSpace(s.URL), strings.TrimSpace(s.Email)
	if s.Status == "" {
		s.Status = StatusActive
	}
	s.ReviewBy = defaultReview(s.VerifiedAt, s.ReviewBy)
}

func defaultReview(verifiedAt, reviewBy *time.Time) *time.Time {
	if verifiedAt != nil && reviewBy == nil {
		r := verifiedAt.Add(ReviewInterval)
		return &r
	}
	return reviewBy
}

// Validate checks the service against the vocabularies and returns an
// Invalid error listing every bad field. References to organizations and
// areas are checked by the store, which can see them.
func (s *Service) Validate(v *Vocabularies) error {
	var fs apperr.Fields
	checkID(&fs, "id", s.ID)
	if s.OrganizationID != "" && !ValidID(string(s.OrganizationID)) {
		fs.Add("organization", "err.id", "must be an organization id")
	}
	CheckText(&fs, "name", s.Name, true, 200)
	for _, f := range []struct {
		name string
		t    l10n.Text
		max  int
	}{
		{"description", s.Description, 5000}, {"cost", s.Cost, 300}, {"eligibility", s.Eligibility, 2000},
		{"how_to_refer", s.HowToRefer, 2000}, {"self_referral", s.SelfReferral, 2000},
		{"hours_note", s.HoursNote, 500}, {"alert", s.Alert, 300},
	} {
		CheckText(&fs, f.name, f.t, false, f.max)
	}
	// An imported listing has no client situations until the network
	// curates it, and may have no service type the mapping knows.
	curated := !s.Source.Imported()
	checkTerms(&fs, "target_groups", v, VocabClientSituation, s.TargetGroups, curated)
	checkTerms(&fs, "service_types", v, VocabServiceType, s.ServiceTypes, curated)
	checkTerms(&fs, "delivery_modes", v, VocabDeliveryMode, s.DeliveryModes, false)
	for i, l := range s.Languages {
		if !langPattern.MatchString(l) {
			fs.Add(fmt.Sprintf("languages[%d]", i), "err.language", "%q is not a language code such as fi, sv or en", l)
		}
	}
	for i, r := range s.Reporting {
		if _, ok := v.Term(VocabReportingDuty, r.Duty); !ok {
			fs.Add(fmt.Sprintf("reporting[%d].duty", i), "err.unknown_term", "unknown term %q", r.Duty)
		}
		CheckText(&fs, fmt.Sprintf("reporting[%d].note", i), r.Note, false, 1000)
		CheckText(&fs, fmt.Sprintf("reporting[%d].to", i), r.To, false, 200)
	}
	for _, a := range []struct {
		name string
		v    *int
	}{{"age_min", s.AgeMin}, {"age_max", s.AgeMax}} {
		if a.v != nil && (*a.v < 0 || *a.v > 120) {
			fs.Add(a.name, "err.age", "must be an age from 0 to 120")
		}
	}
	if s.AgeMin != nil && s.AgeMax != nil && *s.AgeMin > *s.AgeMax {
		fs.Add("age_max", "err.age_order", "must not be below the minimum age")
	}
	checkURL(&fs, "url", s.URL)
	checkEmail(&fs, "email", s.Email)
	checkPhones(&fs, "phones", s.Phones)
	checkWeekly(&fs, "hours", s.Hours)
	checkExceptions(&fs, "hours_exceptions", s.HoursExceptions)
	checkLinks(&fs, s.Links)
	checkLocations(&fs, s.Locations)
	a := s.Area
	if a.National && len(a.Counties)+len(a.Networks)+len(a.Municipalities) > 0 {
		fs.Add("area", "err.area_both", "is either national or a list of counties, networks and municipalities, not both")
	}
	if !a.National && len(a.Counties)+len(a.Networks)+len(a.Municipalities) == 0 {
		fs.Add("area", "err.area_empty", "choose national or at least one county, network or municipality")
	}
	if !contains([]string{StatusActive, StatusInactive, StatusArchived}, s.Status) {
		fs.Add("status", "err.status", "must be active, inactive or archived")
	}
	checkDates(&fs, s.VerifiedAt, s.ReviewBy)
	return fs.Err()
}

func checkWeekly(fs *apperr.Fields, field string, list []OpeningHours) {
	for i, h := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		if len(h.Days) == 0 {
			fs.Add(f+".days", "err.choose_one", "choose at least one")
		}
		for _, d := range h.Days {
			if !weekdays[d] {
				fs.Add(f+".days", "err.weekday", "%q is not a weekday (mon..sun)", d)
			}
		}
		checkSpan(fs, f, h.Opens, h.Closes)
	}
}

func checkExceptions(fs *apperr.Fields, field string, list []HoursException) {
	for i, x := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		if _, err := time.Parse("2006-01-02", x.Date); err != nil {
			fs.Add(f+".date", "err.date", "must be a date like 2026-12-24")
		}
		if !x.Closed {
			checkSpan(fs, f, x.Opens, x.Closes)
		}
		CheckText(fs, f+".note", x.Note, false, 300)
	}
}

func checkSpan(fs *apperr.Fields, field, opens, closes string) {
	if !timePattern.MatchString(opens) {
		fs.Add(field+".opens", "err.time", "must be a time like 09:00")
	}
	if !timePattern.MatchString(closes) {
		fs.Add(field+".closes", "err.time", "must be a time like 16:00")
	}
	if timePattern.MatchString(opens) && timePattern.MatchString(closes) && opens >= closes {
		fs.Add(field+".closes", "err.time_order", "must be after the opening time")
	}
}

func checkDates(fs *apperr.Fields, verifiedAt, reviewBy *time.Time) {
	if verifiedAt != nil && reviewBy != nil && reviewBy.Before(*verifiedAt) {
		fs.Add("review_by", "err.review_order", "must not be before the verification date")
	}
}

// Normalize trims and fills defaults.
func (c *Contact) Normalize() {
	c.Name, c.Email, c.Phone = strings.TrimSpace(c.Name), strings.TrimSpace(c.Email), strings.TrimSpace(c.Phone)
	if c.Status == "" {
		c.Status = StatusActive
	}
	c.ReviewBy = defaultReview(c.VerifiedAt, c.ReviewBy)
}

// Validate checks the contact person's fields.
func (c *Contact) Validate(v *Vocabularies) error {
	var fs apperr.Fields
	checkID(&fs, "id", c.ID)
	checkPlain(&fs, "name", c.Name, true, 200)
	CheckText(&fs, "title", c.Title, false, 200)
	CheckText(&fs, "organization", c.Organization, false, 200)
	if c.Profession != "" {
		if _, ok := v.Term(VocabProfession, c.Profession); !ok {
			fs.Add("profession", "err.unknown_term", "unknown term %q", c.Profession)
		}
	}
	if c.OrganizationID != "" && !ValidID(string(c.OrganizationID)) {
		fs.Add("organization_id", "err.id", "must be an organization id")
	}
	if c.NetworkSlug != "" && !ValidID(string(c.NetworkSlug)) {
		fs.Add("network", "err.id", "must be a network slug")
	}
	checkEmail(&fs, "email", c.Email)
	checkPhone(&fs, "phone", c.Phone)
	if !contains(ContactRoles, c.Role) {
		fs.Add("role", "err.role", "must be one of %s", strings.Join(ContactRoles, ", "))
	}
	for i, l := range c.Languages {
		if !langPattern.MatchString(l) {
			fs.Add(fmt.Sprintf("languages[%d]", i), "err.language", "%q is not a language code such as fi, sv or en", l)
		}
	}
	for field, vis := range c.Visibility {
		if !contains(VisibilityFields, field) {
			fs.Add("visibility."+field, "err.visibility_field", "only email and phone can be limited")
		} else if !contains([]string{Public, Members, Admins}, vis) {
			fs.Add("visibility."+field, "err.visibility", "must be public, members or admins")
		}
	}
	checkPlain(&fs, "source", c.Source, false, 500)
	if c.Status != StatusActive && c.Status != StatusArchived {
		fs.Add("status", "err.contact_status", "must be active or archived")
	}
	checkDates(&fs, c.VerifiedAt, c.ReviewBy)
	return fs.Err()
}

// Normalize trims and fills defaults.
func (o *Organization) Normalize() {
	o.Name = o.Name.Trimmed()
	if o.Kind == "" {
		o.Kind = "other"
	}
	o.ReviewBy = defaultReview(o.VerifiedAt, o.ReviewBy)
}

// Validate checks the organization's fields.
func (o *Organization) Validate() error {
	var fs apperr.Fields
	checkID(&fs, "id", o.ID)
	CheckText(&fs, "name", o.Name, true, 200)
	CheckText(&fs, "description", o.Description, false, 5000)
	if !contains(OrganizationKinds, o.Kind) {
		fs.Add("kind", "err.kind", "must be one of %s", strings.Join(OrganizationKinds, ", "))
	}
	checkURL(&fs, "url", o.URL)
	checkEmail(&fs, "email", o.Email)
	checkPhone(&fs, "phone", o.Phone)
	return fs.Err()
}

// Validate checks the network's own fields; the store checks that its
// counties and municipalities exist.
func (n *Network) Validate(v *Vocabularies) error {
	var fs apperr.Fields
	checkID(&fs, "slug", n.Slug)
	CheckText(&fs, "name", n.Name, true, 200)
	CheckText(&fs, "short_name", n.ShortName, false, 100)
	CheckText(&fs, "description", n.Description, false, 5000)
	CheckText(&fs, "meeting", n.Meeting, false, 1000)
	CheckText(&fs, "member_info", n.MemberInfo, false, 1000)
	for i, g := range n.Goals {
		CheckText(&fs, fmt.Sprintf("goals[%d]", i), g, true, 1000)
	}
	checkTerms(&fs, "professions", v, VocabProfession, n.Professions, false)
	for i, nl := range n.Newsletters {
		checkPlain(&fs, fmt.Sprintf("newsletters[%d].issue", i), nl.Issue, true, 20)
		checkURL(&fs, fmt.Sprintf("newsletters[%d].url", i), nl.URL)
	}
	return fs.Err()
}
