package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/services"
)

// Editing services and contact persons. The forms have every field of the
// model; the rules (who may write what, version checks) are the API's
// (api.SaveService and friends), so that forms and API obey the same.
// A save whose version is stale shows a merge view (merge.go) instead of
// overwriting.

// extraRows is how many empty rows a repeated group offers.
const extraRows = 2

// ServiceEditView is the form of a new or existing service.
type ServiceEditView struct {
	*Base
	K          *kit
	Form       *Form
	S          services.Service
	New        bool
	Action     string
	Merge      *Merge
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

func (s *Server) serviceEditView(ctx context.Context, b *Base, svc services.Service, isNew bool, form *Form, raw map[string]string) (*ServiceEditView, error) {
	k := newKit(b, "service", form, raw)
	v := &ServiceEditView{Base: b, K: k, Form: k.form, S: svc, New: isNew, Weekdays: weekdays,
		CanRestore: auth.Can(b.User, auth.Restore, auth.Resource{Kind: services.EntityService}) == nil}
	if isNew {
		v.Action = b.URL("service.new")
	} else {
		v.Action = b.URL("service.edit", "id", svc.ID)
	}
	v.Phones = append(append([]services.Phone(nil), svc.Phones...), make([]services.Phone, extraRows)...)
	v.Hours = append(append([]services.OpeningHours(nil), svc.Hours...), make([]services.OpeningHours, extraRows)...)
	v.Exceptions = append(append([]services.HoursException(nil), svc.HoursExceptions...), make([]services.HoursException, extraRows)...)
	v.Reporting = append(append([]services.ReportingDuty(nil), svc.Reporting...), make([]services.ReportingDuty, extraRows)...)
	orgs, err := s.store.Organizations(ctx)
	if err != nil {
		return nil, err
	}
	var orgOpts []string
	for _, o := range orgs {
		name, _ := o.Name.Get(b.Lang)
		orgOpts = append(orgOpts, o.ID, name)
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
	nets, err := s.store.Networks(ctx)
	if err != nil {
		return nil, err
	}
	var netOpts []string
	for _, n := range nets {
		netOpts = append(netOpts, n.Slug, n.Display(b.Lang))
	}
	v.Networks = k.Many("area.networks", svc.Area.Networks, false, netOpts...)
	v.Networks.Hint = b.T("edit.multi.hint")
	names := make([]string, len(svc.Area.Municipalities))
	for i, m := range svc.Area.Municipalities {
		names[i] = b.Muni(m)
	}
	v.Municipalities = k.Hint(k.Area("area.municipalities", strings.Join(names, ", ")), "edit.municipalities.hint")
	v.Languages = k.Hint(k.Text("languages", strings.Join(svc.Languages, ", ")), "edit.languages.hint")
	if isNew {
		b.Title = b.T("edit.service.new")
	} else {
		name, _ := svc.Name.Get(b.Lang)
		b.Title = b.T("edit.service.title", name)
	}
	b.Nav = "services"
	return v, nil
}

// readService reads a posted service form. id is the path's id for an
// edit, "" for a new service (whose id is a field).
func readService(r *http.Request, id string) (services.Service, *formReader) {
	f := newFormReader(r)
	if id == "" {
		id = strings.TrimSpace(f.str("id"))
	}
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
	return svc, f
}

// validateService is the model's own validation of a submitted service,
// for reporting every fault at once when the form also has faults the
// web layer found (a number that is not one).
func (s *Server) validateService(ctx context.Context, svc services.Service) error {
	vocab, err := s.store.Vocabularies(ctx)
	if err != nil {
		return err
	}
	svc.Normalize()
	return svc.Validate(vocab)
}

func (s *Server) newServiceForm(w http.ResponseWriter, r *http.Request, b *Base) error {
	if _, _, err := auth.Scope(b.User, auth.Edit); err != nil {
		return err
	}
	svc := services.Service{Status: services.StatusActive}
	// An editor's new service is placed in their network to begin with.
	if nets, all, _ := auth.Scope(b.User, auth.Edit); !all && len(nets) == 1 {
		svc.Area.Networks = nets
	}
	v, err := s.serviceEditView(r.Context(), b, svc, true, nil, nil)
	if err != nil {
		return err
	}
	return s.render(w, b, "edit_service", v)
}

func (s *Server) editServiceForm(w http.ResponseWriter, r *http.Request, b *Base) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, _, err := auth.Scope(b.User, auth.Edit); err != nil {
		return err
	}
	svc, err := s.store.Service(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.api.CanEditService(r.Context(), b.User, svc); err != nil {
		return err
	}
	v, err := s.serviceEditView(r.Context(), b, svc, false, nil, nil)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "edit_service", v)
}

func (s *Server) createService(w http.ResponseWriter, r *http.Request, b *Base) error {
	return s.saveService(w, r, b, "")
}

func (s *Server) updateService(w http.ResponseWriter, r *http.Request, b *Base) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.saveService(w, r, b, id)
}

// saveService handles both forms: id is "" for a new service.
func (s *Server) saveService(w http.ResponseWriter, r *http.Request, b *Base, id string) error {
	if _, _, err := auth.Scope(b.User, auth.Edit); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	isNew := id == ""
	if !isNew {
		// Whose listing it is decides before anything about the form.
		stored, err := s.store.Service(r.Context(), id)
		if err != nil {
			return err
		}
		if err := s.api.CanEditService(r.Context(), b.User, stored); err != nil {
			return err
		}
	}
	svc, f := readService(r, id)
	var err error
	if len(f.fs) > 0 {
		err = mergeErrors(f.fs, s.validateService(r.Context(), svc))
	} else {
		err = s.api.SaveService(r.Context(), b.User, &svc, isNew)
	}
	if err == nil {
		return redirect(w, r, b.URL("service", "id", svc.ID))
	}
	if isNew && apperr.Is(err, apperr.Conflict) {
		var fs apperr.Fields
		fs.Add("id", "err.id_taken", "is already in use")
		err = fs.Err()
	}
	if apperr.Is(err, apperr.Conflict) {
		return s.serviceConflict(w, r, b, svc)
	}
	kitLabels := newKit(b, "service", nil, nil)
	form := b.formError(err, kitLabels.fieldLabel)
	if form == nil {
		return err
	}
	v, verr := s.serviceEditView(r.Context(), b, svc, isNew, form, f.raw)
	if verr != nil {
		return verr
	}
	b.Status = apperr.HTTPStatus(err)
	return s.render(w, b, "edit_service", v)
}

// serviceConflict shows the merge view of a stale save: the stored
// service merged with the editor's changes, to be saved again on top of
// the stored version.
func (s *Server) serviceConflict(w http.ResponseWriter, r *http.Request, b *Base, mine services.Service) error {
	theirs, err := s.store.Service(r.Context(), mine.ID)
	if err != nil {
		return err
	}
	if err := s.api.CanEditService(r.Context(), b.User, theirs); err != nil {
		return err
	}
	munis := b.munis
	normalizeService(&mine, munis)
	merged, m, err := s.mergeListing(r.Context(), b, services.EntityService, mine.ID, mine.Version, mine, theirs)
	if err != nil {
		return err
	}
	var out services.Service
	if err := unmarshalMerged(merged, &out); err != nil {
		return err
	}
	out.ID, out.Meta = theirs.ID, theirs.Meta
	v, err := s.serviceEditView(r.Context(), b, out, false, &Form{Errors: map[string]string{}}, nil)
	if err != nil {
		return err
	}
	v.Merge = m
	b.Status = http.StatusConflict
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "edit_service", v)
}

// normalizeService trims the service as the store will, and turns
// municipality names into codes, so that it compares with stored ones.
func normalizeService(svc *services.Service, m *services.Municipalities) {
	svc.Normalize()
	svc.Area.Municipalities = append([]string(nil), svc.Area.Municipalities...)
	for i, ref := range svc.Area.Municipalities {
		if x, ok := m.Lookup(ref); ok {
			svc.Area.Municipalities[i] = x.Code
		}
	}
}

// versionOf reads the form's version field for one-click actions.
func versionOf(r *http.Request) int { return newFormReader(r).version() }

// listingAction runs a one-click action (verify, archive, restore) on the
// service or contact of the path, and returns to next or the listing.
func (s *Server) listingAction(kind string, act func(ctx context.Context, s *Server, b *Base, id string, version int) error) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, b *Base) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		if err := act(r.Context(), s, b, id, versionOf(r)); err != nil {
			return err
		}
		return redirect(w, r, safeNext(r.PostForm.Get("next"), b.URL(kind, "id", id)))
	}
}

func verifyService(ctx context.Context, s *Server, b *Base, id string, version int) error {
	_, err := s.api.VerifyService(ctx, b.User, id, version)
	return err
}

func archiveService(ctx context.Context, s *Server, b *Base, id string, version int) error {
	_, err := s.api.ArchiveService(ctx, b.User, id, version)
	return err
}

func unarchiveService(ctx context.Context, s *Server, b *Base, id string, version int) error {
	_, err := s.api.UnarchiveService(ctx, b.User, id, version)
	return err
}

func archiveContact(ctx context.Context, s *Server, b *Base, id string, version int) error {
	_, err := s.api.ArchiveContact(ctx, b.User, id, version)
	return err
}

func unarchiveContact(ctx context.Context, s *Server, b *Base, id string, version int) error {
	_, err := s.api.UnarchiveContact(ctx, b.User, id, version)
	return err
}

func verifyContact(ctx context.Context, s *Server, b *Base, id string, version int) error {
	_, err := s.api.VerifyContact(ctx, b.User, id, version)
	return err
}

// --- contacts ---

// ContactEditView is the form of a new or existing contact person.
type ContactEditView struct {
	*Base
	K                                                           *kit
	Form                                                        *Form
	C                                                           services.Contact
	New                                                         bool
	Action                                                      string
	Merge                                                       *Merge
	Profession, Organization, Network, Role, VisEmail, VisPhone Choices
	Languages                                                   Input
}

func (s *Server) contactEditView(ctx context.Context, b *Base, c services.Contact, isNew bool, form *Form, raw map[string]string) (*ContactEditView, error) {
	k := newKit(b, "contact", form, raw)
	v := &ContactEditView{Base: b, K: k, Form: k.form, C: c, New: isNew}
	if isNew {
		v.Action = b.URL("contact.new")
		b.Title = b.T("edit.contact.new")
	} else {
		v.Action = b.URL("contact.edit", "id", c.ID)
		b.Title = b.T("edit.contact.title", c.Name)
	}
	b.Nav = "contacts"
	var profs []string
	for _, t := range b.Terms(services.VocabProfession) {
		profs = append(profs, t.ID, b.Term(services.VocabProfession, t.ID))
	}
	v.Profession = k.Pick("profession", c.Profession, b.T("edit.none"), profs...)
	orgs, err := s.store.Organizations(ctx)
	if err != nil {
		return nil, err
	}
	var orgOpts []string
	for _, o := range orgs {
		name, _ := o.Name.Get(b.Lang)
		orgOpts = append(orgOpts, o.ID, name)
	}
	v.Organization = k.Pick("organization_id", string(c.OrganizationID), b.T("edit.none"), orgOpts...)
	nets, err := s.store.Networks(ctx)
	if err != nil {
		return nil, err
	}
	var netOpts []string
	for _, n := range nets {
		netOpts = append(netOpts, n.Slug, n.Display(b.Lang))
	}
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

func readContact(r *http.Request, id string) (services.Contact, *formReader) {
	f := newFormReader(r)
	if id == "" {
		id = strings.TrimSpace(f.str("id"))
	}
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
	return c, f
}

func (s *Server) validateContact(ctx context.Context, c services.Contact) error {
	vocab, err := s.store.Vocabularies(ctx)
	if err != nil {
		return err
	}
	c.Normalize()
	return c.Validate(vocab)
}

func (s *Server) newContactForm(w http.ResponseWriter, r *http.Request, b *Base) error {
	nets, all, err := auth.Scope(b.User, auth.Edit)
	if err != nil {
		return err
	}
	c := services.Contact{Role: "regional-contact"}
	if !all && len(nets) > 0 {
		c.NetworkSlug = db.Ref(nets[0])
	}
	v, err := s.contactEditView(r.Context(), b, c, true, nil, nil)
	if err != nil {
		return err
	}
	return s.render(w, b, "edit_contact", v)
}

func (s *Server) editContactForm(w http.ResponseWriter, r *http.Request, b *Base) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, _, err := auth.Scope(b.User, auth.Edit); err != nil {
		return err
	}
	c, err := s.store.Contact(r.Context(), id)
	if err != nil {
		return err
	}
	if err := auth.Can(b.User, auth.Edit, auth.ContactResource(c)); err != nil {
		return err
	}
	v, err := s.contactEditView(r.Context(), b, c, false, nil, nil)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "edit_contact", v)
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request, b *Base) error {
	return s.saveContact(w, r, b, "")
}

func (s *Server) updateContact(w http.ResponseWriter, r *http.Request, b *Base) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.saveContact(w, r, b, id)
}

func (s *Server) saveContact(w http.ResponseWriter, r *http.Request, b *Base, id string) error {
	if _, _, err := auth.Scope(b.User, auth.Edit); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	isNew := id == ""
	if !isNew {
		stored, err := s.store.Contact(r.Context(), id)
		if err != nil {
			return err
		}
		if err := auth.Can(b.User, auth.Edit, auth.ContactResource(stored)); err != nil {
			return err
		}
	}
	c, f := readContact(r, id)
	var err error
	if len(f.fs) > 0 {
		err = mergeErrors(f.fs, s.validateContact(r.Context(), c))
	} else {
		err = s.api.SaveContact(r.Context(), b.User, &c, isNew)
	}
	if err == nil {
		return redirect(w, r, b.URL("contact", "id", c.ID))
	}
	if isNew && apperr.Is(err, apperr.Conflict) {
		var fs apperr.Fields
		fs.Add("id", "err.id_taken", "is already in use")
		err = fs.Err()
	}
	if apperr.Is(err, apperr.Conflict) {
		return s.contactConflict(w, r, b, c)
	}
	form := b.formError(err, newKit(b, "contact", nil, nil).fieldLabel)
	if form == nil {
		return err
	}
	v, verr := s.contactEditView(r.Context(), b, c, isNew, form, f.raw)
	if verr != nil {
		return verr
	}
	b.Status = apperr.HTTPStatus(err)
	return s.render(w, b, "edit_contact", v)
}

func (s *Server) contactConflict(w http.ResponseWriter, r *http.Request, b *Base, mine services.Contact) error {
	theirs, err := s.store.Contact(r.Context(), mine.ID)
	if err != nil {
		return err
	}
	if err := auth.Can(b.User, auth.Edit, auth.ContactResource(theirs)); err != nil {
		return err
	}
	mine.Normalize()
	merged, m, err := s.mergeListing(r.Context(), b, services.EntityContact, mine.ID, mine.Version, mine, theirs)
	if err != nil {
		return err
	}
	var out services.Contact
	if err := unmarshalMerged(merged, &out); err != nil {
		return err
	}
	out.ID, out.Meta = theirs.ID, theirs.Meta
	v, err := s.contactEditView(r.Context(), b, out, false, &Form{Errors: map[string]string{}}, nil)
	if err != nil {
		return err
	}
	v.Merge = m
	b.Status = http.StatusConflict
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, b, "edit_contact", v)
}

// --- listing pages: the tools an editor sees ---

// Tools are the editing links and buttons on a listing page, for those
// who may edit it.
type Tools struct {
	*Base
	Kind, ID   string
	Version    int
	Archived   bool
	CanRestore bool
}

// ServiceTools returns the tools of a service page, or nil for those who
// may not edit it.
func (b *Base) ServiceTools(svc services.Service) *Tools {
	if b.User == nil || b.s.api.CanEditService(b.req.Context(), b.User, svc) != nil {
		return nil
	}
	return &Tools{Base: b, Kind: "service", ID: svc.ID, Version: svc.Version, Archived: svc.Status == services.StatusArchived,
		CanRestore: auth.Can(b.User, auth.Restore, auth.Resource{Kind: services.EntityService}) == nil}
}

// ContactTools returns the tools of a contact page, or nil.
func (b *Base) ContactTools(c services.Contact) *Tools {
	if b.User == nil || auth.Can(b.User, auth.Edit, auth.ContactResource(c)) != nil {
		return nil
	}
	return &Tools{Base: b, Kind: "contact", ID: c.ID, Version: c.Version, Archived: c.Status == services.StatusArchived,
		CanRestore: auth.Can(b.User, auth.Restore, auth.Resource{Kind: services.EntityContact}) == nil}
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
