// Package ptv holds the version-independent model of what the directory reads
// from the Suomi.fi service catalogue (PTV): services ("listings"), their
// service channels and organizations, plus the contract a reader of one API
// version fulfils. Everything specific to one API version (URLs, JSON shapes,
// enumerations on the wire) lives in a subpackage such as ptv/v11, so that a
// v12 reader can sit beside it and produce the same model.
//
// All texts are plain text exactly as PTV gave them. PTV descriptions may hold
// markdown-like or HTML-like text; nothing here marks any of it as HTML, and
// renderers must escape it like any other user-supplied text.
package ptv

import (
	"context"
	"time"
)

// Text is one text in several languages, keyed by language code ("fi", "sv",
// "en", ...). All languages PTV published are kept; choosing one (fi → sv → en)
// is the renderer's job.
type Text map[string]string

// Status is a service's publishing status as the directory cares about it.
type Status string

// The statuses. PTV's lists carry only published items; withdrawn and archived
// ones are found through status lists and must be marked ended, never deleted.
const (
	StatusPublished Status = "published"
	StatusWithdrawn Status = "withdrawn"
	StatusArchived  Status = "archived"
)

// Charge says what contacting or using something costs.
type Charge string

// The charge types. ChargeUnknown means PTV said nothing (or something this
// reader does not know, which is recorded as a warning).
const (
	ChargeUnknown    Charge = ""
	ChargeFree       Charge = "free"
	ChargeNormal     Charge = "normal" // PTV "Other": the caller's normal tariff
	ChargeChargeable Charge = "chargeable"
)

// Listing is one PTV service with everything the directory stores about it.
type Listing struct {
	ID           string
	Type         string // PTV service type, e.g. "Service"
	Names        Text
	AltNames     Text
	Summaries    Text
	Descriptions Text
	Instructions Text
	ChargeInfo   Text
	Charge       Charge
	// Keywords are search words by language.
	Keywords  map[string][]string
	Status    Status
	Modified  time.Time // UTC
	Link      string    // public page on suomi.fi
	Languages []string
	// Organization is the responsible organization (role Responsible); its
	// full record is in the batch's Organizations.
	Organization OrgRef
	// Others are the other-responsible and producing organizations.
	Others         []OrgRef
	Area           Area
	ServiceClasses []Class // codes like "P3.7"
	TargetGroups   []Class // codes like "KR1.2"
	OntologyTerms  []Class // KOKO/YSO concepts, no code
	Connections    []Connection
	// Raw is the object as PTV sent it, so a re-import can tell what changed.
	Raw []byte
}

// OrgRef names an organization from a listing.
type OrgRef struct {
	ID   string
	Name string // as PTV embedded it (one language)
	Role string // "responsible", "other-responsible", "producer"
}

// Area is where a service or channel is offered.
type Area struct {
	Nationwide bool
	// ExceptAland is set with Nationwide when Åland is excluded.
	ExceptAland bool
	// Municipalities are 3-digit Statistics Finland codes, regions and
	// hospital districts already expanded to their municipalities.
	Municipalities []string
}

// Class is a classification or ontology item.
type Class struct {
	Code string // "P3.7"; empty for ontology terms
	URI  string // the code-list URI if PTV gave one, else the old URN form
	Name Text
}

// Connection links a listing to one of its channels. A connection may carry
// its own hours and contact details that apply to this service at this
// channel; Effective applies them.
type Connection struct {
	ChannelID   string
	Channel     *Channel // nil if the channel could not be read (see the batch's warnings)
	Description Text
	Charge      Charge
	Hours       *Hours  // nil: the channel's own hours apply
	Phones      []Phone // nil: the channel's own phones apply
	Emails      []Email // nil: the channel's own emails apply
	URLs        []Link  // nil: the channel's own links apply
	Addresses   []Address
}

// Effective returns the channel as seen from the connected service: the
// connection's own hours and contact details in preference to the channel's.
// It returns the zero Channel when the channel is missing.
func (c Connection) Effective() Channel {
	if c.Channel == nil {
		return Channel{ID: c.ChannelID}
	}
	ch := *c.Channel
	if c.Hours != nil {
		ch.Hours = *c.Hours
	}
	if c.Phones != nil {
		ch.Phones = c.Phones
	}
	if c.Emails != nil {
		ch.Emails = c.Emails
	}
	if c.URLs != nil {
		ch.URLs = c.URLs
	}
	if c.Addresses != nil {
		ch.Addresses = c.Addresses
	}
	return ch
}

// ChannelType is the kind of a service channel.
type ChannelType string

// The channel types.
const (
	ChannelPhone    ChannelType = "phone"
	ChannelWeb      ChannelType = "web"
	ChannelEService ChannelType = "eservice"
	ChannelForm     ChannelType = "form"
	ChannelLocation ChannelType = "location"
)

// Channel is one PTV service channel: a phone line, web page, e-service,
// printable form or visiting location.
type Channel struct {
	ID             string
	Type           ChannelType
	OrganizationID string
	Names          Text
	Summaries      Text
	Descriptions   Text
	Languages      []string
	Area           Area
	Phones         []Phone
	Emails         []Email
	URLs           []Link // only http and https
	Addresses      []Address
	Hours          Hours
	Status         Status
	Modified       time.Time
	Raw            []byte
}

// PhoneKind is what a number is for.
type PhoneKind string

// The phone kinds.
const (
	PhoneVoice PhoneKind = "phone"
	PhoneSMS   PhoneKind = "sms"
	PhoneFax   PhoneKind = "fax"
)

// Phone is one number.
type Phone struct {
	Kind PhoneKind
	// Number is in international form ("+358401234567"), or as written for a
	// Finnish service number without a prefix ("0800123456", "116117").
	Number string
	// Tel is the number as a tel: URI.
	Tel           string
	ServiceNumber bool
	Charge        Charge
	ChargeInfo    string
	Info          string
	Lang          string
}

// Email is one address in one language.
type Email struct {
	Address string
	Lang    string
}

// Link is a web address; only http and https survive mapping.
type Link struct {
	URL  string
	Name string
	Lang string
	Kind string // e.g. "PDF" for a printable form
}

// AddressKind separates visiting from postal addresses.
type AddressKind string

// The address kinds.
const (
	AddressVisiting AddressKind = "visiting"
	AddressPostal   AddressKind = "postal"
)

// Address is a street or post-office-box address.
type Address struct {
	Kind         AddressKind
	Street       Text
	Number       string
	POBox        Text
	PostalCode   string
	PostOffice   Text
	Municipality string // 3-digit code
	Info         Text
	// HasPoint says Lat and Lon hold a WGS84 position; PTV's point is used
	// only when its geocoding state is trustworthy.
	HasPoint bool
	Lat, Lon float64
}

// Hours are a channel's opening or service hours.
type Hours struct {
	// Regular are the hours in force with no date limits: usually one
	// period, several when PTV lists several with different notes.
	Regular []Period
	// Seasonal are periods with dates (e.g. summer hours), kept apart so
	// that they are never shown as today's hours outside their dates.
	Seasonal []Period
	// Exceptions are single dates or ranges (holiday closures and such).
	Exceptions []Exception
}

// IsZero reports whether no hours are known.
func (h Hours) IsZero() bool {
	return len(h.Regular) == 0 && len(h.Seasonal) == 0 && len(h.Exceptions) == 0
}

// Period is a weekly table.
type Period struct {
	From, To      time.Time // dates (UTC midnight); zero when unbounded
	AlwaysOpen    bool      // 24 h, every day
	ByAppointment bool
	Spans         []Span // several spans on one day are split hours
	Info          Text
}

// Span is one opening span: from Day at From to ToDay at To. ToDay differs
// from Day for hours over midnight.
type Span struct {
	Day   time.Weekday
	From  string // "HH:MM"
	ToDay time.Weekday
	To    string // "HH:MM"; "24:00" is the end of the day
}

// Exception replaces the weekly hours on a date or a range of dates.
type Exception struct {
	From, To time.Time // dates; To equals From for a single day, inclusive
	Closed   bool
	Spans    []Span
	Info     Text // e.g. the holiday's name
}

// Organization is a PTV organization.
type Organization struct {
	ID           string
	BusinessCode string
	Type         string // PTV organization type, kept as given
	Names        Text
	Municipality string
	ParentID     string
	Phones       []Phone
	Emails       []Email
	URLs         []Link
	Modified     time.Time
	Raw          []byte
}

// Query says what to fetch.
type Query struct {
	Municipalities []string // 3-digit codes
	Organizations  []string // organization GUIDs
	// Nationwide adds services offered in the whole country.
	Nationwide bool
	// Since is the start of the last successful sync (Summary.Started); zero
	// means a full read.
	Since time.Time
	// ServiceClasses limits the services to these classes: codes ("P3.7",
	// subclasses included) or URIs. Empty means all.
	ServiceClasses []string
	// KnownMunicipality, if set, reports whether the directory knows a
	// municipality code; an address elsewhere gives a warning.
	KnownMunicipality func(code string) bool
	// Progress, if set, is called after each page or batch.
	Progress func(Progress)
}

// Progress counts what a fetch has done so far.
type Progress struct {
	Requests      int
	Pages         int
	Services      int
	Channels      int
	Organizations int
}

// Batch is a unit the importer can write in one transaction: listings with
// their channels resolved and the organizations they name.
type Batch struct {
	Listings      []Listing
	Organizations []Organization
	Warnings      []Warning
}

// Removal is a service PTV no longer publishes.
type Removal struct {
	ID       string
	Status   Status
	Name     string
	Modified time.Time // zero when PTV does not say
}

// Summary is the outcome of a fetch.
type Summary struct {
	// Started is when the fetch began (reader's clock, UTC). Store it after
	// a successful import and pass it as the next Query.Since.
	Started time.Time
	// Full says every service in scope was read, so the importer may end
	// those in its store that were not seen. It is false after an
	// incremental read and when a service could not be read.
	Full bool
	// Removed are services withdrawn or archived since Query.Since, and
	// (incremental reads) changed services no longer in the query's scope.
	// PTV's status lists do not filter by area: the importer ends those it
	// holds and ignores the rest.
	Removed  []Removal
	Progress Progress
	Warnings int
	// Skipped are objects PTV sent that could not be read (malformed, or an
	// enumeration value whose meaning cannot be guessed). They are left out;
	// their batches went ahead without them. A malformed page, by
	// contrast, stops the fetch with a *DataError.
	Skipped []*DataError
}

// Reader reads listings from one PTV API version.
type Reader interface {
	// Fetch calls fn with each batch in turn and stops at the first error
	// fn returns. Errors are *FetchError (PTV unreachable, refused, or gave
	// up) or *DataError (PTV answered with an unreadable page); unreadable
	// single objects are skipped and listed in Summary.Skipped.
	Fetch(ctx context.Context, q Query, fn func(*Batch) error) (Summary, error)
}
