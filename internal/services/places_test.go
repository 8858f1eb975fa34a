package services_test

import (
	"context"
	"testing"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// The places of services are counted and named by the database, in both
// dialects, archived services left out.
func TestPlaceCountsAndKeys(t *testing.T) {
	seedtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := services.NewStore(d)
		before, err := st.PlaceCounts(ctx, services.ServiceFilter{})
		if err != nil {
			t.Fatal(err)
		}
		s := fullService("test-paikat")
		s.Locations = append(s.Locations, services.Location{Name: l10n.T("Toinen", "", ""), Municipality: "837"})
		if err := st.Services.Create(ctx, users.System("test"), s); err != nil {
			t.Fatal(err)
		}
		counts, err := st.PlaceCounts(ctx, services.ServiceFilter{})
		if err != nil || len(counts) != len(before)+1 {
			t.Fatalf("%d counts (%d before): %v", len(counts), len(before), err)
		}
		for _, c := range counts {
			if c.ID == "test-paikat" && c.Count != 2 {
				t.Errorf("%d places", c.Count)
			}
		}
		keys, err := st.PlaceKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []services.PlaceKey
		for _, k := range keys {
			if k.Service == "test-paikat" {
				got = append(got, k)
			}
		}
		if len(got) != 2 || got[0].Index+got[1].Index != 1 || got[0].ID+got[1].ID != "paikka-1" {
			t.Errorf("keys %+v", got)
		}
		if _, err := st.Services.Archive(ctx, users.System("test"), "test-paikat", 1); err != nil {
			t.Fatal(err)
		}
		if counts, _ := st.PlaceCounts(ctx, services.ServiceFilter{}); len(counts) != len(before) {
			t.Errorf("an archived service's places are counted")
		}
	})
}
