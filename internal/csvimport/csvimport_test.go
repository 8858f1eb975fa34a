package csvimport_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/csvimport"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
)

const header = "id;name_fi;name_sv;area;target_groups;service_types;delivery_modes;languages;phones;hours;anonymous;email;street;postal_code;post_office;municipality\n"

// spreadsheet is n rows of obviously fictional services, as a Finnish
// spreadsheet saves them (semicolons, a byte order mark).
func spreadsheet(n int) []byte {
	var b strings.Builder
	b.WriteString("\ufeff" + header)
	networks := []string{"network:pirkanmaa", "network:oulu", "county:pirkanmaan-hyvinvointialue;municipality:Tampere", "national"}
	for i := range n {
		fmt.Fprintf(&b, "esimerkki-palvelu-%d;Esimerkkipalvelu %d;Exempeltjänst %d;\"%s\";worried-about-own-thoughts;counselling;phone;fi;+358 40 000 %04d (päivystys);mon-fri 09:00-15:00;kyllä;apu%d@esimerkki.example.fi;Esimerkkikatu %d;33100;Tampere;Tampere\n",
			i, i, i, networks[i%len(networks)], i, i, i+1)
	}
	return []byte(b.String())
}

func count(t *testing.T, st *services.Store) int {
	t.Helper()
	ids, err := st.ServiceIDs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(ids)
}

// A spreadsheet of 500 services imports, once; again it changes nothing.
func TestImport500(t *testing.T) {
	seedtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := services.NewStore(d)
		before := count(t, st)
		file := spreadsheet(500)
		res, err := csvimport.Import{Store: st, DryRun: true}.Run(ctx, bytes.NewReader(file))
		if err != nil || res.Rows != 500 || count(t, st) != before {
			t.Fatalf("dry run: %v %v", res, err)
		}
		res, err = csvimport.Import{Store: st}.Run(ctx, bytes.NewReader(file))
		if err != nil || res.Created != 500 {
			t.Fatalf("import: %v %v", res, err)
		}
		if n := count(t, st); n != before+500 {
			t.Errorf("%d services, want %d", n, before+500)
		}
		s, err := st.Service(ctx, "esimerkki-palvelu-7")
		if err != nil || s.Name.SV != "Exempeltjänst 7" || s.Source.Kind != "csv" || len(s.Phones) != 1 ||
			s.Phones[0].Description.FI != "päivystys" || len(s.Hours) != 1 || len(s.Hours[0].Days) != 5 ||
			s.Anonymous == nil || !*s.Anonymous || len(s.Locations) != 1 || s.Locations[0].Municipality != "837" || s.VerifiedAt != nil {
			t.Errorf("stored %+v %v", s, err)
		}
		res, err = csvimport.Import{Store: st}.Run(ctx, bytes.NewReader(file))
		if err != nil || res.Unchanged != 500 || res.Created+res.Updated != 0 {
			t.Errorf("again: %v %v", res, err)
		}
	})
}

// Bad files: every problem named by row and column, nothing written.
func TestImportRefusesBadFiles(t *testing.T) {
	ctx := context.Background()
	st := services.NewStore(seedtest.SQLite(t))
	before := count(t, st)
	good := string(spreadsheet(3))
	lines := strings.Split(strings.TrimSuffix(good, "\n"), "\n")
	with := func(row int, from, to string) string {
		l := append([]string(nil), lines...)
		l[row-1] = strings.Replace(l[row-1], from, to, 1)
		return strings.Join(l, "\n") + "\n"
	}
	huge := bytes.Repeat([]byte("x"), csvimport.MaxBytes+10)
	var many strings.Builder
	many.WriteString("id;name_fi;area\n")
	for i := range csvimport.MaxRows + 1 {
		fmt.Fprintf(&many, "esimerkki-%d;Esimerkki;national\n", i)
	}
	for _, tt := range []struct {
		name string
		file []byte
		want []string // "row N, column C" parts and words of the message
	}{
		{"an invalid e-mail", []byte(with(3, "apu1@esimerkki.example.fi", "ei-osoite")), []string{"row 3, column email"}},
		{"an unknown term", []byte(with(2, "counselling", "pizza")), []string{"row 2, column service_types", "pizza"}},
		{"an unknown network", []byte(with(3, "network:oulu", "network:atlantis")), []string{"row 3, column area", "atlantis"}},
		{"bad hours", []byte(with(2, "mon-fri 09:00-15:00", "joka päivä")), []string{"row 2, column hours"}},
		{"bad yes/no", []byte(with(3, ";kyllä;", ";ehkä;")), []string{"row 3, column anonymous"}},
		{"an unknown municipality", []byte(with(2, "Tampere;Tampere", "Tampere;Atlantis")), []string{"row 2, column municipality"}},
		{"no name", []byte(with(2, ";Esimerkkipalvelu 0;", ";;")), []string{"row 2, column name_fi"}},
		{"duplicate ids", []byte(with(3, "esimerkki-palvelu-1", "esimerkki-palvelu-0")), []string{"row 3, column id", "also on row 2"}},
		{"a dangling organization", []byte("id;name_fi;area;organization\nesimerkki;Esimerkki;national;ei-ole\n"), []string{"row 2, column organization"}},
		{"an unknown column", []byte(strings.Replace(good, "post_office", "postitoimipaikka", 1)), []string{"row 1, column postitoimipaikka"}},
		{"a missing column", []byte("id;name_fi\nesimerkki;Esimerkki\n"), []string{"row 1, column area", "missing"}},
		{"Latin-1", []byte("id;name_fi;area\nesimerkki;P\xe4iv\xe4;national\n"), []string{"line 2 is not UTF-8"}},
		{"UTF-16", append([]byte{0xFF, 0xFE}, []byte("id")...), []string{"UTF-16"}},
		{"broken quoting", []byte("id;name_fi;area\nesimerkki;\"Esimerkki;national\n"), []string{"not valid CSV"}},
		{"empty", []byte(""), []string{"empty"}},
		{"only a header", []byte("id;name_fi;area\n"), []string{"no rows"}},
		{"huge", huge, []string{"larger than"}},
		{"too many rows", []byte(many.String()), []string{"more than"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := csvimport.Import{Store: st}.Run(ctx, bytes.NewReader(tt.file))
			var ce *csvimport.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err %v (%T)", err, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q not in:\n%v", w, err)
				}
			}
			if n := count(t, st); n != before {
				t.Errorf("%d services written", n-before)
			}
		})
	}
}

// The template holds every column and an example row that imports.
func TestTemplate(t *testing.T) {
	st := services.NewStore(seedtest.SQLite(t))
	tpl := csvimport.Template()
	for _, c := range csvimport.Columns {
		if !bytes.Contains(tpl, []byte(c.Name)) {
			t.Errorf("the template lacks %s", c.Name)
		}
	}
	if res, err := (csvimport.Import{Store: st, DryRun: true}).Run(context.Background(), bytes.NewReader(tpl)); err != nil || res.Rows != 1 {
		t.Errorf("the template's example: %v %v", res, err)
	}
}
