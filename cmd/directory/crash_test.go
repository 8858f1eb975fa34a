package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestKillDuringWrites kills the program with SIGKILL while an editor's
// writes are in flight, again and again, and starts it again each time:
// every write the server acknowledged (201, or 200 with its new version)
// is there after the restart, with what was written, and the search index
// finds every one of them (the index equals the database). SQLite runs
// with the program's default durability (synchronous=FULL); PostgreSQL
// when DIRECTORY_TEST_POSTGRES is set (CI).
func TestKillDuringWrites(t *testing.T) {
	for name, where := range dialects(t) {
		t.Run(name, func(t *testing.T) {
			loc := where(t)
			addEditor(t, "crash@example.fi", loc...)
			killLoop(t, loc, 4)
		})
	}
}

// acked is what the server acknowledged: created services by id with the
// name they were given, and the last acknowledged version of the service
// one writer keeps updating, with its description.
type acked struct {
	mu      sync.Mutex
	created map[string]string
	version int
	desc    string
}

const updatedID = "kaatotesti-paivitys"

func killLoop(t *testing.T, loc []string, rounds int) {
	ctx := context.Background()
	a := &acked{created: map[string]string{}}
	var b *browser
	for round := range rounds + 1 {
		p := startProc(t, loc...)
		if b == nil {
			b = newBrowser(t, p.base)
			b.login(t, "crash@example.fi", testPassword)
			body := serviceJSON(updatedID, "Kaatotesti päivitettävä", "alku")
			if status, h, out, err := b.do(ctx, http.MethodPost, "/api/v1/services", body, nil); err != nil || status != http.StatusCreated {
				t.Fatalf("create: %d %v %s", status, err, out)
			} else {
				a.version, a.desc = etagVersion(t, h), "alku"
			}
		}
		// The session, in the database, outlives the process.
		b.base = p.base
		a.check(t, b)
		if round == rounds {
			p.stop(t)
			break
		}
		wctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for w := range 3 {
			wg.Go(func() { a.create(wctx, t, b, round, w) })
		}
		wg.Go(func() { a.update(wctx, t, b, round) })
		time.Sleep(time.Duration(300+rand.IntN(500)) * time.Millisecond)
		p.kill()
		cancel()
		wg.Wait()
	}
	t.Logf("%d services created and 1 updated to version %d across %d kills, all there after each restart", len(a.created), a.version, rounds)
	if len(a.created) < rounds {
		t.Errorf("only %d writes acknowledged in %d rounds: the test wrote too little to mean anything", len(a.created), rounds)
	}
}

func serviceJSON(id, name, desc string) string {
	b, _ := json.Marshal(map[string]any{"id": id, "name": map[string]string{"fi": name}, "description": map[string]string{"fi": desc},
		"target_groups": []string{"worried-about-own-thoughts"}, "service_types": []string{"counselling"},
		"area": map[string]any{"networks": []string{"oulu"}}, "status": "active"})
	return string(b)
}

func etagVersion(t *testing.T, h http.Header) int {
	v, err := strconv.Atoi(strings.Trim(h.Get("ETag"), `"`))
	if err != nil {
		t.Errorf("ETag %q", h.Get("ETag"))
	}
	return v
}

// word makes a search term of letters only from n, unlike any word of
// the seed.
func word(n int) string {
	s := "kaatoq"
	for {
		s += string(rune('a' + n%26))
		n /= 26
		if n == 0 {
			return s
		}
	}
}

// create writes new services until the server goes away.
func (a *acked) create(ctx context.Context, t *testing.T, b *browser, round, w int) {
	for n := 0; ctx.Err() == nil; n++ {
		id := fmt.Sprintf("kaatotesti-%d-%d-%d", round, w, n)
		name := "Kaatotesti " + word(round*100000+w*10000+n)
		status, _, out, err := b.do(ctx, http.MethodPost, "/api/v1/services", serviceJSON(id, name, "kirjoitettu ennen kaatumista"), nil)
		if err != nil {
			return // killed
		}
		if status != http.StatusCreated {
			t.Errorf("create %s: %d %s", id, status, out)
			return
		}
		a.mu.Lock()
		a.created[id] = name
		a.mu.Unlock()
	}
}

// update changes one service's description until the server goes away.
func (a *acked) update(ctx context.Context, t *testing.T, b *browser, round int) {
	for n := 0; ctx.Err() == nil; n++ {
		status, _, out, err := b.do(ctx, http.MethodGet, "/api/v1/services/"+updatedID, "", nil)
		if err != nil {
			return
		}
		var svc map[string]any
		if status != http.StatusOK || json.Unmarshal([]byte(out), &svc) != nil {
			t.Errorf("get %s: %d %s", updatedID, status, out)
			return
		}
		desc := fmt.Sprintf("kierros %d muutos %d", round, n)
		svc["description"] = map[string]string{"fi": desc}
		body, _ := json.Marshal(svc)
		// The version read, not the last acknowledged: a write the
		// killed server committed without answering is the current one.
		ver := int(svc["version"].(float64))
		status, h, out, err := b.do(ctx, http.MethodPut, "/api/v1/services/"+updatedID, string(body), http.Header{"If-Match": {fmt.Sprintf(`"%d"`, ver)}})
		if err != nil {
			return
		}
		if status != http.StatusOK {
			t.Errorf("update %s at version %d: %d %s", updatedID, ver, status, out)
			return
		}
		a.mu.Lock()
		a.version, a.desc = etagVersion(t, h), desc
		a.mu.Unlock()
	}
}

// check reads back every acknowledged write from the database (the API)
// and from the search index.
func (a *acked) check(t *testing.T, b *browser) {
	t.Helper()
	ctx := context.Background()
	a.mu.Lock()
	defer a.mu.Unlock()
	var svc struct {
		Name        struct{ FI string } `json:"name"`
		Description struct{ FI string } `json:"description"`
		Version     int                 `json:"version"`
	}
	status, _, out, err := b.do(ctx, http.MethodGet, "/api/v1/services/"+updatedID, "", nil)
	if err != nil || status != http.StatusOK || json.Unmarshal([]byte(out), &svc) != nil {
		t.Fatalf("get %s: %d %v %s", updatedID, status, err, out)
	}
	// A write the server did not get to acknowledge may be there too.
	if svc.Version < a.version || svc.Version == a.version && svc.Description.FI != a.desc {
		t.Errorf("acknowledged update lost: version %d %q in the database, %d %q acknowledged", svc.Version, svc.Description.FI, a.version, a.desc)
	}
	for id, name := range a.created {
		status, _, out, err := b.do(ctx, http.MethodGet, "/api/v1/services/"+id, "", nil)
		if err != nil || status != http.StatusOK || json.Unmarshal([]byte(out), &svc) != nil || svc.Name.FI != name {
			t.Errorf("acknowledged create %s lost: %d %v %.200s", id, status, err, out)
			continue
		}
		term := strings.Fields(name)[1]
		status, _, out, err = b.do(ctx, http.MethodGet, "/api/v1/search?limit=20&q="+url.QueryEscape(term), "", nil)
		if err != nil || status != http.StatusOK || !strings.Contains(out, `"`+id+`"`) {
			t.Errorf("the index does not find acknowledged %s by %q: %d %v %.300s", id, term, status, err, out)
		}
	}
}
