package hsds_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/serie-verkosto/directory/internal/benchtest"
	"github.com/serie-verkosto/directory/internal/hsds"
	"github.com/serie-verkosto/directory/internal/hsds/hsdstest"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// The export of the seed: every document valid HSDS 3.0, the directory
// and the stream forms holding the same documents, nothing archived.
func TestExport(t *testing.T) {
	ctx := context.Background()
	d := seedtest.SQLite(t)
	st := services.NewStore(d)
	ids, err := st.ServiceIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := hsds.Export{Store: st}
	dir := t.TempDir()
	n, err := e.ToDir(ctx, dir)
	if err != nil || n != len(ids) || n < 30 {
		t.Fatalf("exported %d of %d services: %v", n, len(ids), err)
	}
	v := hsdstest.New(t)
	files := map[string][]json.RawMessage{}
	for name, schema := range map[string]string{hsds.FileServices: "service.json", hsds.FileOrganizations: "organization.json",
		hsds.FileTaxonomies: "taxonomy.json", hsds.FileTerms: "taxonomy_term.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var docs []json.RawMessage
		if err := json.Unmarshal(b, &docs); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(docs) == 0 {
			t.Errorf("%s is empty", name)
		}
		for i, doc := range docs {
			v.Validate(t, fmt.Sprintf("%s[%d]", name, i), schema, doc)
		}
		files[name] = docs
	}
	var buf bytes.Buffer
	if n2, err := e.To(ctx, &buf); err != nil || n2 != n {
		t.Fatalf("stream: %d services, %v", n2, err)
	}
	var stream map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &stream); err != nil {
		t.Fatalf("the stream is not one JSON object: %v", err)
	}
	if string(stream["version"]) != `"3.0"` {
		t.Errorf("version %s", stream["version"])
	}
	for name, docs := range files {
		var got []json.RawMessage
		json.Unmarshal(stream[name[:len(name)-len(".json")]], &got)
		if len(got) != len(docs) {
			t.Errorf("%s: %d in the stream, %d in the file", name, len(got), len(docs))
		}
		for i := range got {
			if !bytes.Equal(got[i], docs[i]) {
				t.Errorf("%s[%d] differs between the stream and the file", name, i)
				break
			}
		}
	}
	// An archived service is not published.
	sv, err := st.Service(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Services.Archive(ctx, users.System("test"), ids[0], sv.Version); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if n3, err := e.To(ctx, &buf); err != nil || n3 != n-1 || bytes.Contains(buf.Bytes(), []byte(hsds.ID(hsds.KindService, ids[0]))) {
		t.Errorf("after archiving one: %d services, %v", n3, err)
	}
}

var (
	benchOnce  sync.Once
	benchStore *services.Store
	benchErr   error
)

// benchDirectory is the seed and benchtest.Services() synthetic services
// (DIRECTORY_BENCH_SERVICES, default 100,000), built once per run.
func benchDirectory(b *testing.B) *services.Store {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "directory-hsds-bench-")
		if err != nil {
			benchErr = err
			return
		}
		_, benchStore, benchErr = benchtest.Open(context.Background(), dir, true)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchStore
}

// BenchmarkExport reports how fast the whole directory exports:
// go test ./internal/hsds -run '^$' -bench . -benchtime 3x
func BenchmarkExport(b *testing.B) {
	ctx := context.Background()
	e := hsds.Export{Store: benchDirectory(b)}
	var n int
	var bytesOut int64
	var err error
	for b.Loop() {
		cw := &countingWriter{}
		if n, err = e.To(ctx, cw); err != nil {
			b.Fatal(err)
		}
		bytesOut = cw.n
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "services/s")
	b.ReportMetric(float64(bytesOut)/float64(max(n, 1)), "bytes/service")
}

// BenchmarkImport reports how fast an export of the whole directory
// imports into an empty one (read, checked, written in batches).
func BenchmarkImport(b *testing.B) {
	ctx := context.Background()
	var buf bytes.Buffer
	n, err := hsds.Export{Store: benchDirectory(b)}.To(ctx, &buf)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		st := emptyDirectoryB(b)
		b.StartTimer()
		ds := &hsds.Dataset{}
		if err := hsds.ReadJSON(bytes.NewReader(buf.Bytes()), "export.json", ds); err != nil {
			b.Fatal(err)
		}
		res, err := hsds.Import{Store: st}.Run(ctx, ds)
		if err != nil || res.Created != n {
			b.Fatalf("%v %v", res, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "services/s")
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)
