package ptvtest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/serie-verkosto/directory/internal/ptv"
	"github.com/serie-verkosto/directory/internal/ptv/v11"
)

// The fixtures are fictional: the organizations do not exist, web and
// e-mail addresses are under example.fi, and every phone number is in the
// +358 40 000 0xxx block, which is not assigned to real subscribers and is
// used here only as an obvious placeholder. Municipalities and coordinates
// are real (Oulu 564, Turku 853, Helsinki 091, Tampere 837), so that the
// directory's municipality mapping and the map work with them.

// Fixture organization ids.
const (
	OrgEsimerkkila = "0e5a0000-0000-4000-8000-000000000001" // Esimerkkilän hyvinvointialue
	OrgTestikyla   = "0e5a0000-0000-4000-8000-000000000002" // Testikylän kaupunki
	OrgVirasto     = "0e5a0000-0000-4000-8000-000000000003" // Esimerkkiviraston keskus (state)
	OrgYhdistys    = "0e5a0000-0000-4000-8000-000000000004" // Esimerkkiyhdistys ry
)

// Fixture service ids; the comments say what "one week later" does to each.
const (
	ServiceNeuvonta    = "5e7c0000-0000-4000-8000-000000000001" // Oulu region; renamed, its phone channel's number changes
	ServiceKriisi      = "5e7c0000-0000-4000-8000-000000000002" // nationwide, 24 h; unchanged
	ServicePerhe       = "5e7c0000-0000-4000-8000-000000000003" // Tampere; unchanged
	ServiceNuoret      = "5e7c0000-0000-4000-8000-000000000004" // Turku; loses its connection to ChannelPuhelin (modified stays old)
	ServiceVertais     = "5e7c0000-0000-4000-8000-000000000005" // Helsinki; archived
	ServiceChat        = "5e7c0000-0000-4000-8000-000000000006" // nationwide except Åland; withdrawn
	ServiceTerapia     = "5e7c0000-0000-4000-8000-000000000007" // Turku; new
	ChannelPuhelin     = "c4a00000-0000-4000-8000-000000000001" // phone, split hours, exceptions, seasonal
	ChannelOuluToimi   = "c4a00000-0000-4000-8000-000000000002" // location in Oulu, over-midnight hours
	ChannelNeuvontaWeb = "c4a00000-0000-4000-8000-000000000003" // web page
	ChannelKriisi      = "c4a00000-0000-4000-8000-000000000004" // service number, always open
	ChannelAjanvaraus  = "c4a00000-0000-4000-8000-000000000005" // e-service, by appointment
	ChannelTampere     = "c4a00000-0000-4000-8000-000000000006" // location, coordinates not trusted
	ChannelLomake      = "c4a00000-0000-4000-8000-000000000007" // printable form with one unsafe link
	ChannelNuoret      = "c4a00000-0000-4000-8000-000000000008" // phone, normal charge
	ChannelVertais     = "c4a00000-0000-4000-8000-000000000009" // web page
	ChannelChat        = "c4a00000-0000-4000-8000-00000000000a" // e-service
	ChannelTerapia     = "c4a00000-0000-4000-8000-00000000000b" // phone (new a week later)
)

// NowTime is when the "now" fixtures were last modified; WeekLaterTime is
// NowTime plus seven days.
var (
	NowTime       = time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	WeekLaterTime = NowTime.AddDate(0, 0, 7)
)

func s(v string) *string { return &v }

func ts(t time.Time) v11.Time { return v11.Time{Time: t} }

func names(typ string, fi, sv, en string) []v11.LocalizedListItem {
	var out []v11.LocalizedListItem
	for _, l := range []struct{ lang, v string }{{"fi", fi}, {"sv", sv}, {"en", en}} {
		if l.v != "" {
			out = append(out, v11.LocalizedListItem{Language: l.lang, Value: l.v, Type: typ})
		}
	}
	return out
}

func lang(fi string) []v11.LanguageItem { return []v11.LanguageItem{{Language: "fi", Value: fi}} }

var muniNames = map[string][3]string{
	"091": {"Helsinki", "Helsingfors", "Helsinki"},
	"564": {"Oulu", "Uleåborg", "Oulu"},
	"853": {"Turku", "Åbo", "Turku"},
	"837": {"Tampere", "Tammerfors", "Tampere"},
	"139": {"Ii", "Ii", "Ii"},
}

func muni(code string) v11.Municipality {
	n := muniNames[code]
	// PTV sends localized lists in no fixed order; sv first on purpose.
	return v11.Municipality{Code: code, Name: []v11.LanguageItem{{Language: "sv", Value: n[1]}, {Language: "en", Value: n[2]}, {Language: "fi", Value: n[0]}}}
}

// limited is areas[] for a municipality list.
func limited(codes ...string) []v11.Area {
	a := v11.Area{Type: "Municipality"}
	for _, c := range codes {
		a.Municipalities = append(a.Municipalities, muni(c))
	}
	return []v11.Area{a}
}

func phone(typ, number, charge string) v11.Phone {
	return v11.Phone{Type: typ, PrefixNumber: s("+358"), Number: number, ServiceChargeType: s(charge), Language: "fi"}
}

func weekly(days []string, from, to string) v11.ServiceHour {
	h := v11.ServiceHour{ServiceHourType: "DaysOfTheWeek", ValidForNow: true}
	for _, d := range days {
		h.OpeningHour = append(h.OpeningHour, v11.OpeningHour{DayFrom: d, From: from, To: to})
	}
	return h
}

var weekdays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}

// Point returns PTV's latitude and longitude strings (EPSG:3067 northing
// and easting) for a WGS84 position.
func Point(lat, lon float64) (northing, easting string) {
	n, e := ptv.WGS84ToTM35FIN(lat, lon)
	return fmt.Sprintf("%.0f", n), fmt.Sprintf("%.0f", e)
}

func location(street, number, postal, office, code string, lat, lon float64, state string) v11.Address {
	n, e := Point(lat, lon)
	return v11.Address{Type: "Location", SubType: "Single", Country: s("FI"), StreetAddress: &v11.StreetAddress{
		Street: lang(street), StreetNumber: s(number), PostalCode: postal, PostOffice: lang(office),
		Municipality: ptr(muni(code)), Latitude: v11.Coordinate(n), Longitude: v11.Coordinate(e), CoordinateState: s(state),
	}}
}

func ptr[T any](v T) *T { return &v }

func org(id, fi, sv, typ, code, business string) v11.Organization {
	o := v11.Organization{
		ID: id, OrganizationType: s(typ), BusinessCode: s(business),
		OrganizationNames: names("Name", fi, sv, ""), AreaType: s("LimitedType"),
		PublishingStatus: "Published", Modified: ts(NowTime.AddDate(0, -1, 0)),
		WebPages: []v11.WebPage{{URL: "https://www.example.fi/", Value: fi, Language: "fi"}},
		Emails:   []v11.LanguageItem{{Language: "fi", Value: "kirjaamo@example.fi"}},
		// Organizations' numbers carry no type.
		PhoneNumbers: []v11.Phone{{PrefixNumber: s("+358"), Number: "400000100", ServiceChargeType: s("Other"), Language: "fi"}},
	}
	if code != "" {
		o.Municipality = ptr(muni(code))
	}
	return o
}

func finto(code, fi string) v11.FintoItem {
	return v11.FintoItem{Code: s(code), Name: lang(fi), URI: "http://urn.fi/URN:NBN:fi:au:ptvl:v" + code,
		NewURI: s("http://uri.suomi.fi/codelist/ptv/ptvserclass2/code/" + code)}
}

type conn struct {
	channel string
	hours   []v11.ServiceHour
	details *v11.ContactDetails
}

func service(id, fi, sv, en, org string, areaType string, areas []v11.Area, class string, modified time.Time, conns ...conn) v11.Service {
	sv11 := v11.Service{
		ID: id, Type: "Service", FundingType: s("PubliclyFunded"),
		ServiceNames:      names("Name", fi, sv, en),
		ServiceChargeType: s("FreeOfCharge"),
		AreaType:          areaType, Areas: areas,
		ServiceDescriptions: append(names("Summary", "Tiivistelmä: "+fi, "", ""),
			names("Description", "Kuvaus, jossa on <b>HTML:n näköistä</b> ja *markdownia*.", "", "")...),
		Languages:      []string{"fi", "sv"},
		ServiceClasses: []v11.FintoItem{finto(class, "Luokka "+class)},
		TargetGroups:   []v11.FintoItem{{Code: s("KR1"), Name: lang("Kansalaiset"), URI: "http://urn.fi/URN:NBN:fi:au:ptvl:KR1"}},
		OntologyTerms:  []v11.FintoItem{{Name: lang("seksuaaliterveys"), URI: "http://www.yso.fi/onto/koko/p15822"}},
		Keywords:       []v11.LanguageItem{{Language: "fi", Value: "neuvonta"}, {Language: "fi", Value: "tuki"}, {Language: "sv", Value: "stöd"}},
		Organizations: []v11.ServiceOrganization{{Organization: &v11.Item{ID: org, Name: orgNames[org]},
			RoleType: "Responsible"}},
		PublishingStatus: "Published",
		Modified:         ts(modified),
	}
	for _, c := range conns {
		sv11.ServiceChannels = append(sv11.ServiceChannels, v11.Connection{
			ServiceChannel:    &v11.Item{ID: c.channel, Name: "kanava"},
			ServiceChargeType: s("FreeOfCharge"),
			ServiceHours:      c.hours,
			ContactDetails:    c.details,
			Modified:          ts(modified),
		})
	}
	return sv11
}

var orgNames = map[string]string{
	OrgEsimerkkila: "Esimerkkilän hyvinvointialue",
	OrgTestikyla:   "Testikylän kaupunki",
	OrgVirasto:     "Esimerkkiviraston keskus",
	OrgYhdistys:    "Esimerkkiyhdistys ry",
}

func channel(id, typ, fi, org string, modified time.Time) v11.Channel {
	return v11.Channel{
		ID: id, ServiceChannelType: typ, OrganizationID: org,
		ServiceChannelNames:        names("Name", fi, "", ""),
		ServiceChannelDescriptions: names("Summary", "Kanavan tiivistelmä", "", ""),
		AreaType:                   s("LimitedType"),
		Languages:                  []string{"fi"},
		PublishingStatus:           "Published",
		Modified:                   ts(modified),
	}
}

// fixtures builds the two datasets; later is the week-later state.
func fixtures(later bool) *Dataset {
	old := NowTime.AddDate(0, 0, -20)
	neuvontaMod := NowTime
	if later {
		neuvontaMod = WeekLaterTime
	}

	// Channels.
	puhelin := channel(ChannelPuhelin, "Phone", "Esimerkkilän neuvontapuhelin", OrgEsimerkkila, NowTime.AddDate(0, 0, -1))
	puhelin.PhoneNumbers = []v11.Phone{phone("Phone", "400000101", "FreeOfCharge")}
	if later {
		puhelin.PhoneNumbers[0].Number = "400000111"
		puhelin.Modified = ts(WeekLaterTime)
	}
	split := v11.ServiceHour{ServiceHourType: "DaysOfTheWeek", ValidForNow: true, AdditionalInformation: lang("Puhelinaika")}
	for _, d := range weekdays {
		split.OpeningHour = append(split.OpeningHour,
			v11.OpeningHour{DayFrom: d, From: "09:00:00", To: "11:00:00"},
			v11.OpeningHour{DayFrom: d, From: "12:00:00", To: "15:00:00"})
	}
	summer := weekly([]string{"Monday", "Wednesday"}, "10:00:00", "14:00:00")
	summer.ValidForNow = false
	summer.ValidFrom = &v11.Time{Time: time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)}
	summer.ValidTo = &v11.Time{Time: time.Date(2027, 8, 31, 0, 0, 0, 0, time.UTC)}
	xmas := v11.ServiceHour{ServiceHourType: "Exceptional", IsClosed: true,
		ValidFrom: &v11.Time{Time: time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)}, AdditionalInformation: lang("Jouluaatto")}
	newYear := v11.ServiceHour{ServiceHourType: "Exceptional",
		ValidFrom:   &v11.Time{Time: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)},
		OpeningHour: []v11.OpeningHour{{From: "09:00:00", To: "12:00:00"}}, AdditionalInformation: lang("Uudenvuodenaatto")}
	puhelin.ServiceHours = []v11.ServiceHour{split, summer, xmas, newYear}

	ouluToimi := channel(ChannelOuluToimi, "ServiceLocation", "Esimerkkilän vastaanotto Oulu", OrgEsimerkkila, old)
	ouluToimi.Addresses = []v11.Address{location("Esimerkkikatu", "1", "90100", "OULU", "564", 65.0121, 25.4651, "Ok")}
	ouluToimi.Emails = []v11.LanguageItem{{Language: "fi", Value: "vastaanotto@example.fi"}}
	ouluToimi.PhoneNumbers = []v11.Phone{phone("Phone", "400000102", "Other")}
	ouluToimi.PhoneNumbers[0].ChargeDescription = s("Puhelun hinta oman liittymäsopimuksen mukaan")
	over := v11.ServiceHour{ServiceHourType: "OverMidnight", ValidForNow: true,
		OpeningHour: []v11.OpeningHour{{DayFrom: "Friday", DayTo: "Saturday", From: "22:00:00", To: "04:00:00"}}}
	ouluToimi.ServiceHours = []v11.ServiceHour{weekly(weekdays[:4], "08:00:00", "16:00:00"), over}

	web := channel(ChannelNeuvontaWeb, "WebPage", "Neuvonnan verkkosivu", OrgEsimerkkila, old)
	web.WebPages = []v11.WebPage{{URL: "https://www.example.fi/neuvonta", Value: "Neuvonta", Language: "fi"}}

	kriisi := channel(ChannelKriisi, "Phone", "Kriisipuhelin", OrgVirasto, old)
	kriisi.AreaType = s("Nationwide")
	kriisi.PhoneNumbers = []v11.Phone{{Type: "Phone", Number: "0800000000", IsFinnishServiceNumber: true,
		ServiceChargeType: s("FreeOfCharge"), Language: "fi"}}
	kriisi.ServiceHours = []v11.ServiceHour{{ServiceHourType: "DaysOfTheWeek", ValidForNow: true, IsAlwaysOpen: true}}

	ajan := channel(ChannelAjanvaraus, "EChannel", "Sähköinen ajanvaraus", OrgVirasto, old)
	ajan.WebPages = []v11.WebPage{{URL: "https://asiointi.example.fi/ajanvaraus", Value: "Ajanvaraus", Language: "fi"}}
	ajan.ServiceHours = []v11.ServiceHour{{ServiceHourType: "DaysOfTheWeek", ValidForNow: true, IsReservation: true}}
	ajan.RequiresAuthentication = ptr(true)

	tampere := channel(ChannelTampere, "ServiceLocation", "Perheneuvola Tampere", OrgTestikyla, old)
	tampere.Addresses = []v11.Address{location("Testitie", "5 A", "33100", "TAMPERE", "837", 61.4978, 23.7610, "NotReceived")}
	tampere.PhoneNumbers = []v11.Phone{phone("Sms", "400000103", "Chargeable")}
	tampere.PhoneNumbers[0].ChargeDescription = s("Normaali tekstiviestihinta")

	lomake := channel(ChannelLomake, "PrintableForm", "Ilmoittautumislomake", OrgTestikyla, old)
	lomake.ChannelURLs = []v11.ChannelURL{
		{Language: "fi", Value: "https://www.example.fi/lomake.pdf", Type: "PDF"},
		{Language: "sv", Value: "javascript:alert(1)", Type: "PDF"},
	}

	nuoretCh := channel(ChannelNuoret, "Phone", "Nuorten puhelin", OrgEsimerkkila, old)
	nuoretCh.PhoneNumbers = []v11.Phone{phone("Phone", "400000104", "Other")}

	vertaisCh := channel(ChannelVertais, "WebPage", "Vertaistuen sivu", OrgYhdistys, old)
	vertaisCh.WebPages = []v11.WebPage{{URL: "https://vertais.example.fi/", Value: "Vertaistuki", Language: "fi"}}

	chatCh := channel(ChannelChat, "EChannel", "Nuorten chat", OrgYhdistys, old)
	chatCh.WebPages = []v11.WebPage{{URL: "https://chat.example.fi/", Value: "Chat", Language: "fi"}}

	terapiaCh := channel(ChannelTerapia, "Phone", "Terapian ajanvarauspuhelin", OrgEsimerkkila, WeekLaterTime)
	terapiaCh.PhoneNumbers = []v11.Phone{phone("Phone", "400000105", "FreeOfCharge")}

	// Services.
	neuvonta := service(ServiceNeuvonta, "Seksuaalisuuteen liittyvä neuvonta", "Rådgivning om sexualitet", "Counselling on sexuality",
		OrgEsimerkkila, "LimitedType",
		[]v11.Area{{Type: "HospitalDistrict", Code: s("18"), Name: lang("Esimerkkilän sairaanhoitopiiri"),
			Municipalities: []v11.Municipality{muni("564"), muni("139")}}},
		"P3.7", neuvontaMod,
		conn{channel: ChannelPuhelin, details: &v11.ContactDetails{PhoneNumbers: []v11.Phone{phone("Phone", "400000199", "FreeOfCharge")}}},
		conn{channel: ChannelOuluToimi, hours: []v11.ServiceHour{weekly([]string{"Tuesday"}, "12:00:00", "18:00:00")}},
		conn{channel: ChannelNeuvontaWeb})
	if later {
		neuvonta.ServiceNames[0].Value = "Seksuaalisuuteen ja seksuaaliterveyteen liittyvä neuvonta"
	}
	kriisiS := service(ServiceKriisi, "Kriisipuhelin", "Krisjour", "Crisis line", OrgVirasto, "Nationwide", nil, "P4.1", old,
		conn{channel: ChannelKriisi}, conn{channel: ChannelAjanvaraus})
	perhe := service(ServicePerhe, "Perheneuvola", "Familjerådgivning", "", OrgTestikyla, "LimitedType", limited("837"), "P3.7", old,
		conn{channel: ChannelTampere}, conn{channel: ChannelLomake})
	nuoretConns := []conn{{channel: ChannelNuoret}, {channel: ChannelPuhelin}}
	if later {
		nuoretConns = nuoretConns[:1]
	}
	nuoret := service(ServiceNuoret, "Nuorten vastaanotto", "", "", OrgEsimerkkila, "LimitedType", limited("853"), "P3.7", old, nuoretConns...)
	vertais := service(ServiceVertais, "Vertaistukiryhmä", "", "", OrgYhdistys, "LimitedType", limited("091"), "P4.1", old,
		conn{channel: ChannelVertais})
	chat := service(ServiceChat, "Nuorten chat", "", "", OrgYhdistys, "NationwideExceptAlandIslands", nil, "P4.1", old,
		conn{channel: ChannelChat})
	if later {
		vertais.PublishingStatus, vertais.Modified = "Deleted", ts(WeekLaterTime)
		chat.PublishingStatus, chat.Modified = "Modified", ts(WeekLaterTime)
	}
	svcs := []v11.Service{neuvonta, kriisiS, perhe, nuoret, vertais, chat}
	chans := []v11.Channel{puhelin, ouluToimi, web, kriisi, ajan, tampere, lomake, nuoretCh, vertaisCh, chatCh}
	if later {
		svcs = append(svcs, service(ServiceTerapia, "Seksuaaliterapia", "", "", OrgEsimerkkila, "LimitedType", limited("853"), "P3.7", WeekLaterTime,
			conn{channel: ChannelTerapia}))
		chans = append(chans, terapiaCh)
	}
	ds := &Dataset{}
	if later {
		ds.ConnectionChanged = map[string]time.Time{ServiceNuoret: WeekLaterTime}
	}
	link(svcs, chans)
	yhdistys := org(OrgYhdistys, "Esimerkkiyhdistys ry", "", "Organization", "091", "0000004-3")
	if later {
		yhdistys.OrganizationNames[0].Value = "Esimerkkiyhdistys ry (uusi nimi)"
		yhdistys.Modified = ts(WeekLaterTime)
	}
	for _, o := range []v11.Organization{
		org(OrgEsimerkkila, "Esimerkkilän hyvinvointialue", "Välfärdsområdet Exempelby", "WellbeingServicesCounty", "", "0000001-9"),
		org(OrgTestikyla, "Testikylän kaupunki", "Testby stad", "Municipality", "837", "0000002-7"),
		org(OrgVirasto, "Esimerkkiviraston keskus", "", "State", "", "0000003-5"),
		yhdistys,
	} {
		ds.Organizations = append(ds.Organizations, mustJSON(o))
	}
	for _, sv := range svcs {
		ds.Services = append(ds.Services, mustJSON(sv))
	}
	for _, c := range chans {
		ds.Channels = append(ds.Channels, mustJSON(c))
	}
	return ds
}

// link fills the channels' services[] from the services' connections, as
// PTV does: only links to published services are listed.
func link(svcs []v11.Service, chans []v11.Channel) {
	byID := map[string]*v11.Channel{}
	for i := range chans {
		byID[chans[i].ID] = &chans[i]
	}
	for _, sv := range svcs {
		if sv.PublishingStatus != "Published" {
			continue
		}
		for _, c := range sv.ServiceChannels {
			if ch := byID[c.ServiceChannel.ID]; ch != nil {
				name := ""
				if len(sv.ServiceNames) > 0 {
					name = sv.ServiceNames[0].Value
				}
				ch.Services = append(ch.Services, v11.Connection{Service: &v11.Item{ID: sv.ID, Name: name},
					ServiceChargeType: c.ServiceChargeType, Modified: c.Modified})
			}
		}
	}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Now is the fixture set as of NowTime.
func Now() *Dataset { return fixtures(false) }

// WeekLater is the fixture set one week later: ServiceNeuvonta renamed and
// its phone channel's number changed, ServiceVertais archived, ServiceChat
// withdrawn, ServiceTerapia new, ServiceNuoret's connection to
// ChannelPuhelin removed (with its modified unchanged, as PTV does), and
// OrgYhdistys renamed.
func WeekLater() *Dataset { return fixtures(true) }

// Synthetic is a deterministic dataset of n services and 2n channels for
// speed tests: services spread over Helsinki, Oulu, Turku and Tampere, each
// with one phone and one location channel of its own, under ten
// organizations.
func Synthetic(n int) *Dataset {
	codes := []string{"091", "564", "853", "837"}
	points := [][2]float64{{60.1699, 24.9384}, {65.0121, 25.4651}, {60.4518, 22.2666}, {61.4978, 23.7610}}
	ds := &Dataset{}
	orgID := func(i int) string { return fmt.Sprintf("0e5b0000-0000-4000-8000-%012x", i) }
	for i := range 10 {
		ds.Organizations = append(ds.Organizations, mustJSON(org(orgID(i), fmt.Sprintf("Synteettinen organisaatio %d", i), "", "Organization", codes[i%4], fmt.Sprintf("%07d-0", i))))
	}
	for i := range n {
		code := codes[i%4]
		o := orgID(i % 10)
		mod := NowTime.Add(-time.Duration(n-i) * time.Second)
		sid := fmt.Sprintf("5e7d0000-0000-4000-8000-%012x", i)
		pid := fmt.Sprintf("c4b00000-0000-4000-8000-%012x", 2*i)
		lid := fmt.Sprintf("c4b00000-0000-4000-8000-%012x", 2*i+1)
		sv := service(sid, fmt.Sprintf("Synteettinen palvelu %d", i), fmt.Sprintf("Syntetisk tjänst %d", i), "", o,
			"LimitedType", limited(code), "P3.7", mod, conn{channel: pid}, conn{channel: lid})
		sv.Organizations[0].Organization.Name = fmt.Sprintf("Synteettinen organisaatio %d", i%10)
		ph := channel(pid, "Phone", fmt.Sprintf("Puhelin %d", i), o, mod)
		ph.PhoneNumbers = []v11.Phone{phone("Phone", fmt.Sprintf("400000%03d", i%1000), "FreeOfCharge")}
		ph.ServiceHours = []v11.ServiceHour{weekly(weekdays, "08:00:00", "16:00:00")}
		loc := channel(lid, "ServiceLocation", fmt.Sprintf("Toimipiste %d", i), o, mod)
		p := points[i%4]
		loc.Addresses = []v11.Address{location("Synteettinen katu", fmt.Sprint(i%200+1), "00100", "HELSINKI", code, p[0]+float64(i%100)*1e-4, p[1], "Ok")}
		loc.ServiceHours = []v11.ServiceHour{weekly(weekdays, "09:00:00", "15:00:00")}
		chans := []v11.Channel{ph, loc}
		link([]v11.Service{sv}, chans)
		ds.Services = append(ds.Services, mustJSON(sv))
		ds.Channels = append(ds.Channels, mustJSON(chans[0]), mustJSON(chans[1]))
	}
	return ds
}
