// Package hsds speaks Open Referral's Human Services Data Specification
// 3.0, the interchange standard of service directories: the directory's
// public listings as HSDS documents (the read API under /hsds/v3/ and
// `directory export hsds`), in the profile described in PROFILE.md.
// Members-only facts never appear here.
package hsds

import (
	"encoding/json"

	"github.com/serie-verkosto/directory/internal/l10n"
)

// Version is the HSDS version spoken.
const Version = "3.0"

// Service is an HSDS service. Optional fields are left out when unknown,
// never sent empty where the schema gives them a format.
type Service struct {
	ID                     string              `json:"id"`
	OrganizationID         string              `json:"organization_id,omitempty"`
	Name                   string              `json:"name"`
	Description            string              `json:"description,omitempty"`
	URL                    string              `json:"url,omitempty"`
	Email                  string              `json:"email,omitempty"`
	Status                 string              `json:"status"`
	ApplicationProcess     string              `json:"application_process,omitempty"`
	FeesDescription        string              `json:"fees_description,omitempty"`
	EligibilityDescription string              `json:"eligibility_description,omitempty"`
	MinimumAge             *float64            `json:"minimum_age,omitempty"`
	MaximumAge             *float64            `json:"maximum_age,omitempty"`
	AssuredDate            string              `json:"assured_date,omitempty"`
	Alert                  string              `json:"alert,omitempty"`
	LastModified           string              `json:"last_modified,omitempty"`
	Organization           *Organization       `json:"organization,omitempty"`
	Phones                 []Phone             `json:"phones,omitempty"`
	Schedules              []Schedule          `json:"schedules,omitempty"`
	ServiceAreas           []ServiceArea       `json:"service_areas,omitempty"`
	ServiceAtLocations     []ServiceAtLocation `json:"service_at_locations,omitempty"`
	Languages              []Language          `json:"languages,omitempty"`
	Attributes             []Attribute         `json:"attributes,omitempty"`
	// Directory is the profile's extension: the listing as the directory
	// keeps it, in all three languages (PROFILE.md).
	Directory *ServiceExtension `json:"serie_directory,omitempty"`
}

// ServiceExtension carries what HSDS has no field for: the texts in
// Finnish, Swedish and English, and the facts a referrer needs (anonymity,
// identity recorded, reporting duties, areas as wellbeing counties and
// networks). It is the directory's own service record less its
// bookkeeping, so that another directory importing the file loses
// nothing.
type ServiceExtension struct {
	ID      string          `json:"id"`
	Service json.RawMessage `json:"service"`
}

// Organization is an HSDS organization.
type Organization struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Email       string     `json:"email,omitempty"`
	Website     string     `json:"website,omitempty"`
	Phones      []Phone    `json:"phones,omitempty"`
	Services    []*Service `json:"services,omitempty"`
	// Directory is the profile's extension (PROFILE.md).
	Directory *OrganizationExtension `json:"serie_directory,omitempty"`
}

// OrganizationExtension is the organization as the directory keeps it.
type OrganizationExtension struct {
	ID          string    `json:"id"`
	Name        l10n.Text `json:"name"`
	Description l10n.Text `json:"description,omitzero"`
	Kind        string    `json:"kind"`
}

// Phone is an HSDS phone.
type Phone struct {
	ID          string     `json:"id"`
	ServiceID   string     `json:"service_id,omitempty"`
	Number      string     `json:"number"`
	Type        string     `json:"type,omitempty"`
	Description string     `json:"description,omitempty"`
	Languages   []Language `json:"languages,omitempty"`
}

// Schedule is an HSDS schedule: one weekly opening period.
type Schedule struct {
	ID          string `json:"id"`
	ServiceID   string `json:"service_id,omitempty"`
	Freq        string `json:"freq,omitempty"`
	Wkst        string `json:"wkst,omitempty"`
	ByDay       string `json:"byday,omitempty"`
	OpensAt     string `json:"opens_at,omitempty"`
	ClosesAt    string `json:"closes_at,omitempty"`
	ValidFrom   string `json:"valid_from,omitempty"`
	ValidTo     string `json:"valid_to,omitempty"`
	Description string `json:"description,omitempty"`
	Notes       string `json:"notes,omitempty"`
}

// ServiceArea is an HSDS service area: the country, a wellbeing services
// county, a SeriE network's area or a municipality.
type ServiceArea struct {
	ID          string `json:"id"`
	ServiceID   string `json:"service_id,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	ExtentType  string `json:"extent_type,omitempty"`
	URI         string `json:"uri,omitempty"`
}

// Language is an HSDS language.
type Language struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Code      string `json:"code"`
}

// Attribute links a service to a taxonomy term.
type Attribute struct {
	ID             string        `json:"id"`
	LinkID         string        `json:"link_id"`
	LinkType       string        `json:"link_type"`
	LinkEntity     string        `json:"link_entity"`
	TaxonomyTermID string        `json:"taxonomy_term_id"`
	Value          string        `json:"value,omitempty"`
	TaxonomyTerm   *TaxonomyTerm `json:"taxonomy_term,omitempty"`
}

// ServiceAtLocation is a service delivered at a location.
type ServiceAtLocation struct {
	ID          string    `json:"id"`
	ServiceID   string    `json:"service_id"`
	LocationID  string    `json:"location_id"`
	Description string    `json:"description,omitempty"`
	Location    *Location `json:"location,omitempty"`
	Service     *Service  `json:"service,omitempty"`
}

// Location is an HSDS location: a physical place.
type Location struct {
	ID           string     `json:"id"`
	LocationType string     `json:"location_type"`
	Name         string     `json:"name,omitempty"`
	Description  string     `json:"description,omitempty"`
	Latitude     *float64   `json:"latitude,omitempty"`
	Longitude    *float64   `json:"longitude,omitempty"`
	Addresses    []Address  `json:"addresses,omitempty"`
	Phones       []Phone    `json:"phones,omitempty"`
	Schedules    []Schedule `json:"schedules,omitempty"`
	// ExternalIdentifier names the place in its source (a PTV service
	// channel id).
	ExternalIdentifier     string `json:"external_identifier,omitempty"`
	ExternalIdentifierType string `json:"external_identifier_type,omitempty"`
}

// Address is an HSDS address.
type Address struct {
	ID            string `json:"id"`
	LocationID    string `json:"location_id,omitempty"`
	Address1      string `json:"address_1"`
	City          string `json:"city"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
}

// Taxonomy is an HSDS taxonomy: one of the directory's vocabularies.
type Taxonomy struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	URI         string `json:"uri,omitempty"`
	Version     string `json:"version,omitempty"`
}

// TaxonomyTerm is an HSDS taxonomy term: a term of a vocabulary, its code
// the directory's term id.
type TaxonomyTerm struct {
	ID          string `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Taxonomy    string `json:"taxonomy"`
	TaxonomyID  string `json:"taxonomy_id"`
	Language    string `json:"language,omitempty"`
}

// Page is the HSDS paging envelope of a list.
type Page[T any] struct {
	TotalItems int  `json:"total_items"`
	TotalPages int  `json:"total_pages"`
	PageNumber int  `json:"page_number"`
	Size       int  `json:"size"`
	FirstPage  bool `json:"first_page"`
	LastPage   bool `json:"last_page"`
	Empty      bool `json:"empty"`
	Contents   []T  `json:"contents"`
}

// NewPage wraps one page of contents; page is 1-based.
func NewPage[T any](contents []T, total, page, perPage int) Page[T] {
	if contents == nil {
		contents = []T{}
	}
	pages := 0
	if perPage > 0 {
		pages = (total + perPage - 1) / perPage
	}
	return Page[T]{TotalItems: total, TotalPages: pages, PageNumber: page, Size: len(contents),
		FirstPage: page <= 1, LastPage: page >= pages, Empty: total == 0, Contents: contents}
}

// Root is the answer of GET /hsds/v3/.
type Root struct {
	Version    string `json:"version"`
	Profile    string `json:"profile"`
	OpenAPIURL string `json:"openapi_url"`
}
