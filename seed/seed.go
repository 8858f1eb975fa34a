// Package seed holds the directory's human-editable seed data (the SeriE
// networks and contact persons from the network's own page, the support
// services professionals refer to, the controlled vocabularies and the
// municipality classification) and loads it into the store.
//
// Loading is two steps. Parse reads and validates every file, cross-checks
// their references, and reports errors as "file:line: what: field: problem";
// nothing touches the database until all files are valid. Apply then writes
// what is missing, so that loading the same files twice changes nothing.
package seed

import (
	"bytes"
	"context"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/pathways"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// Files is the seed data compiled into the binary.
//
//go:embed *.yaml municipalities.csv compounds.txt
var Files embed.FS

// The seed files, in load order.
const (
	MunicipalitiesFile = "municipalities.csv"
	VocabulariesFile   = "vocabularies.yaml"
	OrganizationsFile  = "organizations.yaml"
	NetworksFile       = "networks.yaml"
	ContactsFile       = "contacts.yaml"
	ServicesFile       = "services.yaml"
)

// Data is the parsed content of the seed files.
type Data struct {
	Municipalities []services.Municipality
	Vocabularies   []services.Vocabulary
	Organizations  []services.Organization
	Networks       []services.Network
	Contacts       []services.Contact
	Services       []services.Service
	Pathways       []pathways.Pathway      // seed/pathways.go
	Consultations  []services.Consultation // seed/consultation.go
}

// Problem is one error in a seed file, located by file and line.
type Problem struct {
	File string
	Line int
	What string // the item, e.g. `service "serie-tukipalvelu"`
	Msg  string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
	}
	if p.What != "" {
		return loc + ": " + p.What + ": " + p.Msg
	}
	return loc + ": " + p.Msg
}

// Error lists every problem found in the seed files.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed data has %d problem(s):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Parse reads and validates the seed files in fsys.
func Parse(fsys fs.FS) (*Data, error) {
	p := &parser{fsys: fsys, data: &Data{}}
	p.municipalities()
	var (
		vocabs  struct{ Vocabularies []services.Vocabulary }
		orgs    struct{ Organizations []services.Organization }
		nets    struct{ Networks []services.Network }
		people  struct{ Contacts []services.Contact }
		servs   struct{ Services []services.Service }
		vocabsN = p.yaml(VocabulariesFile, "vocabularies", &vocabs)
		orgsN   = p.yaml(OrganizationsFile, "organizations", &orgs)
		netsN   = p.yaml(NetworksFile, "networks", &nets)
		peopleN = p.yaml(ContactsFile, "contacts", &people)
		servsN  = p.yaml(ServicesFile, "services", &servs)
		pathsN  = p.pathwaysFile()
		consN   = p.consultationFile()
	)
	d := p.data
	d.Vocabularies, d.Organizations, d.Networks = vocabs.Vocabularies, orgs.Organizations, nets.Networks
	d.Contacts, d.Services = people.Contacts, servs.Services
	if len(p.problems) > 0 {
		// Syntax and type errors make the rest unreliable.
		return nil, &Error{Problems: p.problems}
	}
	p.check(vocabsN, orgsN, netsN, peopleN, servsN)
	p.checkPathways(pathsN)
	p.checkConsultation(consN)
	if len(p.problems) > 0 {
		return nil, &Error{Problems: p.problems}
	}
	return d, nil
}

type parser struct {
	fsys     fs.FS
	data     *Data
	problems []Problem
}

func (p *parser) add(file string, line int, what, format string, args ...any) {
	p.problems = append(p.problems, Problem{File: file, Line: line, What: what, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) municipalities() {
	f, err := p.fsys.Open(MunicipalitiesFile)
	if err != nil {
		p.add(MunicipalitiesFile, 0, "", "cannot open: %v", err)
		return
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 6
	header, err := r.Read()
	want := []string{"code", "name_fi", "name_sv", "wellbeing_county_fi", "wellbeing_county_sv", "region_fi"}
	if err != nil || !reflect.DeepEqual(header, want) {
		p.add(MunicipalitiesFile, 1, "", "header must be %s", strings.Join(want, ","))
		return
	}
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			p.add(MunicipalitiesFile, line, "", "%v", err)
			return
		}
		m := services.Municipality{Code: rec[0], NameFI: rec[1], NameSV: rec[2],
			CountyFI: rec[3], CountySV: rec[4], RegionFI: rec[5], CountySlug: services.CountySlug(rec[3])}
		if len(m.Code) != 3 || strings.Trim(m.Code, "0123456789") != "" {
			p.add(MunicipalitiesFile, line, "", "code %q must be three digits", m.Code)
		}
		for i, v := range rec {
			if strings.TrimSpace(v) == "" {
				p.add(MunicipalitiesFile, line, "", "column %s is empty", want[i])
			}
		}
		if prev, ok := seen[m.Code]; ok {
			p.add(MunicipalitiesFile, line, "", "code %s repeats line %d", m.Code, prev)
		}
		seen[m.Code] = line
		p.data.Municipalities = append(p.data.Municipalities, m)
	}
}

// yaml decodes file strictly (unknown keys are errors) into dst and
// returns the nodes of the items under key, for locating later problems.
func (p *parser) yaml(file, key string, dst any) []*yaml.Node {
	b, err := fs.ReadFile(p.fsys, file)
	if err != nil {
		p.add(file, 0, "", "cannot read: %v", err)
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(dst); err != nil {
		p.yamlError(file, err)
		return nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil || len(root.Content) == 0 {
		p.add(file, 0, "", "is empty")
		return nil
	}
	items := child(root.Content[0], key)
	if items == nil || items.Kind != yaml.SequenceNode {
		p.add(file, 1, "", "must have a list under %q", key)
		return nil
	}
	return items.Content
}

// yamlError splits the decoder's message into one problem per line it
// names ("line 12: field colour not found in type services.Service").
func (p *parser) yamlError(file string, err error) {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, e := range te.Errors {
			line := 0
			if _, scanErr := fmt.Sscanf(e, "line %d:", &line); scanErr == nil {
				e = strings.TrimSpace(e[strings.Index(e, ":")+1:])
			}
			p.add(file, line, "", "%s", e)
		}
		return
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	p.add(file, line, "", "%s", msg)
}

// child returns the value node of key in a mapping node.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// lineOf finds the line of a field path such as "phones[1].number" or
// "name.fi" inside an item, falling back to the nearest known ancestor.
func lineOf(item *yaml.Node, path string) int {
	if item == nil {
		return 0
	}
	line, n := item.Line, item
	for _, part := range strings.Split(path, ".") {
		name, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			name = part[:i]
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
		}
		v := child(n, name)
		if v == nil {
			return line
		}
		line, n = v.Line, v
		if idx >= 0 {
			if v.Kind != yaml.SequenceNode || idx >= len(v.Content) {
				return line
			}
			n = v.Content[idx]
			line = n.Line
		}
	}
	return line
}

func itemNode(nodes []*yaml.Node, i int) *yaml.Node {
	if i < len(nodes) {
		return nodes[i]
	}
	return nil
}

// report turns a validation error into problems located in the file.
func (p *parser) report(file string, item *yaml.Node, what string, err error) {
	if err == nil {
		return
	}
	e := apperr.As(err)
	if e == nil || len(e.Fields) == 0 {
		p.add(file, lineOf(item, ""), what, "%v", err)
		return
	}
	for _, f := range e.Fields {
		path := strings.TrimPrefix(f.Field, "area.")
		if path != f.Field {
			path = "area." + path
		}
		p.add(file, lineOf(item, path), what, "%s: %s", f.Field, f.Message)
	}
}

// check validates every item and the references between files.
func (p *parser) check(vocabsN, orgsN, netsN, peopleN, servsN []*yaml.Node) {
	d := p.data
	munis := services.NewMunicipalityIndex(d.Municipalities)
	vocab := services.NewVocabularies(d.Vocabularies)
	for i := range d.Vocabularies {
		d.Vocabularies[i].Position = i
	}
	for _, id := range []string{services.VocabClientSituation, services.VocabProfession,
		services.VocabServiceType, services.VocabDeliveryMode, services.VocabReportingDuty} {
		if _, ok := vocab.Vocabulary(id); !ok {
			p.add(VocabulariesFile, 1, "", "vocabulary %q is missing", id)
		}
	}
	ids := map[string]int{}
	dup := func(file, kind, id string, item *yaml.Node) {
		key := kind + "/" + id
		if prev, ok := ids[key]; ok {
			p.add(file, lineOf(item, "id"), fmt.Sprintf("%s %q", kind, id), "id repeats line %d", prev)
		}
		ids[key] = lineOf(item, "id")
	}
	orgIDs := map[string]bool{}
	for i := range d.Organizations {
		o := &d.Organizations[i]
		item, what := itemNode(orgsN, i), fmt.Sprintf("organization %q", o.ID)
		o.Normalize()
		p.report(OrganizationsFile, item, what, o.Validate())
		dup(OrganizationsFile, "organization", o.ID, item)
		orgIDs[o.ID] = true
	}
	netIDs := map[string]bool{}
	for i := range d.Networks {
		n := &d.Networks[i]
		item, what := itemNode(netsN, i), fmt.Sprintf("network %q", n.Slug)
		n.Position = i
		p.report(NetworksFile, item, what, n.Validate(vocab))
		dup(NetworksFile, "network", n.Slug, item)
		netIDs[n.Slug] = true
		for j, c := range n.Counties {
			if _, ok := munis.County(c); !ok {
				p.add(NetworksFile, lineOf(item, fmt.Sprintf("counties[%d]", j)), what, "unknown wellbeing services county %q", c)
			}
		}
		for j, ref := range n.ExtraMunicipalities {
			if m, ok := munis.Lookup(ref); ok {
				n.ExtraMunicipalities[j] = m.Code
			} else {
				p.add(NetworksFile, lineOf(item, fmt.Sprintf("municipalities[%d]", j)), what, "unknown municipality %q", ref)
			}
		}
	}
	for i := range d.Contacts {
		c := &d.Contacts[i]
		item, what := itemNode(peopleN, i), fmt.Sprintf("contact %q", c.ID)
		c.Normalize()
		p.report(ContactsFile, item, what, c.Validate(vocab))
		dup(ContactsFile, "contact", c.ID, item)
		if c.NetworkSlug != "" && !netIDs[string(c.NetworkSlug)] {
			p.add(ContactsFile, lineOf(item, "network"), what, "unknown network %q", c.NetworkSlug)
		}
		if c.OrganizationID != "" && !orgIDs[string(c.OrganizationID)] {
			p.add(ContactsFile, lineOf(item, "organization_id"), what, "unknown organization %q", c.OrganizationID)
		}
	}
	for i := range d.Services {
		s := &d.Services[i]
		item, what := itemNode(servsN, i), fmt.Sprintf("service %q", s.ID)
		s.Normalize()
		p.report(ServicesFile, item, what, s.Validate(vocab))
		dup(ServicesFile, "service", s.ID, item)
		if s.OrganizationID != "" && !orgIDs[string(s.OrganizationID)] {
			p.add(ServicesFile, lineOf(item, "organization"), what, "unknown organization %q", s.OrganizationID)
		}
		for _, path := range unsourced(s) {
			p.add(ServicesFile, lineOf(item, path), what, "%s: a contact detail in the seed needs seen.on, the public page it was read on (web addresses go under links)", path)
		}
		for j, l := range s.Locations {
			if l.Municipality == "" {
				continue
			}
			if m, ok := munis.Lookup(l.Municipality); ok {
				s.Locations[j].Municipality = m.Code
			} else {
				p.add(ServicesFile, lineOf(item, fmt.Sprintf("locations[%d].municipality", j)), what, "unknown municipality %q", l.Municipality)
			}
		}
		for j, c := range s.Area.Counties {
			if _, ok := munis.County(c); !ok {
				p.add(ServicesFile, lineOf(item, fmt.Sprintf("area.counties[%d]", j)), what, "unknown wellbeing services county %q", c)
			}
		}
		for j, n := range s.Area.Networks {
			if !netIDs[n] {
				p.add(ServicesFile, lineOf(item, fmt.Sprintf("area.networks[%d]", j)), what, "unknown network %q", n)
			}
		}
		for j, ref := range s.Area.Municipalities {
			if m, ok := munis.Lookup(ref); ok {
				s.Area.Municipalities[j] = m.Code
			} else {
				p.add(ServicesFile, lineOf(item, fmt.Sprintf("area.municipalities[%d]", j)), what, "unknown municipality %q", ref)
			}
		}
	}
	_ = vocabsN
}

// unsourced lists the contact details of a seed service that do not say
// where they were seen. The seed holds only facts read from public pages
// (data/public-contacts.md), each with its page and date, so that readers
// can judge them and editors can confirm them; url and email have no place
// for a source, so the seed gives web addresses as links.
func unsourced(s *services.Service) []string {
	var paths []string
	if s.URL != "" {
		paths = append(paths, "url")
	}
	if s.Email != "" {
		paths = append(paths, "email")
	}
	phones := func(prefix string, list []services.Phone) {
		for i, ph := range list {
			if ph.Seen == nil || ph.Seen.On == "" {
				paths = append(paths, fmt.Sprintf("%s[%d]", prefix, i))
			}
		}
	}
	phones("phones", s.Phones)
	for i, l := range s.Links {
		if l.Seen == nil || l.Seen.On == "" {
			paths = append(paths, fmt.Sprintf("links[%d]", i))
		}
	}
	for i, l := range s.Locations {
		if l.Seen == nil || l.Seen.On == "" {
			paths = append(paths, fmt.Sprintf("locations[%d]", i))
		}
		if l.Email != "" {
			paths = append(paths, fmt.Sprintf("locations[%d].email", i))
		}
		phones(fmt.Sprintf("locations[%d].phones", i), l.Phones)
	}
	return paths
}

// writtenOnlyBySeed reports whether every write of the listing in the
// audit log was the seed's.
func writtenOnlyBySeed(ctx context.Context, st *services.Store, entity, id string) (bool, error) {
	h, err := st.DB().History(ctx, entity, id)
	if err != nil {
		return false, err
	}
	for _, e := range h {
		if e.Actor != actor.ID {
			return false, nil
		}
	}
	return len(h) > 0, nil
}

// Options change what Apply does with listings that already exist.
type Options struct {
	// Overwrite updates stored listings that differ from the seed. By
	// default a listing that anyone but the seed has written is kept: an
	// editor's change wins over the file.
	Overwrite bool
}

// Report counts what Apply did, per kind of listing.
type Report struct {
	Municipalities                    int // rows of the classification added or changed
	Created, Updated, Unchanged, Kept int // vocabularies and listings
}

func (r Report) String() string {
	s := fmt.Sprintf("%d municipalities added or changed; %d listings created, %d updated, %d unchanged",
		r.Municipalities, r.Created, r.Updated, r.Unchanged)
	if r.Kept > 0 {
		s += fmt.Sprintf(", %d differ from the seed and were kept (use --overwrite to replace them)", r.Kept)
	}
	return s
}

// actor is the identity the seed writes listings as: the audit log names
// "seed" as their author.
var actor = users.System("seed")

// Apply writes the parsed seed data to the store. Listings missing from the
// store are created; identical ones are left alone, so a second run writes
// nothing; differing ones are kept unless opts.Overwrite.
func Apply(ctx context.Context, st *services.Store, d *Data, opts Options) (Report, error) {
	var r Report
	n, err := st.PutMunicipalities(ctx, d.Municipalities)
	if err != nil {
		return r, fmt.Errorf("%s: %w", MunicipalitiesFile, err)
	}
	r.Municipalities = n
	for _, v := range d.Vocabularies {
		changed, err := st.PutVocabulary(ctx, v)
		if err != nil {
			return r, fmt.Errorf("%s: vocabulary %s: %w", VocabulariesFile, v.ID, err)
		}
		if changed {
			r.Updated++
		} else {
			r.Unchanged++
		}
	}
	for i := range d.Organizations {
		o := d.Organizations[i]
		err := put(ctx, &r, opts, o.ID,
			func() (services.Organization, error) { return st.Organization(ctx, o.ID) },
			func() error { return st.CreateOrganization(ctx, &o) },
			func(old services.Organization) error { o.Version = old.Version; return st.UpdateOrganization(ctx, &o) },
			func(old services.Organization) bool {
				old.Meta = o.Meta
				old.ReviewBy = o.ReviewBy
				return same(old, o)
			}, nil)
		if err != nil {
			return r, fmt.Errorf("%s: organization %s: %w", OrganizationsFile, o.ID, err)
		}
	}
	for i := range d.Networks {
		nw := d.Networks[i]
		err := put(ctx, &r, opts, nw.Slug,
			func() (services.Network, error) { return st.Network(ctx, nw.Slug) },
			func() error { return st.CreateNetwork(ctx, &nw) },
			func(old services.Network) error { nw.Version = old.Version; return st.UpdateNetwork(ctx, &nw) },
			func(old services.Network) bool {
				old.Meta, old.Municipalities = nw.Meta, nw.Municipalities
				return same(old, nw)
			}, nil)
		if err != nil {
			return r, fmt.Errorf("%s: network %s: %w", NetworksFile, nw.Slug, err)
		}
	}
	for i := range d.Contacts {
		c := d.Contacts[i]
		err := put(ctx, &r, opts, c.ID,
			func() (services.Contact, error) { return st.Contact(ctx, c.ID) },
			func() error { return st.Contacts.Create(ctx, actor, &c) },
			func(old services.Contact) error {
				c.Version = old.Version
				return st.Contacts.Save(ctx, actor, &c, false)
			},
			func(old services.Contact) bool { old.Meta, old.SortName = c.Meta, c.SortName; return same(old, c) },
			func() (bool, error) { return writtenOnlyBySeed(ctx, st, st.Contacts.Entity(), c.ID) })
		if err != nil {
			return r, fmt.Errorf("%s: contact %s: %w", ContactsFile, c.ID, err)
		}
	}
	for i := range d.Services {
		s := d.Services[i]
		err := put(ctx, &r, opts, s.ID,
			func() (services.Service, error) { return st.Service(ctx, s.ID) },
			func() error { return st.Services.Create(ctx, actor, &s) },
			func(old services.Service) error {
				s.Version = old.Version
				return st.Services.Save(ctx, actor, &s, false)
			},
			func(old services.Service) bool {
				old.Meta, old.SortName, old.National = s.Meta, s.SortName, s.National
				return same(old, s)
			},
			func() (bool, error) { return writtenOnlyBySeed(ctx, st, st.Services.Entity(), s.ID) })
		if err != nil {
			return r, fmt.Errorf("%s: service %s: %w", ServicesFile, s.ID, err)
		}
	}
	if err := applyConsultation(ctx, st, d, opts, &r); err != nil {
		return r, err
	}
	if err := applyPathways(ctx, st, d, opts, &r); err != nil {
		return r, err
	}
	return r, nil
}

// put creates, updates or keeps one listing.
func put[T any](ctx context.Context, r *Report, opts Options, id string,
	get func() (T, error), create func() error, update func(T) error, equal func(T) bool,
	seedOnly func() (bool, error)) error {
	old, err := get()
	switch {
	case apperr.Is(err, apperr.NotFound):
		if err := create(); err != nil {
			return err
		}
		r.Created++
		return nil
	case err != nil:
		return err
	case equal(old):
		r.Unchanged++
		return nil
	case !opts.Overwrite:
		// A listing nobody but the seed has written follows a newer seed
		// file: updating it overwrites no one's work.
		mine := false
		if seedOnly != nil {
			if mine, err = seedOnly(); err != nil {
				return err
			}
		}
		if !mine {
			r.Kept++
			return nil
		}
	}
	if err := update(old); err != nil {
		return err
	}
	r.Updated++
	return nil
}

// same compares two listings by their JSON form, which is what a user sees.
func same(a, b any) bool {
	x, err1 := jsonOf(a)
	y, err2 := jsonOf(b)
	return err1 == nil && err2 == nil && x == y
}
