package v11

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/ptv"
)

// The fixture is written by hand in the key order of DVV's sample
// (test/.../V11/Resources/V11VmOpenApiServiceLocationChannel.json), with
// fields this reader ignores, so that a wrong JSON tag is caught here rather
// than hidden by fixtures marshalled from these same types.
func TestDecodeServiceLocation(t *testing.T) {
	raw, err := os.ReadFile("testdata/service_location_channel.json")
	if err != nil {
		t.Fatal(err)
	}
	var c Channel
	if err := decode("ServiceChannel/x", "channel", raw, &c); err != nil {
		t.Fatal(err)
	}
	m := &mapper{}
	ch, err := m.channel("ServiceChannel/x", &c, raw)
	if err != nil {
		t.Fatal(err)
	}
	ch.Raw = nil
	lat, lon := ptv.TM35FINToWGS84(6704000, 239000)
	want := &ptv.Channel{
		ID:             "c4a00000-0000-4000-8000-0000000000aa",
		Type:           ptv.ChannelLocation,
		OrganizationID: "0e5a0000-0000-4000-8000-000000000002",
		Names:          ptv.Text{"fi": "Turun perheneuvola", "sv": "Familjerådgivningen i Åbo"},
		Summaries:      ptv.Text{"fi": "Lyhyt kuvaus."},
		Descriptions:   ptv.Text{"fi": "Pitkä kuvaus <script>alert(1)</script>."},
		Languages:      []string{"fi", "sv"},
		Area:           ptv.Area{Municipalities: []string{"202", "853"}},
		Phones: []ptv.Phone{
			{Kind: ptv.PhoneVoice, Number: "+358400000108", Tel: "tel:+358400000108", Charge: ptv.ChargeNormal, Info: "Ajanvaraus", Lang: "fi"},
			{Kind: ptv.PhoneFax, Number: "+358400000109", Tel: "tel:+358400000109", Charge: ptv.ChargeChargeable, ChargeInfo: "Faksin hinta", Lang: "fi"},
		},
		Emails: []ptv.Email{{Address: "perheneuvola@example.fi", Lang: "fi"}},
		URLs:   []ptv.Link{{URL: "https://www.example.fi/perheneuvola", Name: "Perheneuvola", Lang: "fi"}},
		Addresses: []ptv.Address{
			{Kind: ptv.AddressVisiting, Street: ptv.Text{"fi": "Esimerkkikatu", "sv": "Exempelgatan"}, Number: "3", PostalCode: "20100",
				PostOffice: ptv.Text{"fi": "TURKU", "sv": "ÅBO"}, Municipality: "853", Info: ptv.Text{"fi": "Sisäänkäynti pihalta"},
				HasPoint: true, Lat: lat, Lon: lon},
			{Kind: ptv.AddressPostal, POBox: ptv.Text{"fi": "PL 1"}, PostalCode: "20101", PostOffice: ptv.Text{"fi": "TURKU"}, Municipality: "853"},
		},
		Hours: ptv.Hours{
			Regular: []ptv.Period{{Spans: []ptv.Span{{Day: time.Monday, From: "08:00", ToDay: time.Monday, To: "16:00"}}}},
			Exceptions: []ptv.Exception{{From: time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 26, 0, 0, 0, 0, time.UTC),
				Closed: true, Info: ptv.Text{"fi": "Joulu"}}},
		},
		Status:   ptv.StatusPublished,
		Modified: time.Date(2026, 10, 1, 10, 0, 0, 840483000, time.UTC),
	}
	if diff := cmp.Diff(want, ch); diff != "" {
		t.Errorf("channel (-want +got):\n%s", diff)
	}
	if len(m.warnings) != 1 || !strings.Contains(m.warnings[0].Message, "ftp://") {
		t.Errorf("warnings %v: want one about the ftp link", m.warnings)
	}
	// The point is in Turku.
	if lat < 60.3 || lat > 60.6 || lon < 22.1 || lon > 22.4 {
		t.Errorf("point %v, %v is not in Turku", lat, lon)
	}
}
