package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serie-verkosto/directory/internal/seedtest"
)

// The professional composes the handout on the pathway page: the step's
// named services and the best-fitting ones are ticked; the handout lists
// exactly the ticked ones with their ways in, in the client's language,
// "ask the professional" where the directory has none; a made-up or too
// long choice is a 400 naming the field.
func TestComposedHandout(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{pathways: true})
	c := s.anon()

	// The Oulu worried adult: SeriE support is named by the step and ticked.
	doc := c.page(t, "/pathways/huolissaan-omista-ajatuksista?municipality=564&age=40&step=nimeton-tuki", http.StatusOK)
	form := doc.Find("form.pw-handout")
	if form.Length() != 1 {
		t.Fatalf("%d handout forms", form.Length())
	}
	if _, ok := form.Find(`input[name=service][value=serie-tukipalvelu]`).Attr("checked"); !ok {
		t.Error("SeriE-tukipalvelu is not ticked for the Oulu worried adult")
	}
	for name, want := range map[string]string{"municipality": "564", "age": "40", "step": "nimeton-tuki"} {
		if got, _ := form.Find(`input[type=hidden][name=` + name + `]`).Attr("value"); got != want {
			t.Errorf("form's %s = %q, want %q", name, got, want)
		}
	}
	if form.Find(`select[name=client_lang] option`).Length() != 3 || form.Find(`label`).Length() < 3 {
		t.Error("the form lacks the client's language or labels")
	}
	// Submitting the preset choice: what the form ticks.
	q := url.Values{"municipality": {"564"}, "age": {"40"}, "step": {"nimeton-tuki"}}
	form.Find(`input[name=service][checked]`).Each(func(_ int, in *goquery.Selection) {
		v, _ := in.Attr("value")
		q.Add("service", v)
	})
	doc = c.page(t, "/pathways/huolissaan-omista-ajatuksista/handout?"+q.Encode(), http.StatusOK)
	first := doc.Find("main li.svc").First()
	if got := text(first.Find("h2")); got != "SeriE-tukipalvelu" {
		t.Errorf("first on the handout: %q", got)
	}
	if first.Find(`a[href="https://sexpo.fi/serie-verkosto"]`).Length() != 1 {
		t.Errorf("SeriE-tukipalvelu's public web address is missing: %s", text(first))
	}

	// Two chosen services, in Swedish; one has no way in known.
	res, body := c.get(t, "/pathways/huolissaan-omista-ajatuksista/handout?municipality=564&step=nimeton-tuki&client_lang=sv&service=mieli-kriisipuhelin&service=hva-aikuisten-mielenterveyspalvelut&service=mieli-kriisipuhelin")
	doc = parse(t, body)
	if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" {
		t.Error("the handout may be stored")
	}
	svcs := doc.Find("main li.svc")
	if svcs.Length() != 2 || text(doc.Find("h1")) != "Kontaktuppgifter för stöd" {
		t.Fatalf("%d services, title %q", svcs.Length(), text(doc.Find("h1")))
	}
	if lang, _ := doc.Find("html").Attr("lang"); lang != "sv" {
		t.Errorf("html lang %q", lang)
	}
	if !strings.Contains(text(svcs.Eq(0)), "09 2525 0112") {
		t.Errorf("MIELI's Swedish number is missing: %s", text(svcs.Eq(0)))
	}
	if !strings.Contains(text(svcs.Eq(1)), "fråga den yrkesperson") {
		t.Errorf("a service without contacts does not say to ask: %s", text(svcs.Eq(1)))
	}
	if back, _ := doc.Find(".handout-bar a").Attr("href"); strings.Contains(back, "?lang=") || strings.Contains(back, "&lang=") {
		t.Errorf("the way back %q leaves the professional's language", back)
	}

	for _, tt := range []struct{ query, want string }{
		{"&service=no-such-service", "Palvelu"},
		{"&client_lang=de", "Asiakkaan kieli"},
		{strings.Repeat("&service=serie-tukipalvelu&service=redirection&service=nettivihje&service=oikeusapu", 1) +
			"&service=mieli-kriisipuhelin&service=poikien-puhelin&service=rets-tuki&service=hva-lastensuojelu&service=hva-perheneuvola" +
			"&service=rikosuhripaivystys&service=mll-vanhempainpuhelin&service=hva-paihdepalvelut&service=sexpo-seksuaaliterapia", "enintään 12"},
	} {
		res, body := c.get(t, "/pathways/huolissaan-omista-ajatuksista/handout?municipality=564&step=nimeton-tuki"+tt.query)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), tt.want) {
			t.Errorf("%s: %d, want 400 naming %q", tt.query, res.StatusCode, tt.want)
		}
	}
}

// A step whose services all exclude the client's age says so and names
// whom to consult.
func TestUnfitStepSaysSo(t *testing.T) {
	t.Parallel()
	s := newSite(t, seedtest.SQLite(t), siteOptions{pathways: true})
	doc := s.anon().page(t, "/pathways/vapautuminen-ja-yhdyskuntaseuraamus?municipality=905&age=15&step=hoidon-jatkuvuus", http.StatusOK)
	got := text(doc.Find(".pw-unfit"))
	if !strings.Contains(got, "15-vuotiaalle") || !strings.Contains(got, "Turku") {
		t.Errorf("unfit step says %q", got)
	}
}
