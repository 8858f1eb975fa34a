package v11

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/serie-verkosto/directory/internal/ptv"
)

// mapper turns v11 objects into the ptv model. What to do with an unknown
// enumeration value is decided per field:
//   - publishingStatus: a DataError for the object, which is then skipped
//     (Summary.Skipped). It decides whether a listing is shown at all, so
//     guessing could publish withdrawn content.
//   - channel type: the channel is left out with a warning. A new kind of
//     channel cannot be shown correctly, but the service's other channels can.
//   - service hour type, weekday: that hours entry is left out with a
//     warning; wrong hours mislead more than missing ones.
//   - charge type: the phone or connection is kept with an unknown charge and
//     a warning; the number still helps, the price is then not claimed.
//   - phone type, address type: that phone or address is left out with a
//     warning.
//   - area type: a warning, and the areas list is used as if limited.
type mapper struct {
	known    func(string) bool
	warnings []ptv.Warning
}

func (m *mapper) warn(ep, kind, id, field, format string, args ...any) {
	m.warnings = append(m.warnings, ptv.Warning{Endpoint: ep, Kind: kind, ID: id, Field: field, Message: fmt.Sprintf(format, args...)})
}

// ref names the object being mapped in warnings.
type ref struct{ ep, kind, id string }

func (m *mapper) warnf(r ref, field, format string, args ...any) {
	m.warn(r.ep, r.kind, r.id, field, format, args...)
}

func status(r ref, s string) (ptv.Status, error) {
	switch s {
	case "Published":
		return ptv.StatusPublished, nil
	case "Modified", "Withdrawn", "Draft", "OldPublished":
		// "Modified" is how the wire says withdrawn; drafts and superseded
		// versions are not public either.
		return ptv.StatusWithdrawn, nil
	case "Deleted", "Archived", "Removed":
		return ptv.StatusArchived, nil
	}
	return "", &ptv.DataError{Endpoint: r.ep, Kind: r.kind, ID: r.id, Field: "publishingStatus", Err: fmt.Errorf("unknown value %q", s)}
}

func (m *mapper) charge(r ref, field string, s *string) ptv.Charge {
	if s == nil {
		return ptv.ChargeUnknown
	}
	switch *s {
	case "FreeOfCharge":
		return ptv.ChargeFree
	case "Other":
		return ptv.ChargeNormal
	case "Chargeable":
		return ptv.ChargeChargeable
	case "":
		return ptv.ChargeUnknown
	}
	m.warnf(r, field, "unknown charge type %q; charge left unknown", *s)
	return ptv.ChargeUnknown
}

// texts collects localized items of one type ("" = any type).
func texts[T LocalizedListItem | LanguageItem](items []T, typ string) ptv.Text {
	var t ptv.Text
	for _, it := range items {
		var lang, val, ty string
		switch v := any(it).(type) {
		case LocalizedListItem:
			lang, val, ty = v.Language, v.Value, v.Type
		case LanguageItem:
			lang, val = v.Language, v.Value
		}
		if typ != "" && ty != typ || val == "" {
			continue
		}
		if t == nil {
			t = ptv.Text{}
		}
		if _, dup := t[lang]; !dup {
			t[lang] = val
		}
	}
	return t
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// muniCode zero-pads a municipality code to PTV's three digits.
func muniCode(s string) string {
	s = strings.TrimSpace(s)
	for len(s) > 0 && len(s) < 3 {
		s = "0" + s
	}
	return s
}

func (m *mapper) area(r ref, areaType string, areas []Area) ptv.Area {
	var a ptv.Area
	switch areaType {
	case "Nationwide":
		a.Nationwide = true
		return a
	case "NationwideExceptAlandIslands":
		a.Nationwide, a.ExceptAland = true, true
		return a
	case "LimitedType", "":
	default:
		m.warnf(r, "areaType", "unknown area type %q; its areas list is used", areaType)
	}
	for _, ar := range areas {
		for _, mu := range ar.Municipalities {
			if c := muniCode(mu.Code); c != "" {
				a.Municipalities = append(a.Municipalities, c)
			}
		}
	}
	slices.Sort(a.Municipalities)
	a.Municipalities = slices.Compact(a.Municipalities)
	return a
}

func classes(items []FintoItem) []ptv.Class {
	var out []ptv.Class
	for _, it := range items {
		c := ptv.Class{Code: deref(it.Code), URI: it.URI, Name: texts(it.Name, "")}
		if it.NewURI != nil && *it.NewURI != "" {
			c.URI = *it.NewURI
		}
		out = append(out, c)
	}
	return out
}

// serviceLink is the service's public page. suomi.fi pages are seen in the
// form https://www.suomi.fi/palvelut/<slug of service and organization
// names>/<id>; the id is what identifies the page, the slug is built the
// way those pages show it. Unverified: whether suomi.fi also answers a
// differing slug.
func serviceLink(id string, names ptv.Text, org string) string {
	name := names["fi"]
	if name == "" {
		name = names["sv"]
	}
	if name == "" {
		name = names["en"]
	}
	slug := slugify(name + " " + org)
	if slug == "" {
		return "https://www.suomi.fi/palvelut/" + url.PathEscape(id)
	}
	return "https://www.suomi.fi/palvelut/" + slug + "/" + url.PathEscape(id)
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'ä', 'å', 'á', 'à', 'â':
			r = 'a'
		case 'ö', 'ó', 'ò', 'ô':
			r = 'o'
		case 'é', 'è', 'ê':
			r = 'e'
		case 'ü':
			r = 'u'
		}
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

var roles = map[string]string{
	"Responsible":      "responsible",
	"OtherResponsible": "other-responsible",
	"Producer":         "producer",
}

// service maps a service; its connections name channels by id only, the
// fetcher resolves them.
func (m *mapper) service(ep string, s *Service, raw []byte) (ptv.Listing, error) {
	r := ref{ep, "service", s.ID}
	st, err := status(r, s.PublishingStatus)
	if err != nil {
		return ptv.Listing{}, err
	}
	l := ptv.Listing{
		ID:             s.ID,
		Type:           s.Type,
		Names:          texts(s.ServiceNames, "Name"),
		AltNames:       texts(s.ServiceNames, "AlternativeName"),
		Summaries:      texts(s.ServiceDescriptions, "Summary"),
		Descriptions:   texts(s.ServiceDescriptions, "Description"),
		Instructions:   texts(s.ServiceDescriptions, "UserInstruction"),
		ChargeInfo:     texts(s.ServiceDescriptions, "ChargeTypeAdditionalInfo"),
		Charge:         m.charge(r, "serviceChargeType", s.ServiceChargeType),
		Keywords:       keywords(s.Keywords),
		Status:         st,
		Modified:       s.Modified.Time,
		Languages:      s.Languages,
		Area:           m.area(r, s.AreaType, s.Areas),
		ServiceClasses: classes(s.ServiceClasses),
		TargetGroups:   classes(s.TargetGroups),
		OntologyTerms:  classes(s.OntologyTerms),
		Raw:            raw,
	}
	for _, o := range s.Organizations {
		if o.Organization == nil || o.Organization.ID == "" {
			continue
		}
		role, ok := roles[o.RoleType]
		if !ok {
			m.warnf(r, "organizations.roleType", "unknown role %q for organization %s", o.RoleType, o.Organization.ID)
			role = o.RoleType
		}
		or := ptv.OrgRef{ID: o.Organization.ID, Name: o.Organization.Name, Role: role}
		if role == "responsible" && l.Organization.ID == "" {
			l.Organization = or
		} else {
			l.Others = append(l.Others, or)
		}
	}
	if l.Organization.ID == "" {
		m.warnf(r, "organizations", "no responsible organization")
	}
	l.Link = serviceLink(s.ID, l.Names, l.Organization.Name)
	for _, cn := range s.ServiceChannels {
		if cn.ServiceChannel == nil || cn.ServiceChannel.ID == "" {
			continue
		}
		cr := ref{ep, "service", s.ID + " connection " + cn.ServiceChannel.ID}
		c := ptv.Connection{
			ChannelID:   cn.ServiceChannel.ID,
			Description: texts(cn.Description, ""),
			Charge:      m.charge(cr, "serviceChargeType", cn.ServiceChargeType),
		}
		if len(cn.ServiceHours) > 0 {
			h := m.hours(cr, cn.ServiceHours)
			c.Hours = &h
		}
		if d := cn.ContactDetails; d != nil {
			if len(d.PhoneNumbers) > 0 {
				c.Phones = m.phones(cr, "contactDetails.phoneNumbers", d.PhoneNumbers)
			}
			if len(d.Emails) > 0 {
				c.Emails = m.emails(cr, d.Emails)
			}
			if len(d.WebPages) > 0 {
				c.URLs = m.webPages(cr, d.WebPages)
			}
			if len(d.Addresses) > 0 {
				c.Addresses = m.addresses(cr, d.Addresses)
			}
		}
		l.Connections = append(l.Connections, c)
	}
	return l, nil
}

var channelTypes = map[string]ptv.ChannelType{
	"Phone":           ptv.ChannelPhone,
	"WebPage":         ptv.ChannelWeb,
	"EChannel":        ptv.ChannelEService,
	"PrintableForm":   ptv.ChannelForm,
	"ServiceLocation": ptv.ChannelLocation,
}

// channel maps a channel; it returns nil (with a warning) for a channel of a
// type this reader does not know.
func (m *mapper) channel(ep string, c *Channel, raw []byte) (*ptv.Channel, error) {
	r := ref{ep, "channel", c.ID}
	st, err := status(r, c.PublishingStatus)
	if err != nil {
		return nil, err
	}
	typ, ok := channelTypes[c.ServiceChannelType]
	if !ok {
		m.warnf(r, "serviceChannelType", "unknown channel type %q; channel left out", c.ServiceChannelType)
		return nil, nil
	}
	ch := &ptv.Channel{
		ID:             c.ID,
		Type:           typ,
		OrganizationID: c.OrganizationID,
		Names:          texts(c.ServiceChannelNames, "Name"),
		Summaries:      texts(c.ServiceChannelDescriptions, "Summary"),
		Descriptions:   texts(c.ServiceChannelDescriptions, "Description"),
		Languages:      c.Languages,
		Area:           m.area(r, deref(c.AreaType), c.Areas),
		Status:         st,
		Modified:       c.Modified.Time,
		Hours:          m.hours(r, c.ServiceHours),
		Raw:            raw,
	}
	if len(ch.Names) == 0 {
		ch.Names = texts(c.ServiceChannelNames, "")
	}
	ch.URLs = m.webPages(r, c.WebPages)
	for _, u := range c.ChannelURLs {
		if l, ok := m.link(r, "channelUrls", u.Value, "", u.Language); ok {
			l.Kind = u.Type
			ch.URLs = append(ch.URLs, l)
		}
	}
	ch.Phones = m.phones(r, "phoneNumbers", c.PhoneNumbers)
	ch.Phones = append(ch.Phones, m.phones(r, "supportPhones", c.SupportPhones)...)
	ch.Emails = m.emails(r, c.Emails)
	ch.Emails = append(ch.Emails, m.emails(r, c.SupportEmails)...)
	ch.Addresses = m.addresses(r, c.Addresses)
	if typ == ptv.ChannelPhone && len(ch.Phones) == 0 {
		m.warnf(r, "phoneNumbers", "phone channel has no number")
	}
	if (typ == ptv.ChannelWeb || typ == ptv.ChannelEService) && len(ch.URLs) == 0 {
		m.warnf(r, "webPages", "%s channel has no usable web address", c.ServiceChannelType)
	}
	return ch, nil
}

func (m *mapper) organization(ep string, o *Organization, raw []byte) (ptv.Organization, error) {
	r := ref{ep, "organization", o.ID}
	if _, err := status(r, o.PublishingStatus); err != nil {
		return ptv.Organization{}, err
	}
	org := ptv.Organization{
		ID:           o.ID,
		BusinessCode: deref(o.BusinessCode),
		Type:         deref(o.OrganizationType), // new types (e.g. wellbeing counties) pass through
		Names:        texts(o.OrganizationNames, "Name"),
		ParentID:     deref(o.ParentOrganizationID),
		Modified:     o.Modified.Time,
		Raw:          raw,
	}
	if len(org.Names) == 0 {
		org.Names = texts(o.OrganizationNames, "")
	}
	if o.Municipality != nil {
		org.Municipality = muniCode(o.Municipality.Code)
	}
	org.Phones = m.phones(r, "phoneNumbers", o.PhoneNumbers)
	org.Emails = m.emails(r, o.Emails)
	org.URLs = m.webPages(r, o.WebPages)
	return org, nil
}

func keywords(in []LanguageItem) map[string][]string {
	var out map[string][]string
	for _, k := range in {
		if k.Value == "" {
			continue
		}
		if out == nil {
			out = map[string][]string{}
		}
		out[k.Language] = append(out[k.Language], k.Value)
	}
	return out
}

var phoneKinds = map[string]ptv.PhoneKind{
	"Phone": ptv.PhoneVoice,
	"Sms":   ptv.PhoneSMS,
	"Fax":   ptv.PhoneFax,
	"":      ptv.PhoneVoice, // organizations' numbers have no type
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// phoneNumber builds the dialled form: "+358" and "401234567" make
// "+358401234567" (a trunk 0 written after a prefix is dropped); a Finnish
// service number without a prefix is kept as written; a bare national number
// gets Finland's prefix.
func phoneNumber(p Phone) (string, error) {
	num := digits(p.Number)
	if num == "" {
		return "", fmt.Errorf("no digits in %q", p.Number)
	}
	prefix := digits(deref(p.PrefixNumber))
	switch {
	case prefix != "":
		return "+" + prefix + strings.TrimPrefix(num, "0"), nil
	case p.IsFinnishServiceNumber:
		return num, nil
	case strings.HasPrefix(num, "00"):
		return "+" + num[2:], nil
	case strings.HasPrefix(num, "0"):
		return "+358" + num[1:], nil
	}
	return "", fmt.Errorf("number %q has no country prefix", p.Number)
}

func (m *mapper) phones(r ref, field string, in []Phone) []ptv.Phone {
	var out []ptv.Phone
	for _, p := range in {
		kind, ok := phoneKinds[p.Type]
		if !ok {
			m.warnf(r, field, "unknown phone type %q; number %s left out", p.Type, p.Number)
			continue
		}
		num, err := phoneNumber(p)
		if err != nil {
			m.warnf(r, field, "%v; left out", err)
			continue
		}
		out = append(out, ptv.Phone{
			Kind:          kind,
			Number:        num,
			Tel:           "tel:" + num,
			ServiceNumber: p.IsFinnishServiceNumber,
			Charge:        m.charge(r, field+".serviceChargeType", p.ServiceChargeType),
			ChargeInfo:    deref(p.ChargeDescription),
			Info:          deref(p.AdditionalInformation),
			Lang:          p.Language,
		})
	}
	return out
}

func (m *mapper) emails(r ref, in []LanguageItem) []ptv.Email {
	var out []ptv.Email
	for _, e := range in {
		a := strings.TrimSpace(e.Value)
		if i := strings.LastIndexByte(a, '@'); i < 1 || i == len(a)-1 || strings.ContainsAny(a, " <>\"") {
			m.warnf(r, "emails", "not an email address %q; left out", e.Value)
			continue
		}
		out = append(out, ptv.Email{Address: a, Lang: e.Language})
	}
	return out
}

// link accepts only absolute http and https URLs: anything else (javascript:,
// data:, relative paths) would become a live link in our pages.
func (m *mapper) link(r ref, field, raw, name, lang string) (ptv.Link, bool) {
	s := strings.TrimSpace(raw)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		m.warnf(r, field, "not an http(s) address %q; left out", raw)
		return ptv.Link{}, false
	}
	return ptv.Link{URL: u.String(), Name: name, Lang: lang}, true
}

func (m *mapper) webPages(r ref, in []WebPage) []ptv.Link {
	var out []ptv.Link
	for _, w := range in {
		if l, ok := m.link(r, "webPages", w.URL, w.Value, w.Language); ok {
			out = append(out, l)
		}
	}
	return out
}

// goodCoordinates are the geocoding states whose point can be trusted (DVV's
// own map view keeps the same three).
var goodCoordinates = map[string]bool{"Ok": true, "EnteredByUser": true, "EnteredByAR": true}

func (m *mapper) addresses(r ref, in []Address) []ptv.Address {
	var out []ptv.Address
	for _, a := range in {
		var out1 ptv.Address
		switch a.Type {
		case "Location", "Visiting":
			out1.Kind = ptv.AddressVisiting
		case "Postal":
			out1.Kind = ptv.AddressPostal
		default:
			m.warnf(r, "addresses", "unknown address type %q; left out", a.Type)
			continue
		}
		switch {
		case a.StreetAddress != nil && (a.SubType == "Single" || a.SubType == "Street" || a.SubType == ""):
			s := a.StreetAddress
			out1.Street = texts(s.Street, "")
			out1.Number = deref(s.StreetNumber)
			out1.PostalCode = s.PostalCode
			out1.PostOffice = texts(s.PostOffice, "")
			out1.Info = texts(s.AdditionalInformation, "")
			if s.Municipality != nil {
				out1.Municipality = muniCode(s.Municipality.Code)
			}
			m.point(r, &out1, s)
		case a.PostOfficeBoxAddress != nil && a.SubType == "PostOfficeBox":
			p := a.PostOfficeBoxAddress
			out1.POBox = texts(p.PostOfficeBox, "")
			out1.PostalCode = p.PostalCode
			out1.PostOffice = texts(p.PostOffice, "")
			out1.Info = texts(p.AdditionalInformation, "")
			if p.Municipality != nil {
				out1.Municipality = muniCode(p.Municipality.Code)
			}
		case a.SubType == "Abroad" || a.SubType == "Foreign":
			out1.Info = texts(a.LocationAbroad, "")
		case a.SubType == "Other" || a.SubType == "NoAddress":
			continue // no street to show; the other address holds only a point
		default:
			m.warnf(r, "addresses", "address of subtype %q without its details; left out", a.SubType)
			continue
		}
		if out1.Municipality != "" && m.known != nil && !m.known(out1.Municipality) {
			m.warnf(r, "addresses", "address in municipality %s, which the directory does not know", out1.Municipality)
		}
		out = append(out, out1)
	}
	return out
}

// point converts PTV's EPSG:3067 point: latitude holds the northing and
// longitude the easting, as strings.
func (m *mapper) point(r ref, a *ptv.Address, s *StreetAddress) {
	if s.CoordinateState == nil || !goodCoordinates[*s.CoordinateState] || s.Latitude == "" || s.Longitude == "" {
		return
	}
	n, err1 := strconv.ParseFloat(strings.TrimSpace(string(s.Latitude)), 64)
	e, err2 := strconv.ParseFloat(strings.TrimSpace(string(s.Longitude)), 64)
	// Finland's extent in ETRS-TM35FIN, with a margin; anything else is a
	// mistake (degrees in the wrong field, swapped axes).
	if err1 != nil || err2 != nil || n < 6.5e6 || n > 7.9e6 || e < 0 || e > 800000 {
		m.warnf(r, "addresses.coordinates", "not an ETRS-TM35FIN point (N %q, E %q); left out", s.Latitude, s.Longitude)
		return
	}
	a.Lat, a.Lon = ptv.TM35FINToWGS84(n, e)
	a.HasPoint = true
}

var weekdays = map[string]time.Weekday{
	"Monday": time.Monday, "Tuesday": time.Tuesday, "Wednesday": time.Wednesday,
	"Thursday": time.Thursday, "Friday": time.Friday, "Saturday": time.Saturday, "Sunday": time.Sunday,
}

// clock turns "HH:mm:ss" into "HH:MM".
func clock(s string) (string, error) {
	t, err := time.Parse("15:04:05", s)
	if err != nil {
		t, err = time.Parse("15:04", s)
	}
	if err != nil {
		return "", fmt.Errorf("time %q", s)
	}
	return t.Format("15:04"), nil
}

func date(t *Time) time.Time {
	if t == nil || t.IsZero() {
		return time.Time{}
	}
	y, mo, d := t.Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

func (m *mapper) spans(r ref, h ServiceHour) ([]ptv.Span, bool) {
	var out []ptv.Span
	for _, o := range h.OpeningHour {
		from, err1 := clock(o.From)
		to, err2 := clock(o.To)
		if err1 != nil || err2 != nil {
			m.warnf(r, "serviceHours", "unreadable opening hour %s–%s; hours entry left out", o.From, o.To)
			return nil, false
		}
		day, ok := weekdays[o.DayFrom]
		if !ok && o.DayFrom == "" && h.ServiceHourType == "Exceptional" && h.ValidFrom != nil {
			day, ok = h.ValidFrom.Weekday(), true
		}
		if !ok {
			m.warnf(r, "serviceHours", "unknown day %q; hours entry left out", o.DayFrom)
			return nil, false
		}
		toDay := day
		if o.DayTo != "" {
			if toDay, ok = weekdays[o.DayTo]; !ok {
				m.warnf(r, "serviceHours", "unknown day %q; hours entry left out", o.DayTo)
				return nil, false
			}
		}
		if to == "00:00" && toDay == day {
			to = "24:00" // open until midnight
		} else if o.DayTo == "" && to < from {
			toDay = (day + 1) % 7 // a weekly span past midnight
		}
		out = append(out, ptv.Span{Day: day, From: from, ToDay: toDay, To: to})
	}
	return out, true
}

func (m *mapper) hours(r ref, in []ServiceHour) ptv.Hours {
	var h ptv.Hours
	for _, sh := range in {
		spans, ok := m.spans(r, sh)
		if !ok {
			continue
		}
		info := texts(sh.AdditionalInformation, "")
		switch sh.ServiceHourType {
		case "DaysOfTheWeek", "OverMidnight":
			p := ptv.Period{
				From:          date(sh.ValidFrom),
				To:            date(sh.ValidTo),
				AlwaysOpen:    sh.IsAlwaysOpen,
				ByAppointment: sh.IsReservation,
				Spans:         spans,
				Info:          info,
			}
			if p.From.IsZero() && p.To.IsZero() {
				h.Regular = append(h.Regular, p)
			} else {
				h.Seasonal = append(h.Seasonal, p)
			}
		case "Exceptional":
			if sh.ValidFrom == nil || sh.ValidFrom.IsZero() {
				m.warnf(r, "serviceHours", "exceptional hours without a date; left out")
				continue
			}
			e := ptv.Exception{From: date(sh.ValidFrom), To: date(sh.ValidTo), Closed: sh.IsClosed, Spans: spans, Info: info}
			if e.To.IsZero() || e.To.Before(e.From) {
				e.To = e.From
			}
			h.Exceptions = append(h.Exceptions, e)
		default:
			m.warnf(r, "serviceHourType", "unknown hour type %q; hours entry left out", sh.ServiceHourType)
		}
	}
	return h
}
