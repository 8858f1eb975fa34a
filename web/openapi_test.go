package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gorilla/mux"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/serie-verkosto/directory/internal/api"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
)

// openAPISchemas compiles the served OpenAPI document's schemas.
type openAPISchemas struct {
	doc map[string]any
	c   *jsonschema.Compiler
}

func loadOpenAPI(t *testing.T, raw []byte) *openAPISchemas {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("https://directory.example.fi/openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	return &openAPISchemas{doc: doc.(map[string]any), c: c}
}

// validate checks body against the schema at ref ("#/components/...").
func (o *openAPISchemas) validate(t *testing.T, what, ref string, body []byte) {
	t.Helper()
	s, err := o.c.Compile("https://directory.example.fi/openapi.json" + ref)
	if err != nil {
		t.Fatalf("%s: compile %s: %v", what, ref, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s does not validate against %s: %v", what, ref, err)
	}
}

// responseRef returns the schema reference of an operation's answer.
func (o *openAPISchemas) responseRef(t *testing.T, path, method, status string) string {
	t.Helper()
	op, _ := o.doc["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if op == nil {
		t.Fatalf("%s %s is not documented", method, path)
	}
	resp, _ := op["responses"].(map[string]any)[status].(map[string]any)
	if resp == nil {
		t.Fatalf("%s %s: status %s is not documented", method, path, status)
	}
	return "#/paths/" + strings.ReplaceAll(strings.ReplaceAll(path, "~", "~0"), "/", "~1") + "/" + strings.ToLower(method) +
		"/responses/" + status + "/content/application~1json/schema"
}

// Every route of the API is documented and every documented operation is
// a route; its examples validate against their schemas.
func TestOpenAPIMatchesRouter(t *testing.T) {
	r := mux.NewRouter()
	api.New(services.NewStore(seedtest.SQLite(t)), nil, nil, nil).Routes(r.PathPrefix("/api/v1").Subrouter())
	routed := map[string]bool{}
	err := r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		path, err := route.GetPathTemplate()
		if err != nil || route.GetHandler() == nil {
			return nil
		}
		rt, ok := route.GetHandler().(api.Route)
		if !ok {
			t.Errorf("%s is not an api.Route", path)
			return nil
		}
		path = strings.TrimPrefix(path, "/api/v1")
		for method, h := range map[string]api.Handler{"GET": rt.Get, "POST": rt.Post, "PUT": rt.Put, "DELETE": rt.Delete} {
			if h != nil {
				routed[method+" "+path] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := api.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	// The document is a valid OpenAPI 3.1 document (the OpenAPI
	// Initiative's schema of documents).
	meta, err := os.ReadFile("testdata/openapi/oas-3.1-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	metaDoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(meta))
	if err != nil {
		t.Fatal(err)
	}
	mc := jsonschema.NewCompiler()
	if err := mc.AddResource("https://spec.openapis.org/oas/3.1/schema/2026-08-03", metaDoc); err != nil {
		t.Fatal(err)
	}
	oas, err := mc.Compile("https://spec.openapis.org/oas/3.1/schema/2026-08-03")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err := oas.Validate(doc); err != nil {
		t.Errorf("not a valid OpenAPI 3.1 document: %v", err)
	}
	o := loadOpenAPI(t, raw)
	documented := map[string]bool{}
	for path, item := range o.doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	for k := range routed {
		if !documented[k] {
			t.Errorf("%s is routed but not documented", k)
		}
	}
	for k := range documented {
		if !routed[k] {
			t.Errorf("%s is documented but not routed", k)
		}
	}
	if len(routed) < 20 {
		t.Errorf("only %d operations routed", len(routed))
	}
	examples := 0
	for _, op := range api.Operations {
		if op.Example == nil {
			continue
		}
		b, _ := json.Marshal(op.Example)
		o.validate(t, "the example of "+op.ID, o.responseRef(t, op.Path, op.Method, "200"), b)
		examples++
	}
	if examples == 0 {
		t.Error("no examples")
	}
	// Every operation's parameters are described.
	for _, op := range api.Operations {
		if op.Result != nil && reflect.TypeOf(op.Result).Kind() != reflect.Struct {
			t.Errorf("%s: result %T is not a struct", op.ID, op.Result)
		}
	}
}

// Real answers of a seeded directory validate against the documented
// schemas: the lists, one of each, a resolved pathway, search, writes and
// errors.
func TestOpenAPIAnswersValidate(t *testing.T) {
	s := newSite(t, seedtest.SQLite(t), siteOptions{search: true, pathways: true})
	anon, member, ed := s.anon(), s.as(t, "member"), s.as(t, "editorA")
	res, raw := anon.get(t, "/api/v1/openapi.json")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	o := loadOpenAPI(t, raw)
	if o.doc["openapi"] != "3.1.0" {
		t.Errorf("openapi %v", o.doc["openapi"])
	}
	const pw = "/api/v1/pathways/huolissaan-omista-ajatuksista"
	for _, tt := range []struct {
		c            *client
		path, op     string
		documentedAs string
	}{
		{anon, "/api/v1/search?q=terapia", "GET", "/search"},
		{anon, "/api/v1/search?q=terapia+vankila+perhe&municipality=Oulu&lang=sv", "GET", "/search"},
		{anon, "/api/v1/services?limit=100", "GET", "/services"},
		{anon, "/api/v1/services/" + svcA, "GET", "/services/{id}"},
		{anon, "/api/v1/contacts?limit=100", "GET", "/contacts"},
		{anon, "/api/v1/contacts/" + contactA, "GET", "/contacts/{id}"},
		{member, "/api/v1/contacts/" + contactA, "GET", "/contacts/{id}"},
		{anon, "/api/v1/networks", "GET", "/networks"},
		{anon, "/api/v1/networks?municipality=Oulu", "GET", "/networks"},
		{anon, "/api/v1/networks/" + netA, "GET", "/networks/{slug}"},
		{anon, "/api/v1/municipalities", "GET", "/municipalities"},
		{anon, "/api/v1/vocabularies", "GET", "/vocabularies"},
		{anon, "/api/v1/pathways", "GET", "/pathways"},
		{anon, pw, "GET", "/pathways/{slug}"},
		{anon, pw + "?municipality=Oulu&age=15", "GET", "/pathways/{slug}"},
		{anon, pw + "?network=" + netA, "GET", "/pathways/{slug}"},
	} {
		res, body := tt.c.get(t, tt.path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", tt.path, res.StatusCode)
			continue
		}
		o.validate(t, tt.path, o.responseRef(t, tt.documentedAs, tt.op, "200"), body)
	}
	// Writes and their answers.
	res, body := ed.sendJSON(t, http.MethodPost, "/api/v1/services", testService("openapi-palvelu", netA), nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	o.validate(t, "a created service", o.responseRef(t, "/services", "POST", "201"), body)
	res, body = ed.do(t, http.MethodPost, "/api/v1/services/openapi-palvelu/verify", nil, http.Header{"If-Match": {res.Header.Get("ETag")}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("verify: %d %s", res.StatusCode, body)
	}
	o.validate(t, "a verified service", o.responseRef(t, "/services/{id}/verify", "POST", "200"), body)
	// Errors, each as documented.
	for _, tt := range []struct {
		c            *client
		method, path string
		status       int
		op, at       string
	}{
		{anon, "GET", "/api/v1/search?fresh=bogus", http.StatusBadRequest, "GET", "/search"},
		{anon, "GET", "/api/v1/services/ei-ole", http.StatusNotFound, "GET", "/services/{id}"},
		{anon, "POST", "/api/v1/services", http.StatusUnauthorized, "POST", "/services"},
		{ed, "PUT", "/api/v1/services/" + svcB, http.StatusForbidden, "PUT", "/services/{id}"},
	} {
		res, body := tt.c.sendJSON(t, tt.method, tt.path, testService(strings.TrimPrefix(tt.path, "/api/v1/services/"), netB),
			http.Header{"If-Match": {`"1"`}})
		if res.StatusCode != tt.status {
			t.Errorf("%s %s: %d, want %d: %s", tt.method, tt.path, res.StatusCode, tt.status, body)
			continue
		}
		o.validate(t, tt.method+" "+tt.path, o.responseRef(t, tt.at, tt.op, strconv.Itoa(tt.status)), body)
	}
	// Every operation that answers a body says which.
	for _, op := range api.Operations {
		if op.Result == nil && op.Status != http.StatusNoContent && op.ID != "openapi" {
			t.Errorf("%s documents no answer", op.ID)
		}
	}
}

// The API page lists every operation and links the OpenAPI document; the
// footer links the page.
func TestAPIPage(t *testing.T) {
	s := newSite(t, seedtest.SQLite(t), siteOptions{})
	doc := s.anon().page(t, "/api?lang=en", http.StatusOK)
	text := doc.Find("table.list").Text()
	for _, op := range api.Operations {
		if !strings.Contains(text, "/api/v1"+op.Path) {
			t.Errorf("%s %s is not listed", op.Method, op.Path)
		}
	}
	if doc.Find(`a[href="/api/v1/openapi.json"]`).Length() != 1 {
		t.Error("no link to the OpenAPI document")
	}
	if home := s.anon().page(t, "/", http.StatusOK); home.Find(`footer a[href="/api"]`).Length() != 1 {
		t.Error("the footer does not link the API page")
	}
}
