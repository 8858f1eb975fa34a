package seed

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// SyntheticPrefix starts the id of every generated service, so that scale
// data is easy to tell apart and to remove.
const SyntheticPrefix = "syn-"

type kind struct {
	name, desc   l10n.Text
	targets      []string
	types, modes []string
	anonymous    *bool
	referral     *bool
	ageMin       *int
	ageMax       *int
	childWelfare bool
}

func ptr[T any](v T) *T { return &v }

// kinds are the shapes of generated services: plausible Finnish and
// Swedish text, so that analysis and ranking are exercised as on real data.
var kinds = []kind{
	{name: l10n.T("Seksuaaliterapia", "Sexualterapi", "Sex therapy"),
		desc: l10n.T("Seksuaaliterapiaa aikuisille, jotka haluavat käsitellä seksuaalisuuteen liittyviä ajatuksia ja tunteita turvallisesti ammattilaisen kanssa.",
			"Sexualterapi för vuxna som vill bearbeta tankar och känslor kring sexualitet tryggt tillsammans med en yrkesperson.",
			"Sex therapy for adults who want to work through thoughts and feelings about sexuality safely with a professional."),
		targets: []string{"worried-about-own-thoughts", "release-or-community-sanction"}, types: []string{"sex-therapy", "psychotherapy"},
		modes: []string{"in-person", "video"}, referral: ptr(false)},
	{name: l10n.T("Nuorisopsykiatrian poliklinikka", "Ungdomspsykiatrisk poliklinik", "Adolescent psychiatry outpatient clinic"),
		desc: l10n.T("Tutkimus ja hoito 13–22-vuotiaille nuorille, myös haitallisesti seksuaalisesti käyttäytyville. Perhe otetaan mukaan hoitoon.",
			"Utredning och vård för unga i åldern 13–22, också för unga med skadligt sexuellt beteende. Familjen deltar i vården.",
			"Assessment and treatment for young people aged 13–22, including those with harmful sexual behaviour. The family takes part in care."),
		targets: []string{"minor-harmful-sexual-behaviour", "family-member"}, types: []string{"adolescent-psychiatry", "assessment"},
		modes: []string{"in-person"}, referral: ptr(true), ageMin: ptr(13), ageMax: ptr(22), childWelfare: true},
	{name: l10n.T("Aikuissosiaalityö", "Socialt arbete för vuxna", "Adult social work"),
		desc: l10n.T("Sosiaaliohjausta ja tukea arjen hallintaan, asumiseen ja toimeentuloon, myös vapautumisen jälkeen.",
			"Social handledning och stöd i vardagen, boende och försörjning, också efter frigivning.",
			"Social guidance and support with daily life, housing and income, also after release from prison."),
		targets: []string{"release-or-community-sanction", "family-member"}, types: []string{"counselling", "family-support"},
		modes: []string{"in-person", "phone"}, referral: ptr(false), childWelfare: true},
	{name: l10n.T("Mielenterveys- ja päihdepalvelut", "Mentalvårds- och missbrukartjänster", "Mental health and substance use services"),
		desc: l10n.T("Matalan kynnyksen vastaanotto mielenterveyden ja päihteiden käytön pulmiin. Ajanvarauksella tai päivystyksellisesti.",
			"Mottagning med låg tröskel för problem med psykisk hälsa och bruk av rusmedel. Med tidsbokning eller jour.",
			"Low-threshold clinic for mental health and substance use problems, by appointment or on call."),
		targets: []string{"worried-about-own-thoughts", "suspected", "release-or-community-sanction"}, types: []string{"psychiatric-care", "substance-abuse"},
		modes: []string{"in-person", "phone", "chat"}, referral: ptr(false), childWelfare: true},
	{name: l10n.T("Perheneuvola", "Familjerådgivning", "Family counselling centre"),
		desc: l10n.T("Kasvatus- ja perheneuvontaa lapsiperheille. Tukea, kun lapsen käytös huolestuttaa, myös seksuaalisen kehityksen kysymyksissä.",
			"Uppfostrings- och familjerådgivning för barnfamiljer. Stöd när ett barns beteende oroar, också i frågor om sexuell utveckling.",
			"Parenting and family counselling for families with children, including concerns about a child's sexual development."),
		targets: []string{"family-member", "minor-harmful-sexual-behaviour"}, types: []string{"family-support", "counselling"},
		modes: []string{"in-person", "phone"}, referral: ptr(false), childWelfare: true},
	{name: l10n.T("Keskusteluapu verkossa", "Samtalsstöd på nätet", "Online conversation support"),
		desc: l10n.T("Nimetöntä keskusteluapua chatissa ihmisille, joita omat ajatukset tai halut huolestuttavat.",
			"Anonymt samtalsstöd i chatten för personer som oroar sig över sina egna tankar eller begär.",
			"Anonymous chat support for people worried about their own thoughts or urges."),
		targets: []string{"worried-about-own-thoughts"}, types: []string{"helpline", "counselling"},
		modes: []string{"chat", "online"}, anonymous: ptr(true), referral: ptr(false)},
	{name: l10n.T("Lastensuojelun sosiaalityö", "Socialt arbete inom barnskyddet", "Child welfare social work"),
		desc: l10n.T("Lastensuojeluilmoitusten vastaanotto ja lastensuojelutarpeen selvitys. Tukitoimet lapselle ja perheelle.",
			"Mottagning av barnskyddsanmälningar och utredning av behovet av barnskydd. Stödåtgärder för barnet och familjen.",
			"Receives child welfare notifications and assesses the need for child protection; support measures for the child and family."),
		targets: []string{"minor-harmful-sexual-behaviour", "family-member", "victim"}, types: []string{"child-welfare", "family-support"},
		modes: []string{"in-person", "phone"}, referral: ptr(false), childWelfare: true},
	{name: l10n.T("Psykoterapiapalvelut", "Psykoterapitjänster", "Psychotherapy services"),
		desc: l10n.T("Pitkäkestoista psykoterapiaa ja kuntoutusta, myös rikosseuraamusasiakkaille vapautumisen jälkeen.",
			"Långvarig psykoterapi och rehabilitering, också för klienter inom brottspåföljdssystemet efter frigivning.",
			"Long-term psychotherapy and rehabilitation, also for criminal sanctions clients after release."),
		targets: []string{"release-or-community-sanction", "worried-about-own-thoughts", "suspected"}, types: []string{"psychotherapy", "rehabilitation-programme"},
		modes: []string{"in-person", "video"}, referral: ptr(true)},
	{name: l10n.T("Ammattilaisten konsultaatio", "Konsultation för yrkespersoner", "Consultation for professionals"),
		desc: l10n.T("Tapauskonsultaatiota sosiaali- ja terveysalan sekä rikosseuraamusalan ammattilaisille lapsikohteisen seksuaalisuuden kysymyksissä.",
			"Fallkonsultation för yrkespersoner inom social- och hälsovården och påföljdssektorn i frågor om sexuellt intresse för barn.",
			"Case consultation for social, health and criminal sanctions professionals on sexual interest in children."),
		targets: []string{"professional-consultation"}, types: []string{"professional-consultation"},
		modes: []string{"phone", "video", "email"}, referral: ptr(false)},
	{name: l10n.T("Rikosuhrien tuki", "Stöd för brottsoffer", "Support for victims of crime"),
		desc: l10n.T("Neuvontaa ja tukea rikoksen uhreille ja heidän läheisilleen rikosprosessin eri vaiheissa.",
			"Rådgivning och stöd för brottsoffer och deras närstående i olika skeden av brottsprocessen.",
			"Advice and support for victims of crime and their families at every stage of the criminal process."),
		targets: []string{"victim", "family-member"}, types: []string{"victim-support", "counselling"},
		modes: []string{"phone", "in-person", "chat"}, referral: ptr(false)},
}

var providers = []l10n.Text{
	l10n.T("Palvelukeskus", "Servicecentralen", "Service centre"),
	l10n.T("Terveysasema", "Hälsostationen", "Health centre"),
	l10n.T("Perhekeskus", "Familjecentret", "Family centre"),
	l10n.T("Sosiaalipalvelut", "Socialtjänsten", "Social services"),
	l10n.T("Kuntoutuskeskus", "Rehabiliteringscentret", "Rehabilitation centre"),
	l10n.T("Yhdistys", "Föreningen", "Association"),
}

var place = []string{"Aalto", "Harju", "Kallio", "Koivu", "Lehto", "Mäki", "Niemi", "Saari", "Salo", "Virta", "Ranta", "Laakso", "Kangas", "Metsä", "Lähde", "Vaara"}

// Synthetic generates n services numbered from start+1, spread over all
// municipalities, counties and networks. The same arguments give the same
// services. It is for scale tests, never for production data.
func Synthetic(munis []services.Municipality, networks []string, start, n int, now time.Time) []*services.Service {
	out := make([]*services.Service, 0, n)
	for i := start + 1; i <= start+n; i++ {
		r := rand.New(rand.NewPCG(uint64(i), 0x5e12e))
		k := kinds[r.IntN(len(kinds))]
		m := munis[i%len(munis)]
		prov := providers[r.IntN(len(providers))]
		pl := place[r.IntN(len(place))]
		s := &services.Service{
			ID: fmt.Sprintf("%s%06d", SyntheticPrefix, i),
			Name: l10n.T(
				fmt.Sprintf("%s – %s %s, %s", k.name.FI, prov.FI, pl, m.NameFI),
				fmt.Sprintf("%s – %s %s, %s", k.name.SV, prov.SV, pl, m.NameSV),
				fmt.Sprintf("%s – %s %s, %s", k.name.EN, prov.EN, pl, m.NameFI)),
			Description: l10n.T(
				k.desc.FI+" Palvelu toimii "+m.CountyFI+"n alueella.",
				k.desc.SV+" Tjänsten finns inom "+m.CountySV+".",
				k.desc.EN+" Available in "+m.CountyFI+"."),
			TargetGroups:     k.targets,
			ServiceTypes:     k.types,
			DeliveryModes:    k.modes,
			Languages:        []string{"fi"},
			Anonymous:        k.anonymous,
			ReferralRequired: k.referral,
			AgeMin:           k.ageMin,
			AgeMax:           k.ageMax,
			Email:            fmt.Sprintf("palvelu%d@example.org", i),
			Hours:            []services.OpeningHours{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Opens: "08:00", Closes: []string{"15:00", "16:00", "18:00"}[r.IntN(3)]}},
			Status:           services.StatusActive,
		}
		if m.NameSV != m.NameFI || r.IntN(4) == 0 {
			s.Languages = append(s.Languages, "sv")
		}
		if k.childWelfare {
			s.Reporting = []services.ReportingDuty{{Duty: "child-welfare-notification",
				Note: l10n.T("Työntekijöillä on lastensuojelulain mukainen ilmoitusvelvollisuus, jos lapsen etu sitä vaatii.",
					"Anställda har anmälningsplikt enligt barnskyddslagen om barnets bästa kräver det.",
					"Staff have the notification duty of the Child Welfare Act when a child's interest requires it.")}}
		}
		switch x := r.IntN(100); {
		case x < 60:
			s.Area.Municipalities = []string{m.Code}
		case x < 85:
			s.Area.Counties = []string{m.CountySlug}
		case x < 95 && len(networks) > 0:
			s.Area.Networks = []string{networks[r.IntN(len(networks))]}
		default:
			s.Area.National = true
		}
		if r.IntN(5) > 0 {
			v := now.AddDate(0, 0, -r.IntN(300)).Truncate(24 * time.Hour)
			s.VerifiedAt = &v
		}
		out = append(out, s)
	}
	return out
}

// AddSynthetic generates and stores n services after the synthetic ones
// already stored, in transactions of batch services, and reports progress
// to w. Each batch is all or nothing.
func AddSynthetic(ctx context.Context, st *services.Store, n, batch int, w io.Writer) error {
	start, err := st.CountServicesByPrefix(ctx, SyntheticPrefix)
	if err != nil {
		return err
	}
	m, err := st.Municipalities(ctx)
	if err != nil {
		return err
	}
	if len(m.List) == 0 {
		return fmt.Errorf("no municipalities loaded: run directory seed first")
	}
	nets, err := st.Networks(ctx)
	if err != nil {
		return err
	}
	slugs := make([]string, len(nets))
	for i, nw := range nets {
		slugs[i] = nw.Slug
	}
	now := st.DB().Now()
	for done := 0; done < n; done += batch {
		size := min(batch, n-done)
		list := Synthetic(m.List, slugs, start+done, size, now)
		if err := st.Services.Create(ctx, users.System("synthetic"), list...); err != nil {
			return fmt.Errorf("synthetic services %d-%d: %w", start+done+1, start+done+size, err)
		}
		if w != nil && ((done+size)%(batch*10) == 0 || done+size == n) {
			fmt.Fprintf(w, "synthetic: %d/%d services\n", done+size, n)
		}
	}
	return nil
}
