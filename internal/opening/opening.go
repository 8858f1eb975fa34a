// Package opening answers when a service, a phone line or a place is open:
// whether it is open at a moment, when it closes or next opens, and its
// weekly hours grouped for display. The hours are wall-clock times in
// Finland, so every answer is computed in Europe/Helsinki time, across
// daylight saving changes. It is pure: the caller gives the moment.
package opening

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	// The zone database is compiled in, so that Helsinki time is right
	// on a machine without tzdata (a scratch container).
	_ "time/tzdata"

	"github.com/serie-verkosto/directory/internal/services"
)

// Zone is the time zone of every opening hour in the directory.
const Zone = "Europe/Helsinki"

// Helsinki returns the Europe/Helsinki location.
func Helsinki() *time.Location {
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		// Unreachable with time/tzdata linked in.
		panic("opening: " + err.Error())
	}
	return loc
}

// Days are the weekday ids of the model, Monday first.
var Days = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// dayIndex maps a time.Weekday to its position in Days.
func dayIndex(w time.Weekday) int { return (int(w) + 6) % 7 }

// Span is one opening period of a day, as wall-clock "15:04" strings;
// Closes may be "24:00".
type Span struct {
	Opens, Closes string
}

// Row is one line of a weekly table: the days From..To (ids of Days, equal
// for one day) share the same spans; no spans means closed.
type Row struct {
	From, To string
	Spans    []Span
}

// Closed reports whether the row's days have no opening hours.
func (r Row) Closed() bool { return len(r.Spans) == 0 }

// Weekly groups weekly hours into rows of consecutive days with the same
// spans, Monday to Sunday ("mon–fri 8–16", "sat 10–14", "sun closed").
// It returns nil when there are no weekly hours at all.
func Weekly(hours []services.OpeningHours) []Row {
	if len(hours) == 0 {
		return nil
	}
	var rows []Row
	for _, d := range Days {
		spans := daySpans(hours, d)
		if n := len(rows); n > 0 && slices.Equal(rows[n-1].Spans, spans) {
			rows[n-1].To = d
			continue
		}
		rows = append(rows, Row{From: d, To: d, Spans: spans})
	}
	return rows
}

// daySpans returns the weekly spans of one weekday, sorted.
func daySpans(hours []services.OpeningHours, day string) []Span {
	var spans []Span
	for _, h := range hours {
		if slices.Contains(h.Days, day) {
			spans = append(spans, Span{h.Opens, h.Closes})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].Opens < spans[j].Opens })
	return spans
}

// Exception returns the exception for date (YYYY-MM-DD), if any.
func Exception(s services.Schedule, date string) (services.HoursException, bool) {
	for _, x := range s.Exceptions {
		if x.Date == date {
			return x, true
		}
	}
	return services.HoursException{}, false
}

// Day returns the spans of one calendar day: an exception for the date
// overrides the weekly hours.
func Day(s services.Schedule, date time.Time) []Span {
	if x, ok := Exception(s, date.Format(time.DateOnly)); ok {
		if x.Closed {
			return nil
		}
		return []Span{{x.Opens, x.Closes}}
	}
	return daySpans(s.Weekly, Days[dayIndex(date.Weekday())])
}

// Upcoming returns the exceptions dated on or after now's day in
// Helsinki, by date: past ones no longer concern anyone.
func Upcoming(s services.Schedule, now time.Time) []services.HoursException {
	today := now.In(Helsinki()).Format(time.DateOnly)
	var out []services.HoursException
	for _, x := range s.Exceptions {
		if x.Date >= today {
			out = append(out, x)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}

// State is whether a schedule is open at a moment.
type State struct {
	// Known is false when the schedule gives no hours to tell by (none,
	// by appointment, or only a note).
	Known bool
	Open  bool
	// Always is around the clock.
	Always bool
	// Closes is when an open period ends (zero when Always or beyond
	// the horizon); Opens is when a closed one next opens (zero when
	// not within the horizon). Both in Helsinki time.
	Closes, Opens time.Time
}

// horizon is how far ahead the next opening is looked for: two weeks
// covers a holiday season's exceptions.
const horizon = 14

// At tells whether s is open at now, and when that changes. Periods that
// meet (a line open 20:00–24:00 and 00:00–02:00 the next day) are one:
// at 23:00 it closes at 02:00.
func At(s services.Schedule, now time.Time) State {
	if s.AlwaysOpen {
		return State{Known: true, Open: true, Always: true}
	}
	if len(s.Weekly) == 0 && len(s.Exceptions) == 0 {
		return State{}
	}
	loc := Helsinki()
	now = now.In(loc)
	y, m, d := now.Date()
	// From yesterday, for a period that runs into today.
	var periods []period
	for i := -1; i <= horizon; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		for _, sp := range Day(s, day) {
			p := period{wall(day, sp.Opens, loc), wall(day, sp.Closes, loc)}
			if n := len(periods); n > 0 && !p.from.After(periods[n-1].to) {
				if p.to.After(periods[n-1].to) {
					periods[n-1].to = p.to
				}
				continue
			}
			periods = append(periods, p)
		}
	}
	st := State{Known: true}
	for _, p := range periods {
		if !now.Before(p.from) && now.Before(p.to) {
			st.Open = true
			// A period reaching the horizon's end may go on beyond it.
			if p.to.Before(time.Date(y, m, d+horizon+1, 0, 0, 0, 0, loc)) {
				st.Closes = p.to
			}
			return st
		}
		if p.from.After(now) {
			st.Opens = p.from
			return st
		}
	}
	return st
}

type period struct{ from, to time.Time }

// wall is the moment of a "15:04" wall-clock time on day in loc; "24:00"
// is the next midnight. A time that does not exist (skipped by the spring
// change) is taken as Go normalizes it, an hour later.
func wall(day time.Time, hhmm string, loc *time.Location) time.Time {
	h, m := clock(hhmm)
	y, mo, d := day.Date()
	return time.Date(y, mo, d, h, m, 0, 0, loc)
}

// clock parses "15:04" (or "24:00") into hours and minutes; anything else
// is midnight (validation keeps it out of the store).
func clock(hhmm string) (int, int) {
	t, err := time.Parse("15:04", hhmm)
	if hhmm == "24:00" {
		return 24, 0
	}
	if err != nil {
		return 0, 0
	}
	return t.Hour(), t.Minute()
}

// Clock formats a "15:04" time the way lang writes it: "8.00" in Finnish
// and Swedish, "8:00" in English; "24:00" stays midnight's "24.00".
func Clock(hhmm, lang string) string {
	h, m := clock(hhmm)
	sep := "."
	if lang == "en" {
		sep = ":"
	}
	return fmt.Sprintf("%d%s%02d", h, sep, m)
}

// ClockOf formats a moment's Helsinki wall-clock time as Clock does.
func ClockOf(t time.Time, lang string) string {
	t = t.In(Helsinki())
	return Clock(t.Format("15:04"), lang)
}

// Spans formats a day's spans: "8.00–12.00, 13.00–16.00".
func Spans(spans []Span, lang string) string {
	parts := make([]string, len(spans))
	for i, sp := range spans {
		parts[i] = Clock(sp.Opens, lang) + "–" + Clock(sp.Closes, lang)
	}
	return strings.Join(parts, ", ")
}

// OfService is the schedule kept on the service itself (its weekly
// hours, exceptions, note and around-the-clock flag).
func OfService(s services.Service) services.Schedule {
	return services.Schedule{Weekly: s.Hours, Exceptions: s.HoursExceptions, AlwaysOpen: s.AlwaysOpen, Note: s.HoursNote}
}
