package pathways

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/serie-verkosto/directory/internal/apperr"
)

// The steps as text: the pathway editor shows and reads them as YAML
// (the seed's format), since a branching structure is clearer as text
// than as nested form rows.

// StepsYAML writes steps as YAML in the order and with the omissions of
// their JSON (empty fields are left out).
func StepsYAML(steps []Step) (string, error) {
	if len(steps) == 0 {
		return "", nil
	}
	b, err := json.Marshal(steps)
	if err != nil {
		return "", fmt.Errorf("steps: %w", err)
	}
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		return "", fmt.Errorf("steps: %w", err)
	}
	var block func(*yaml.Node)
	block = func(x *yaml.Node) {
		x.Style = 0
		for _, c := range x.Content {
			block(c)
		}
	}
	block(&n)
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return "", fmt.Errorf("steps: %w", err)
	}
	// The text is taken before Close, which only ends the stream.
	text := out.String()
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("steps: %w", err)
	}
	return text, nil
}

// ParseStepsYAML reads steps written as YAML (or JSON, which is YAML
// too). An unknown field or malformed text is an Invalid error on the
// "steps" field, with the parser's line number.
func ParseStepsYAML(text string) ([]Step, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	var steps []Step
	if err := dec.Decode(&steps); err != nil && !errors.Is(err, io.EOF) {
		var fs apperr.Fields
		fs.Add("steps", "err.steps_yaml", "the steps are not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, fs.Err()
	}
	return steps, nil
}
