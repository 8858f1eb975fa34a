package opening_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/opening"
	"github.com/serie-verkosto/directory/internal/services"
)

var hki = opening.Helsinki()

// at is a Helsinki wall-clock moment.
func at(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, hki) }

func weekly(days []string, opens, closes string) services.OpeningHours {
	return services.OpeningHours{Days: days, Opens: opens, Closes: closes}
}

var weekdays = []string{"mon", "tue", "wed", "thu", "fri"}

func TestAt(t *testing.T) {
	office := services.Schedule{
		Weekly: []services.OpeningHours{weekly(weekdays, "08:00", "16:00"), weekly([]string{"sat"}, "10:00", "14:00")},
		Exceptions: []services.HoursException{
			{Date: "2026-12-24", Closed: true},
			{Date: "2026-12-31", Opens: "10:00", Closes: "12:00"},
			{Date: "2026-12-27", Opens: "12:00", Closes: "13:00"}, // a Sunday opened
		},
	}
	every := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	daily := services.Schedule{Weekly: []services.OpeningHours{weekly(every, "08:00", "16:00")}}
	night := services.Schedule{Weekly: []services.OpeningHours{
		weekly([]string{"fri"}, "20:00", "24:00"), weekly([]string{"sat"}, "00:00", "02:00")}}
	split := services.Schedule{Weekly: []services.OpeningHours{weekly(weekdays, "13:00", "16:00"), weekly(weekdays, "08:00", "12:00")}}
	utc := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	tests := []struct {
		name string
		s    services.Schedule
		now  time.Time
		want opening.State
	}{
		{"open on a weekday", office, at(2026, 12, 2, 10, 0), opening.State{Known: true, Open: true, Closes: at(2026, 12, 2, 16, 0)}},
		{"at the opening minute", office, at(2026, 12, 2, 8, 0), opening.State{Known: true, Open: true, Closes: at(2026, 12, 2, 16, 0)}},
		{"at the closing minute", office, at(2026, 12, 2, 16, 0), opening.State{Known: true, Opens: at(2026, 12, 3, 8, 0)}},
		{"friday evening: saturday", office, at(2026, 12, 4, 17, 0), opening.State{Known: true, Opens: at(2026, 12, 5, 10, 0)}},
		{"saturday afternoon: monday", office, at(2026, 12, 5, 14, 30), opening.State{Known: true, Opens: at(2026, 12, 7, 8, 0)}},
		{"closed on christmas eve", office, at(2026, 12, 24, 9, 0), opening.State{Known: true, Opens: at(2026, 12, 25, 8, 0)}},
		{"the day before a closure", office, at(2026, 12, 23, 17, 0), opening.State{Known: true, Opens: at(2026, 12, 25, 8, 0)}},
		{"an exception opens a sunday", office, at(2026, 12, 26, 15, 0), opening.State{Known: true, Opens: at(2026, 12, 27, 12, 0)}},
		{"short hours on new year's eve", office, at(2026, 12, 31, 11, 0), opening.State{Known: true, Open: true, Closes: at(2026, 12, 31, 12, 0)}},
		{"after the short hours", office, at(2026, 12, 31, 13, 0), opening.State{Known: true, Opens: at(2027, 1, 1, 8, 0)}},
		{"the lunch break", split, at(2026, 12, 2, 12, 30), opening.State{Known: true, Opens: at(2026, 12, 2, 13, 0)}},
		{"before lunch", split, at(2026, 12, 2, 9, 0), opening.State{Known: true, Open: true, Closes: at(2026, 12, 2, 12, 0)}},
		// Summer time begins 2026-03-29 at 03:00 EET (01:00 UTC).
		{"night before spring change", daily, utc("2026-03-28T22:30:00Z"), opening.State{Known: true, Opens: utc("2026-03-29T05:00:00Z")}},
		{"day of spring change", daily, utc("2026-03-29T05:30:00Z"), opening.State{Known: true, Open: true, Closes: utc("2026-03-29T13:00:00Z")}},
		// Summer time ends 2026-10-25 at 04:00 EEST (01:00 UTC).
		{"morning of autumn change", daily, utc("2026-10-25T05:00:00Z"), opening.State{Known: true, Opens: utc("2026-10-25T06:00:00Z")}},
		{"day of autumn change", daily, utc("2026-10-25T13:30:00Z"), opening.State{Known: true, Open: true, Closes: utc("2026-10-25T14:00:00Z")}},
		{"past midnight, before it", night, at(2026, 12, 4, 23, 0), opening.State{Known: true, Open: true, Closes: at(2026, 12, 5, 2, 0)}},
		{"past midnight, after it", night, at(2026, 12, 5, 1, 0), opening.State{Known: true, Open: true, Closes: at(2026, 12, 5, 2, 0)}},
		{"past midnight, closed", night, at(2026, 12, 5, 3, 0), opening.State{Known: true, Opens: at(2026, 12, 11, 20, 0)}},
		{"always open", services.Schedule{AlwaysOpen: true}, at(2026, 12, 24, 3, 0), opening.State{Known: true, Open: true, Always: true}},
		{"open all the time by the week", services.Schedule{Weekly: []services.OpeningHours{weekly(every, "00:00", "24:00")}},
			at(2026, 12, 2, 3, 0), opening.State{Known: true, Open: true}},
		{"no hours", services.Schedule{ByAppointment: true}, at(2026, 12, 2, 10, 0), opening.State{}},
		{"nothing within two weeks", services.Schedule{Exceptions: []services.HoursException{{Date: "2027-06-01", Opens: "09:00", Closes: "10:00"}}},
			at(2026, 12, 2, 10, 0), opening.State{Known: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := opening.At(tt.s, tt.now)
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("At(%s) (-want +got):\n%s", tt.now, diff)
			}
		})
	}
}

func TestWeekly(t *testing.T) {
	s := func(o, c string) opening.Span { return opening.Span{Opens: o, Closes: c} }
	tests := []struct {
		name  string
		hours []services.OpeningHours
		want  []opening.Row
	}{
		{"none", nil, nil},
		{"office hours", []services.OpeningHours{weekly(weekdays, "08:00", "16:00")}, []opening.Row{
			{From: "mon", To: "fri", Spans: []opening.Span{s("08:00", "16:00")}}, {From: "sat", To: "sun"}}},
		{"saturday apart", []services.OpeningHours{weekly(weekdays, "08:00", "16:00"), weekly([]string{"sat"}, "10:00", "14:00")}, []opening.Row{
			{From: "mon", To: "fri", Spans: []opening.Span{s("08:00", "16:00")}},
			{From: "sat", To: "sat", Spans: []opening.Span{s("10:00", "14:00")}}, {From: "sun", To: "sun"}}},
		{"days apart are not joined", []services.OpeningHours{weekly([]string{"wed", "mon"}, "09:00", "11:00")}, []opening.Row{
			{From: "mon", To: "mon", Spans: []opening.Span{s("09:00", "11:00")}}, {From: "tue", To: "tue"},
			{From: "wed", To: "wed", Spans: []opening.Span{s("09:00", "11:00")}}, {From: "thu", To: "sun"}}},
		{"a lunch break, listed out of order", []services.OpeningHours{weekly(weekdays, "13:00", "16:00"), weekly(weekdays, "08:00", "12:00")}, []opening.Row{
			{From: "mon", To: "fri", Spans: []opening.Span{s("08:00", "12:00"), s("13:00", "16:00")}}, {From: "sat", To: "sun"}}},
		{"thursday longer", []services.OpeningHours{weekly([]string{"mon", "tue", "wed", "fri"}, "08:00", "16:00"), weekly([]string{"thu"}, "08:00", "18:00")}, []opening.Row{
			{From: "mon", To: "wed", Spans: []opening.Span{s("08:00", "16:00")}}, {From: "thu", To: "thu", Spans: []opening.Span{s("08:00", "18:00")}},
			{From: "fri", To: "fri", Spans: []opening.Span{s("08:00", "16:00")}}, {From: "sat", To: "sun"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, opening.Weekly(tt.hours)); diff != "" {
				t.Errorf("Weekly (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDayAndUpcoming(t *testing.T) {
	s := services.Schedule{
		Weekly: []services.OpeningHours{weekly(weekdays, "08:00", "16:00")},
		Exceptions: []services.HoursException{
			{Date: "2026-12-31", Opens: "10:00", Closes: "12:00"},
			{Date: "2026-12-24", Closed: true},
			{Date: "2026-11-30", Closed: true},
		},
	}
	for _, tt := range []struct {
		day  time.Time
		want []opening.Span
	}{
		{at(2026, 12, 23, 0, 0), []opening.Span{{Opens: "08:00", Closes: "16:00"}}},
		{at(2026, 12, 24, 0, 0), nil},
		{at(2026, 12, 31, 0, 0), []opening.Span{{Opens: "10:00", Closes: "12:00"}}},
		{at(2026, 12, 26, 0, 0), nil},
	} {
		if diff := cmp.Diff(tt.want, opening.Day(s, tt.day)); diff != "" {
			t.Errorf("Day(%s) (-want +got):\n%s", tt.day.Format(time.DateOnly), diff)
		}
	}
	var dates []string
	// 23.30 UTC on 23 Dec is already the 24th in Helsinki.
	for _, x := range opening.Upcoming(s, time.Date(2026, 12, 23, 23, 30, 0, 0, time.UTC)) {
		dates = append(dates, x.Date)
	}
	if diff := cmp.Diff([]string{"2026-12-24", "2026-12-31"}, dates); diff != "" {
		t.Errorf("Upcoming (-want +got):\n%s", diff)
	}
}

func TestClock(t *testing.T) {
	for _, tt := range []struct{ in, lang, want string }{
		{"08:00", "fi", "8.00"},
		{"16:30", "sv", "16.30"},
		{"08:05", "en", "8:05"},
		{"24:00", "fi", "24.00"},
		{"00:00", "fi", "0.00"},
	} {
		if got := opening.Clock(tt.in, tt.lang); got != tt.want {
			t.Errorf("Clock(%q, %s) = %q, want %q", tt.in, tt.lang, got, tt.want)
		}
	}
	if got := opening.ClockOf(time.Date(2026, 7, 1, 13, 0, 0, 0, time.UTC), "fi"); got != "16.00" {
		t.Errorf("ClockOf(13.00 UTC in July) = %q, want 16.00 (EEST)", got)
	}
	if got := opening.Spans([]opening.Span{{Opens: "08:00", Closes: "12:00"}, {Opens: "13:00", Closes: "16:00"}}, "fi"); got != "8.00–12.00, 13.00–16.00" {
		t.Errorf("Spans = %q", got)
	}
}
