package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/csvimport"
	"github.com/serie-verkosto/directory/internal/hsds"
	"github.com/serie-verkosto/directory/internal/hsds/hsdstest"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// Every answer of the HSDS API over the seed validates against the HSDS
// 3.0 schemas, formats included.
func TestHSDSAnswersValidate(t *testing.T) {
	s := newSite(t, seedtest.SQLite(t), siteOptions{search: true})
	v := hsdstest.New(t)
	c := s.anon()
	get := func(path string, status int) []byte {
		t.Helper()
		res, body := c.get(t, path)
		if res.StatusCode != status {
			t.Fatalf("%s: %d, want %d: %s", path, res.StatusCode, status, body)
		}
		return body
	}
	var root hsds.Root
	json.Unmarshal(get("/hsds/v3/", 200), &root)
	if root.Version != "3.0" || !strings.HasSuffix(root.Profile, "/hsds/v3/profile") || !strings.HasPrefix(root.OpenAPIURL, "https://") {
		t.Errorf("root %+v", root)
	}
	if !strings.Contains(string(get("/hsds/v3/profile", 200)), "serie_directory") {
		t.Error("the profile does not document the extension")
	}
	// Every service, one by one, and as listed.
	var page hsds.Page[hsds.Service]
	json.Unmarshal(get("/hsds/v3/services?per_page=100&full=true", 200), &page)
	if page.TotalItems < 30 || page.Size != page.TotalItems || !page.FirstPage || !page.LastPage {
		t.Fatalf("page %d of %d, size %d", page.PageNumber, page.TotalItems, page.Size)
	}
	for _, svc := range page.Contents {
		body := get("/hsds/v3/services/"+svc.ID, 200)
		v.Validate(t, svc.ID, "service.json", body)
		var one hsds.Service
		json.Unmarshal(body, &one)
		if one.Directory == nil || one.Directory.ID == "" || one.ID != hsds.ID(hsds.KindService, one.Directory.ID) {
			t.Fatalf("%s: extension %+v", svc.ID, one.Directory)
		}
		// The extension is the listing less its bookkeeping and provenance.
		var ext map[string]json.RawMessage
		json.Unmarshal(one.Directory.Service, &ext)
		for _, k := range []string{"version", "created_at", "updated_at", "source", "source_changes"} {
			if _, ok := ext[k]; ok {
				t.Errorf("%s: the extension holds %s", svc.ID, k)
			}
		}
		if _, ok := ext["name"]; !ok {
			t.Errorf("%s: the extension lacks the name", svc.ID)
		}
	}
	// A list shows a service's own fields; minimal, its id, name, status
	// and last change only.
	var listed, minimal hsds.Page[map[string]json.RawMessage]
	json.Unmarshal(get("/hsds/v3/services?per_page=100", 200), &listed)
	json.Unmarshal(get("/hsds/v3/services?per_page=100&minimal=true", 200), &minimal)
	for _, x := range listed.Contents {
		if _, ok := x["attributes"]; ok {
			t.Errorf("a listed service holds its attributes")
		}
	}
	for _, x := range minimal.Contents {
		for k := range x {
			if k != "id" && k != "name" && k != "status" && k != "last_modified" {
				t.Errorf("a minimal service holds %s", k)
			}
		}
	}
	for _, p := range []string{"/hsds/v3/services", "/hsds/v3/services?per_page=5&page=2", "/hsds/v3/services?minimal=true",
		"/hsds/v3/services?search=terapia", "/hsds/v3/services?taxonomy_term_id=service_type:counselling",
		"/hsds/v3/services?taxonomy_id=" + hsds.ID(hsds.KindTaxonomy, services.VocabDeliveryMode),
		"/hsds/v3/services?modified_after=2000-01-01"} {
		v.Validate(t, p, "service_list.json", get(p, 200))
	}
	// Organizations, places, taxonomies.
	v.Validate(t, "organizations", "organization_list.json", get("/hsds/v3/organizations?per_page=100", 200))
	var orgs hsds.Page[hsds.Organization]
	json.Unmarshal(get("/hsds/v3/organizations?per_page=100", 200), &orgs)
	if orgs.TotalItems == 0 {
		t.Fatal("no organizations")
	}
	for _, o := range orgs.Contents {
		v.Validate(t, o.ID, "organization.json", get("/hsds/v3/organizations/"+o.ID+"?full_service=true", 200))
	}
	v.Validate(t, "service at locations", "service_at_location_list.json", get("/hsds/v3/service_at_locations?per_page=100", 200))
	var sals hsds.Page[hsds.ServiceAtLocation]
	json.Unmarshal(get("/hsds/v3/service_at_locations?per_page=100", 200), &sals)
	for _, sal := range sals.Contents {
		v.Validate(t, sal.ID, "service_at_location.json", get("/hsds/v3/service_at_locations/"+sal.ID, 200))
	}
	v.Validate(t, "taxonomies", "taxonomy.json", get("/hsds/v3/taxonomies", 200))
	var taxes hsds.Page[hsds.Taxonomy]
	json.Unmarshal(get("/hsds/v3/taxonomies", 200), &taxes)
	if taxes.TotalItems != len(hsds.Taxonomies) {
		t.Errorf("%d taxonomies", taxes.TotalItems)
	}
	for _, tx := range taxes.Contents {
		v.Validate(t, tx.ID, "taxonomy.json", get("/hsds/v3/taxonomies/"+tx.ID, 200))
	}
	v.Validate(t, "terms", "taxonomy_term.json", get("/hsds/v3/taxonomy_terms?per_page=100", 200))
	var terms hsds.Page[hsds.TaxonomyTerm]
	json.Unmarshal(get("/hsds/v3/taxonomy_terms?per_page=100&taxonomy_id="+services.VocabServiceType, 200), &terms)
	if terms.TotalItems < 5 {
		t.Fatalf("%d service type terms", terms.TotalItems)
	}
	for _, tt := range terms.Contents[:3] {
		v.Validate(t, tt.ID, "taxonomy_term.json", get("/hsds/v3/taxonomy_terms/"+tt.ID, 200))
	}
	// Bad input is a 400 naming the parameter; unknown ids are 404s.
	for _, p := range []string{"/hsds/v3/services?page=0", "/hsds/v3/services?per_page=1000", "/hsds/v3/services?bogus=1",
		"/hsds/v3/services?taxonomy_term_id=nope", "/hsds/v3/services?modified_after=eilen", "/hsds/v3/services?full=maybe",
		"/hsds/v3/services?organization_id=ei-ole", "/hsds/v3/service_at_locations?proximity=5"} {
		get(p, http.StatusBadRequest)
	}
	for _, p := range []string{"/hsds/v3/services/00000000-0000-0000-0000-000000000000", "/hsds/v3/services/ei-ole",
		"/hsds/v3/organizations/ei-ole", "/hsds/v3/taxonomy_terms/ei-ole", "/hsds/v3/nothing"} {
		get(p, http.StatusNotFound)
	}
}

// The HSDS API is a read API like the JSON API: conditional GETs, CORS,
// and nothing members-only.
func TestHSDSConditionalAndPublic(t *testing.T) {
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	c := s.anon()
	res, body := c.do(t, http.MethodGet, "/hsds/v3/services?per_page=100&full=true", nil, http.Header{"Origin": {"https://muu.example.fi"}})
	if res.Header.Get("Access-Control-Allow-Origin") != "*" || res.Header.Get("ETag") == "" {
		t.Errorf("headers %v", res.Header)
	}
	if strings.Contains(string(body), secretPhone) {
		t.Error("a members-only phone number is published")
	}
	res, _ = c.do(t, http.MethodGet, "/hsds/v3/services?per_page=100&full=true", nil, http.Header{"If-None-Match": {res.Header.Get("ETag")}})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", res.StatusCode)
	}
	if res, _ := c.do(t, http.MethodPost, "/hsds/v3/services", nil, nil); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", res.StatusCode)
	}
	if res, _ := c.get(t, "/hsds/v3"); res.StatusCode != http.StatusMovedPermanently {
		t.Errorf("/hsds/v3: %d", res.StatusCode)
	}
}

// Places page by place, not by service, and each is found by its id.
func TestHSDSServiceAtLocationPaging(t *testing.T) {
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	sv := testService("paikallinen", netA)
	lat, lon := 61.4981, 23.7610
	sv.Locations = []services.Location{
		{ID: "paikka-a", Name: l10n.Text{FI: "Ensimmäinen"}, Street: l10n.Text{FI: "Esimerkkikatu 1"}, PostalCode: "33100", Municipality: "837", Latitude: &lat, Longitude: &lon},
		{Name: l10n.Text{FI: "Toinen"}, Municipality: "837"},
	}
	if err := s.store.Services.Create(t.Context(), users.System("test"), sv); err != nil {
		t.Fatal(err)
	}
	v := hsdstest.New(t)
	c := s.anon()
	var all hsds.Page[hsds.ServiceAtLocation]
	_, body := c.get(t, "/hsds/v3/service_at_locations?per_page=100")
	json.Unmarshal(body, &all)
	if all.TotalItems < 2 || all.Size != all.TotalItems {
		t.Fatalf("%d places, %d on the page", all.TotalItems, all.Size)
	}
	for i, want := range all.Contents {
		var one hsds.Page[hsds.ServiceAtLocation]
		_, body := c.get(t, fmt.Sprintf("/hsds/v3/service_at_locations?per_page=1&page=%d", i+1))
		v.Validate(t, "page", "service_at_location_list.json", body)
		json.Unmarshal(body, &one)
		if one.Size != 1 || one.Contents[0].ID != want.ID || one.TotalItems != all.TotalItems || one.LastPage != (i+1 == all.TotalItems) {
			t.Errorf("page %d: %+v", i+1, one)
		}
		res, body := c.get(t, "/hsds/v3/service_at_locations/"+want.ID)
		if res.StatusCode != 200 || !strings.Contains(string(body), want.ID) {
			t.Errorf("%s: %d", want.ID, res.StatusCode)
		}
		v.Validate(t, want.ID, "service_at_location.json", body)
	}
	_, body = c.get(t, "/hsds/v3/service_at_locations?postcode=33100")
	var pc hsds.Page[hsds.ServiceAtLocation]
	json.Unmarshal(body, &pc)
	if pc.TotalItems != 1 || pc.Contents[0].Location.Name != "Ensimmäinen" {
		t.Errorf("by postcode: %+v", pc)
	}
}

// A catalogue brought in by the importers (the official HSDS examples,
// a spreadsheet) is published as valid HSDS too.
func TestHSDSImportedCatalogueValidates(t *testing.T) {
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	ctx := t.Context()
	ds := &hsds.Dataset{}
	for _, n := range []string{"service_full.json", "organization_full.json", "service_at_location_full.json"} {
		b, err := hsdstest.Official.ReadFile("official/examples/" + n)
		if err != nil {
			t.Fatal(err)
		}
		if err := hsds.ReadJSON(bytes.NewReader(b), n, ds); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := (hsds.Import{Store: s.store, Lang: "en"}).Run(ctx, ds); err != nil {
		t.Fatal(err)
	}
	var sheet strings.Builder
	sheet.WriteString("id;name_fi;name_sv;area;service_types;phones;hours;street;postal_code;post_office;municipality\n")
	for i := range 20 {
		fmt.Fprintf(&sheet, "taulukko-%d;Taulukkopalvelu %d;Kalkyltjänst %d;municipality:Tampere;counselling;+358 40 000 %04d;mon-fri 09:00-15:00;Esimerkkikatu %d;33100;Tampere;Tampere\n", i, i, i, i, i+1)
	}
	if _, err := (csvimport.Import{Store: s.store}).Run(ctx, strings.NewReader(sheet.String())); err != nil {
		t.Fatal(err)
	}
	v := hsdstest.New(t)
	c := s.anon()
	_, body := c.get(t, "/hsds/v3/services?per_page=100&full=true")
	v.Validate(t, "services", "service_list.json", body)
	var page hsds.Page[hsds.Service]
	json.Unmarshal(body, &page)
	imported := 0
	for _, svc := range page.Contents {
		if svc.Directory == nil || !(strings.HasPrefix(svc.Directory.ID, "hsds-") || strings.HasPrefix(svc.Directory.ID, "taulukko-")) {
			continue
		}
		imported++
		_, one := c.get(t, "/hsds/v3/services/"+svc.ID)
		v.Validate(t, svc.ID, "service.json", one)
	}
	if imported != 21 {
		t.Errorf("%d imported services published, want 21", imported)
	}
	_, body = c.get(t, "/hsds/v3/service_at_locations?per_page=100")
	v.Validate(t, "places", "service_at_location_list.json", body)
	_, body = c.get(t, "/hsds/v3/organizations?per_page=100&full_service=true")
	v.Validate(t, "organizations", "organization_list.json", body)
}
