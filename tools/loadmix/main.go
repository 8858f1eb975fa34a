// Command loadmix runs searches, page views and edits against a running
// directory together for a while and reports, per kind, how many ran, how
// many failed (a 5xx or no answer; an edit's 409 is another editor's
// save, counted apart) and the p50 and p99 latency.
//
//	directory user add --email kuorma@example.fi --name Kuorma --role editor --network pirkanmaa <<< 'pitkä salasana tähän'
//	go run ./tools/loadmix -url http://127.0.0.1:8080 -email kuorma@example.fi -password 'pitkä salasana tähän' -network pirkanmaa
//
// Without -email it runs searches and pages only.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

var queries = []string{"terapia", "lastensuojelu", "perheneuvola", "seksuaaliterapia Oulussa", "nuorisopsykiatria Tampere",
	"kriisi", "lastensuojleu", "perhene", "rikosuhrien tuki", "family counselling", "barnskydd", "päihdepalvelut"}

var pages = []string{"/", "/services?municipality=837", "/services?municipality=564", "/networks/pirkanmaa", "/help",
	"/pathways", "/services/serie-tukipalvelu", "/search?q=terapia"}

type stats struct {
	mu        sync.Mutex
	times     map[string][]time.Duration
	errors    map[string]int
	conflicts int
}

func (s *stats) add(kind string, d time.Duration, failed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.times[kind] = append(s.times[kind], d)
	if failed {
		s.errors[kind]++
	}
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the directory's base `URL`")
	dur := flag.Duration("duration", 60*time.Second, "how long to run")
	workers := flag.Int("c", 8, "concurrent clients (one in eight edits, with -email)")
	email := flag.String("email", "", "an editor's e-mail, to edit as well")
	password := flag.String("password", "", "the editor's password")
	network := flag.String("network", "pirkanmaa", "the editor's network, for the services it edits")
	flag.Parse()
	st := &stats{times: map[string][]time.Duration{}, errors: map[string]int{}}
	stop := time.Now().Add(*dur)
	var wg sync.WaitGroup
	for w := range *workers {
		editor := *email != "" && w%8 == 7
		wg.Go(func() {
			if editor {
				if err := edit(*base, *email, *password, *network, w, stop, st); err != nil {
					fmt.Fprintln(os.Stderr, "loadmix: editor:", err)
				}
				return
			}
			browse(*base, stop, st, w)
		})
	}
	wg.Wait()
	fmt.Printf("%s against %s, %d clients\n", *dur, *base, *workers)
	for _, kind := range []string{"search", "page", "edit"} {
		ts := st.times[kind]
		if len(ts) == 0 {
			continue
		}
		slices.Sort(ts)
		fmt.Printf("  %-6s %7d requests  %4d failed  p50 %7.2f ms  p99 %7.2f ms\n", kind, len(ts), st.errors[kind],
			ms(ts[len(ts)/2]), ms(ts[min(len(ts)-1, len(ts)*99/100)]))
	}
	if st.conflicts > 0 {
		fmt.Printf("  edits refused as stale (409, another editor saved first): %d\n", st.conflicts)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func browse(base string, stop time.Time, st *stats, seed int) {
	r := rand.New(rand.NewPCG(uint64(seed), 1))
	c := &http.Client{Timeout: 30 * time.Second}
	for time.Now().Before(stop) {
		kind, path := "page", pages[r.IntN(len(pages))]
		if r.IntN(10) < 7 {
			kind, path = "search", "/api/v1/search?q="+url.QueryEscape(queries[r.IntN(len(queries))])
		}
		start := time.Now()
		resp, err := c.Get(base + path)
		failed := err != nil
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			failed = resp.StatusCode >= 500
		}
		st.add(kind, time.Since(start), failed)
	}
}

// edit logs in, creates a service of its own in the network and saves it
// again and again through the API, each time at the version it read.
func edit(base, email, password, network string, w int, stop time.Time, st *stats) error {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("login: %s", resp.Status)
	}
	id := fmt.Sprintf("kuormatesti-%d-%d", w, time.Now().Unix())
	svc := map[string]any{"id": id, "name": map[string]string{"fi": "Kuormatesti " + id}, "target_groups": []string{"suspected"},
		"service_types": []string{"counselling"}, "area": map[string]any{"networks": []string{network}}, "status": "active"}
	if code, _, err := send(c, http.MethodPost, base+"/api/v1/services", svc, ""); err != nil || code != http.StatusCreated {
		return fmt.Errorf("create %s: %d %v", id, code, err)
	}
	for i := 0; time.Now().Before(stop); i++ {
		start := time.Now()
		code, body, err := send(c, http.MethodGet, base+"/api/v1/services/"+id, nil, "")
		var cur map[string]any
		if err == nil && code == http.StatusOK {
			err = json.Unmarshal(body, &cur)
		}
		if err != nil || code != http.StatusOK {
			st.add("edit", time.Since(start), true)
			continue
		}
		cur["description"] = map[string]string{"fi": fmt.Sprintf("Kuvaus %d", i)}
		code, _, err = send(c, http.MethodPut, base+"/api/v1/services/"+id, cur, fmt.Sprintf(`"%v"`, cur["version"]))
		if code == http.StatusConflict {
			st.mu.Lock()
			st.conflicts++
			st.mu.Unlock()
		}
		st.add("edit", time.Since(start), err != nil || code >= 500)
	}
	return nil
}

func send(c *http.Client, method, u string, v any, ifMatch string) (int, []byte, error) {
	var body io.Reader
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return 0, nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return 0, nil, err
	}
	if v != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", strings.TrimSpace(ifMatch))
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
