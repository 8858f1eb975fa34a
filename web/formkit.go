package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/l10n"
)

// Input is one form control ready for the "input" template: its label,
// current value and error, and the ids that tie them together.
type Input struct {
	ID, Name, Label, Value, Err, Hint string
	// Type is an <input> type, or "textarea".
	Type     string
	Required bool
	// Autocomplete is the autocomplete attribute; Max the maxlength.
	Autocomplete string
	Max          int
}

// ErrID is the id of the input's error message.
func (i Input) ErrID() string { return i.ID + "-err" }

// HintID is the id of the input's hint.
func (i Input) HintID() string { return i.ID + "-hint" }

// DescribedBy lists the ids that describe the input (hint, error).
func (i Input) DescribedBy() string {
	var ids []string
	if i.Hint != "" {
		ids = append(ids, i.HintID())
	}
	if i.Err != "" {
		ids = append(ids, i.ErrID())
	}
	return strings.Join(ids, " ")
}

// TextInputs are the three language versions of one text (a fieldset).
type TextInputs struct {
	ID, Legend, Err string
	Inputs          []Input
}

// Choice is one option of a select or checkbox group.
type Choice struct {
	ID, Value, Label string
	Checked          bool
}

// Choices is a select (Multiple or not) or a checkbox group (Boxes).
type Choices struct {
	Input
	Options  []Choice
	Multiple bool
	Boxes    bool
}

// kit builds a form's inputs from values, labels from the catalogue and
// errors from the form's state. Labels are "f.NAME" for a field NAME,
// looked up first as "f.ENTITY.NAME".
type kit struct {
	b      *Base
	entity string
	form   *Form
	raw    map[string]string
}

func newKit(b *Base, entity string, form *Form, raw map[string]string) *kit {
	if form == nil {
		form = &Form{Errors: map[string]string{}}
	}
	if raw == nil {
		raw = map[string]string{}
	}
	return &kit{b: b, entity: entity, form: form, raw: raw}
}

// label returns a field's label: for a row field "phones[0].number" the
// label of "phones.number".
func (k *kit) label(name string) string {
	key := rowless(name)
	for _, c := range []string{"f." + k.entity + "." + key, "f." + key} {
		if k.b.s.cat.Has(k.b.Lang, c) {
			return k.b.T(c)
		}
	}
	return key
}

// rowless drops the row indexes of a field name: "phones[0].number" ->
// "phones.number".
func rowless(name string) string {
	var b strings.Builder
	skip := false
	for _, r := range name {
		switch {
		case r == '[':
			skip = true
		case r == ']':
			skip = false
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fieldLabel labels a field error for the summary: the field's label, its
// row number and language.
func (k *kit) fieldLabel(field string) string {
	name := listField(field)
	base := name
	lang := ""
	for _, l := range l10n.Languages {
		if strings.HasSuffix(name, "."+l) {
			base, lang = strings.TrimSuffix(name, "."+l), l
		}
	}
	label := k.label(base)
	if i := strings.Index(base, "["); i > 0 {
		if j := strings.Index(base[i:], "]"); j > 0 {
			if n, err := strconv.Atoi(base[i+1 : i+j]); err == nil {
				label = k.label(base[:i]) + " " + strconv.Itoa(n+1) + ": " + label
			}
		}
	}
	if lang != "" {
		label += " (" + k.b.LangName(lang) + ")"
	}
	return label
}

func (k *kit) input(name, typ, value string) Input {
	if v, ok := k.raw[name]; ok {
		value = v
	}
	if typ == "password" {
		value = ""
	}
	return Input{ID: fieldID(name), Name: name, Label: k.label(name), Value: value, Err: k.form.Errors[name], Type: typ}
}

// Text is a one-line text input.
func (k *kit) Text(name, value string) Input { return k.input(name, "text", value) }

// Typed is an input of another type (email, url, tel, password...).
func (k *kit) Typed(name, typ, value string) Input { return k.input(name, typ, value) }

// Required marks an input required.
func (k *kit) Required(i Input) Input { i.Required = true; return i }

// Hint adds a hint from the catalogue.
func (k *kit) Hint(i Input, key string) Input { i.Hint = k.b.T(key); return i }

// Area is a textarea.
func (k *kit) Area(name, value string) Input { return k.input(name, "textarea", value) }

// Int is a number input for an optional whole number.
func (k *kit) Int(name string, v *int) Input {
	s := ""
	if v != nil {
		s = strconv.Itoa(*v)
	}
	return k.input(name, "number", s)
}

// Day is a date input.
func (k *kit) Day(name string, t *time.Time) Input {
	s := ""
	if t != nil {
		s = t.Format("2006-01-02")
	}
	return k.input(name, "date", s)
}

// Texts are the fi, sv and en inputs of a localized text; multiline makes
// them textareas.
func (k *kit) Texts(name string, t l10n.Text, multiline bool) TextInputs {
	typ := "text"
	if multiline {
		typ = "textarea"
	}
	g := TextInputs{ID: fieldID(name), Legend: k.label(name), Err: k.form.Errors[name]}
	for _, lang := range l10n.Languages {
		in := k.input(name+"."+lang, typ, t.In(lang))
		in.Label = k.b.LangName(lang)
		g.Inputs = append(g.Inputs, in)
	}
	return g
}

// Tri is a yes / no / not known select.
func (k *kit) Tri(name string, v *bool) Choices {
	cur := ""
	if v != nil {
		cur = map[bool]string{true: "yes", false: "no"}[*v]
	}
	if r, ok := k.raw[name]; ok {
		cur = r
	}
	c := Choices{Input: k.input(name, "select", cur)}
	for _, o := range []struct{ v, key string }{{"", "unknown"}, {"yes", "yes"}, {"no", "no"}} {
		c.Options = append(c.Options, Choice{Value: o.v, Label: k.b.T(o.key), Checked: o.v == cur})
	}
	return c
}

// Pick is a select of one value among options (value, label pairs); an
// empty first option is added when emptyLabel is not "".
func (k *kit) Pick(name, cur, emptyLabel string, options ...string) Choices {
	c := Choices{Input: k.input(name, "select", cur)}
	if emptyLabel != "" {
		c.Options = append(c.Options, Choice{Value: "", Label: emptyLabel, Checked: cur == ""})
	}
	found := cur == ""
	for i := 0; i+1 < len(options); i += 2 {
		c.Options = append(c.Options, Choice{Value: options[i], Label: options[i+1], Checked: options[i] == cur})
		found = found || options[i] == cur
	}
	if !found {
		// A stored or submitted value not among the options stays chosen.
		c.Options = append(c.Options, Choice{Value: cur, Label: cur, Checked: true})
	}
	return c
}

// Many is a multiple select (Multiple) or a checkbox group (boxes) of
// options (value, label pairs) with selected chosen.
func (k *kit) Many(name string, selected []string, boxes bool, options ...string) Choices {
	c := Choices{Input: k.input(name, "select", ""), Multiple: !boxes, Boxes: boxes}
	sel := map[string]bool{}
	for _, s := range selected {
		sel[s] = true
	}
	for i := 0; i+1 < len(options); i += 2 {
		v := options[i]
		c.Options = append(c.Options, Choice{ID: c.ID + "-" + fieldID(v)[2:], Value: v, Label: options[i+1], Checked: sel[v]})
		delete(sel, v)
	}
	for _, s := range selected {
		if sel[s] {
			c.Options = append(c.Options, Choice{ID: c.ID + "-" + fieldID(s)[2:], Value: s, Label: s, Checked: true})
			delete(sel, s)
		}
	}
	return c
}

// Terms is a checkbox group of a vocabulary's terms.
func (k *kit) Terms(name, vocab string, selected []string) Choices {
	var opts []string
	for _, t := range k.b.Terms(vocab) {
		opts = append(opts, t.ID, k.b.Term(vocab, t.ID))
	}
	return k.Many(name, selected, true, opts...)
}

// Check is a single checkbox.
func (k *kit) Check(name string, on bool) Choices {
	c := Choices{Input: k.input(name, "checkbox", "1"), Boxes: true}
	c.Options = []Choice{{ID: c.ID, Value: "1", Label: c.Label, Checked: on}}
	return c
}
