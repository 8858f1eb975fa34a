package services_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/seed"
)

// BenchmarkSaveService measures an editor's save (one transaction: the
// row, the change log, the audit entry) on a SQLite file with each
// durability mode:
//
//	go test ./internal/services -run '^$' -bench SaveService -benchtime 300x
func BenchmarkSaveService(b *testing.B) {
	for _, mode := range []string{db.SyncFull, db.SyncNormal} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			d, err := db.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), db.Synchronous(mode))
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			if _, err := d.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			st := services.NewStore(d)
			data, err := seed.Parse(seed.Files)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := seed.Apply(db.WithActor(ctx, "seed"), st, data, seed.Options{}); err != nil {
				b.Fatal(err)
			}
			svc, err := st.Service(ctx, "serie-tukipalvelu")
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				svc.Alert = l10n.Text{FI: "Muutos " + string(rune('a'+i%26))}
				if err := st.Services.Save(ctx, admin, &svc, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
