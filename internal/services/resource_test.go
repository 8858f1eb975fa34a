package services_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serie-verkosto/directory/internal/services"
)

func TestServiceNetworks(t *testing.T) {
	m := services.NewMunicipalityIndex([]services.Municipality{
		{Code: "091", NameFI: "Helsinki", NameSV: "Helsingfors", CountySlug: "helsinki"},
		{Code: "049", NameFI: "Espoo", NameSV: "Esbo", CountySlug: "lansi-uusimaa"},
		{Code: "837", NameFI: "Tampere", NameSV: "Tammerfors", CountySlug: "pirkanmaa"},
		{Code: "564", NameFI: "Oulu", NameSV: "Uleåborg", CountySlug: "pohjois-pohjanmaa"},
	})
	networks := []services.Network{
		{Slug: "etela", Municipalities: []string{"049", "091"}},
		{Slug: "pirkanmaa", Municipalities: []string{"837"}},
		{Slug: "pohjoinen", Municipalities: []string{"564"}},
	}
	for _, c := range []struct {
		name string
		area services.Area
		want []string
	}{
		{"network named", services.Area{Networks: []string{"pohjoinen"}}, []string{"pohjoinen"}},
		{"municipality by code", services.Area{Municipalities: []string{"837"}}, []string{"pirkanmaa"}},
		{"municipality by Swedish name", services.Area{Municipalities: []string{"esbo"}}, []string{"etela"}},
		{"county", services.Area{Counties: []string{"helsinki"}}, []string{"etela"}},
		{"several", services.Area{Counties: []string{"pirkanmaa"}, Networks: []string{"etela"}, Municipalities: []string{"Oulu"}}, []string{"etela", "pirkanmaa", "pohjoinen"}},
		{"national only", services.Area{National: true}, nil},
		{"nowhere known", services.Area{Municipalities: []string{"999"}, Counties: []string{"ahvenanmaa"}}, nil},
	} {
		if got := services.ServiceNetworks(c.area, networks, m); !cmp.Equal(got, c.want) {
			t.Errorf("%s: %v; want %v", c.name, got, c.want)
		}
	}
	r := services.NewReference(m, services.NewVocabularies(nil), networks, nil).Resource(services.Service{Area: services.Area{Networks: []string{"etela"}}})
	if r.Kind != services.EntityService || !cmp.Equal(r.Networks, []string{"etela"}) {
		t.Errorf("service resource %+v", r)
	}
	if r := services.ContactResource(services.Contact{NetworkSlug: "pohjoinen"}); r.Kind != services.EntityContact || !cmp.Equal(r.Networks, []string{"pohjoinen"}) {
		t.Errorf("contact resource %+v", r)
	}
	if r := services.ContactResource(services.Contact{}); len(r.Networks) != 0 {
		t.Errorf("contact of no network: %+v", r)
	}
}
