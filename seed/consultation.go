package seed

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"go.yaml.in/yaml/v3"

	"github.com/serie-verkosto/directory/internal/services"
)

// ConsultationFile names each wellbeing services county's consultation
// network. Optional: without it, no county has one until an admin sets it.
const ConsultationFile = "consultation.yaml"

func (p *parser) consultationFile() []*yaml.Node {
	if _, err := fs.Stat(p.fsys, ConsultationFile); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var f struct{ Consultation []services.Consultation }
	nodes := p.yaml(ConsultationFile, "consultation", &f)
	p.data.Consultations = f.Consultation
	return nodes
}

// checkConsultation checks that every county named exists, once, with a
// known network, and that every county of municipalities.csv has one.
func (p *parser) checkConsultation(nodes []*yaml.Node) {
	d := p.data
	if nodes == nil {
		return
	}
	munis := services.NewMunicipalityIndex(d.Municipalities)
	nets := map[string]bool{}
	for _, n := range d.Networks {
		nets[n.Slug] = true
	}
	seen := map[string]int{}
	for i := range d.Consultations {
		c := &d.Consultations[i]
		item, what := itemNode(nodes, i), fmt.Sprintf("county %q", c.County)
		c.Note = c.Note.Trimmed()
		if _, ok := munis.County(c.County); !ok {
			p.add(ConsultationFile, lineOf(item, "county"), what, "unknown wellbeing services county (a county slug of %s)", MunicipalitiesFile)
		}
		if !nets[c.Network] {
			p.add(ConsultationFile, lineOf(item, "network"), what, "unknown network %q (a slug in %s)", c.Network, NetworksFile)
		}
		if prev, ok := seen[c.County]; ok {
			p.add(ConsultationFile, lineOf(item, "county"), what, "county repeats line %d", prev)
		}
		seen[c.County] = lineOf(item, "county")
	}
	for _, c := range munis.Counties {
		if _, ok := seen[c.Slug]; !ok {
			p.add(ConsultationFile, 1, "", "county %q has no consultation network", c.Slug)
		}
	}
}

func applyConsultation(ctx context.Context, st *services.Store, d *Data, opts Options, r *Report) error {
	for i := range d.Consultations {
		c := d.Consultations[i]
		err := put(ctx, r, opts, c.County,
			func() (services.Consultation, error) { return st.Consultation(ctx, c.County) },
			func() error { return st.SaveConsultation(ctx, actor.ID, &c) },
			func(old services.Consultation) error {
				c.Version = old.Version
				return st.SaveConsultation(ctx, actor.ID, &c)
			},
			func(old services.Consultation) bool { old.Meta = c.Meta; return same(old, c) },
			func() (bool, error) { return writtenOnlyBySeed(ctx, st, services.EntityConsultation, c.County) })
		if err != nil {
			return fmt.Errorf("%s: county %s: %w", ConsultationFile, c.County, err)
		}
	}
	return nil
}
