package api

import (
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/invopop/jsonschema"

	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/search"
	"github.com/serie-verkosto/directory/internal/services"
)

// The OpenAPI 3.1 description of the API (GET /api/v1/openapi.json). The
// operations are listed here, next to the routes; the schemas of their
// bodies are reflected from the Go types the handlers encode, so they
// cannot drift from what is sent. A test checks the list against the
// router both ways and validates real answers and the examples against
// the schemas.

// Operation is one documented method of one path.
type Operation struct {
	Method  string
	Path    string // relative to /api/v1, with {parameters}
	ID      string
	Summary string
	Query   []string // query parameters, described in queryParams
	Body    any      // the request body's Go value; nil for none
	Status  int      // the success status
	Result  any      // the success body's Go value; nil for none
	Or      any      // another shape of the success body, when it has two
	Write   bool     // needs a session or a token
	Example any      // an example of the success body, validated by a test
}

// Operations are the API's documented operations, in the order a reader
// meets them.
var Operations = []Operation{
	{Method: "GET", Path: "/search", ID: "search", Summary: "Search services, contact persons, networks and care pathways",
		Query: search.RequestParams, Result: search.Result{}, Example: exampleSearch},
	{Method: "GET", Path: "/services", ID: "listServices", Summary: "List services, by fit or by name",
		Query: []string{"network", "municipality", "target_group", "service_type", "delivery_mode", "language", "organization",
			"local", "age", "sort", "client_lang", "modified_after", "lang", "limit", "offset"}, Result: List[services.Service]{}},
	{Method: "POST", Path: "/services", ID: "createService", Summary: "Create a service", Body: services.Service{},
		Status: http.StatusCreated, Result: services.Service{}, Write: true},
	{Method: "GET", Path: "/services/{id}", ID: "getService", Summary: "One service, with its version as ETag",
		Query: []string{"lang"}, Result: services.Service{}, Example: exampleService},
	{Method: "PUT", Path: "/services/{id}", ID: "updateService", Summary: "Replace a service (If-Match: its ETag)",
		Body: services.Service{}, Result: services.Service{}, Write: true},
	{Method: "DELETE", Path: "/services/{id}", ID: "archiveService", Summary: "Archive a service", Status: http.StatusNoContent, Write: true},
	{Method: "POST", Path: "/services/{id}/verify", ID: "verifyService", Summary: "Mark a service still correct (If-Match: its ETag)",
		Result: services.Service{}, Write: true},
	{Method: "GET", Path: "/contacts", ID: "listContacts", Summary: "List contact persons, regional contacts first",
		Query: []string{"network", "municipality", "role", "modified_after", "lang", "limit", "offset"}, Result: List[services.Contact]{}},
	{Method: "POST", Path: "/contacts", ID: "createContact", Summary: "Create a contact person", Body: services.Contact{},
		Status: http.StatusCreated, Result: services.Contact{}, Write: true},
	{Method: "GET", Path: "/contacts/{id}", ID: "getContact", Summary: "One contact person (members-only fields for members)",
		Query: []string{"lang"}, Result: services.Contact{}},
	{Method: "PUT", Path: "/contacts/{id}", ID: "updateContact", Summary: "Replace a contact person (If-Match: its ETag)",
		Body: services.Contact{}, Result: services.Contact{}, Write: true},
	{Method: "DELETE", Path: "/contacts/{id}", ID: "archiveContact", Summary: "Archive a contact person", Status: http.StatusNoContent, Write: true},
	{Method: "POST", Path: "/contacts/{id}/verify", ID: "verifyContact", Summary: "Mark a contact person still correct (If-Match: its ETag)",
		Result: services.Contact{}, Write: true},
	{Method: "GET", Path: "/networks", ID: "listNetworks", Summary: "The SeriE networks, or those covering a municipality",
		Query: []string{"municipality", "lang"}, Result: List[services.Network]{}},
	{Method: "GET", Path: "/networks/{slug}", ID: "getNetwork", Summary: "One network with its coverage and contacts",
		Query: []string{"lang"}, Result: services.Network{}},
	{Method: "GET", Path: "/municipalities", ID: "listMunicipalities", Summary: "Finland's municipalities with their wellbeing services counties",
		Query: []string{"lang"}, Result: List[services.Municipality]{}},
	{Method: "GET", Path: "/vocabularies", ID: "listVocabularies", Summary: "The controlled vocabularies (client situations, service types, ...)",
		Query: []string{"lang"}, Result: List[services.Vocabulary]{}},
	{Method: "GET", Path: "/pathways", ID: "listPathways", Summary: "The care pathways",
		Query: []string{"lang"}, Result: List[PathwaySummary]{}},
	{Method: "POST", Path: "/pathways", ID: "createPathway", Summary: "Save a care pathway draft", Body: pathways.Pathway{},
		Status: http.StatusCreated, Result: pathways.Pathway{}, Write: true},
	{Method: "GET", Path: "/pathways/{slug}", ID: "getPathway",
		Summary: "One care pathway; with municipality or network, its steps resolved to the services there",
		Query:   []string{"municipality", "network", "age", "client_lang", "lang"}, Result: ResolvedPathway{}, Or: pathways.Pathway{}},
	{Method: "PUT", Path: "/pathways/{slug}", ID: "updatePathway",
		Summary: "Replace a care pathway (If-Match: its ETag); an editor's change to a published one is proposed (202)",
		Body:    pathways.Pathway{}, Result: pathways.Pathway{}, Write: true},
	{Method: "GET", Path: "/openapi.json", ID: "openapi", Summary: "This description (OpenAPI 3.1)"},
}

// ProposedPathway answers an editor's change to a published pathway: kept
// for an admin to publish.
type ProposedPathway struct {
	Proposed bool             `json:"proposed"`
	Pathway  pathways.Pathway `json:"pathway"`
}

// queryParams describes every query parameter an operation may take.
var queryParams = map[string]struct {
	schema map[string]any
	doc    string
}{
	"q":              {str(), "the words to find (at most 2,000 characters); a place named in them filters too"},
	"type":           {enum("service", "contact", "network", "pathway"), "only results of this type"},
	"network":        {str(), "a network's slug: what is available in its area"},
	"municipality":   {str(), "a municipality: its three-digit code or its Finnish or Swedish name"},
	"target_group":   {str(), "a client situation term (vocabulary client_situation)"},
	"service_type":   {str(), "a service type term (vocabulary service_type)"},
	"delivery_mode":  {str(), "a delivery mode term (vocabulary delivery_mode)"},
	"language":       {str(), "a language the service is given in (ISO 639-1)"},
	"fresh":          {enum("verified", "unverified", "overdue"), "how recently the listing was checked"},
	"age":            {map[string]any{"type": "integer", "minimum": 0, "maximum": 120}, "the client's age: leaves out services whose age range excludes it"},
	"lang":           {enum("fi", "sv", "en"), "the language of labels and snippets (Finnish by default)"},
	"limit":          {map[string]any{"type": "integer", "minimum": 0, "maximum": 100}, "page size"},
	"offset":         {map[string]any{"type": "integer", "minimum": 0}, "how many to skip"},
	"facets":         {enum("true", "false", "1", "0"), "whether to count facet values (default true)"},
	"organization":   {str(), "an organization's id"},
	"local":          {enum("true", "false", "1", "0"), "leave out national services when a place is given"},
	"sort":           {enum("fit", "name"), "fit: local, specialised, the client's language, verified first (default); name: alphabetical"},
	"client_lang":    {enum("fi", "sv", "en"), "the client's language: services given in it first"},
	"modified_after": {map[string]any{"type": "string", "format": "date-time"}, "only listings changed at or after this (2026-01-31 or 2026-01-31T12:00:00Z)"},
	"role":           {enum(services.ContactRoles...), "a contact person's role"},
}

func str() map[string]any { return map[string]any{"type": "string"} }

func enum(values ...string) map[string]any {
	return map[string]any{"type": "string", "enum": values}
}

var openAPIDoc = sync.OnceValues(buildOpenAPI)

// OpenAPI returns the API's OpenAPI 3.1 document as JSON.
func OpenAPI() ([]byte, error) { return openAPIDoc() }

// GetOpenAPI answers GET /api/v1/openapi.json.
func (a *API) GetOpenAPI(w http.ResponseWriter, r *http.Request) error {
	if _, err := query(r); err != nil {
		return err
	}
	b, err := OpenAPI()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err = w.Write(b)
	return err
}

func buildOpenAPI() ([]byte, error) {
	schemas, err := reflectSchemas()
	if err != nil {
		return nil, err
	}
	paths := map[string]map[string]any{}
	for _, op := range Operations {
		item := paths[op.Path]
		if item == nil {
			item = map[string]any{}
			paths[op.Path] = item
		}
		o := map[string]any{"operationId": op.ID, "summary": op.Summary, "responses": responses(op)}
		var params []any
		for _, name := range pathParams(op.Path) {
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": str()})
		}
		for _, name := range op.Query {
			p, ok := queryParams[name]
			if !ok {
				return nil, fmt.Errorf("openapi: %s %s: query parameter %q is not described", op.Method, op.Path, name)
			}
			params = append(params, map[string]any{"name": name, "in": "query", "schema": p.schema, "description": p.doc})
		}
		if namesVersion(op) {
			params = append(params, map[string]any{"name": "If-Match", "in": "header", "schema": str(),
				"description": "the ETag of the version read (or give the body's version)"})
		}
		if op.Method == "GET" {
			params = append(params, map[string]any{"name": "If-None-Match", "in": "header", "schema": str(),
				"description": "an ETag held: 304 when it is still current"})
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.Body != nil {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": ref(inputName(typeName(reflect.TypeOf(op.Body))))}}}
		}
		if op.Write {
			o["security"] = []any{map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}}
		}
		item[strings.ToLower(op.Method)] = o
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "SeriE directory API",
			"version": "1",
			"description": "The referral and care-pathway directory of the SeriE network. Reads are anonymous " +
				"(and allowed from any origin); writes need a session or an API token (`directory token add`). " +
				"Every GET answers an ETag and honours If-None-Match; an update names the version read with If-Match. " +
				"Errors answer {\"error\": {\"code\", \"message\", \"fields\"}}.",
		},
		"servers": []any{map[string]any{"url": "/api/v1"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "an API token from `directory token add` or /admin/tokens"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": auth.CookieName(false), "description": "a logged-in browser session"},
			},
		},
	}
	return json.MarshalIndent(doc, "", " ")
}

// namesVersion reports whether an operation writes an existing resource,
// naming the version read in If-Match: updates, archives and verifies.
func namesVersion(op Operation) bool {
	return op.Method == "PUT" || op.Method == "DELETE" || strings.HasSuffix(op.Path, "/verify")
}

// pathParams returns the {names} of a path template.
func pathParams(path string) []string {
	var names []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			names = append(names, seg[1:len(seg)-1])
		}
	}
	return names
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func responses(op Operation) map[string]any {
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	out := map[string]any{}
	ok := map[string]any{"description": http.StatusText(status)}
	switch {
	case op.ID == "openapi":
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
	case op.Result != nil:
		media := map[string]any{"schema": ref(typeName(reflect.TypeOf(op.Result)))}
		if op.Or != nil {
			media["schema"] = map[string]any{"anyOf": []any{media["schema"], ref(typeName(reflect.TypeOf(op.Or)))}}
		}
		if op.Example != nil {
			media["example"] = op.Example
		}
		ok["content"] = map[string]any{"application/json": media}
	}
	out[fmt.Sprint(status)] = ok
	errs := []int{http.StatusBadRequest, http.StatusServiceUnavailable}
	if op.Method == "GET" {
		out["304"] = map[string]any{"description": "Not Modified: the ETag sent in If-None-Match is current"}
		if len(pathParams(op.Path)) > 0 {
			errs = append(errs, http.StatusNotFound)
		}
	}
	if op.ID == "updatePathway" {
		out["202"] = map[string]any{"description": "Accepted: proposed for an admin to publish",
			"content": map[string]any{"application/json": map[string]any{"schema": ref("ProposedPathway")}}}
	}
	if op.Write {
		errs = append(errs, http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests)
		if namesVersion(op) {
			errs = append(errs, http.StatusNotFound, http.StatusConflict, http.StatusPreconditionRequired)
		} else {
			errs = append(errs, http.StatusConflict)
		}
	}
	for _, s := range errs {
		out[fmt.Sprint(s)] = map[string]any{"description": http.StatusText(s),
			"content": map[string]any{"application/json": map[string]any{"schema": ref("ErrorBody")}}}
	}
	return out
}

// reflectSchemas returns the components' schemas: every body type and
// what it holds, with a "…Input" variant of each request body that
// requires nothing (the server sets the version and the times).
func reflectSchemas() (map[string]any, error) {
	types := map[string]reflect.Type{}
	r := &jsonschema.Reflector{AllowAdditionalProperties: true, Anonymous: true,
		// A value that encodes itself as text (a pathway step's tier) is
		// a string.
		Mapper: func(t reflect.Type) *jsonschema.Schema {
			if t.Kind() != reflect.Struct && t.Implements(textMarshaler) {
				return &jsonschema.Schema{Type: "string"}
			}
			return nil
		},
		Namer: func(t reflect.Type) string {
			name := typeName(t)
			if name == "" || t.Kind() != reflect.Struct {
				return name
			}
			if prev, ok := types[name]; ok && prev != t {
				panic(fmt.Sprintf("openapi: %s and %s are both named %s", prev, t, name))
			}
			types[name] = t
			return name
		}}
	defs := jsonschema.Definitions{}
	roots := []any{errorBody{}, ProposedPathway{}}
	for _, op := range Operations {
		roots = append(roots, op.Body, op.Result, op.Or)
	}
	for _, v := range roots {
		if v == nil {
			continue
		}
		s := r.Reflect(v)
		for name, d := range s.Definitions {
			defs[name] = d
		}
	}
	b, err := json.Marshal(defs)
	if err != nil {
		return nil, err
	}
	b = []byte(strings.ReplaceAll(string(b), `"#/$defs/`, `"#/components/schemas/`))
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	for name, t := range types {
		if s, ok := out[name].(map[string]any); ok {
			nullables(s, t)
		}
	}
	for _, op := range Operations {
		if op.Body == nil {
			continue
		}
		name := typeName(reflect.TypeOf(op.Body))
		in := map[string]any{}
		for k, v := range out[name].(map[string]any) {
			if k != "required" {
				in[k] = v
			}
		}
		in["description"] = "as " + name + "; the version, created_at and updated_at are the server's and may be left out"
		out[inputName(name)] = in
	}
	return out, nil
}

func inputName(name string) string { return name + "Input" }

var (
	jsonMarshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textMarshaler = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
)

// nullables marks the properties of struct type t that encode as null when
// unset (pointers, and slices and maps that marshal themselves as nothing
// else), since Go types say so and JSON Schema cannot tell.
func nullables(s map[string]any, t reflect.Type) {
	props, _ := s["properties"].(map[string]any)
	if props == nil || t.Kind() != reflect.Struct {
		return
	}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			name, opts, _ := strings.Cut(tag, ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
					continue
				}
			}
			if name == "" {
				name = f.Name
			}
			if strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero") {
				continue
			}
			k := f.Type.Kind()
			nilable := k == reflect.Pointer || k == reflect.Interface ||
				((k == reflect.Slice || k == reflect.Map) && !f.Type.Implements(jsonMarshaler))
			if p, ok := props[name]; ok && nilable {
				props[name] = map[string]any{"anyOf": []any{p, map[string]any{"type": "null"}}}
			}
		}
	}
	walk(t)
}

// typeName names a type's schema: its Go name, capitalised; a list
// answer's envelope as "ServicePage", a db.List as "PhoneList".
func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name := t.Name()
	if i := strings.Index(name, "["); i > 0 {
		inner := name[i+1 : len(name)-1]
		inner = inner[strings.LastIndex(inner, ".")+1:]
		kind := name[:i]
		if strings.HasSuffix(t.PkgPath(), "/internal/api") {
			kind = "Page" // the envelope of a list answer
		}
		name = inner + kind
	}
	if name == "" {
		return name
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// SortedOperations returns the operations by path, then method, for a
// page that lists them.
func SortedOperations() []Operation {
	ops := append([]Operation(nil), Operations...)
	order := map[string]int{"GET": 0, "POST": 1, "PUT": 2, "DELETE": 3}
	sort.SliceStable(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return order[ops[i].Method] < order[ops[j].Method]
	})
	return ops
}
