// Package i18n holds the web UI's message catalogues in Finnish, Swedish
// and English, so that no user-visible string lives in a template.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"github.com/serie-verkosto/directory/internal/l10n"
)

//go:embed *.json
var files embed.FS

// Catalog translates message keys.
type Catalog struct {
	msgs map[string]map[string]string // lang -> key -> message
}

// Load parses the embedded catalogues: for each language, LANG.json and
// any FEATURE.LANG.json (one per feature, so that features keep their
// messages apart). A key defined twice is an error.
func Load() (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}}
	for _, lang := range l10n.Languages {
		names, err := fs.Glob(files, "*"+lang+".json")
		if err != nil {
			return nil, err
		}
		all := map[string]string{}
		for _, name := range names {
			if name != lang+".json" && !strings.HasSuffix(name, "."+lang+".json") {
				continue
			}
			b, err := files.ReadFile(name)
			if err != nil {
				return nil, fmt.Errorf("catalogue %s: %w", name, err)
			}
			m := map[string]string{}
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("catalogue %s: %w", name, err)
			}
			for k, v := range m {
				if _, dup := all[k]; dup {
					return nil, fmt.Errorf("catalogue %s: key %q is defined twice", name, k)
				}
				all[k] = v
			}
		}
		if len(all) == 0 {
			return nil, fmt.Errorf("no catalogue for %s", lang)
		}
		c.msgs[lang] = all
	}
	return c, nil
}

// Has reports whether key exists in lang's catalogue.
func (c *Catalog) Has(lang, key string) bool {
	_, ok := c.msgs[lang][key]
	return ok
}

// Keys returns the keys of lang's catalogue.
func (c *Catalog) Keys(lang string) []string {
	var keys []string
	for k := range c.msgs[lang] {
		keys = append(keys, k)
	}
	return keys
}

// T returns the message for key in lang, formatted with args; a key
// missing in lang falls back to Finnish, and then to the key itself, so a
// gap shows up on the page instead of breaking it.
func (c *Catalog) T(lang, key string, args ...any) string {
	msg, ok := c.msgs[lang][key]
	if !ok {
		if msg, ok = c.msgs["fi"][key]; !ok {
			msg = key
		}
	}
	// A message without verbs ignores args rather than printing
	// %!(EXTRA …) to the user.
	if len(args) > 0 && strings.Contains(msg, "%") {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}
