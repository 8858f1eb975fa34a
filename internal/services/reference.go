package services

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
)

// Municipalities is the loaded municipality list with lookups by code and
// by Finnish or Swedish name, case-insensitively.
type Municipalities struct {
	List     []Municipality // sorted by Finnish name
	byCode   map[string]Municipality
	byName   map[string]Municipality
	Counties []County // sorted by Finnish name
}

// County is a wellbeing services county (or Helsinki, or Åland, which the
// classification lists alongside them).
type County struct {
	Slug string    `json:"slug"`
	Name l10n.Text `json:"name"`
}

// NewMunicipalityIndex indexes a municipality list for lookups.
func NewMunicipalityIndex(list []Municipality) *Municipalities { return newMunicipalities(list) }

func newMunicipalities(list []Municipality) *Municipalities {
	list = append([]Municipality(nil), list...)
	m := &Municipalities{List: list, byCode: map[string]Municipality{}, byName: map[string]Municipality{}}
	seen := map[string]bool{}
	for _, x := range list {
		m.byCode[x.Code] = x
		m.byName[strings.ToLower(x.NameFI)] = x
		m.byName[strings.ToLower(x.NameSV)] = x
		if !seen[x.CountySlug] {
			seen[x.CountySlug] = true
			m.Counties = append(m.Counties, County{Slug: x.CountySlug, Name: l10n.Text{FI: x.CountyFI, SV: x.CountySV}})
		}
	}
	sort.Slice(m.List, func(i, j int) bool { return m.List[i].NameFI < m.List[j].NameFI })
	sort.Slice(m.Counties, func(i, j int) bool { return m.Counties[i].Name.FI < m.Counties[j].Name.FI })
	return m
}

// Lookup finds a municipality by three-digit code or by its Finnish or
// Swedish name.
func (m *Municipalities) Lookup(ref string) (Municipality, bool) {
	ref = strings.TrimSpace(ref)
	if x, ok := m.byCode[ref]; ok {
		return x, true
	}
	x, ok := m.byName[strings.ToLower(ref)]
	return x, ok
}

// County returns the county with the slug, and whether it exists.
func (m *Municipalities) County(slug string) (County, bool) {
	for _, c := range m.Counties {
		if c.Slug == slug {
			return c, true
		}
	}
	return County{}, false
}

// InCounty returns the codes of the county's municipalities.
func (m *Municipalities) InCounty(slug string) []string {
	var codes []string
	for _, x := range m.List {
		if x.CountySlug == slug {
			codes = append(codes, x.Code)
		}
	}
	return codes
}

// CountySlug derives a county's slug from its Finnish name:
// "Pirkanmaan hyvinvointialue" -> "pirkanmaan-hyvinvointialue".
func CountySlug(nameFI string) string {
	r := strings.NewReplacer("ä", "a", "ö", "o", "å", "a", "Ä", "a", "Ö", "o", "Å", "a", " ", "-")
	return strings.ToLower(r.Replace(strings.TrimSpace(nameFI)))
}

// Municipality resolves a code or a Finnish or Swedish name. Unknown names
// are an Invalid error (they come from user input).
func (s *Store) Municipality(ctx context.Context, ref string) (Municipality, error) {
	m, err := s.Municipalities(ctx)
	if err != nil {
		return Municipality{}, err
	}
	x, ok := m.Lookup(ref)
	if !ok {
		return Municipality{}, apperr.Keyed(apperr.Invalid, "err.unknown_municipality_ref", "unknown municipality %q: give a three-digit code or a Finnish or Swedish name", ref)
	}
	return x, nil
}

// PutMunicipalities inserts or updates the classification. It returns how
// many rows changed, so loading the same file twice changes nothing.
func (s *Store) PutMunicipalities(ctx context.Context, list []Municipality) (int, error) {
	var existing []Municipality
	if err := s.db.SelectContext(ctx, &existing, `SELECT code, name_fi, name_sv, county_slug, county_fi, county_sv, region_fi FROM municipalities`); err != nil {
		return 0, fmt.Errorf("load municipalities: %w", err)
	}
	have := map[string]Municipality{}
	for _, x := range existing {
		have[x.Code] = x
	}
	changed := 0
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		for _, x := range list {
			if old, ok := have[x.Code]; ok && old == x {
				continue
			}
			changed++
			_, err := tx.NamedExecContext(ctx, `INSERT INTO municipalities (code, name_fi, name_sv, county_slug, county_fi, county_sv, region_fi)
				VALUES (:code, :name_fi, :name_sv, :county_slug, :county_fi, :county_sv, :region_fi)
				ON CONFLICT (code) DO UPDATE SET name_fi = excluded.name_fi, name_sv = excluded.name_sv,
				county_slug = excluded.county_slug, county_fi = excluded.county_fi, county_sv = excluded.county_sv, region_fi = excluded.region_fi`, x)
			if err != nil {
				return fmt.Errorf("municipality %s: %w", x.Code, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.forget()
	return changed, nil
}

func (s *Store) loadVocabularies(ctx context.Context) (*Vocabularies, error) {
	var vocabs []Vocabulary
	if err := s.db.SelectContext(ctx, &vocabs, `SELECT id, name, position FROM vocabularies ORDER BY position, id`); err != nil {
		return nil, fmt.Errorf("load vocabularies: %w", err)
	}
	var terms []Term
	if err := s.db.SelectContext(ctx, &terms, `SELECT vocabulary, id, name, description, position FROM terms ORDER BY vocabulary, position, id`); err != nil {
		return nil, fmt.Errorf("load terms: %w", err)
	}
	for i := range vocabs {
		for _, t := range terms {
			if t.Vocabulary == vocabs[i].ID {
				vocabs[i].Terms = append(vocabs[i].Terms, t)
			}
		}
	}
	return NewVocabularies(vocabs), nil
}

// PutVocabulary replaces a vocabulary and its terms when they differ from
// what is stored, and reports whether anything changed. Terms still used
// by listings may be relabelled but not removed.
func (s *Store) PutVocabulary(ctx context.Context, v Vocabulary) (bool, error) {
	var fs apperr.Fields
	checkID(&fs, "id", strings.ReplaceAll(v.ID, "_", "-"))
	CheckText(&fs, "name", v.Name, true, 200)
	seen := map[string]bool{}
	for i := range v.Terms {
		t := &v.Terms[i]
		t.Vocabulary, t.Position = v.ID, i
		checkID(&fs, fmt.Sprintf("terms[%d].id", i), t.ID)
		CheckText(&fs, fmt.Sprintf("terms[%d].name", i), t.Name, true, 200)
		CheckText(&fs, fmt.Sprintf("terms[%d].description", i), t.Description, false, 1000)
		if seen[t.ID] {
			fs.Add(fmt.Sprintf("terms[%d].id", i), "err.duplicate", "%q is listed twice", t.ID)
		}
		seen[t.ID] = true
	}
	if err := fs.Err(); err != nil {
		return false, err
	}
	all, err := s.loadVocabularies(ctx)
	if err != nil {
		return false, err
	}
	if old, ok := all.Vocabulary(v.ID); ok && sameVocabulary(old, v) {
		return false, nil
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		old, _ := all.Vocabulary(v.ID)
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO vocabularies (id, name, position) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, position = excluded.position`), v.ID, v.Name, v.Position); err != nil {
			return fmt.Errorf("vocabulary %s: %w", v.ID, err)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM terms WHERE vocabulary = ?`), v.ID); err != nil {
			return fmt.Errorf("vocabulary %s: %w", v.ID, err)
		}
		for _, t := range v.Terms {
			if _, err := tx.NamedExecContext(ctx, `INSERT INTO terms (vocabulary, id, name, description, position)
				VALUES (:vocabulary, :id, :name, :description, :position)`, t); err != nil {
				return fmt.Errorf("vocabulary %s term %s: %w", v.ID, t.ID, err)
			}
		}
		var before any
		if old.ID != "" {
			before = old
		}
		return tx.Record(ctx, EntityVocabulary, v.ID, "put", before, v)
	})
	s.forget()
	return err == nil, err
}

func sameVocabulary(a, b Vocabulary) bool {
	if a.Name != b.Name || a.Position != b.Position || len(a.Terms) != len(b.Terms) {
		return false
	}
	for i := range a.Terms {
		x, y := a.Terms[i], b.Terms[i]
		if x.ID != y.ID || x.Name != y.Name || x.Description != y.Description {
			return false
		}
	}
	return true
}
