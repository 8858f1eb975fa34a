package v11

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The JSON types below follow PTV's v11 OUT models (vrk-kpa/ptv-releases,
// Models/OpenApi/...). They decode tolerantly: unknown fields are ignored
// because PTV adds fields, and enumerations stay strings here so that the
// mapping layer decides, per field, what an unknown value means.

// Time is a PTV timestamp: UTC without an offset, fraction trimmed
// ("2020-03-04T14:07:04.840483"). null decodes to the zero Time.
type Time struct{ time.Time }

// DateParam is the only format PTV accepts in date= and dateBefore=.
const DateParam = "2006-01-02T15:04:05"

// UnmarshalJSON parses a PTV timestamp as UTC; an explicit offset, which PTV
// does not send, is honoured rather than rejected.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	v, err := parseTime(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// MarshalJSON writes the form PTV writes.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format("2006-01-02T15:04:05.999999"))
}

func parseTime(s string) (time.Time, error) {
	if strings.HasSuffix(s, "Z") || strings.LastIndexAny(s, "+-") > len("2006-01-02T") {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("timestamp %q: %w", s, err)
		}
		return v.UTC(), nil
	}
	v, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q: %w", s, err)
	}
	return v, nil
}

// Coordinate is a latitude or longitude field: a string holding an
// EPSG:3067 northing or easting in metres. Numbers are accepted too.
type Coordinate string

// UnmarshalJSON accepts a string, a number or null.
func (c *Coordinate) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*c = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*c = Coordinate(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("coordinate: %w", err)
	}
	*c = Coordinate(n.String())
	return nil
}

// LanguageItem is a text in one language.
type LanguageItem struct {
	Language string `json:"language"`
	Value    string `json:"value"`
}

// LocalizedListItem is a typed text in one language (names, descriptions).
type LocalizedListItem struct {
	Language string `json:"language"`
	Value    string `json:"value"`
	Type     string `json:"type"`
}

// Item is an id with a name, as in id lists and embedded references. Paged
// lists are {pageNumber, pageSize, pageCount, itemList}; see pages.
type Item struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Municipality is a municipality reference.
type Municipality struct {
	Code string         `json:"code"`
	Name []LanguageItem `json:"name"`
}

// Area is an entry of areas[].
type Area struct {
	Type           string         `json:"type"`
	Code           *string        `json:"code"`
	Name           []LanguageItem `json:"name"`
	Municipalities []Municipality `json:"municipalities"`
}

// FintoItem is a classification or ontology item.
type FintoItem struct {
	Name         []LanguageItem `json:"name"`
	Description  []LanguageItem `json:"description,omitempty"`
	Code         *string        `json:"code"`
	OntologyType *string        `json:"ontologyType"`
	URI          string         `json:"uri"`
	ParentID     *string        `json:"parentId"`
	ParentURI    *string        `json:"parentUri"`
	NewURI       *string        `json:"newUri,omitempty"`
	NewParentURI *string        `json:"newParentUri,omitempty"`
}

// ServiceOrganization is an entry of a service's organizations[].
type ServiceOrganization struct {
	Organization          *Item          `json:"organization"`
	RoleType              string         `json:"roleType"`
	ProvisionType         *string        `json:"provisionType"`
	AdditionalInformation []LanguageItem `json:"additionalInformation"`
}

// Phone is V4VmOpenApiPhoneWithType (organizations leave out type).
type Phone struct {
	Type                   string  `json:"type,omitempty"`
	AdditionalInformation  *string `json:"additionalInformation"`
	ServiceChargeType      *string `json:"serviceChargeType"`
	ChargeDescription      *string `json:"chargeDescription"`
	PrefixNumber           *string `json:"prefixNumber"`
	IsFinnishServiceNumber bool    `json:"isFinnishServiceNumber"`
	Number                 string  `json:"number"`
	Language               string  `json:"language"`
}

// WebPage is a link in one language.
type WebPage struct {
	URL         string `json:"url"`
	Value       string `json:"value"`
	Language    string `json:"language"`
	OrderNumber *int   `json:"orderNumber,omitempty"`
}

// ChannelURL is a printable form's file link.
type ChannelURL struct {
	Language string `json:"language"`
	Value    string `json:"value"`
	Type     string `json:"type"`
}

// StreetAddress is the street part of an address.
type StreetAddress struct {
	Street                []LanguageItem `json:"street"`
	StreetNumber          *string        `json:"streetNumber"`
	PostalCode            string         `json:"postalCode"`
	PostOffice            []LanguageItem `json:"postOffice"`
	Municipality          *Municipality  `json:"municipality"`
	AdditionalInformation []LanguageItem `json:"additionalInformation"`
	Latitude              Coordinate     `json:"latitude"`
	Longitude             Coordinate     `json:"longitude"`
	CoordinateState       *string        `json:"coordinateState"`
}

// POBoxAddress is a post-office-box address.
type POBoxAddress struct {
	PostOfficeBox         []LanguageItem `json:"postOfficeBox"`
	PostalCode            string         `json:"postalCode"`
	PostOffice            []LanguageItem `json:"postOffice"`
	Municipality          *Municipality  `json:"municipality"`
	AdditionalInformation []LanguageItem `json:"additionalInformation"`
}

// Address is V9VmOpenApiAddressLocation (and the organization variant).
type Address struct {
	Type                 string          `json:"type"`
	SubType              string          `json:"subType"`
	StreetAddress        *StreetAddress  `json:"streetAddress"`
	PostOfficeBoxAddress *POBoxAddress   `json:"postOfficeBoxAddress"`
	OtherAddress         json.RawMessage `json:"otherAddress,omitempty"`
	LocationAbroad       []LanguageItem  `json:"locationAbroad"`
	Country              *string         `json:"country"`
}

// OpeningHour is one day's span.
type OpeningHour struct {
	DayFrom string `json:"dayFrom"`
	DayTo   string `json:"dayTo"`
	From    string `json:"from"`
	To      string `json:"to"`
}

// ServiceHour is V11VmOpenApiServiceHour.
type ServiceHour struct {
	ServiceHourType       string         `json:"serviceHourType"`
	ValidFrom             *Time          `json:"validFrom"`
	ValidTo               *Time          `json:"validTo"`
	IsClosed              bool           `json:"isClosed"`
	ValidForNow           bool           `json:"validForNow"`
	IsAlwaysOpen          bool           `json:"isAlwaysOpen"`
	IsReservation         bool           `json:"isReservation"`
	AdditionalInformation []LanguageItem `json:"additionalInformation"`
	OpeningHour           []OpeningHour  `json:"openingHour"`
}

// ContactDetails are a connection's own contact details.
type ContactDetails struct {
	Emails       []LanguageItem `json:"emails"`
	PhoneNumbers []Phone        `json:"phoneNumbers"`
	WebPages     []WebPage      `json:"webPages"`
	Addresses    []Address      `json:"addresses"`
}

// Connection is a service ↔ channel link; in a service it names the
// channel (ServiceChannel), in a channel the service (Service).
type Connection struct {
	ServiceChannel    *Item               `json:"serviceChannel,omitempty"`
	Service           *Item               `json:"service,omitempty"`
	ServiceChargeType *string             `json:"serviceChargeType"`
	Description       []LocalizedListItem `json:"description"`
	ServiceHours      []ServiceHour       `json:"serviceHours"`
	ContactDetails    *ContactDetails     `json:"contactDetails"`
	Modified          Time                `json:"modified"`
}

// Service is V11VmOpenApiService.
type Service struct {
	ID                   string                `json:"id"`
	SourceID             *string               `json:"sourceId"`
	GeneralDescriptionID *string               `json:"generalDescriptionId"`
	SubType              *string               `json:"subType"`
	Type                 string                `json:"type"`
	FundingType          *string               `json:"fundingType"`
	ServiceNames         []LocalizedListItem   `json:"serviceNames"`
	ServiceChargeType    *string               `json:"serviceChargeType"`
	AreaType             string                `json:"areaType"`
	Areas                []Area                `json:"areas"`
	ServiceDescriptions  []LocalizedListItem   `json:"serviceDescriptions"`
	Languages            []string              `json:"languages"`
	ServiceClasses       []FintoItem           `json:"serviceClasses"`
	OntologyTerms        []FintoItem           `json:"ontologyTerms"`
	TargetGroups         []FintoItem           `json:"targetGroups"`
	LifeEvents           []FintoItem           `json:"lifeEvents"`
	IndustrialClasses    []FintoItem           `json:"industrialClasses"`
	Keywords             []LanguageItem        `json:"keywords"`
	Requirements         []LanguageItem        `json:"requirements"`
	ServiceChannels      []Connection          `json:"serviceChannels"`
	Organizations        []ServiceOrganization `json:"organizations"`
	PublishingStatus     string                `json:"publishingStatus"`
	Modified             Time                  `json:"modified"`
}

// Channel is a service channel of any of the five types; the per-type
// fields are empty for the other types.
type Channel struct {
	ID                         string              `json:"id"`
	SourceID                   *string             `json:"sourceId"`
	ServiceChannelType         string              `json:"serviceChannelType"`
	OrganizationID             string              `json:"organizationId"`
	ServiceChannelNames        []LocalizedListItem `json:"serviceChannelNames"`
	ServiceChannelDescriptions []LocalizedListItem `json:"serviceChannelDescriptions"`
	AreaType                   *string             `json:"areaType"`
	Areas                      []Area              `json:"areas"`
	Languages                  []string            `json:"languages"`
	WebPages                   []WebPage           `json:"webPages"`
	ServiceHours               []ServiceHour       `json:"serviceHours"`
	Services                   []Connection        `json:"services"`
	PublishingStatus           string              `json:"publishingStatus"`
	Modified                   Time                `json:"modified"`

	// Phone and ServiceLocation.
	PhoneNumbers []Phone `json:"phoneNumbers,omitempty"`
	// Phone, WebPage, EChannel.
	SupportEmails []LanguageItem `json:"supportEmails,omitempty"`
	// WebPage, EChannel.
	SupportPhones []Phone `json:"supportPhones,omitempty"`
	// ServiceLocation.
	Emails    []LanguageItem `json:"emails,omitempty"`
	Addresses []Address      `json:"addresses,omitempty"`
	// PrintableForm.
	ChannelURLs       []ChannelURL `json:"channelUrls,omitempty"`
	DeliveryAddresses []Address    `json:"deliveryAddresses,omitempty"`
	// EChannel.
	RequiresAuthentication *bool `json:"requiresAuthentication,omitempty"`
	RequiresSignature      *bool `json:"requiresSignature,omitempty"`
}

// Organization is V10VmOpenApiOrganization.
type Organization struct {
	ID                       string              `json:"id"`
	SourceID                 *string             `json:"sourceId"`
	Oid                      *string             `json:"oid"`
	ParentOrganizationID     *string             `json:"parentOrganizationId"`
	OrganizationRootID       *string             `json:"organizationRootId"`
	Municipality             *Municipality       `json:"municipality"`
	OrganizationType         *string             `json:"organizationType"`
	BusinessCode             *string             `json:"businessCode"`
	BusinessName             *string             `json:"businessName"`
	OrganizationNames        []LocalizedListItem `json:"organizationNames"`
	AreaType                 *string             `json:"areaType"`
	Areas                    []Area              `json:"areas"`
	OrganizationDescriptions []LocalizedListItem `json:"organizationDescriptions"`
	Emails                   []LanguageItem      `json:"emails"`
	PhoneNumbers             []Phone             `json:"phoneNumbers"`
	WebPages                 []WebPage           `json:"webPages"`
	Addresses                []Address           `json:"addresses"`
	PublishingStatus         string              `json:"publishingStatus"`
	Modified                 Time                `json:"modified"`
}
