package hsds

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/serie-verkosto/directory/internal/services"
)

// The files of an export to a directory, each a JSON array of HSDS
// documents; to one stream they are the arrays of one object, under the
// same names without ".json".
const (
	FileServices      = "services.json"
	FileOrganizations = "organizations.json"
	FileTaxonomies    = "taxonomies.json"
	FileTerms         = "taxonomy_terms.json"
)

// exportBatch is how many services are read at once: big enough that the
// database is asked seldom, small enough to keep memory flat.
const exportBatch = 1000

// Export writes the whole public directory as HSDS 3.0. Services are full
// documents (with their organization, phones, schedules, areas, places and
// terms), streamed in batches so that memory does not grow with the
// directory. It returns how many services it wrote.
type Export struct {
	Store *services.Store
}

// arrayWriter writes one JSON array, an element at a time.
type arrayWriter struct {
	w     *bufio.Writer
	n     int
	close func() error
}

func (a *arrayWriter) add(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sep := ",\n"
	if a.n == 0 {
		sep = "[\n"
	}
	a.n++
	if _, err := a.w.WriteString(sep); err != nil {
		return err
	}
	_, err = a.w.Write(b)
	return err
}

func (a *arrayWriter) end() error {
	s := "\n]"
	if a.n == 0 {
		s = "[]"
	}
	if _, err := a.w.WriteString(s); err != nil {
		return err
	}
	if err := a.w.Flush(); err != nil {
		return err
	}
	if a.close != nil {
		return a.close()
	}
	return nil
}

// ToDir writes the four files into dir (made if missing).
func (e Export) ToDir(ctx context.Context, dir string) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	open := func(name string) (*arrayWriter, error) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		return &arrayWriter{w: bufio.NewWriterSize(f, 1<<16), close: f.Close}, nil
	}
	return e.write(ctx, open, func() error { return nil })
}

// To writes one JSON object to w: {"version", "organizations",
// "taxonomies", "taxonomy_terms", "services"}.
func (e Export) To(ctx context.Context, w io.Writer) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	first := true
	open := func(name string) (*arrayWriter, error) {
		key := name[:len(name)-len(".json")]
		prefix := ",\n"
		if first {
			prefix = "{\"version\":\"" + Version + "\",\n"
			first = false
		}
		if _, err := fmt.Fprintf(bw, "%s%q: ", prefix, key); err != nil {
			return nil, err
		}
		return &arrayWriter{w: bw}, nil
	}
	return e.write(ctx, open, func() error {
		if _, err := bw.WriteString("}\n"); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// writeList writes a list small enough to hold whole as one array.
func writeList[T any](open func(name string) (*arrayWriter, error), name string, items []T) error {
	aw, err := open(name)
	if err != nil {
		return err
	}
	for _, x := range items {
		if err := aw.add(x); err != nil {
			return err
		}
	}
	return aw.end()
}

func (e Export) write(ctx context.Context, open func(name string) (*arrayWriter, error), done func() error) (int, error) {
	sref, err := e.Store.Reference(ctx)
	if err != nil {
		return 0, err
	}
	ref := Ref{sref}
	if err := writeList(open, FileOrganizations, ref.Organizations()); err != nil {
		return 0, err
	}
	if err := writeList(open, FileTaxonomies, ref.Taxonomies()); err != nil {
		return 0, err
	}
	if err := writeList(open, FileTerms, ref.Terms()); err != nil {
		return 0, err
	}
	aw, err := open(FileServices)
	if err != nil {
		return 0, err
	}
	ids, err := e.Store.ServiceIDs(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for from := 0; from < len(ids); from += exportBatch {
		list, err := e.Store.ServicesByID(ctx, ids[from:min(from+exportBatch, len(ids))])
		if err != nil {
			return n, err
		}
		for _, s := range list {
			if s.Status == services.StatusArchived {
				continue // archived since the ids were read
			}
			x, err := ref.FromService(s)
			if err != nil {
				return n, err
			}
			if err := aw.add(x); err != nil {
				return n, err
			}
			n++
		}
		if err := ctx.Err(); err != nil {
			return n, err
		}
	}
	if err := aw.end(); err != nil {
		return n, err
	}
	return n, done()
}
