package services

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/serie-verkosto/directory/internal/db"
)

// Summary is the part of a service that matching by place and criteria
// needs: its area, its terms and the facts a referral can require. It is a
// small fraction of a Service, so that a matcher can hold every service in
// memory (see internal/pathways).
type Summary struct {
	ID               string          `db:"id"`
	SortName         string          `db:"sort_name"`
	Status           string          `db:"status"`
	Anonymous        *bool           `db:"anonymous"`
	ReferralRequired *bool           `db:"referral_required"`
	Area             Area            `db:"area"` // municipalities as codes
	TargetGroups     db.List[string] `db:"target_groups"`
	ServiceTypes     db.List[string] `db:"service_types"`
	DeliveryModes    db.List[string] `db:"delivery_modes"`
	AgeMin           *int            `db:"age_min"`
	AgeMax           *int            `db:"age_max"`
	Languages        db.List[string] `db:"languages"`
	VerifiedAt       *time.Time      `db:"verified_at"`
}

const selectSummary = `SELECT id, sort_name, status, anonymous, referral_required, area, target_groups,
	service_types, delivery_modes, age_min, age_max, languages, verified_at FROM services`

// Summaries returns the summaries of the services with the given ids
// (missing ones are left out), or of every service when ids is nil. The
// order is unspecified.
func (s *Store) Summaries(ctx context.Context, ids []string) ([]Summary, error) {
	var list []Summary
	if ids == nil {
		if err := s.db.SelectContext(ctx, &list, selectSummary); err != nil {
			return nil, fmt.Errorf("service summaries: %w", err)
		}
		return list, nil
	}
	// Chunks keep the IN list under both databases' parameter limits.
	const chunk = 5000
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		q, args, err := sqlx.In(selectSummary+` WHERE id IN (?)`, ids[:n])
		if err != nil {
			return nil, err
		}
		var part []Summary
		if err := s.db.SelectContext(ctx, &part, s.db.Rebind(q), args...); err != nil {
			return nil, fmt.Errorf("service summaries: %w", err)
		}
		list = append(list, part...)
		ids = ids[n:]
	}
	return list, nil
}
