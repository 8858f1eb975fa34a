package ptvimport

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/ptv"
	"github.com/serie-verkosto/directory/internal/services"
)

// maxExceptionDays bounds how many dates one exception range expands to:
// a closure "all of July" is 31 dates; a year-long "exception" is a data
// error better left to its note.
const maxExceptionDays = 62

var dayKeys = [...]string{time.Sunday: "sun", time.Monday: "mon", time.Tuesday: "tue", time.Wednesday: "wed",
	time.Thursday: "thu", time.Friday: "fri", time.Saturday: "sat"}

// schedule maps PTV's hours: the regular weekly table (days with the same
// hours grouped), spans over midnight split at midnight, exceptions as
// dates, and seasonal tables, which the directory's weekly table cannot
// bound by dates, as a note that names their dates.
func schedule(h ptv.Hours) services.Schedule {
	var s services.Schedule
	var notes []l10n.Text
	for _, p := range h.Regular {
		s.AlwaysOpen = s.AlwaysOpen || p.AlwaysOpen
		s.ByAppointment = s.ByAppointment || p.ByAppointment
		s.Weekly = append(s.Weekly, weekly(p.Spans)...)
		notes = append(notes, text(p.Info))
	}
	s.Weekly = groupDays(s.Weekly)
	for _, p := range h.Seasonal {
		notes = append(notes, seasonal(p))
	}
	for _, x := range h.Exceptions {
		s.Exceptions = append(s.Exceptions, exceptions(x)...)
	}
	slices.SortStableFunc(s.Exceptions, func(a, b services.HoursException) int { return strings.Compare(a.Date, b.Date) })
	s.Note = clip(join("\n", notes...), 500)
	if s.AlwaysOpen {
		// "24 h" says it all; PTV often also lists 00:00–24:00 days.
		s.Weekly = nil
	}
	return s
}

// weekly turns spans into one row per day and span.
func weekly(spans []ptv.Span) []services.OpeningHours {
	var out []services.OpeningHours
	for _, sp := range spans {
		from, to := hhmm(sp.From), hhmm(sp.To)
		if sp.ToDay != sp.Day && to != "24:00" {
			// Over midnight: until midnight, and on from it the next day.
			out = append(out, services.OpeningHours{Days: []string{dayKeys[sp.Day]}, Opens: from, Closes: "24:00"})
			if to != "00:00" {
				out = append(out, services.OpeningHours{Days: []string{dayKeys[sp.ToDay]}, Opens: "00:00", Closes: to})
			}
			continue
		}
		if from >= to && to != "24:00" {
			continue // a span the table cannot show; PTV's own pages drop it too
		}
		out = append(out, services.OpeningHours{Days: []string{dayKeys[sp.Day]}, Opens: from, Closes: to})
	}
	return out
}

// groupDays merges rows with the same hours into one row of days, in
// week order (Monday first) by first day.
func groupDays(rows []services.OpeningHours) []services.OpeningHours {
	var out []services.OpeningHours
	for _, r := range rows {
		i := slices.IndexFunc(out, func(o services.OpeningHours) bool { return o.Opens == r.Opens && o.Closes == r.Closes })
		if i < 0 {
			out = append(out, services.OpeningHours{Days: slices.Clone(r.Days), Opens: r.Opens, Closes: r.Closes})
			continue
		}
		for _, d := range r.Days {
			if !slices.Contains(out[i].Days, d) {
				out[i].Days = append(out[i].Days, d)
			}
		}
	}
	for i := range out {
		slices.SortFunc(out[i].Days, func(a, b string) int { return weekPos(a) - weekPos(b) })
	}
	slices.SortStableFunc(out, func(a, b services.OpeningHours) int {
		if d := weekPos(a.Days[0]) - weekPos(b.Days[0]); d != 0 {
			return d
		}
		return strings.Compare(a.Opens, b.Opens)
	})
	return out
}

func weekPos(day string) int {
	i := slices.Index(dayKeys[:], day)
	return (i + 6) % 7 // Monday first
}

// exceptions expands one exception to its dates.
func exceptions(x ptv.Exception) []services.HoursException {
	to := x.To
	if to.IsZero() || to.Before(x.From) {
		to = x.From
	}
	var out []services.HoursException
	for d, n := x.From, 0; !d.After(to) && n < maxExceptionDays; d, n = d.AddDate(0, 0, 1), n+1 {
		e := services.HoursException{Date: d.Format("2006-01-02"), Closed: x.Closed || len(x.Spans) == 0, Note: clip(text(x.Info), 300)}
		if !e.Closed {
			e.Opens, e.Closes = hhmm(x.Spans[0].From), hhmm(x.Spans[len(x.Spans)-1].To)
			if x.Spans[len(x.Spans)-1].ToDay != x.Spans[len(x.Spans)-1].Day && e.Closes != "24:00" {
				e.Closes = "24:00"
			}
			if e.Opens >= e.Closes {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// seasonal is a dated weekly table as a note: "1.6.2027–31.8.2027: ma, ke
// 10.00–14.00" in each language.
func seasonal(p ptv.Period) l10n.Text {
	dates := ""
	if !p.From.IsZero() {
		dates = p.From.Format("2.1.2006") + "–"
		if !p.To.IsZero() {
			dates += p.To.Format("2.1.2006")
		}
	}
	line := func(lang string, days map[string]string, always string) string {
		var parts []string
		if p.AlwaysOpen {
			parts = append(parts, always)
		}
		for _, r := range groupDays(weekly(p.Spans)) {
			var ds []string
			for _, d := range r.Days {
				ds = append(ds, days[d])
			}
			parts = append(parts, strings.Join(ds, ", ")+" "+strings.ReplaceAll(r.Opens, ":", ".")+"–"+strings.ReplaceAll(r.Closes, ":", "."))
		}
		s := strings.Join(parts, "; ")
		if info := text(p.Info).In(lang); info != "" {
			s = strings.TrimSpace(info + " " + s)
		}
		return strings.TrimSpace(dates + ": " + s)
	}
	return l10n.Text{
		FI: line("fi", map[string]string{"mon": "ma", "tue": "ti", "wed": "ke", "thu": "to", "fri": "pe", "sat": "la", "sun": "su"}, "24 h"),
		SV: line("sv", map[string]string{"mon": "mån", "tue": "tis", "wed": "ons", "thu": "tor", "fri": "fre", "sat": "lör", "sun": "sön"}, "24 h"),
		EN: line("en", map[string]string{"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}, "24 h"),
	}
}

// hhmm is "HH:MM" of PTV's "HH:MM" or "HH:MM:SS".
func hhmm(s string) string {
	if len(s) >= 5 {
		return s[:5]
	}
	return fmt.Sprintf("%5s", s)
}
