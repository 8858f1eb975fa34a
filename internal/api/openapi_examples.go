package api

import (
	"time"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/services"
)

// Examples of the OpenAPI document, of an obviously fictional service.
// A test validates them against their schemas.

var exampleTime = time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC)

var exampleService = func() services.Service {
	yes, no := true, false
	review := exampleTime.AddDate(1, 0, 0)
	return services.Service{
		ID: "esimerkki-tukipalvelu", OrganizationID: "esimerkkiyhdistys",
		Name:         l10n.T("Esimerkkiyhdistyksen tukipalvelu", "Exempelföreningens stödtjänst", "Example Association's support service"),
		Description:  l10n.T("Keskusteluapua omista ajatuksistaan huolestuneille.", "Samtalsstöd för den som oroar sig för sina tankar.", "Counselling for people worried about their own thoughts."),
		TargetGroups: db.List[string]{"worried-about-own-thoughts"}, ServiceTypes: db.List[string]{"counselling"},
		DeliveryModes: db.List[string]{"phone", "chat"}, Languages: db.List[string]{"fi", "sv"},
		ReferralRequired: &no, Anonymous: &yes, IdentityRecorded: &no, Reporting: db.List[services.ReportingDuty]{},
		URL: "https://tuki.example.fi", Email: "tuki@example.fi", Phones: db.List[services.Phone]{}, Hours: db.List[services.OpeningHours]{},
		HoursExceptions: db.List[services.HoursException]{}, Links: db.List[services.Link]{}, Locations: db.List[services.Location]{},
		Area: services.Area{Networks: []string{"pirkanmaa"}}, Status: services.StatusActive,
		VerifiedAt: &exampleTime, ReviewBy: &review,
		Meta: services.Meta{Version: 3, CreatedAt: exampleTime.AddDate(0, -6, 0), UpdatedAt: exampleTime},
	}
}()

var exampleSearch = search.Result{Total: 1, TookMS: 2.4,
	Hits: []search.Hit{{Type: search.TypeService, ID: "esimerkki-tukipalvelu", Title: "Esimerkkiyhdistyksen tukipalvelu",
		Snippet: "Keskusteluapua omista <mark>ajatuksistaan</mark> huolestuneille.", URL: "/services/esimerkki-tukipalvelu",
		Fresh: "verified", Score: 12.5}},
	Facets: map[string][]search.FacetValue{
		"type":  {{Value: "service", Label: "Palvelu", Count: 1}},
		"fresh": {{Value: "verified", Label: "Tarkistettu", Count: 1}},
	}}
