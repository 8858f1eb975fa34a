package seed_test

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/dbtest"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
	"github.com/serie-verkosto/directory/seed"
)

func TestEmbeddedSeedFacts(t *testing.T) {
	d, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.Municipalities); n != 308 {
		t.Errorf("%d municipalities, want 308", n)
	}
	if n := len(d.Networks); n != 6 {
		t.Errorf("%d networks, want the six of the network's page", n)
	}
	if n := len(d.Services); n < 25 {
		t.Errorf("%d services, want at least 25", n)
	}
	// Contact details exactly as the network's page lists them.
	want := map[string]struct{ network, email, phone string }{
		"Terhi Viiliäinen": {"joensuu", "terhi.viiliainen@om.fi", ""},
		"Satu Kainulainen": {"kajaani", "satu.w.kainulainen@om.fi", ""},
		"Ulla Konttila":    {"oulu", "ulla.konttila@oetk.fi", ""},
		"Anne Saarinen":    {"pirkanmaa", "anne.saarinen@setlementtitampere.fi", ""},
		"Irmeli Ryömä":     {"turku", "irmeli.ryoma@raisio.fi", ""},
		"Riikka Juntunen":  {"paakaupunkiseutu", "riikka.juntunen@sexpo.fi", "+358 50 340 5329"},
	}
	if len(d.Contacts) != len(want) {
		t.Errorf("%d contacts, want %d", len(d.Contacts), len(want))
	}
	for _, c := range d.Contacts {
		w, ok := want[c.Name]
		if !ok {
			t.Errorf("contact %q is not on the network's page", c.Name)
			continue
		}
		if string(c.NetworkSlug) != w.network || c.Email != w.email || c.Phone != w.phone {
			t.Errorf("%s: network %s email %s phone %q; want %s %s %q", c.Name, c.NetworkSlug, c.Email, c.Phone, w.network, w.email, w.phone)
		}
		if c.VerifiedAt != nil {
			t.Errorf("%s is marked verified; the page carries no date", c.Name)
		}
	}
	var capital services.Network
	for _, n := range d.Networks {
		if n.Slug == "paakaupunkiseutu" {
			capital = n
		}
	}
	var issues []string
	for _, nl := range capital.Newsletters {
		issues = append(issues, nl.Issue)
	}
	if got := strings.Join(issues, " "); got != "4/2020 3/2020 2/2020 1/2020 3/2019 2/2019 1/2019 2/2018 1/2018" {
		t.Errorf("newsletter archive = %s", got)
	}
	if len(capital.Goals) != 6 {
		t.Errorf("%d goals, want the page's 6", len(capital.Goals))
	}
	for _, s := range d.Services {
		if s.VerifiedAt != nil {
			t.Errorf("service %s is marked verified", s.ID)
		}
	}
}

// TestSeedPublicContacts holds the seed services' contact details to
// exactly those of shared/data/public-contacts.md, each with the page it
// was seen on, and to that file's content notes.
func TestSeedPublicContacts(t *testing.T) {
	d, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	// Every phone ("tel LANG NUMBER @ PAGE-DATE"), link ("KIND URL") and
	// address of the file; a service not named has none.
	want := map[string][]string{
		"serie-tukipalvelu":      {"web https://sexpo.fi/serie-verkosto"},
		"sexpo-seksuaaliterapia": {"web https://sexpo.fi"},
		"redirection":            {"web https://protectchildren.fi/redirection/", "web https://www.suojellaanlapsia.fi/post/tiedote-04052023"},
		"mielenterveystalo-seksuaalinen-kiinnostus-lapsiin": {"web https://www.mielenterveystalo.fi/aikuiset/itsehoito-ja-oppaat/itsehoito/seksuaalinen-kiinnostus-lapsiin/Pages/default.aspx"},
		"mielenterveystalo-nettiterapiat":                   {"web https://www.mielenterveystalo.fi/nettiterapiat/laheteohjeet/Pages/default.aspx"},
		"mieli-kriisipuhelin":                               {"tel fi 09 2525 0111 @ ", "tel sv 09 2525 0112 @ ", "tel en 09 2525 0116 @ ", "web https://mieli.fi/helpline"},
		"mll-lasten-ja-nuorten-puhelin":                     {"tel  116 111 @ 2025-11-19", "tel sv 0800 96 116 @ 2025-11-19", "chat https://www.nuortennetti.fi"},
		"poikien-puhelin":                                   {"tel  0800 94884 @ ", "web https://www.vaestoliitto.fi/poikien-puhelin/", "chat https://www.poikienpuhelin.fi"},
		"nettivihje":                                        {"web https://www.pelastakaalapset.fi/kehittamis-ja-asiantuntijatyo/lasten-suojelu-ja-nettivihje/nettivihje/"},
		"rikosuhripaivystys":                                {"tel  116 006 @ 2020-05", "web https://www.riku.fi"},
		"hus-seri-tukikeskus":                               {"tel  040 701 8446 @ ~2020", "at Haartmaninkatu 2, 091"},
		"seri-tukikeskukset":                                {"tel  044 472 8002 @ 2020-05", "tel  050 5643 769 @ 2022-02"},
		"rets-tuki":                                         {"web https://rets.fi"},
		"rise-yhdyskuntaseuraamustoimistot":                 {"web https://rikosseuraamus.fi/fi/index/seuraamukset/yhdyskuntaseuraamustyo.html"},
		"vankiterveydenhuolto":                              {"web https://www.vth.fi"},
		"psykiatrinen-vankisairaala":                        {"tel  029 524 5511 @ ", "tel  029 524 5742 @ ", "web https://www.vth.fi/psykiatrinen-vankisairaala/"},
		"niuvanniemen-sairaala":                             {"web https://www.niuva.fi"},
		"vanhan-vaasan-sairaala":                            {"web https://www.vvs.fi"},
		"mielentilatutkimus":                                {"web https://thl.fi/aiheet/mielenterveys/mielenterveyspalvelut/oikeuspsykiatria/mielentilatutkimukset"},
		"oikeusapu":                                         {"web https://oikeus.fi/fi/index/esitteet/oikeusapu.html"},
		"poliisi-rikosilmoitus-ja-tutkinta":                 {"tel  112 @ ", "web https://poliisi.fi/miten-rikosilmoitus-kasitellaan", "eservice https://poliisi.fi/nettivinkki"},
		"lasten-ja-nuorten-oikeuspsykiatria":                {"web https://barnahus.fi/barnahus-hanke-2019-2025/"},
		"oys-lasten-ja-nuorten-oikeuspsykiatria":            {"web https://oys.fi/psykiatria/palvelut/lasten-ja-nuorten-oikeuspsykiatriset-tutkimukset"},
		"tays-lasten-oikeuspsykiatria":                      {"web https://www.pirha.fi/palvelut/sairaalat-tays/lasten-ja-nuorten-sairaalapalvelut/lastenpsykiatria/lasten-oikeuspsykiatria"},
	}
	byID := map[string]services.Service{}
	for _, s := range d.Services {
		byID[s.ID] = s
		var got []string
		for _, p := range s.Phones {
			got = append(got, fmt.Sprintf("tel %s %s @ %s", p.Language, p.Number, p.Seen.Date))
		}
		for _, l := range s.Links {
			got = append(got, l.Kind+" "+l.URL)
		}
		for _, l := range s.Locations {
			got = append(got, fmt.Sprintf("at %s, %s", l.Street.FI, l.Municipality))
		}
		if !slices.Equal(got, want[s.ID]) {
			t.Errorf("%s: contact details\n%q\nwant\n%q", s.ID, got, want[s.ID])
		}
		if s.URL != "" || s.Email != "" {
			t.Errorf("%s: url %q email %q: the seed gives web addresses as links, with their source", s.ID, s.URL, s.Email)
		}
		seen := func(what string, sn *services.Seen) {
			if sn == nil || sn.On == "" || sn.Gathered != "2026-12" {
				t.Errorf("%s: %s does not say where and when it was seen: %+v", s.ID, what, sn)
			}
		}
		for _, p := range s.Phones {
			seen(p.Number, p.Seen)
		}
		for _, l := range s.Links {
			seen(l.URL, l.Seen)
		}
		for _, l := range s.Locations {
			seen("the address", l.Seen)
		}
	}
	for id := range want {
		if _, ok := byID[id]; !ok {
			t.Errorf("service %s is not in the seed", id)
		}
	}

	// "24 h" and "every day" as the pages say them, no more.
	hus := byID["hus-seri-tukikeskus"].Phones[0]
	if hus.Hours == nil || !hus.Hours.AlwaysOpen {
		t.Errorf("the HUS Seri centre's number is open 24 h: %+v", hus.Hours)
	}
	for _, s := range d.Services {
		if s.AlwaysOpen || len(s.Hours) > 0 {
			t.Errorf("%s: opening hours that no page gives", s.ID)
		}
		for _, p := range s.Phones {
			if p.Hours != nil && (len(p.Hours.Weekly) > 0 || p.Hours.AlwaysOpen && s.ID != "hus-seri-tukikeskus") {
				t.Errorf("%s: hours of %s that no page gives", s.ID, p.Number)
			}
		}
	}
	if p := byID["rikosuhripaivystys"].Phones[0]; p.Charge != services.ChargeFree {
		t.Errorf("RIKU's 116 006 is free of charge by its press release: %q", p.Charge)
	}

	// Content notes: the crisis line is not for one's own sexual
	// preferences; the Seri centres serve people aged 16 and over.
	if slices.Contains(byID["mieli-kriisipuhelin"].TargetGroups, "worried-about-own-thoughts") {
		t.Error("MIELI's crisis line is a target for worried-about-own-thoughts")
	}
	for _, id := range []string{"hus-seri-tukikeskus", "seri-tukikeskukset"} {
		if a := byID[id].AgeMin; a == nil || *a != 16 {
			t.Errorf("%s: age_min %v, want 16", id, a)
		}
	}
}

func TestApplyIsIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := services.NewStore(d)
		data, err := seed.Parse(seed.Files)
		if err != nil {
			t.Fatal(err)
		}
		first, err := seed.Apply(ctx, st, data, seed.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if first.Municipalities != 308 || first.Created == 0 {
			t.Errorf("first load: %s", first)
		}
		seq, _ := d.LatestSeq(ctx)
		again, err := seed.Parse(seed.Files)
		if err != nil {
			t.Fatal(err)
		}
		second, err := seed.Apply(ctx, st, again, seed.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if second.Created+second.Updated+second.Kept+second.Municipalities != 0 {
			t.Errorf("second load changed something: %s", second)
		}
		if seq2, _ := d.LatestSeq(ctx); seq2 != seq {
			t.Errorf("second load wrote %d change-log rows", seq2-seq)
		}

		// A listing only the seed has written follows a newer seed file
		// (as the public facts reached deployed directories).
		newer, _ := seed.Parse(seed.Files)
		for i := range newer.Services {
			if newer.Services[i].ID == "rets-tuki" {
				newer.Services[i].Links[0].Seen.Gathered = "2027-01"
			}
		}
		r, err := seed.Apply(ctx, st, newer, seed.Options{})
		if err != nil || r.Updated != 1 || r.Kept != 0 {
			t.Errorf("apply a newer seed: %s, %v; want 1 updated", r, err)
		}
		if s, _ := st.Service(ctx, "rets-tuki"); s.Links[0].Seen.Gathered != "2027-01" {
			t.Errorf("the seed-only listing did not follow the newer seed: %+v", s.Links[0].Seen)
		}

		// An editor's change is kept unless the seed is told to overwrite.
		s, _ := st.Service(ctx, "serie-tukipalvelu")
		s.Alert.FI = "Editor's note"
		if err := st.Services.Save(ctx, users.System("test"), &s, false); err != nil {
			t.Fatal(err)
		}
		r, err = seed.Apply(ctx, st, again, seed.Options{})
		if err != nil || r.Kept != 1 {
			t.Errorf("apply over an edit: %s, %v; want 1 kept", r, err)
		}
		r, err = seed.Apply(ctx, st, again, seed.Options{Overwrite: true})
		if err != nil || r.Updated != 1 {
			t.Errorf("apply --overwrite: %s, %v; want 1 updated", r, err)
		}
		if s, _ := st.Service(ctx, "serie-tukipalvelu"); s.Alert.FI != "" {
			t.Errorf("overwrite left the edit: %q", s.Alert.FI)
		}
	})
}

// withFile returns the embedded seed files with one file replaced.
func withFile(t *testing.T, name, content string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	entries, err := fs.ReadDir(seed.Files, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(seed.Files, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = &fstest.MapFile{Data: b}
	}
	m[name] = &fstest.MapFile{Data: []byte(content)}
	return m
}

const goodService = `services:
  - id: test-service
    name: {fi: Testi}
    target_groups: [suspected]
    service_types: [counselling]
    area: {national: true}
`

func TestParseErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name, file, content string
		want                []string // substrings of the error, in order
	}{
		{"yaml syntax", seed.ServicesFile, "services:\n  - id: x\n    name: {fi: [unclosed\n", []string{"services.yaml:2:", "did not find"}},
		{"unknown key", seed.ServicesFile, goodService + "    colour: blue\n", []string{"services.yaml:7:", "colour"}},
		{"wrong type", seed.ServicesFile, strings.Replace(goodService, "target_groups: [suspected]", "target_groups: suspected", 1), []string{"services.yaml:4:"}},
		{"missing name", seed.ServicesFile, strings.Replace(goodService, "name: {fi: Testi}", "name: {sv: Test}", 1), []string{`services.yaml:3: service "test-service": name.fi: is required`}},
		{"unknown term", seed.ServicesFile, strings.Replace(goodService, "[counselling]", "[counselling, astrology]", 1), []string{`services.yaml:5: service "test-service": service_types[1]: unknown term "astrology"`}},
		{"bad email", seed.ServicesFile, goodService + "    email: nobody\n", []string{`services.yaml:7: service "test-service": email: is not a valid e-mail address`}},
		{"phone without source", seed.ServicesFile, goodService + "    phones:\n      - number: 040 000 0000\n", []string{`services.yaml:8: service "test-service": phones[0]: a contact detail in the seed needs seen.on`}},
		{"bare url", seed.ServicesFile, goodService + "    url: https://palvelu.example.fi\n", []string{`services.yaml:7: service "test-service": url: a contact detail in the seed needs seen.on`, "web addresses go under links"}},
		{"place in unknown municipality", seed.ServicesFile, goodService + "    locations:\n      - street: {fi: Testikatu 1}\n        municipality: Atlantis\n        seen: {on: example.fi}\n", []string{`services.yaml:9: service "test-service": unknown municipality "Atlantis"`}},
		{"unknown county", seed.ServicesFile, strings.Replace(goodService, "{national: true}", "{counties: [atlantis]}", 1), []string{`services.yaml:6: service "test-service": unknown wellbeing services county "atlantis"`}},
		{"unknown organization", seed.ServicesFile, goodService + "    organization: acme\n", []string{`services.yaml:7: service "test-service": unknown organization "acme"`}},
		{"duplicate id", seed.ServicesFile, goodService + strings.TrimPrefix(goodService, "services:\n"), []string{`services.yaml:7: service "test-service": id repeats line 2`}},
		{"no list", seed.ServicesFile, "servics: []\n", []string{"services.yaml:1:", "servics"}},
		{"contact network", seed.ContactsFile, "contacts:\n  - id: x\n    name: X\n    role: deputy\n    network: nowhere\n", []string{`contacts.yaml:5: contact "x": unknown network "nowhere"`}},
		{"csv short row", seed.MunicipalitiesFile, "code,name_fi,name_sv,wellbeing_county_fi,wellbeing_county_sv,region_fi\n091,Helsinki\n", []string{"municipalities.csv:2:"}},
		{"csv header", seed.MunicipalitiesFile, "kunta,nimi\n", []string{"municipalities.csv:1: header must be"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := seed.Parse(withFile(t, tt.file, tt.content))
			if err == nil {
				t.Fatal("broken seed file was accepted")
			}
			msg := err.Error()
			rest := msg
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error does not contain %q:\n%s", w, msg)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestSynthetic(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	st := services.NewStore(d)
	data, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Apply(ctx, st, data, seed.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := seed.AddSynthetic(ctx, st, 450, 200, nil); err != nil {
		t.Fatal(err)
	}
	if err := seed.AddSynthetic(ctx, st, 50, 200, nil); err != nil {
		t.Fatal(err)
	}
	n, err := st.CountServicesByPrefix(ctx, seed.SyntheticPrefix)
	if err != nil || n != 500 {
		t.Fatalf("synthetic services = %d, %v; want 500 (the second run adds after the first)", n, err)
	}
	s, err := st.Service(ctx, "syn-000500")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name.FI == "" || s.Name.SV == "" || s.Description.FI == "" {
		t.Errorf("synthetic service lacks Finnish or Swedish text: %+v", s.Name)
	}
	// Spread over areas: some of each kind, and every network has some.
	for _, f := range []services.ServiceFilter{{Network: "oulu", Local: true}, {Municipality: "Helsinki", Local: true}} {
		_, total, err := st.FindServices(ctx, f)
		if err != nil || total == 0 {
			t.Errorf("%+v: %d services, %v", f, total, err)
		}
	}
}
