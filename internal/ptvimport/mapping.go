package ptvimport

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/ptv"
	"github.com/serie-verkosto/directory/internal/services"
)

// The mapping from the catalogue's version-independent model (package
// ptv) into the directory's: nothing here knows an API version, so a v12
// reader feeds the same code.

// ServiceID is the directory's id of a PTV service.
func ServiceID(ptvID string) string { return "ptv-" + strings.ToLower(ptvID) }

// OrganizationID is the directory's id of a PTV organization.
func OrganizationID(ptvID string) string { return "ptv-org-" + strings.ToLower(ptvID) }

// Skip reasons, as the summary prints them.
const (
	SkipNoRule = "no rule in seed/ptv.yaml matches it (not a service the network refers to)"
	SkipArea   = "its area has no municipality the directory knows"
	SkipName   = "it has no name"
)

// mapper maps listings with the reference data and rules of one run.
type mapper struct {
	ref     *services.Reference
	rules   *Rules
	all     bool // import whatever matches no rule too
	fetched time.Time
}

// listing maps l, or says why it is left out.
func (m *mapper) listing(l *ptv.Listing) (services.Service, string) {
	match, matched := m.rules.Match(l)
	if !matched && !m.all {
		return services.Service{}, SkipNoRule
	}
	area, ok := m.area(l.Area)
	if !ok {
		return services.Service{}, SkipArea
	}
	name := required(text(l.Names), 200)
	if name.FI == "" {
		return services.Service{}, SkipName
	}
	fetched := m.fetched
	modified := l.Modified
	svc := services.Service{
		ID:           ServiceID(l.ID),
		Name:         name,
		Description:  clip(join("\n\n", text(l.Summaries), text(l.Descriptions)), 5000),
		ServiceTypes: match.ServiceTypes,
		TargetGroups: match.TargetGroups,
		Cost:         clip(text(l.ChargeInfo), 300),
		Area:         area,
		Status:       services.StatusActive,
		Source: services.Source{Kind: services.SourcePTV, ID: strings.ToLower(l.ID), Modified: &modified,
			Fetched: &fetched, URL: l.Link, Status: string(l.Status)},
	}
	if l.Organization.ID != "" {
		svc.OrganizationID = db.Ref(OrganizationID(l.Organization.ID))
	}
	for _, lang := range l.Languages {
		lang = strings.ToLower(lang)
		if len(lang) >= 2 && len(lang) <= 3 && !slices.Contains(svc.Languages, lang) {
			svc.Languages = append(svc.Languages, lang)
		}
	}
	m.channels(&svc, l.Connections)
	return svc, ""
}

// area is the listing's area in the directory's terms: the whole country,
// or the municipalities the directory knows.
func (m *mapper) area(a ptv.Area) (services.Area, bool) {
	if a.Nationwide {
		return services.Area{National: true}, true
	}
	var out services.Area
	for _, code := range a.Municipalities {
		if mu, ok := m.ref.Munis.Lookup(code); ok && !slices.Contains(out.Municipalities, mu.Code) {
			out.Municipalities = append(out.Municipalities, mu.Code)
		}
	}
	slices.Sort(out.Municipalities)
	return out, len(out.Municipalities) > 0
}

// channels fills the service's ways in from its connected channels, each
// as the service sees it (the connection's own hours and details first).
func (m *mapper) channels(svc *services.Service, conns []ptv.Connection) {
	modes := map[string]bool{}
	for _, c := range conns {
		if c.Channel == nil {
			continue
		}
		ch := c.Effective()
		if ch.Status != "" && ch.Status != ptv.StatusPublished {
			continue
		}
		label := clip(text(ch.Names), 200)
		hours := schedule(ch.Hours)
		switch ch.Type {
		case ptv.ChannelPhone:
			for _, p := range ch.Phones {
				ph := phone(p, label)
				if !hours.IsZero() {
					ph.Hours = &hours
				}
				svc.Phones = append(svc.Phones, ph)
			}
			if len(ch.Phones) > 0 {
				modes["phone"] = true
			}
		case ptv.ChannelWeb, ptv.ChannelEService, ptv.ChannelForm:
			kind := services.LinkWeb
			if ch.Type == ptv.ChannelEService {
				kind = services.LinkEService
				if isChat(ch.Names) {
					kind = services.LinkChat
				}
			}
			for _, u := range ch.URLs {
				svc.Links = append(svc.Links, services.Link{Kind: kind, URL: u.URL, Label: label, Language: u.Lang})
				if svc.URL == "" && ch.Type == ptv.ChannelWeb {
					svc.URL = u.URL
				}
			}
			if len(ch.URLs) > 0 {
				modes["online"] = true
				if kind == services.LinkChat {
					modes["chat"] = true
				}
			}
		case ptv.ChannelLocation:
			svc.Locations = append(svc.Locations, m.location(ch, label, hours))
			modes["in-person"] = true
		}
		if ch.Type != ptv.ChannelLocation && svc.Email == "" && len(ch.Emails) > 0 {
			svc.Email = ch.Emails[0].Address
			modes["email"] = true
		}
	}
	for mode := range modes {
		svc.DeliveryModes = append(svc.DeliveryModes, mode)
	}
	slices.Sort(svc.DeliveryModes)
}

// location is a visiting place: its visiting address (PTV's postal
// addresses are for letters, not for finding the door).
func (m *mapper) location(ch ptv.Channel, name l10n.Text, hours services.Schedule) services.Location {
	loc := services.Location{ID: strings.ToLower(ch.ID), Name: name, Hours: hours}
	for _, a := range ch.Addresses {
		if a.Kind != ptv.AddressVisiting {
			continue
		}
		loc.Street = clip(street(a), 200)
		loc.PostalCode = a.PostalCode
		loc.PostOffice = clip(titleCase(text(a.PostOffice)), 100)
		if mu, ok := m.ref.Munis.Lookup(a.Municipality); ok {
			loc.Municipality = mu.Code
		}
		if a.HasPoint {
			lat, lon := a.Lat, a.Lon
			loc.Latitude, loc.Longitude = &lat, &lon
		}
		loc.Note = clip(text(a.Info), 1000)
		break
	}
	for _, p := range ch.Phones {
		loc.Phones = append(loc.Phones, phone(p, l10n.Text{}))
	}
	if len(ch.Emails) > 0 {
		loc.Email = ch.Emails[0].Address
	}
	return loc
}

// street is the street address with its number, in each language.
func street(a ptv.Address) l10n.Text {
	t := text(a.Street)
	if a.Number != "" {
		for _, s := range []*string{&t.FI, &t.SV, &t.EN} {
			if *s != "" {
				*s += " " + a.Number
			}
		}
	}
	return t
}

// titleCase turns PTV's upper-case post offices ("OULU") into names.
func titleCase(t l10n.Text) l10n.Text {
	f := func(s string) string {
		if s != strings.ToUpper(s) {
			return s
		}
		words := strings.Fields(strings.ToLower(s))
		for i, w := range words {
			r, n := utf8.DecodeRuneInString(w)
			words[i] = strings.ToUpper(string(r)) + w[n:]
		}
		return strings.Join(words, " ")
	}
	return l10n.Text{FI: f(t.FI), SV: f(t.SV), EN: f(t.EN)}
}

func phone(p ptv.Phone, label l10n.Text) services.Phone {
	out := services.Phone{Number: p.Number, Kind: string(p.Kind), Charge: string(p.Charge), Language: strings.ToLower(p.Lang),
		Description: label}
	if out.Kind == "" {
		out.Kind = services.PhoneVoice
	}
	if p.Info != "" {
		out.Description = clip(join(": ", label, inLang(p.Lang, p.Info)), 300)
	}
	if p.ChargeInfo != "" {
		out.ChargeNote = clip(inLang(p.Lang, p.ChargeInfo), 300)
	}
	return out
}

// isChat says whether an e-service is a chat, by its name.
func isChat(names ptv.Text) bool {
	for _, n := range names {
		n = strings.ToLower(n)
		if strings.Contains(n, "chat") || strings.Contains(n, "chatti") || strings.Contains(n, "keskustelu") {
			return true
		}
	}
	return false
}

// organization maps a PTV organization.
func organization(o *ptv.Organization) services.Organization {
	out := services.Organization{ID: OrganizationID(o.ID), Name: required(text(o.Names), 200), Kind: orgKind(o.Type)}
	for _, u := range o.URLs {
		out.URL = u.URL
		break
	}
	for _, e := range o.Emails {
		out.Email = e.Address
		break
	}
	for _, p := range o.Phones {
		if p.Kind == "" || p.Kind == ptv.PhoneVoice {
			out.Phone = p.Number
			break
		}
	}
	return out
}

// orgKind maps PTV's organization types to the directory's kinds.
func orgKind(t string) string {
	switch t {
	case "Municipality":
		return "municipality"
	case "WellbeingServicesCounty", "SotePublic":
		return "wellbeing-county"
	case "State", "RegionalOrganization":
		return "state"
	case "Organization":
		return "ngo" // PTV's "järjestö"
	default:
		return "other"
	}
}

// text keeps the directory's languages of a PTV text.
func text(t ptv.Text) l10n.Text {
	return l10n.Text{FI: strings.TrimSpace(t["fi"]), SV: strings.TrimSpace(t["sv"]), EN: strings.TrimSpace(t["en"])}
}

// required gives a text that must have a Finnish value one: the Swedish
// or English one, so that a service PTV names only in Swedish is listed.
func required(t l10n.Text, max int) l10n.Text {
	if t.FI == "" {
		t.FI = t.SV
	}
	if t.FI == "" {
		t.FI = t.EN
	}
	return clip(t, max)
}

func inLang(lang, s string) l10n.Text {
	switch strings.ToLower(lang) {
	case "sv":
		return l10n.Text{SV: s}
	case "en":
		return l10n.Text{EN: s}
	default:
		return l10n.Text{FI: s}
	}
}

// join joins texts per language with sep, leaving out empty ones.
func join(sep string, ts ...l10n.Text) l10n.Text {
	var out l10n.Text
	for _, t := range ts {
		for _, p := range []struct {
			dst *string
			s   string
		}{{&out.FI, t.FI}, {&out.SV, t.SV}, {&out.EN, t.EN}} {
			switch {
			case p.s == "":
			case *p.dst == "":
				*p.dst = p.s
			default:
				*p.dst += sep + p.s
			}
		}
	}
	return out
}

// clip cuts each language to max characters, marking the cut.
func clip(t l10n.Text, max int) l10n.Text {
	cut := func(s string) string {
		if utf8.RuneCountInString(s) <= max {
			return s
		}
		r := []rune(s)
		return strings.TrimSpace(string(r[:max-1])) + "…"
	}
	return l10n.Text{FI: cut(t.FI), SV: cut(t.SV), EN: cut(t.EN)}
}
