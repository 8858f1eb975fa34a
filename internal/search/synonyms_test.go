package search_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/serie-verkosto/directory/internal/search"
)

// A synonym that can never match, or that is in two groups, is an error
// naming the file and line.
func TestLoadSynonymsChecks(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"groups:\n  - [terapia, therapy]\n", ""},
		{"groups:\n  - [poliisi, polis]\n  - [polis, police]\n", `x.yaml:3: "polis" is also in the group on line 2`},
		{"groups:\n  - [poliisi, ja, och]\n", `x.yaml:2: "ja" can never match`},
		{"groups:\n  - [poliisi, \"poliisi!\"]\n", `x.yaml:2: "poliisi!" has characters a search never keeps`},
		{"groups:\n  - [yksin]\n", "x.yaml:2: a group needs at least two entries"},
		{"groups:\n  - [terapia, \"   \"]\n", `has no words`},
		{"groups:\n  - [yksi kaksi kolme neljä viisi kuusi, b]\n", "more than 5 words"},
	} {
		_, err := search.LoadSynonyms(fstest.MapFS{"x.yaml": {Data: []byte(tt.yaml)}}, "x.yaml")
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: %v", tt.yaml, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.want)
		}
	}
}
