package services

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
)

// How to get in touch with a service: phones (Phone, in model.go), links,
// places to visit, opening hours, and where each fact came from.

// Phone kinds and charge types.
const (
	PhoneVoice = "phone"
	PhoneSMS   = "sms"
	PhoneFax   = "fax"

	ChargeFree       = "free"       // free of charge to the caller
	ChargeNormal     = "normal"     // the caller's normal call charge
	ChargeChargeable = "chargeable" // a service charge on top
)

// Link kinds.
const (
	LinkWeb      = "web"      // a web page about the service
	LinkEService = "eservice" // an e-service: an application, a booking
	LinkChat     = "chat"     // a chat
)

// Seen says where a contact detail was read, for facts gathered from
// public pages rather than given by the organization: the page, the date
// the page showed (empty when it showed none) and when it was read, so a
// reader can judge how old the fact may be.
type Seen struct {
	On   string `json:"on" yaml:"on"`
	Date string `json:"date,omitempty" yaml:"date"`
	// Gathered is when the page was read ("2026-12").
	Gathered string `json:"gathered,omitempty" yaml:"gathered"`
}

// Link is a web address of a service beyond its main one.
type Link struct {
	Kind     string    `json:"kind" yaml:"kind"` // web, eservice, chat
	URL      string    `json:"url" yaml:"url"`
	Label    l10n.Text `json:"label,omitzero" yaml:"label"`
	Language string    `json:"language,omitempty" yaml:"language"`
	Seen     *Seen     `json:"seen,omitempty" yaml:"seen"`
}

// Schedule is when a place or a phone line is open.
type Schedule struct {
	Weekly     []OpeningHours   `json:"weekly,omitempty" yaml:"weekly"`
	Exceptions []HoursException `json:"exceptions,omitempty" yaml:"exceptions"`
	// AlwaysOpen is around the clock, every day.
	AlwaysOpen bool `json:"always_open,omitempty" yaml:"always_open"`
	// ByAppointment has no opening hours: one books a time.
	ByAppointment bool      `json:"by_appointment,omitempty" yaml:"by_appointment"`
	Note          l10n.Text `json:"note,omitzero" yaml:"note"`
}

// IsZero reports whether the schedule says nothing.
func (s Schedule) IsZero() bool {
	return len(s.Weekly) == 0 && len(s.Exceptions) == 0 && !s.AlwaysOpen && !s.ByAppointment && s.Note.IsZero()
}

// Location is a place where a service is visited (HSDS location with its
// physical address): a visiting address, WGS84 coordinates when known,
// and the place's own hours and phones.
type Location struct {
	// ID names the place in its source (a PTV service channel id).
	ID           string    `json:"id,omitempty" yaml:"id"`
	Name         l10n.Text `json:"name,omitzero" yaml:"name"`
	Street       l10n.Text `json:"street,omitzero" yaml:"street"` // with the number: "Kauppakatu 12 A"
	PostalCode   string    `json:"postal_code,omitempty" yaml:"postal_code"`
	PostOffice   l10n.Text `json:"post_office,omitzero" yaml:"post_office"`
	Municipality string    `json:"municipality,omitempty" yaml:"municipality"` // code
	Latitude     *float64  `json:"latitude,omitempty" yaml:"latitude"`
	Longitude    *float64  `json:"longitude,omitempty" yaml:"longitude"`
	Note         l10n.Text `json:"note,omitzero" yaml:"note"`
	Hours        Schedule  `json:"hours,omitzero" yaml:"hours"`
	Phones       []Phone   `json:"phones,omitempty" yaml:"phones"`
	Email        string    `json:"email,omitempty" yaml:"email"`
	// Seen is where the address was read, when gathered from a page.
	Seen *Seen `json:"seen,omitempty" yaml:"seen"`
}

// Source says where a listing came from: the seed, or an import (PTV,
// HSDS, CSV). An empty Kind is a listing typed in by an editor.
type Source struct {
	Kind string `json:"kind,omitempty" yaml:"kind"` // ptv, seed, hsds, csv
	// ID is the listing's id in the source (a PTV service id).
	ID string `json:"id,omitempty" yaml:"id"`
	// Modified is when the source last changed it, by the source's clock.
	Modified *time.Time `json:"modified,omitempty" yaml:"modified"`
	// Fetched is when the directory last read it.
	Fetched *time.Time `json:"fetched,omitempty" yaml:"fetched"`
	// URL is the listing's public page in the source.
	URL string `json:"url,omitempty" yaml:"url"`
	// Status is the source's own: a withdrawn or archived PTV service is
	// ended here too.
	Status string `json:"status,omitempty" yaml:"status"`
}

// Scan implements sql.Scanner.
func (s *Source) Scan(src any) error { return db.ScanJSON(src, s) }

// Value implements driver.Valuer.
func (s Source) Value() (driver.Value, error) { return db.ValueJSON(s) }

// Imported reports whether the listing came from an import.
func (s Source) Imported() bool { return s.Kind != "" && s.Kind != SourceSeed }

// Source kinds.
const (
	SourceSeed = "seed"
	SourcePTV  = "ptv"
)

// SourceChange is a change by the source to a field an editor has
// overridden: the editor is asked whether to take it or keep theirs.
type SourceChange struct {
	Field string `json:"field"`
	// Value is the source's new value, as JSON.
	Value string    `json:"value"`
	At    time.Time `json:"at"`
}

// SourceValues are the values the source last gave for the fields it
// owns, as JSON by field name: a field whose stored value differs is one
// an editor has overridden, which a sync leaves alone.
type SourceValues map[string]string

// Scan implements sql.Scanner.
func (v *SourceValues) Scan(src any) error { return db.ScanJSON(src, v) }

// Value implements driver.Valuer.
func (v SourceValues) Value() (driver.Value, error) {
	if v == nil {
		return "{}", nil
	}
	return db.ValueJSON(map[string]string(v))
}

// E164 returns the number in international form for a tel: link
// ("+358401234567"): a Finnish number with its trunk 0 dropped (also the
// nationwide 020, 029 and 030 numbers, which are reachable from abroad), a
// service number (0800, 0600, 116, 112 ...) as written, without spaces.
func (p Phone) E164() string {
	var b strings.Builder
	for i, r := range p.Number {
		if r >= '0' && r <= '9' || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	n := b.String()
	switch {
	case strings.HasPrefix(n, "+"):
		return n
	case strings.HasPrefix(n, "00"):
		return "+" + n[2:]
	case strings.HasPrefix(n, "0800"), strings.HasPrefix(n, "0700"), strings.HasPrefix(n, "0600"),
		strings.HasPrefix(n, "0100"), strings.HasPrefix(n, "0200"), strings.HasPrefix(n, "0300"),
		strings.HasPrefix(n, "116"), strings.HasPrefix(n, "112"), strings.HasPrefix(n, "10"):
		// Service numbers are dialled as written in Finland; from
		// abroad most are unreachable anyway.
		return n
	case strings.HasPrefix(n, "0"):
		return "+358" + n[1:]
	}
	return n
}

func checkPhones(fs *apperr.Fields, field string, list []Phone) {
	for i, p := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		if p.Number == "" {
			fs.Add(f+".number", "err.required", "is required")
		}
		checkPhone(fs, f+".number", p.Number)
		CheckText(fs, f+".description", p.Description, false, 300)
		if p.Kind != "" && p.Kind != PhoneVoice && p.Kind != PhoneSMS && p.Kind != PhoneFax {
			fs.Add(f+".kind", "err.phone_kind", "must be phone, sms or fax")
		}
		if p.Charge != "" && p.Charge != ChargeFree && p.Charge != ChargeNormal && p.Charge != ChargeChargeable {
			fs.Add(f+".charge", "err.charge", "must be free, normal or chargeable")
		}
		CheckText(fs, f+".charge_note", p.ChargeNote, false, 300)
		checkLanguage(fs, f+".language", p.Language)
		checkSeen(fs, f+".seen", p.Seen)
	}
}

func checkLanguage(fs *apperr.Fields, field, l string) {
	if l != "" && !langPattern.MatchString(l) {
		fs.Add(field, "err.language", "%q is not a language code such as fi, sv or en", l)
	}
}

func checkSeen(fs *apperr.Fields, field string, s *Seen) {
	if s == nil {
		return
	}
	checkPlain(fs, field+".on", s.On, true, 300)
	checkPlain(fs, field+".date", s.Date, false, 100)
	checkPlain(fs, field+".gathered", s.Gathered, false, 40)
}

func checkLinks(fs *apperr.Fields, list []Link) {
	for i, l := range list {
		f := fmt.Sprintf("links[%d]", i)
		if l.Kind != LinkWeb && l.Kind != LinkEService && l.Kind != LinkChat {
			fs.Add(f+".kind", "err.link_kind", "must be web, eservice or chat")
		}
		if l.URL == "" {
			fs.Add(f+".url", "err.required", "is required")
		}
		checkURL(fs, f+".url", l.URL)
		CheckText(fs, f+".label", l.Label, false, 200)
		checkLanguage(fs, f+".language", l.Language)
		checkSeen(fs, f+".seen", l.Seen)
	}
}

func checkSchedule(fs *apperr.Fields, field string, s Schedule) {
	checkWeekly(fs, field+".weekly", s.Weekly)
	checkExceptions(fs, field+".exceptions", s.Exceptions)
	CheckText(fs, field+".note", s.Note, false, 500)
}

func checkLocations(fs *apperr.Fields, list []Location) {
	for i, l := range list {
		f := fmt.Sprintf("locations[%d]", i)
		checkPlain(fs, f+".id", l.ID, false, 80)
		CheckText(fs, f+".name", l.Name, false, 200)
		CheckText(fs, f+".street", l.Street, false, 200)
		CheckText(fs, f+".post_office", l.PostOffice, false, 100)
		CheckText(fs, f+".note", l.Note, false, 1000)
		if l.PostalCode != "" && !postalPattern.MatchString(l.PostalCode) {
			fs.Add(f+".postal_code", "err.postal_code", "must be a five-digit postal code")
		}
		if (l.Latitude == nil) != (l.Longitude == nil) {
			fs.Add(f+".latitude", "err.coordinates", "give both latitude and longitude, or neither")
		}
		if l.Latitude != nil && (*l.Latitude < -90 || *l.Latitude > 90) {
			fs.Add(f+".latitude", "err.coordinates", "must be a WGS84 latitude")
		}
		if l.Longitude != nil && (*l.Longitude < -180 || *l.Longitude > 180) {
			fs.Add(f+".longitude", "err.coordinates", "must be a WGS84 longitude")
		}
		checkSchedule(fs, f+".hours", l.Hours)
		checkPhones(fs, f+".phones", l.Phones)
		checkEmail(fs, f+".email", l.Email)
		checkSeen(fs, f+".seen", l.Seen)
	}
}
