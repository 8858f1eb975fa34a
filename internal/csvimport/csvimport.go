// Package csvimport brings a spreadsheet of services into the directory:
// one row a service, in the documented columns (Columns; the admin pages
// offer them as a template). Every row is checked first, and the file is
// written only when every row is valid: a problem names its
// row and column. Imported listings record their source ("csv", the row's
// id); importing the same file again changes nothing.
package csvimport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/opening"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// Column is one column of the file. What a cell holds is said on the
// admin page, in the admin's language (web/i18n, "import.col.NAME").
type Column struct {
	Name     string
	Required bool
	// Example is a cell of the template's example row, of an obviously
	// fictional service.
	Example string
}

// Columns are the file's columns, in the template's order. A file may
// leave out any but the required ones, in any order; an unknown column is
// an error (a misspelt header would lose its data).
var Columns = []Column{
	{"id", true, "esimerkki-keskusteluapu"},
	{"organization", false, ""},
	{"name_fi", true, "Esimerkkiyhdistyksen keskusteluapu"},
	{"name_sv", false, "Exempelföreningens samtalsstöd"},
	{"name_en", false, "Example Association's counselling"},
	{"description_fi", false, "Keskusteluapua omista ajatuksistaan huolestuneille."},
	{"description_sv", false, ""},
	{"description_en", false, ""},
	{"target_groups", false, "worried-about-own-thoughts"},
	{"service_types", false, "counselling"},
	{"delivery_modes", false, "phone;chat"},
	{"languages", false, "fi;sv"},
	{"area", true, "network:pirkanmaa"},
	{"age_min", false, ""},
	{"age_max", false, ""},
	{"url", false, "https://esimerkki.example.fi"},
	{"email", false, "apu@esimerkki.example.fi"},
	{"phones", false, ""},
	{"hours", false, "mon-fri 09:00-15:00"},
	{"anonymous", false, "yes"},
	{"referral_required", false, "no"},
	{"identity_recorded", false, ""},
	{"how_to_refer_fi", false, ""},
	{"how_to_refer_sv", false, ""},
	{"how_to_refer_en", false, ""},
	{"eligibility_fi", false, ""},
	{"eligibility_sv", false, ""},
	{"eligibility_en", false, ""},
	{"cost_fi", false, "Maksuton."},
	{"cost_sv", false, ""},
	{"cost_en", false, ""},
	{"street", false, ""},
	{"postal_code", false, ""},
	{"post_office", false, ""},
	{"municipality", false, ""},
}

// owned are the listing fields a file owns: what its columns fill.
var owned = []string{"organization", "name", "description", "target_groups", "service_types", "delivery_modes",
	"languages", "area", "age_min", "age_max", "url", "email", "phones", "hours", "anonymous", "referral_required",
	"identity_recorded", "how_to_refer", "eligibility", "cost", "locations"}

// Limits of a file.
const (
	MaxBytes = 32 << 20
	MaxRows  = 20000
)

// SourceKind marks listings read from a CSV file.
const SourceKind = "csv"

// Actor is the importer's identity in the audit log.
const Actor = "import:csv"

// Problem is one fault of the file, at a row (1 is the header) and a
// column. Key and Args translate it (web/i18n); Message is English.
type Problem struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Key     string `json:"-"`
	Message string `json:"message"`
	Args    []any  `json:"-"`
}

func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("row %d: %s", p.Row, p.Message)
	}
	return fmt.Sprintf("row %d, column %s: %s", p.Row, p.Column, p.Message)
}

// Error lists every problem of a file; nothing was written.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return apperr.Problems(lines)
}

// Result says what an import wrote or, dry, would write.
type Result struct {
	Rows int
	services.SyncResult
}

func (r Result) String() string {
	return fmt.Sprintf("%d rows: %d created, %d updated, %d unchanged", r.Rows, r.Created, r.Updated, r.Unchanged)
}

// Import reads a file into the directory.
type Import struct {
	Store  *services.Store
	DryRun bool
	// Actor writes the listings (an admin from the upload form); the
	// importer's system identity by default.
	Actor *users.User
	Now   func() time.Time
}

// Run reads, checks and (unless dry, and only when every row is valid)
// writes the file.
func (im Import) Run(ctx context.Context, r io.Reader) (Result, error) {
	var res Result
	ref, err := im.Store.Reference(ctx)
	if err != nil {
		return res, err
	}
	now := time.Now
	if im.Now != nil {
		now = im.Now
	}
	list, rows, problems, err := parse(r, ref, now().UTC().Truncate(time.Second))
	res.Rows = len(list)
	if err != nil {
		return res, err
	}
	for _, rej := range services.CheckIncoming(ref, nil, list) {
		problems = append(problems, fieldProblems(rows[rej.ID], rej.Err)...)
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b Problem) int { return a.Row - b.Row })
		return res, &Error{Problems: problems}
	}
	if im.DryRun {
		res.Created = len(list)
		return res, nil
	}
	actor := im.Actor
	if actor == nil {
		actor = users.System(Actor)
	}
	sr, err := im.Store.SyncAll(ctx, actor, nil, list, owned)
	res.SyncResult = sr
	if err == nil && len(sr.Rejected) > 0 {
		err = fmt.Errorf("%d rows were refused while writing: %v", len(sr.Rejected), sr.Rejected[0].Err)
	}
	return res, err
}

// parse reads the file: every row's listing, each row's number by id,
// and the problems found on the way. An error is a file that cannot be
// read at all.
func parse(r io.Reader, ref *services.Reference, fetched time.Time) ([]services.Incoming, map[string]int, []Problem, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxBytes+1))
	if head, _ := br.Peek(3); bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	} else if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return nil, nil, nil, fileError("err.csv_utf16", "the file is UTF-16; save it as CSV UTF-8")
	}
	data, err := io.ReadAll(br)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(data) > MaxBytes {
		return nil, nil, nil, fileError("err.csv_too_big", "the file is larger than %d MiB; split it", MaxBytes>>20)
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:invalidAt(data)], []byte("\n"))
		return nil, nil, nil, fileError("err.csv_encoding", "line %d is not UTF-8; save the file as CSV UTF-8", line)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffComma(data)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, nil, fileError("err.csv_empty", "the file is empty")
	} else if err != nil {
		return nil, nil, nil, fileError("err.csv_malformed", "the file is not CSV: %v", err)
	}
	cols := map[string]int{}
	var problems []Problem
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case !slices.ContainsFunc(Columns, func(c Column) bool { return c.Name == h }):
			problems = append(problems, Problem{Row: 1, Column: h, Key: "err.csv_unknown_column",
				Message: "unknown column; see the template", Args: nil})
		case has(cols, h):
			problems = append(problems, Problem{Row: 1, Column: h, Key: "err.csv_repeated_column", Message: "is given twice"})
		default:
			cols[h] = i
		}
	}
	for _, c := range Columns {
		if c.Required && !has(cols, c.Name) {
			problems = append(problems, Problem{Row: 1, Column: c.Name, Key: "err.csv_missing_column", Message: "the column is missing"})
		}
	}
	if len(problems) > 0 {
		return nil, nil, problems, nil
	}
	var list []services.Incoming
	rows := map[string]int{}
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, nil, nil, fileError("err.csv_malformed_at", "line %d is not valid CSV: %v", pe.Line, pe.Err)
			}
			return nil, nil, nil, err
		}
		if row-1 > MaxRows {
			return nil, nil, nil, fileError("err.csv_too_many", "more than %d rows; split the file", MaxRows)
		}
		if blank(rec) {
			continue
		}
		cell := func(name string) string {
			if i, ok := cols[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		s, ps := rowService(row, cell, ref)
		problems = append(problems, ps...)
		if s.ID == "" {
			continue
		}
		if prev, dup := rows[s.ID]; dup {
			problems = append(problems, Problem{Row: row, Column: "id", Key: "err.csv_duplicate_id",
				Message: fmt.Sprintf("the id %s is also on row %d", s.ID, prev), Args: []any{s.ID, prev}})
			continue
		}
		rows[s.ID] = row
		f := fetched
		s.Source = services.Source{Kind: SourceKind, ID: s.ID, Status: "active", Fetched: &f}
		s.Status = services.StatusActive
		list = append(list, services.Incoming{Service: s})
	}
	if len(list) == 0 && len(problems) == 0 {
		return nil, nil, nil, fileError("err.csv_no_rows", "the file has no rows of services")
	}
	return list, rows, problems, nil
}

func has(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// sniffComma takes the header's separator: spreadsheets in Finnish write
// semicolons, others commas.
func sniffComma(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(line, []byte(";")) > bytes.Count(line, []byte(",")) {
		return ';'
	}
	return ','
}

// fileError is a fault of the whole file.
func fileError(key, msg string, args ...any) error {
	return &Error{Problems: []Problem{{Row: 0, Key: key, Message: fmt.Sprintf(msg, args...), Args: args}}}
}

// rowService reads one row; problems of its cells that the listing's own
// checks cannot see (a number that is not one, an unknown day).
func rowService(row int, cell func(string) string, ref *services.Reference) (services.Service, []Problem) {
	var ps []Problem
	bad := func(col, key, msg string, args ...any) {
		ps = append(ps, Problem{Row: row, Column: col, Key: key, Message: fmt.Sprintf(msg, args...), Args: args})
	}
	text := func(base string) l10n.Text {
		return l10n.Text{FI: cell(base + "_fi"), SV: cell(base + "_sv"), EN: cell(base + "_en")}
	}
	s := services.Service{ID: cell("id"), OrganizationID: db.Ref(cell("organization")), Name: text("name"),
		Description: text("description"), HowToRefer: text("how_to_refer"), Eligibility: text("eligibility"),
		Cost: text("cost"), URL: cell("url"), Email: cell("email"),
		TargetGroups: list(cell("target_groups")), ServiceTypes: list(cell("service_types")),
		DeliveryModes: list(cell("delivery_modes")), Languages: list(cell("languages"))}
	if s.ID == "" {
		bad("id", "err.required", "is required")
	} else if !services.ValidID(s.ID) {
		bad("id", "err.id", "must be lowercase letters, digits and hyphens")
		s.ID = ""
	}
	for _, a := range []struct {
		col string
		to  **int
	}{{"age_min", &s.AgeMin}, {"age_max", &s.AgeMax}} {
		if v := cell(a.col); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				bad(a.col, "err.age", "must be an age from 0 to 120")
				continue
			}
			*a.to = &n
		}
	}
	for _, b := range []struct {
		col string
		to  **bool
	}{{"anonymous", &s.Anonymous}, {"referral_required", &s.ReferralRequired}, {"identity_recorded", &s.IdentityRecorded}} {
		switch strings.ToLower(cell(b.col)) {
		case "":
		case "yes", "kyllä", "ja", "true", "1", "x":
			t := true
			*b.to = &t
		case "no", "ei", "nej", "false", "0":
			f := false
			*b.to = &f
		default:
			bad(b.col, "err.csv_yes_no", "must be yes, no or empty")
		}
	}
	area, err := parseArea(cell("area"))
	var ce *cellError
	if errors.As(err, &ce) {
		bad("area", ce.key, ce.msg, ce.args...)
	}
	s.Area = area
	for _, p := range list(cell("phones")) {
		num, desc, _ := strings.Cut(p, "(")
		s.Phones = append(s.Phones, services.Phone{Number: strings.TrimSpace(num),
			Description: l10n.Text{FI: strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(desc), ")"))}})
	}
	for _, h := range list(cell("hours")) {
		oh, err := parseHours(h)
		if err != nil {
			bad("hours", "err.csv_hours", "“%s”: want DAYS HH:MM-HH:MM with days mon, tue, wed, thu, fri, sat, sun, as mon-fri 08:00-16:00", h)
			continue
		}
		s.Hours = append(s.Hours, oh)
	}
	if street, pc, po, muni := cell("street"), cell("postal_code"), cell("post_office"), cell("municipality"); street+pc+po+muni != "" {
		l := services.Location{Street: l10n.Text{FI: street}, PostalCode: pc, PostOffice: l10n.Text{FI: po}}
		if muni != "" {
			if m, ok := ref.Munis.Lookup(muni); ok {
				l.Municipality = m.Code
			} else {
				bad("municipality", "err.unknown_municipality_ref", "unknown municipality %q", muni)
			}
		}
		s.Locations = []services.Location{l}
	}
	return s, ps
}

// list splits a cell at semicolons.
func list(cell string) []string {
	var out []string
	for _, p := range strings.Split(cell, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// cellError is a fault of one cell, to translate.
type cellError struct {
	key, msg string
	args     []any
}

func (e *cellError) Error() string { return fmt.Sprintf(e.msg, e.args...) }

// parseArea reads the area cell; its municipalities are checked (and
// names made codes) with the listing.
func parseArea(cell string) (services.Area, error) {
	var a services.Area
	for _, p := range list(cell) {
		kind, v, _ := strings.Cut(p, ":")
		if !a.Add(kind, strings.TrimSpace(v)) {
			return a, &cellError{"err.csv_area", "“%s”: want national, county:SLUG, network:SLUG or municipality:CODE", []any{p}}
		}
	}
	return a, nil
}

var hoursRE = regexp.MustCompile(`^([a-z,\-]+)\s+(\d{1,2}[:.]\d{2})\s*[-–]\s*(\d{1,2}[:.]\d{2})$`)

// parseHours reads "mon-fri 08:00-16:00" or "mon,wed 9.00–12.00".
func parseHours(s string) (services.OpeningHours, error) {
	m := hoursRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return services.OpeningHours{}, errors.New("want DAYS HH:MM-HH:MM, as mon-fri 08:00-16:00")
	}
	var days []string
	for _, part := range strings.Split(m[1], ",") {
		from, to, isRange := strings.Cut(part, "-")
		i, j := slices.Index(opening.Days, from), slices.Index(opening.Days, to)
		switch {
		case i < 0 || (isRange && j < i):
			return services.OpeningHours{}, fmt.Errorf("%q: days are mon, tue, wed, thu, fri, sat, sun", part)
		case isRange:
			days = append(days, opening.Days[i:j+1]...)
		default:
			days = append(days, from)
		}
	}
	clock := func(t string) string {
		t = strings.Replace(t, ".", ":", 1)
		if len(t) == 4 {
			t = "0" + t
		}
		return t
	}
	return services.OpeningHours{Days: days, Opens: clock(m[2]), Closes: clock(m[3])}, nil
}

// columnOf names the column of a listing field ("name.fi" -> name_fi,
// "phones[0].number" -> phones, "area.networks[0]" -> area).
func columnOf(field string) string {
	base, _, _ := strings.Cut(field, "[")
	first, rest, _ := strings.Cut(base, ".")
	switch first {
	case "name", "description", "how_to_refer", "eligibility", "cost":
		if l10n.Supported(rest) {
			return first + "_" + rest
		}
		return first + "_fi"
	case "locations":
		switch {
		case strings.Contains(field, "postal_code"):
			return "postal_code"
		case strings.Contains(field, "street"):
			return "street"
		case strings.Contains(field, "post_office"):
			return "post_office"
		}
		return "municipality"
	}
	return first
}

// fieldProblems turns a listing's field errors into the row's problems.
func fieldProblems(row int, err error) []Problem {
	e := apperr.As(err)
	if e == nil || len(e.Fields) == 0 {
		return []Problem{{Row: row, Message: apperr.PublicMessage(err)}}
	}
	var out []Problem
	for _, f := range e.Fields {
		out = append(out, Problem{Row: row, Column: columnOf(f.Field), Key: f.Key, Message: f.Message, Args: f.Args})
	}
	return out
}

// Template is the header and one example row of an obviously fictional
// service, as CSV UTF-8 with a byte order mark (so that spreadsheets open
// it as UTF-8).
func Template() []byte {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	head, ex := make([]string, len(Columns)), make([]string, len(Columns))
	for i, c := range Columns {
		head[i], ex[i] = c.Name, c.Example
	}
	_ = w.Write(head)
	_ = w.Write(ex)
	w.Flush()
	return b.Bytes()
}
