package v11

import (
	"encoding/json"
	"testing"
	"time"
)

func TestPhoneNumber(t *testing.T) {
	s := func(v string) *string { return &v }
	tests := []struct {
		name string
		p    Phone
		want string
		err  bool
	}{
		{"prefix and number", Phone{PrefixNumber: s("+358"), Number: "401234567"}, "+358401234567", false},
		{"trunk zero after a prefix", Phone{PrefixNumber: s("+358"), Number: "0401234567"}, "+358401234567", false},
		{"prefix without plus", Phone{PrefixNumber: s("358"), Number: "91234567"}, "+35891234567", false},
		{"foreign prefix", Phone{PrefixNumber: s("+46"), Number: "812345678"}, "+46812345678", false},
		{"service number as written", Phone{Number: "0800123456", IsFinnishServiceNumber: true}, "0800123456", false},
		{"short service number", Phone{Number: "116117", IsFinnishServiceNumber: true}, "116117", false},
		{"national number without prefix", Phone{Number: "0401234567"}, "+358401234567", false},
		{"international form in number", Phone{Number: "00358401234567"}, "+358401234567", false},
		{"spaces and dashes", Phone{PrefixNumber: s("+358"), Number: "40 123-4567"}, "+358401234567", false},
		{"no digits", Phone{PrefixNumber: s("+358"), Number: ""}, "", true},
		{"no prefix, not national", Phone{Number: "401234567"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := phoneNumber(tt.p)
			if (err != nil) != tt.err || got != tt.want {
				t.Errorf("phoneNumber = %q, %v; want %q (error %v)", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{`"2020-03-04T14:07:04.840483"`, time.Date(2020, 3, 4, 14, 7, 4, 840483000, time.UTC), false},
		{`"2020-03-04T14:07:04"`, time.Date(2020, 3, 4, 14, 7, 4, 0, time.UTC), false},
		{`"2020-03-04T14:07:04.8Z"`, time.Date(2020, 3, 4, 14, 7, 4, 800000000, time.UTC), false},
		{`"2020-03-04T16:07:04+02:00"`, time.Date(2020, 3, 4, 14, 7, 4, 0, time.UTC), false},
		{`null`, time.Time{}, false},
		{`"04.03.2020"`, time.Time{}, true},
	}
	for _, tt := range tests {
		var v Time
		err := json.Unmarshal([]byte(tt.in), &v)
		if (err != nil) != tt.err || !v.Equal(tt.want) {
			t.Errorf("%s: got %v, %v; want %v (error %v)", tt.in, v.Time, err, tt.want, tt.err)
		}
		if err == nil && !v.IsZero() && v.Location() != time.UTC {
			t.Errorf("%s: location %v, want UTC", tt.in, v.Location())
		}
	}
}

func TestSpans(t *testing.T) {
	m := &mapper{}
	tests := []struct {
		name string
		oh   OpeningHour
		want string // Day From ToDay To
	}{
		{"until midnight", OpeningHour{DayFrom: "Monday", From: "18:00:00", To: "00:00:00"}, "Monday 18:00 Monday 24:00"},
		{"weekly past midnight", OpeningHour{DayFrom: "Sunday", From: "22:00:00", To: "02:00:00"}, "Sunday 22:00 Monday 02:00"},
		{"over midnight entry", OpeningHour{DayFrom: "Friday", DayTo: "Saturday", From: "22:00:00", To: "04:00:00"}, "Friday 22:00 Saturday 04:00"},
	}
	for _, tt := range tests {
		spans, ok := m.spans(ref{}, ServiceHour{ServiceHourType: "DaysOfTheWeek", OpeningHour: []OpeningHour{tt.oh}})
		if !ok || len(spans) != 1 {
			t.Fatalf("%s: %v %v", tt.name, spans, ok)
		}
		sp := spans[0]
		if got := sp.Day.String() + " " + sp.From + " " + sp.ToDay.String() + " " + sp.To; got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestBackoffCapped(t *testing.T) {
	c, _ := New("")
	for attempt := 1; attempt < 40; attempt++ {
		if d := c.backoff(attempt); d > c.MaxBackoff || d < c.MinBackoff/2 {
			t.Errorf("backoff(%d) = %v", attempt, d)
		}
	}
}
