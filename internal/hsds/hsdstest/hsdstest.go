// Package hsdstest validates documents against the official HSDS 3.0 JSON
// schemas (copied in official/, see SOURCE.txt), for the tests of every
// surface that writes HSDS.
package hsdstest

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed official/schema/*.json official/examples/*.json
var Official embed.FS

const base = "https://hsds.example.fi/schema/"

// Validator checks documents against the schemas, formats (uuid, uri,
// email, date-time) included.
type Validator struct {
	c *jsonschema.Compiler
}

// New loads the schemas.
func New(t testing.TB) *Validator {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	names, err := fs.Glob(Official, "official/schema/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := Official.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if err := c.AddResource(base+path.Base(n), doc); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	return &Validator{c: c}
}

// Validate checks body against the schema file named (service.json,
// service_list.json, ...); a list page's contents against the item
// schema. It reports every failure on t.
func (v *Validator) Validate(t testing.TB, what, schema string, body []byte) {
	t.Helper()
	if err := v.Check(schema, body); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

// Check is Validate's test: nil when body is valid.
func (v *Validator) Check(schema string, body []byte) error {
	s, err := v.c.Compile(base + schema)
	if err != nil {
		return fmt.Errorf("compile %s: %w", schema, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	page, isPage := doc.(map[string]any)
	if _, ok := page["contents"]; !ok || !isPage || strings.HasPrefix(schema, "service.json") {
		if strings.HasSuffix(schema, "_list.json") {
			return fmt.Errorf("not a page")
		}
		if err := s.Validate(doc); err != nil {
			return fmt.Errorf("does not validate against %s: %w", schema, err)
		}
		return nil
	}
	var errs []error
	for _, k := range []string{"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"} {
		if _, ok := page[k]; !ok {
			errs = append(errs, fmt.Errorf("the page lacks %s", k))
		}
	}
	items, _ := page["contents"].([]any)
	for i, it := range items {
		if err := s.Validate(it); err != nil {
			errs = append(errs, fmt.Errorf("item %d does not validate against %s: %w", i, schema, err))
		}
	}
	return errors.Join(errs...)
}
