package ptvimport

import (
	"reflect"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/ptv"
	"github.com/serie-verkosto/directory/internal/services"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestSchedule(t *testing.T) {
	weekdays := func(from, to string) []ptv.Span {
		var out []ptv.Span
		for d := time.Monday; d <= time.Friday; d++ {
			out = append(out, ptv.Span{Day: d, From: from, ToDay: d, To: to})
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		in    ptv.Hours
		check func(t *testing.T, s services.Schedule)
	}{
		{"weekdays grouped", ptv.Hours{Regular: []ptv.Period{{Spans: weekdays("08:00:00", "16:00:00")}}}, func(t *testing.T, s services.Schedule) {
			want := []services.OpeningHours{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Opens: "08:00", Closes: "16:00"}}
			if !reflect.DeepEqual(s.Weekly, want) {
				t.Errorf("got %+v", s.Weekly)
			}
		}},
		{"split hours", ptv.Hours{Regular: []ptv.Period{{Spans: append(weekdays("09:00", "11:00"), weekdays("12:00", "15:00")...)}}}, func(t *testing.T, s services.Schedule) {
			if len(s.Weekly) != 2 || s.Weekly[0].Opens != "09:00" || s.Weekly[1].Opens != "12:00" || len(s.Weekly[1].Days) != 5 {
				t.Errorf("got %+v", s.Weekly)
			}
		}},
		{"over midnight", ptv.Hours{Regular: []ptv.Period{{Spans: []ptv.Span{{Day: time.Friday, From: "22:00", ToDay: time.Saturday, To: "04:00"}}}}}, func(t *testing.T, s services.Schedule) {
			want := []services.OpeningHours{{Days: []string{"fri"}, Opens: "22:00", Closes: "24:00"}, {Days: []string{"sat"}, Opens: "00:00", Closes: "04:00"}}
			if !reflect.DeepEqual(s.Weekly, want) {
				t.Errorf("got %+v", s.Weekly)
			}
		}},
		{"sunday to monday", ptv.Hours{Regular: []ptv.Period{{Spans: []ptv.Span{{Day: time.Sunday, From: "20:00", ToDay: time.Monday, To: "02:00"}}}}}, func(t *testing.T, s services.Schedule) {
			if len(s.Weekly) != 2 || s.Weekly[0].Days[0] != "mon" || s.Weekly[1].Days[0] != "sun" {
				t.Errorf("got %+v", s.Weekly)
			}
		}},
		{"always open drops the table", ptv.Hours{Regular: []ptv.Period{{AlwaysOpen: true, Spans: weekdays("00:00", "24:00")}}}, func(t *testing.T, s services.Schedule) {
			if !s.AlwaysOpen || s.Weekly != nil {
				t.Errorf("got %+v", s)
			}
		}},
		{"exceptions expand to dates", ptv.Hours{Exceptions: []ptv.Exception{
			{From: date(2026, 12, 31), Spans: []ptv.Span{{Day: time.Thursday, From: "09:00", ToDay: time.Thursday, To: "12:00"}}},
			{From: date(2026, 12, 24), To: date(2026, 12, 26), Closed: true, Info: ptv.Text{"fi": "Joulu"}},
		}}, func(t *testing.T, s services.Schedule) {
			if len(s.Exceptions) != 4 || s.Exceptions[0].Date != "2026-12-24" || !s.Exceptions[2].Closed || s.Exceptions[0].Note.FI != "Joulu" ||
				s.Exceptions[3].Date != "2026-12-31" || s.Exceptions[3].Opens != "09:00" || s.Exceptions[3].Closes != "12:00" {
				t.Errorf("got %+v", s.Exceptions)
			}
		}},
		{"a year-long exception is bounded", ptv.Hours{Exceptions: []ptv.Exception{{From: date(2027, 1, 1), To: date(2027, 12, 31), Closed: true}}}, func(t *testing.T, s services.Schedule) {
			if len(s.Exceptions) != maxExceptionDays {
				t.Errorf("got %d dates", len(s.Exceptions))
			}
		}},
		{"seasonal as a note", ptv.Hours{Seasonal: []ptv.Period{{From: date(2027, 6, 1), To: date(2027, 8, 31), Spans: []ptv.Span{
			{Day: time.Monday, From: "10:00", ToDay: time.Monday, To: "14:00"}, {Day: time.Wednesday, From: "10:00", ToDay: time.Wednesday, To: "14:00"}}}}}, func(t *testing.T, s services.Schedule) {
			if s.Weekly != nil || s.Note.FI != "1.6.2027–31.8.2027: ma, ke 10.00–14.00" || s.Note.SV != "1.6.2027–31.8.2027: mån, ons 10.00–14.00" {
				t.Errorf("got %+v", s)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := schedule(tc.in)
			tc.check(t, s)
		})
	}
}

func TestRulesDecideWhatIsImported(t *testing.T) {
	rules := &Rules{List: []Rule{{Words: []string{"mielenterv"}, ServiceTypes: []string{"psychiatric-care"}}}}
	m := &mapper{rules: rules, ref: nil}
	building := &ptv.Listing{ID: "x", Names: ptv.Text{"fi": "Rakennuslupa"}, ServiceClasses: []ptv.Class{{Code: "P10", Name: ptv.Text{"fi": "Rakentaminen"}}}}
	if _, reason := m.listing(building); reason != SkipNoRule {
		t.Errorf("building permit: %q", reason)
	}
	mental := &ptv.Listing{Names: ptv.Text{"sv": "Vuxnas mentalvård"}, OntologyTerms: []ptv.Class{{Name: ptv.Text{"fi": "mielenterveyspalvelut"}}}}
	if m, ok := rules.Match(mental); !ok || len(m.ServiceTypes) != 1 || m.ServiceTypes[0] != "psychiatric-care" {
		t.Errorf("mental health: %v %v", m, ok)
	}
}
