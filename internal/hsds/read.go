package hsds

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/transform"
)

// Reading HSDS: a file, a directory of files or an HSDS API. A file is one
// JSON document (a service, an organization, ...), an array of them, an
// HSDS page ({"contents": [...]}) or an export ({"services": [...],
// "organizations": [...], ...}). Files are read as a stream, one document
// at a time.

// MaxInputBytes bounds what one file of an import reads (a variable so
// that a test can try the bound without a gigabyte).
var MaxInputBytes int64 = 1 << 30

// Dataset is what an import read.
type Dataset struct {
	Services      []Service
	Organizations []Organization
	// Where says where each service was read ("services.json: services[3]").
	Where map[string]string
	// Duplicates are the ids given twice in one file, with where.
	Duplicates []string

	file  map[string]string // id -> the file it was read from
	index map[string]int    // id -> its place in Services
}

// addService keeps a service. The same id twice in one file is an error
// (Duplicates); in two files (a list and a full document, as the official
// examples have) the fuller document is kept.
func (d *Dataset) addService(s Service, file, where string) {
	if d.Where == nil {
		d.Where, d.file, d.index = map[string]string{}, map[string]string{}, map[string]int{}
	}
	i, seen := d.index[s.ID]
	switch {
	case !seen:
		d.index[s.ID], d.Where[s.ID], d.file[s.ID] = len(d.Services), where, file
		d.Services = append(d.Services, s)
	case d.file[s.ID] == file:
		d.Duplicates = append(d.Duplicates, where+": service id "+s.ID+" is also at "+d.Where[s.ID])
	case size(s) > size(d.Services[i]):
		d.Services[i], d.Where[s.ID], d.file[s.ID] = s, where, file
	}
}

func size(s Service) int {
	b, _ := json.Marshal(s)
	return len(b)
}

// InputError is a fault of the input, named by where it is.
type InputError struct {
	Where string
	Err   error
}

func (e *InputError) Error() string { return e.Where + ": " + e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(where string, format string, args ...any) error {
	return &InputError{Where: where, Err: fmt.Errorf(format, args...)}
}

// Read reads src: an http(s) URL of an HSDS API, a directory, or a file.
func Read(ctx context.Context, src string, client *http.Client) (*Dataset, error) {
	ds := &Dataset{}
	if u, err := url.Parse(src); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		// The API's base, however given: ".../hsds/v3", ".../v3/",
		// ".../v3/services".
		u.RawQuery, u.Fragment = "", ""
		u.Path = strings.TrimSuffix(u.Path, "/")
		for _, list := range []string{"/services", "/organizations"} {
			u.Path = strings.TrimSuffix(u.Path, list)
		}
		return ds, readAPI(ctx, client, u.String(), ds)
	}
	fi, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return ds, readFile(src, filepath.Base(src), ds)
	}
	names, err := filepath.Glob(filepath.Join(src, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, inputErr(src, "no .json files")
	}
	slices.Sort(names)
	for _, n := range names {
		if err := readFile(n, filepath.Base(n), ds); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

func readFile(path, name string, ds *Dataset) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return ReadJSON(f, name, ds)
}

// ReadJSON reads one JSON text into ds; name says where it came from in
// errors.
func ReadJSON(r io.Reader, name string, ds *Dataset) error {
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3) // a UTF-8 byte order mark, as spreadsheet tools write
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return inputErr(name, "the file is UTF-16; save it as UTF-8")
	}
	limited := &limitReader{r: br, left: MaxInputBytes}
	dec := json.NewDecoder(transform.NewReader(limited, encoding.UTF8Validator))
	dec.UseNumber()
	err := readValue(dec, name, ds)
	if err == nil {
		if _, end := dec.Token(); end != io.EOF {
			err = inputErr(name, "more than one JSON value")
		}
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errTooBig):
		return inputErr(name, "larger than %d bytes (%d MiB): split it into several files", MaxInputBytes, MaxInputBytes>>20)
	case errors.Is(err, encoding.ErrInvalidUTF8):
		return inputErr(name, "not UTF-8 (at about byte %d); save it as UTF-8", dec.InputOffset())
	}
	var ie *InputError
	if errors.As(err, &ie) {
		return err
	}
	return inputErr(name, "not valid JSON (at byte %d): %v", dec.InputOffset(), err)
}

var errTooBig = errors.New("input too large")

type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errTooBig
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// lists are the keys whose arrays hold documents, streamed one at a time.
var lists = map[string]string{"services": "service", "organizations": "organization", "contents": "",
	"taxonomies": "taxonomy", "taxonomy_terms": "taxonomy_term", "service_at_locations": "service_at_location"}

// readValue reads the top-level value: a document, an array of them, or
// an object of arrays.
func readValue(dec *json.Decoder, name string, ds *Dataset) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('['):
		return readArray(dec, name, "", ds)
	case json.Delim('{'):
	default:
		return inputErr(name, "want a JSON object or array, not %v", tok)
	}
	// An object: its list keys are streamed; the rest is kept to classify
	// the object itself when it is one document.
	doc := map[string]json.RawMessage{}
	streamed := false
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := kt.(string)
		// An object with an id is one document (a service holds its
		// service_at_locations); an export or a page has none.
		if kind, ok := lists[key]; ok && !has(doc, "id") && peekArray(dec) {
			if _, err := dec.Token(); err != nil {
				return err
			}
			if err := readArray(dec, name+": "+key, kind, ds); err != nil {
				return err
			}
			streamed = true
			continue
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		doc[key] = v
	}
	if _, err := dec.Token(); err != nil { // }
		return err
	}
	if streamed {
		return nil
	}
	b, _ := json.Marshal(doc)
	return addDoc(b, "", file(name), name, ds)
}

// peekArray reports whether the next value is an array. The decoder
// cannot peek, so it is decided by the buffered text.
func peekArray(dec *json.Decoder) bool {
	rest, _ := io.ReadAll(io.LimitReader(dec.Buffered(), 64))
	rest = bytes.TrimLeft(rest, " \t\r\n:")
	return len(rest) > 0 && rest[0] == '['
}

func readArray(dec *json.Decoder, name, kind string, ds *Dataset) error {
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if err := addDoc(raw, kind, file(name), fmt.Sprintf("%s[%d]", name, i), ds); err != nil {
			return err
		}
	}
	_, err := dec.Token() // ]
	return err
}

// addDoc classifies one document (by kind, or by its fields) and keeps the
// services and organizations, with the services an organization holds and
// the organization a service names.
func addDoc(raw json.RawMessage, kind, file, where string, ds *Dataset) error {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.TrimSpace(raw)[0] != '{' {
		return inputErr(where, "not a JSON object")
	}
	if kind == "" {
		// Only a document of no known list is classified by its fields.
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(raw, &keys); err != nil {
			return inputErr(where, "not a JSON object")
		}
		switch {
		case has(keys, "status") || has(keys, "service_at_locations"):
			kind = "service"
		case has(keys, "location_type"):
			kind = "location"
		case has(keys, "taxonomy") || has(keys, "taxonomy_id"):
			kind = "taxonomy_term"
		case has(keys, "service") || has(keys, "service_id") && has(keys, "location_id"):
			kind = "service_at_location"
		case has(keys, "name") && has(keys, "description") && !has(keys, "version"):
			kind = "organization"
		default:
			kind = "other"
		}
	}
	switch kind {
	case "service":
		var s Service
		if err := json.Unmarshal(raw, &s); err != nil {
			return inputErr(where, "not an HSDS service: %v", err)
		}
		if s.ID == "" || s.Name == "" {
			return inputErr(where, "a service needs an id and a name")
		}
		if s.Organization != nil {
			ds.Organizations = append(ds.Organizations, *s.Organization)
			if s.OrganizationID == "" {
				s.OrganizationID = s.Organization.ID
			}
		}
		ds.addService(s, file, where)
	case "organization":
		var o Organization
		if err := json.Unmarshal(raw, &o); err != nil {
			return inputErr(where, "not an HSDS organization: %v", err)
		}
		if o.ID == "" || o.Name == "" {
			return inputErr(where, "an organization needs an id and a name")
		}
		for i, s := range o.Services {
			if s == nil || s.ID == "" || s.Name == "" {
				return inputErr(fmt.Sprintf("%s: services[%d]", where, i), "a service needs an id and a name")
			}
			if s.OrganizationID == "" {
				s.OrganizationID = o.ID
			}
			ds.addService(*s, file, fmt.Sprintf("%s: services[%d]", where, i))
		}
		o.Services = nil
		ds.Organizations = append(ds.Organizations, o)
	case "service_at_location":
		var sal ServiceAtLocation
		if err := json.Unmarshal(raw, &sal); err == nil && sal.Service != nil && sal.Service.ID != "" && sal.Service.Name != "" {
			s := *sal.Service
			if sal.Location != nil {
				s.ServiceAtLocations = append(s.ServiceAtLocations, ServiceAtLocation{ID: sal.ID, Location: sal.Location})
			}
			ds.addService(s, file, where)
		}
	}
	// Taxonomies, terms and bare locations inform nothing a service does
	// not carry itself: a service's attributes hold their terms.
	return nil
}

// file is the file part of a name ("services.json: services").
func file(name string) string {
	f, _, _ := strings.Cut(name, ":")
	return f
}

func has(m map[string]json.RawMessage, k string) bool { _, ok := m[k]; return ok }

// readAPI reads every service and organization of an HSDS API, page by
// page.
func readAPI(ctx context.Context, client *http.Client, base string, ds *Dataset) error {
	if client == nil {
		client = http.DefaultClient
	}
	for _, list := range []string{"organizations", "services"} {
		for page := 1; ; page++ {
			u := fmt.Sprintf("%s/%s?page=%d&per_page=%d", base, list, page, MaxPerPage)
			if list == "services" {
				u += "&full=true"
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				return err
			}
			req.Header.Set("Accept", "application/json")
			res, err := client.Do(req)
			if err != nil {
				return fmt.Errorf("read %s: %w", u, err)
			}
			var p Page[json.RawMessage]
			if res.StatusCode != http.StatusOK {
				res.Body.Close()
				return inputErr(u, "the API answered %s", res.Status)
			}
			err = json.NewDecoder(io.LimitReader(res.Body, MaxInputBytes)).Decode(&p)
			res.Body.Close()
			if err != nil {
				return inputErr(u, "not an HSDS page: %v", err)
			}
			for i, raw := range p.Contents {
				if err := addDoc(raw, list[:len(list)-1], base, fmt.Sprintf("%s [%d]", u, i), ds); err != nil {
					return err
				}
			}
			if p.LastPage || len(p.Contents) == 0 || page >= p.TotalPages {
				break
			}
		}
	}
	return nil
}
