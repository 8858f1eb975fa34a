package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/ptv/ptvtest"
	"github.com/serie-verkosto/directory/internal/ptvimport"
)

func TestImportPTV(t *testing.T) {
	for name, where := range dialects(t) {
		t.Run(name, func(t *testing.T) {
			srv := ptvtest.NewServer(ptvtest.Now())
			defer srv.Close()
			loc := where(t)
			imp := append([]string{"import", "ptv", "--ptv-url", srv.URL(), "--municipality", "Oulu", "--nationwide"}, loc...)
			// A fresh database is seeded first, then the catalogue read.
			code, out, errs := run(t, nil, "", imp...)
			if code != 0 || !strings.Contains(out, "ptv: full (first run) read") || !strings.Contains(out, "created 3, updated 0") {
				t.Fatalf("import: %d\n%s\n%s", code, out, errs)
			}
			code, out, errs = run(t, nil, "", imp...)
			if code != 0 || !strings.Contains(out, "incremental") || !strings.Contains(out, "created 0, updated 0, unchanged") {
				t.Errorf("second import: %d\n%s\n%s", code, out, errs)
			}
			code, _, errs = run(t, nil, "", append([]string{"import", "ptv", "--ptv-url", srv.URL(), "--municipality", "Atlantis"}, loc...)...)
			if code != 1 || !strings.Contains(errs, `unknown municipality "Atlantis"`) {
				t.Errorf("unknown municipality: %d %q", code, errs)
			}
			code, _, errs = run(t, nil, "", append([]string{"import", "ptv", "--ptv-url", srv.URL()}, loc...)...)
			if code != 1 || !strings.Contains(errs, "nothing to import") {
				t.Errorf("no scope: %d %q", code, errs)
			}
			code, _, errs = run(t, nil, "", append([]string{"import", "csv"}, loc...)...)
			if code != 2 || !strings.Contains(errs, "usage: directory import ptv") {
				t.Errorf("import csv: %d %q", code, errs)
			}
		})
	}
}

// TestServePTVSync imports Oulu, then serves with --ptv-sync while the
// catalogue moves a week on: the server's own sync brings the change to
// the API and the search.
func TestServePTVSync(t *testing.T) {
	srv := ptvtest.NewServer(ptvtest.Now())
	defer srv.Close()
	dir := t.TempDir()
	if code, out, errs := run(t, nil, "", "import", "ptv", "--ptv-url", srv.URL(), "--municipality", "564", "--data", dir); code != 0 {
		t.Fatalf("import: %d\n%s\n%s", code, out, errs)
	}
	// The fixtures' clock is a month behind this one: make the last full
	// read old, so that the server's first sync reads everything again.
	d, err := db.Open(context.Background(), dir+"/directory.db")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(`UPDATE import_checkpoints SET full_at = ?`, time.Now().AddDate(0, 0, -8).UTC()); err != nil {
		t.Fatal(err)
	}
	d.Close()
	srv.SetDataset(ptvtest.WeekLater())

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	errb := &syncWriter{w: &bytes.Buffer{}}
	go func() {
		env := map[string]string{"DIRECTORY_ADDR": addr, "DIRECTORY_DATA": dir, "DIRECTORY_PTV_URL": srv.URL(), "DIRECTORY_PTV_SYNC": "1h"}
		done <- Run(ctx, nil, strings.NewReader(""), io.Discard, errb, func(k string) string { return env[k] })
	}()
	defer func() {
		cancel()
		<-done
	}()
	url := "http://" + addr + "/api/v1/services/" + ptvimport.ServiceID(ptvtest.ServiceNeuvonta)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var svc struct {
			Name   map[string]string `json:"name"`
			Phones []struct {
				Number string `json:"number"`
			} `json:"phones"`
			Source struct {
				Kind, URL string
			} `json:"source"`
		}
		resp, err := http.Get(url)
		if err == nil {
			json.NewDecoder(resp.Body).Decode(&svc)
			resp.Body.Close()
		}
		if strings.Contains(svc.Name["fi"], "seksuaaliterveyteen") {
			if len(svc.Phones) == 0 || svc.Source.Kind != "ptv" || svc.Source.URL == "" {
				t.Errorf("synced service: %+v", svc)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server's sync did not bring the new name: %+v\n%s", svc, errb.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The search index follows within a second or so.
	deadline = time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/api/v1/search?q=seksuaaliterveyteen")
		if err != nil {
			t.Fatal(err)
		}
		var res struct {
			Total int `json:"total"`
		}
		json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		if res.Total > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the synced name is not found by search")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// syncWriter lets the test read what the server logs while it runs.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}
