package services_test

import (
	"testing"

	"github.com/serie-verkosto/directory/internal/services"
)

func TestPhoneNationalAndE164(t *testing.T) {
	for _, tt := range []struct{ in, national, e164 string }{
		{"+358 40 0000000", "040 0000000", "+358400000000"},
		{"+358400000001", "040 0000001", "+358400000001"},
		{"00358 9 0000 0000", "09 00000000", "+358900000000"},
		{"+358 50 000 0000", "050 0000000", "+358500000000"},
		{"+358 29 000 0000", "029 0000000", "+358290000000"},
		{"09 2525 0111", "09 2525 0111", "+358925250111"},
		{"040  701   8446", "040 701 8446", "+358407018446"},
		{"0800 96 116", "0800 96 116", "080096116"},
		{"116 111", "116 111", "116111"},
		{"112", "112", "112"},
		{"029 524 5511", "029 524 5511", "+358295245511"},
		{"+46 8 000 000", "+46 8 000 000", "+468000000"},
	} {
		p := services.Phone{Number: tt.in}
		if got := p.National(); got != tt.national {
			t.Errorf("National(%q) = %q, want %q", tt.in, got, tt.national)
		}
		if got := p.E164(); got != tt.e164 {
			t.Errorf("E164(%q) = %q, want %q", tt.in, got, tt.e164)
		}
	}
}
