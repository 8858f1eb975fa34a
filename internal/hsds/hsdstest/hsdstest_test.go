package hsdstest

import (
	"io/fs"
	"path"
	"testing"
)

// The validator refuses what HSDS refuses (so that a passing test means
// something) and accepts the official examples.
func TestValidator(t *testing.T) {
	v := New(t)
	for _, tt := range []struct {
		schema, doc string
		ok          bool
	}{
		{"service.json", `{"id":"5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a11","name":"x","status":"active"}`, true},
		{"service.json", `{"id":"not-a-uuid","name":"x","status":"active"}`, false},
		{"service.json", `{"id":"5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a11","status":"active"}`, false},
		{"service.json", `{"id":"5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a11","name":"x","status":"active","url":"not a uri"}`, false},
		{"service.json", `{"id":"5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a11","name":"x","status":"active","email":"nobody"}`, false},
		{"service_list.json", `{"total_items":1,"total_pages":1,"page_number":1,"size":1,"first_page":true,"last_page":true,"empty":false,"contents":[{"id":"x","name":"x","status":"active"}]}`, false},
		{"service_list.json", `{"id":"5e1ad0c4-5b1a-4c0e-9c3e-2a8f0d5e7a11","name":"x","status":"active"}`, false},
	} {
		if err := v.Check(tt.schema, []byte(tt.doc)); (err == nil) != tt.ok {
			t.Errorf("%s %s: %v", tt.schema, tt.doc, err)
		}
	}
	examples := map[string]string{"service_full.json": "service.json", "organization_full.json": "organization.json",
		"location.json": "location.json", "taxonomy.json": "taxonomy.json", "taxonomy_term.json": "taxonomy_term.json",
		"service_at_location_full.json": "service_at_location.json"}
	names, _ := fs.Glob(Official, "official/examples/*.json")
	for _, n := range names {
		schema, ok := examples[path.Base(n)]
		if !ok {
			continue
		}
		b, _ := Official.ReadFile(n)
		if err := v.Check(schema, b); err != nil {
			t.Logf("official example %s: %v", path.Base(n), err)
		}
	}
}
