package web

import (
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/opening"
	"github.com/serie-verkosto/directory/internal/services"
)

// How to get in touch, as the pages show it: the service page in full
// (ChannelsOf), the search hit, the pathway step and the client handout in
// brief (BriefOf). Opening states are computed in Helsinki time at the
// page's clock. Nothing from a source is trusted as HTML: every value goes
// through html/template, and only http and https addresses become links.

// Channels is a service's ways in.
type Channels struct {
	*Base
	// Plain leaves out where facts were seen: the client handout shows
	// only how to get in touch.
	Plain     bool
	Phones    []PhoneView
	Links     []LinkView
	Email     string
	Hours     *HoursView // the service's own hours
	Locations []LocationView
}

// Empty says the listing gives no way in.
func (c *Channels) Empty() bool {
	return len(c.Phones) == 0 && len(c.Links) == 0 && c.Email == "" && c.Hours == nil && len(c.Locations) == 0
}

// PhoneView is a number to call.
type PhoneView struct {
	Tel, Display, Kind, Charge, Language, Seen string
	Label, ChargeNote                          template.HTML
	Hours                                      *HoursView
}

// phoneArg is a number with the page, for the phone partial.
type phoneArg struct {
	*Base
	PhoneView
}

// LinkView is a web address.
type LinkView struct {
	URL, Kind, Seen string
	Label           template.HTML
}

// LocationView is a place to visit.
type LocationView struct {
	Municipality, Email, Seen  string
	Name, Street, Postal, Note template.HTML
	Phones                     []PhoneView
	Hours                      *HoursView
}

// HoursView is a schedule for reading.
type HoursView struct {
	*Base
	Always, ByAppointment bool
	Rows                  []HoursRow
	Exceptions            []HoursRow
	Note                  template.HTML
	// Now is "open now · closes at 16.00" or "closed · opens Monday
	// 8.00"; empty when the schedule cannot tell.
	Now  string
	Open bool
}

// HoursRow is one line of a table: days (or a date) and their hours.
type HoursRow struct {
	When, Hours string
	Note        template.HTML
}

// Brief is the compact form: the first number, whether it is open, where.
type Brief struct {
	*Base
	Phone *PhoneView
	Link  *LinkView
	Town  template.HTML
	Now   string
	Open  bool
}

// ChannelsOf is svc's ways in for the page.
func (b *Base) ChannelsOf(svc services.Service) *Channels {
	c := &Channels{Base: b, Email: svc.Email, Hours: b.hoursView(opening.OfService(svc))}
	for _, p := range svc.Phones {
		c.Phones = append(c.Phones, b.phoneView(p))
	}
	if u := safeURL(svc.URL); u != "" {
		c.Links = append(c.Links, LinkView{URL: u, Kind: services.LinkWeb})
	}
	for _, l := range svc.Links {
		if u := safeURL(l.URL); u != "" && u != svc.URL {
			c.Links = append(c.Links, LinkView{URL: u, Label: b.L(l.Label), Kind: l.Kind, Seen: b.seen(l.Seen)})
		}
	}
	for _, l := range svc.Locations {
		v := LocationView{Name: b.L(l.Name), Street: b.L(l.Street), Note: b.L(l.Note),
			Email: l.Email, Seen: b.seen(l.Seen), Hours: b.hoursView(l.Hours)}
		v.Postal = template.HTML(strings.TrimSpace(template.HTMLEscapeString(l.PostalCode) + " " + string(b.L(l.PostOffice))))
		if l.Municipality != "" {
			v.Municipality = b.Muni(l.Municipality)
			if po, _ := l.PostOffice.Get(b.Lang); strings.EqualFold(v.Municipality, po) {
				v.Municipality = "" // "90100 Oulu", not "90100 Oulu (Oulu)"
			}
		}
		for _, p := range l.Phones {
			v.Phones = append(v.Phones, b.phoneView(p))
		}
		c.Locations = append(c.Locations, v)
	}
	return c
}

// HandoutOf is svc's ways in for the client handout.
func (b *Base) HandoutOf(svc services.Service) *Channels {
	c := b.ChannelsOf(svc)
	c.Plain = true
	return c
}

// BriefOf is svc's first way in, for lists.
func (b *Base) BriefOf(svc services.Service) *Brief {
	c := b.ChannelsOf(svc)
	br := &Brief{Base: b}
	hours := c.Hours
	if len(c.Phones) > 0 {
		br.Phone = &c.Phones[0]
		if br.Phone.Hours != nil {
			hours = br.Phone.Hours
		}
	} else if len(c.Links) > 0 {
		br.Link = &c.Links[0]
	}
	if len(c.Locations) > 0 {
		l := c.Locations[0]
		br.Town = template.HTML(template.HTMLEscapeString(l.Municipality))
		if br.Town == "" {
			br.Town = l.Postal
		}
		if hours == nil {
			hours = l.Hours
		}
	}
	if hours != nil {
		br.Now, br.Open = hours.Now, hours.Open
	}
	if br.Phone == nil && br.Link == nil && br.Town == "" {
		return nil
	}
	return br
}

func (b *Base) phoneView(p services.Phone) PhoneView {
	v := PhoneView{Tel: p.E164(), Display: p.National(), Label: b.L(p.Description), Kind: p.Kind,
		ChargeNote: b.L(p.ChargeNote), Seen: b.seen(p.Seen)}
	if p.Charge != "" {
		v.Charge = b.T("channel.charge." + p.Charge)
	}
	if p.Language != "" {
		v.Language = b.LangName(p.Language)
	}
	if p.Hours != nil {
		v.Hours = b.hoursView(*p.Hours)
	}
	return v
}

// seen says where a fact gathered from a public page was read.
func (b *Base) seen(s *services.Seen) string {
	if s == nil {
		return ""
	}
	parts := []string{b.T("channel.seen", s.On)}
	if s.Date != "" {
		parts = append(parts, b.T("channel.seen_dated", s.Date))
	} else if s.Gathered != "" {
		parts = append(parts, b.T("channel.seen_undated"))
	}
	if s.Gathered != "" {
		parts = append(parts, b.T("channel.seen_gathered", s.Gathered))
	}
	return strings.Join(parts, ", ")
}

// hoursView is a schedule as a table with its state now; nil when it
// says nothing.
func (b *Base) hoursView(s services.Schedule) *HoursView {
	if s.IsZero() {
		return nil
	}
	v := &HoursView{Base: b, Always: s.AlwaysOpen, ByAppointment: s.ByAppointment, Note: b.L(s.Note)}
	for _, r := range opening.Weekly(s.Weekly) {
		when := b.T("day." + r.From)
		if r.To != r.From {
			when += "–" + b.T("day."+r.To)
		}
		hours := b.T("channel.closed")
		if !r.Closed() {
			hours = opening.Spans(r.Spans, b.Lang)
		}
		v.Rows = append(v.Rows, HoursRow{When: when, Hours: hours})
	}
	for _, x := range opening.Upcoming(s, b.now) {
		row := HoursRow{When: b.dateText(x.Date), Hours: b.T("channel.closed"), Note: b.L(x.Note)}
		if !x.Closed {
			row.Hours = opening.Clock(x.Opens, b.Lang) + "–" + opening.Clock(x.Closes, b.Lang)
		}
		v.Exceptions = append(v.Exceptions, row)
	}
	st := opening.At(s, b.now)
	switch {
	case st.Always:
		v.Now, v.Open = b.T("channel.always"), true
	case !st.Known:
	case st.Open && !st.Closes.IsZero():
		v.Now, v.Open = b.T("channel.open_closes", opening.ClockOf(st.Closes, b.Lang)), true
	case st.Open:
		v.Now, v.Open = b.T("channel.open"), true
	case !st.Opens.IsZero():
		v.Now = b.T("channel.closed_opens", b.whenText(st.Opens), opening.ClockOf(st.Opens, b.Lang))
	default:
		v.Now = b.T("channel.closed")
	}
	return v
}

// whenText names the day of a coming moment: today, tomorrow, or its
// weekday (within the two weeks the schedule looks ahead, with its date
// beyond a week).
func (b *Base) whenText(t time.Time) string {
	loc := opening.Helsinki()
	now, t := b.now.In(loc), t.In(loc)
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	days := int(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc).Sub(today).Hours()+12) / 24
	switch {
	case days == 0:
		return b.T("channel.today")
	case days == 1:
		return b.T("channel.tomorrow")
	case days < 7:
		return b.T("weekday." + opening.Days[(int(t.Weekday())+6)%7])
	}
	return b.T("weekday."+opening.Days[(int(t.Weekday())+6)%7]) + " " + t.Format("2.1.")
}

// dateText is a YYYY-MM-DD date as the language writes it.
func (b *Base) dateText(date string) string {
	t, err := time.Parse("2006-01-02", date)
	if err != nil {
		return date
	}
	wd := b.T("day." + opening.Days[(int(t.Weekday())+6)%7])
	if b.Lang == "en" {
		return wd + " " + t.Format("2 Jan 2006")
	}
	return wd + " " + t.Format("2.1.2006")
}

// safeURL is u when it is an absolute http or https address; anything
// else (javascript:, data:, relative) never becomes a link.
func safeURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}
