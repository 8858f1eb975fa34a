package ptvtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/ptv/ptvtest"
)

func get(t *testing.T, srv *ptvtest.Server, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(srv.URL() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

type page struct {
	PageNumber, PageSize, PageCount int
	ItemList                        []json.RawMessage
}

func TestServer(t *testing.T) {
	srv := ptvtest.NewServer(ptvtest.WeekLater())
	defer srv.Close()
	var manyIDs []string
	for range 101 {
		manyIDs = append(manyIDs, ptvtest.ServiceKriisi)
	}
	many := strings.Join(manyIDs, ",")
	tests := []struct {
		path    string
		status  int
		items   int    // -1: not a page; -2: itemList null
		bodyHas string // substring of the body
	}{
		{"Service", 200, 5, ""},
		{"Service?status=Archived", 200, 1, ptvtest.ServiceVertais},
		{"Service?status=Withdrawn", 200, 1, ptvtest.ServiceChat},
		{"Service?status=Deleted", 400, -1, `"status"`},
		// date is strict: modified > date; connection changes count.
		{"Service?date=2026-11-09T08:00:00", 200, -2, ""},
		{"Service?date=2026-11-09T07:59:59", 200, 3, ptvtest.ServiceNuoret},
		{"Service?dateBefore=2026-11-02T08:00:00", 200, 3, ""},
		{"Service?date=2026-11-09", 400, -1, `"date"`},
		{"Service?page=2", 200, -2, ""},
		{"Service?page=-1", 400, -1, `"page"`},
		{"Service/list?guids=" + ptvtest.ServiceKriisi + "," + ptvtest.ServiceVertais, 200, -1, ptvtest.ServiceKriisi},
		{"Service/list?guids=" + ptvtest.ServiceVertais, 404, -1, "errorMessage"},
		{"Service/list", 400, -1, `"guids"`},
		{"Service/list?guids=nope", 400, -1, "32 digits"},
		{"Service/" + ptvtest.ServiceKriisi, 200, -1, `"serviceChannels"`},
		{"Service/" + ptvtest.ServiceVertais, 404, -1, "errorMessage"},
		{"Service/00000000-0000-0000-0000-000000000000", 500, -1, "errorMessage"},
		{"Service/nope", 400, -1, "32 digits"},
		{"Service/list/area/Municipality/code/853?includeWholeCountry=false", 200, 2, ptvtest.ServiceTerapia},
		{"Service/list/area/Municipality/code/853?includeWholeCountry=true", 200, 3, ptvtest.ServiceKriisi},
		{"Service/list/area/Municipality/code/abc", 400, -1, `"code"`},
		{"Service/list/organization?organizationId=" + ptvtest.OrgTestikyla, 200, 1, ptvtest.ServicePerhe},
		{"Service/list/organization?organizationId=nope", 500, -1, "errorMessage"},
		{"ServiceChannel/" + ptvtest.ChannelTerapia, 200, -1, `"Phone"`},
		{"Organization/list?guids=" + ptvtest.OrgTestikyla, 200, -1, "Testikylän kaupunki"},
		{"Service/list?guids=" + many, 200, -1, ""}, // 101 ids, one found: counted after lookup
	}
	for _, tt := range tests {
		name := tt.path
		if len(name) > 80 {
			name = name[:80]
		}
		t.Run(name, func(t *testing.T) {
			status, body := get(t, srv, tt.path)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if !strings.Contains(body, tt.bodyHas) {
				t.Errorf("body does not hold %q: %s", tt.bodyHas, body)
			}
			if tt.items == -1 {
				return
			}
			var p page
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				t.Fatal(err)
			}
			if tt.items == -2 {
				if !strings.Contains(body, `"itemList":null`) {
					t.Errorf("itemList is not null: %s", body)
				}
				return
			}
			if len(p.ItemList) != tt.items {
				t.Errorf("%d items, want %d: %s", len(p.ItemList), tt.items, body)
			}
		})
	}
}

// Åland municipalities are not covered by NationwideExceptAlandIslands.
func TestServerAland(t *testing.T) {
	srv := ptvtest.NewServer(ptvtest.Now())
	defer srv.Close()
	_, body := get(t, srv, "Service/list/area/Municipality/code/478?includeWholeCountry=true")
	if !strings.Contains(body, ptvtest.ServiceKriisi) || strings.Contains(body, ptvtest.ServiceChat) {
		t.Errorf("Åland's list: want the nationwide service and not the except-Åland one: %s", body)
	}
}

func TestServerTooManyGuids(t *testing.T) {
	ds := ptvtest.Synthetic(101)
	srv := ptvtest.NewServer(ds)
	defer srv.Close()
	ids := func(kind string, raws []json.RawMessage) string {
		var out []string
		for _, r := range raws[:101] {
			var v struct{ ID string }
			_ = json.Unmarshal(r, &v)
			out = append(out, v.ID)
		}
		return kind + "/list?guids=" + strings.Join(out, ",")
	}
	if status, _ := get(t, srv, ids("Service", ds.Services)); status != 500 {
		t.Errorf("101 services: status %d, want 500", status)
	}
	if status, body := get(t, srv, ids("ServiceChannel", ds.Channels)); status != 400 || !strings.Contains(body, "TooManyItems") {
		t.Errorf("101 channels: status %d, want 400 TooManyItems: %s", status, body)
	}
}

func TestServerPagingAndFaults(t *testing.T) {
	srv := ptvtest.NewServer(ptvtest.Now())
	defer srv.Close()
	srv.SetPageSize(4)
	_, body := get(t, srv, "Service?page=2")
	var p page
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	if p.PageCount != 2 || p.PageSize != 4 || len(p.ItemList) != 2 {
		t.Errorf("page 2 of 6 services by 4: %+v", p)
	}
	_, body = get(t, srv, "Service?page=0")
	if !strings.Contains(body, `"pageCount":0`) {
		t.Errorf("page=0: %s", body)
	}

	srv.Inject("Service?", 2, ptvtest.Fault{Status: 429, RetryAfter: "3"})
	for range 2 {
		resp, err := http.Get(srv.URL() + "Service?page=1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" {
			t.Errorf("status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	if status, _ := get(t, srv, "Service?page=1"); status != 200 {
		t.Errorf("after the faults: %d", status)
	}
	srv.Inject("Service/", 1, ptvtest.Fault{Close: true})
	// A fresh connection: Go's transport silently retries a GET whose
	// reused keep-alive connection closes.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if _, err := fresh.Get(srv.URL() + "Service/" + ptvtest.ServiceKriisi); err == nil {
		t.Error("dropped connection gave no error")
	}
	if n := srv.Count("Service?"); n != 5 {
		t.Errorf("counted %d Service? requests, want 5", n)
	}
}
