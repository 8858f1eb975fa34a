package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// The edit forms of services and contact persons: each kind's spec for the
// one listing flow (listing.go), its form view and its form reader. The
// forms have every field of the model.

// extraRows is how many empty rows a repeated group offers.
const extraRows = 2

// servicePages is the spec of the service forms.
func servicePages(st *services.Store) *listingPages[services.Service] {
	return &listingPages[services.Service]{kind: services.EntityService, template: "edit_service", nav: "services",
		uc: st.Services, read: readService, view: (*Server).serviceEditView,
		name: func(s services.Service, lang string) string { name, _ := s.Name.Get(lang); return name },
		blank: func(u *users.User) services.Service {
			svc := services.Service{Status: services.StatusActive}
			// An editor's new service is placed in their network to begin with.
			if nets, all, _ := auth.Scope(u, auth.Edit); !all && len(nets) == 1 {
				svc.Area.Networks = nets
			}
			return svc
		},
	}
}

// ServiceEditView is the form of a new or existing service.
type ServiceEditView struct {
	ListingEdit
	S          services.Service
	Phones     []services.Phone
	Hours      []services.OpeningHours
	Exceptions []services.HoursException
	Reporting  []services.ReportingDuty
	// Choices that need the store's lists.
	Organization, Status, Counties, Networks Choices
	Municipalities                           Input
	Languages                                Input
	Weekdays                                 []string
	CanRestore                               bool
}

// DayChoices is the weekday checkbox group of an hours row.
func (v *ServiceEditView) DayChoices(name string, days []string) Choices {
	var opts []string
	for _, d := range v.Weekdays {
		opts = append(opts, d, v.T("day."+d))
	}
	return v.K.Many(name, days, true, opts...)
}

// DutyChoice is the reporting-duty select of a reporting row.
func (v *ServiceEditView) DutyChoice(name, cur string) Choices {
	var opts []string
	for _, t := range v.Terms(services.VocabReportingDuty) {
		opts = append(opts, t.ID, v.Term(services.VocabReportingDuty, t.ID))
	}
	return v.K.Pick(name, cur, "—", opts...)
}

var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func (s *Server) serviceEditView(ctx context.Context, e ListingEdit, svc services.Service) (any, error) {
	b, k := e.Base, e.K
	v := &ServiceEditView{ListingEdit: e, S: svc, Weekdays: weekdays,
		CanRestore: auth.Can(b.User, auth.Restore, auth.Resource{Kind: services.EntityService}) == nil}
	v.Phones = append(append([]services.Phone(nil), svc.Phones...), make([]services.Phone, extraRows)...)
	v.Hours = append(append([]services.OpeningHours(nil), svc.Hours...), make([]services.OpeningHours, extraRows)...)
	v.Exceptions = append(append([]services.HoursException(nil), svc.HoursExceptions...), make([]services.HoursException, extraRows)...)
	v.Reporting = append(append([]services.ReportingDuty(nil), svc.Reporting...), make([]services.ReportingDuty, extraRows)...)
	orgOpts, netOpts, err := s.listingOptions(ctx, b)
	if err != nil {
		return nil, err
	}
	v.Organization = k.Pick("organization", string(svc.OrganizationID), b.T("edit.none"), orgOpts...)
	var statuses []string
	for _, st := range []string{services.StatusActive, services.StatusInactive, services.StatusArchived} {
		statuses = append(statuses, st, b.T("edit.status."+st))
	}
	v.Status = k.Pick("status", svc.Status, "", statuses...)
	var counties []string
	for _, c := range b.munis.Counties {
		name, _ := c.Name.Get(b.Lang)
		counties = append(counties, c.Slug, name)
	}
	v.Counties = k.Many("area.counties", svc.Area.Counties, false, counties...)
	v.Counties.Hint = b.T("edit.multi.hint")
	v.Networks = k.Many("area.networks", svc.Area.Networks, false, netOpts...)
	v.Networks.Hint = b.T("edit.multi.hint")
	names := make([]string, len(svc.Area.Municipalities))
	for i, m := range svc.Area.Municipalities {
		names[i] = b.Muni(m)
	}
	v.Municipalities = k.Hint(k.Area("area.municipalities", strings.Join(names, ", ")), "edit.municipalities.hint")
	v.Languages = k.Hint(k.Text("languages", strings.Join(svc.Languages, ", ")), "edit.languages.hint")
	return v, nil
}

// readService reads a posted service form as the service id.
func readService(f *formReader, id string) services.Service {
	svc := services.Service{
		ID: id, OrganizationID: db.Ref(f.str("organization")),
		Name: f.text("name"), Description: f.text("description"),
		TargetGroups: f.list("target_groups"), ServiceTypes: f.list("service_types"), DeliveryModes: f.list("delivery_modes"),
		Languages: f.words("languages", true), Cost: f.text("cost"),
		ReferralRequired: f.tri("referral_required"), Anonymous: f.tri("anonymous"), IdentityRecorded: f.tri("identity_recorded"),
		Eligibility: f.text("eligibility"), AgeMin: f.int("age_min"), AgeMax: f.int("age_max"),
		HowToRefer: f.text("how_to_refer"), SelfReferral: f.text("self_referral"),
		URL: f.str("url"), Email: f.str("email"), HoursNote: f.text("hours_note"),
		Area: services.Area{National: f.str("area.national") != "", Counties: f.list("area.counties"),
			Networks: f.list("area.networks"), Municipalities: f.words("area.municipalities", false)},
		Status: f.str("status"), Alert: f.text("alert"),
		VerifiedAt: f.date("verified_at"), ReviewBy: f.date("review_by"),
	}
	svc.Version = f.version()
	f.rows("phones", func(p string) {
		svc.Phones = append(svc.Phones, services.Phone{Number: f.str(p + ".number"), Description: f.text(p + ".description")})
	})
	f.rows("hours", func(p string) {
		svc.Hours = append(svc.Hours, services.OpeningHours{Days: f.list(p + ".days"), Opens: f.str(p + ".opens"), Closes: f.str(p + ".closes")})
	})
	f.rows("hours_exceptions", func(p string) {
		svc.HoursExceptions = append(svc.HoursExceptions, services.HoursException{Date: f.str(p + ".date"),
			Closed: f.str(p+".closed") != "", Opens: f.str(p + ".opens"), Closes: f.str(p + ".closes"), Note: f.text(p + ".note")})
	})
	f.rows("reporting", func(p string) {
		svc.Reporting = append(svc.Reporting, services.ReportingDuty{Duty: f.str(p + ".duty"), To: f.text(p + ".to"), Note: f.text(p + ".note")})
	})
	return svc
}

// listingOptions returns the organizations and the networks a listing may
// name, as option pairs (value, label) in b's language.
func (s *Server) listingOptions(ctx context.Context, b *Base) (orgs, networks []string, err error) {
	ref, err := s.store.Reference(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range ref.Orgs {
		name, _ := o.Name.Get(b.Lang)
		orgs = append(orgs, o.ID, name)
	}
	for _, n := range ref.Networks {
		networks = append(networks, n.Slug, n.Display(b.Lang))
	}
	return orgs, networks, nil
}

// versionOf reads the form's version field for one-click actions.
func versionOf(r *http.Request) int { return newFormReader(r).version() }

// --- contacts ---

// contactPages is the spec of the contact person forms.
func contactPages(st *services.Store) *listingPages[services.Contact] {
	return &listingPages[services.Contact]{kind: services.EntityContact, template: "edit_contact", nav: "contacts",
		uc: st.Contacts, read: readContact, view: (*Server).contactEditView,
		name: func(c services.Contact, _ string) string { return c.Name },
		blank: func(u *users.User) services.Contact {
			c := services.Contact{Role: "regional-contact"}
			if nets, all, _ := auth.Scope(u, auth.Edit); !all && len(nets) > 0 {
				c.NetworkSlug = db.Ref(nets[0])
			}
			return c
		},
	}
}

// ContactEditView is the form of a new or existing contact person.
type ContactEditView struct {
	ListingEdit
	C                                                           services.Contact
	Profession, Organization, Network, Role, VisEmail, VisPhone Choices
	Languages                                                   Input
}

func (s *Server) contactEditView(ctx context.Context, e ListingEdit, c services.Contact) (any, error) {
	b, k := e.Base, e.K
	// A field the editor may not see is not in their form; the save
	// keeps its stored value.
	v := &ContactEditView{ListingEdit: e, C: c.ForViewer(b.Level())}
	var profs []string
	for _, t := range b.Terms(services.VocabProfession) {
		profs = append(profs, t.ID, b.Term(services.VocabProfession, t.ID))
	}
	v.Profession = k.Pick("profession", c.Profession, b.T("edit.none"), profs...)
	orgOpts, netOpts, err := s.listingOptions(ctx, b)
	if err != nil {
		return nil, err
	}
	v.Organization = k.Pick("organization_id", string(c.OrganizationID), b.T("edit.none"), orgOpts...)
	v.Network = k.Pick("network", string(c.NetworkSlug), b.T("edit.none"), netOpts...)
	var roles []string
	for _, r := range services.ContactRoles {
		roles = append(roles, r, b.T("role."+r))
	}
	v.Role = k.Pick("role", c.Role, "", roles...)
	var vis []string
	for _, x := range []string{services.Public, services.Members, services.Admins} {
		vis = append(vis, x, b.T("edit.visibility."+x))
	}
	cur := func(f string) string {
		if x := c.Visibility[f]; x != "" {
			return x
		}
		return services.Public
	}
	v.VisEmail = k.Pick("visibility.email", cur("email"), "", vis...)
	v.VisPhone = k.Pick("visibility.phone", cur("phone"), "", vis...)
	v.Languages = k.Hint(k.Text("languages", strings.Join(c.Languages, ", ")), "edit.languages.hint")
	return v, nil
}

// readContact reads a posted contact form as the contact id.
func readContact(f *formReader, id string) services.Contact {
	c := services.Contact{ID: id, Name: f.str("name"), Title: f.text("title"), Profession: f.str("profession"),
		OrganizationID: db.Ref(f.str("organization_id")), Organization: f.text("organization"),
		Email: f.str("email"), Phone: f.str("phone"), NetworkSlug: db.Ref(f.str("network")), Role: f.str("role"),
		Languages: f.words("languages", true), Source: f.str("source"),
		VerifiedAt: f.date("verified_at"), ReviewBy: f.date("review_by")}
	c.Version = f.version()
	// Public is the default: only limits are stored.
	for _, field := range services.VisibilityFields {
		if x := f.str("visibility." + field); x != "" && x != services.Public {
			if c.Visibility == nil {
				c.Visibility = services.Visibility{}
			}
			c.Visibility[field] = x
		}
	}
	return c
}

// --- listing pages: the tools an editor sees ---

// ServiceTools returns the tools of a service page, or nil for those who
// may not edit it.
func (b *Base) ServiceTools(svc services.Service) *Tools {
	return b.s.services.tools(b, svc, svc.Status == services.StatusArchived)
}

// ContactTools returns the tools of a contact page, or nil.
func (b *Base) ContactTools(c services.Contact) *Tools {
	return b.s.contacts.tools(b, c, c.Status == services.StatusArchived)
}

// ReportURL is where a listing's correction form posts.
func (b *Base) ReportURL(kind, id string) string { return b.URL(kind+".report", "id", id) }

// ReportArgs are what the correction form of a listing page needs.
type ReportArgs struct {
	*Base
	Kind, ID string
}

// ReportFor returns the correction form's arguments for a listing.
func (b *Base) ReportFor(kind, id string) ReportArgs { return ReportArgs{Base: b, Kind: kind, ID: id} }
