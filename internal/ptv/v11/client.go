// Package v11 reads the Suomi.fi service catalogue (PTV) through its open
// v11 API and maps what it reads into the version-independent model of
// package ptv. Everything that knows v11 (URLs, paging, JSON shapes,
// enumerations on the wire, quirks) is in this package, so that a v12 reader
// can replace it without touching the importer. DVV plans to switch v11 off
// around spring 2027.
package v11

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/serie-verkosto/directory/internal/ptv"
)

// DefaultBaseURL is the production v11 API.
const DefaultBaseURL = "https://api.palvelutietovaranto.suomi.fi/api/v11/"

// MaxGuids is the most ids PTV answers in one list?guids= call; over it,
// services and organizations answer 500 and channels 400.
const MaxGuids = 100

// Client talks to one PTV v11 API. The zero value is not usable; call New.
// Fields may be changed before the first request and not after.
type Client struct {
	base *url.URL
	// HTTP does the requests; its own Timeout should be zero or longer than
	// RequestTimeout.
	HTTP *http.Client
	// UserAgent names the directory to DVV, who asks integrators to be
	// identifiable.
	UserAgent string
	// RequestTimeout bounds one attempt, body included.
	RequestTimeout time.Duration
	// MaxAttempts is how many times one request is tried on 429, 5xx,
	// network errors and timeouts.
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the exponential backoff between
	// attempts (with jitter). A Retry-After from PTV replaces the backoff,
	// unless it exceeds MaxRetryAfter, in which case the client gives up.
	MinBackoff, MaxBackoff, MaxRetryAfter time.Duration
	// MaxBody bounds one response. A full page of 100 services is a few
	// megabytes; a larger answer is a fault, not data.
	MaxBody int64
	// SinceOverlap is subtracted from Query.Since so that clock skew between
	// this machine and PTV, and PTV's second precision, lose nothing: seeing
	// an item twice is harmless.
	SinceOverlap time.Duration
	// Sleep waits between attempts; tests replace it to record the waits.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for Summary.Started and HTTP-date Retry-After values.
	Now func() time.Time

	requests atomic.Int64
}

// New returns a client for the v11 API at baseURL (DefaultBaseURL if empty),
// with production defaults.
func New(baseURL string) (*Client, error) {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("ptv base url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("ptv base url %q: want an http or https URL", baseURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return &Client{
		base:           u,
		HTTP:           &http.Client{},
		UserAgent:      "SeriE-directory/1 (PTV importer; github.com/serie-verkosto/directory)",
		RequestTimeout: 30 * time.Second,
		MaxAttempts:    6,
		MinBackoff:     time.Second,
		MaxBackoff:     time.Minute,
		MaxRetryAfter:  5 * time.Minute,
		MaxBody:        64 << 20,
		SinceOverlap:   10 * time.Minute,
		Sleep:          sleep,
		Now:            time.Now,
	}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Requests is how many HTTP attempts the client has made.
func (c *Client) Requests() int { return int(c.requests.Load()) }

var (
	// errNotFound is a 404 where the caller asked to see it (list?guids=).
	errNotFound = errors.New("not found")
	// errTooLarge is a body over MaxBody: asking again would only download
	// it again.
	errTooLarge = errors.New("response too large")
)

// get fetches endpoint (relative to the base URL) and returns the body of a
// 200. With allow404, a 404 returns errNotFound.
func (c *Client) get(ctx context.Context, endpoint string, allow404 bool) ([]byte, error) {
	u, err := c.base.Parse(endpoint)
	if err != nil {
		return nil, &ptv.FetchError{Endpoint: endpoint, Err: err}
	}
	var last *ptv.FetchError
	for attempt := 1; ; attempt++ {
		body, status, retryAfter, err := c.attempt(ctx, u.String())
		if ctx.Err() != nil {
			return nil, &ptv.FetchError{Endpoint: endpoint, Attempts: attempt, Err: ctx.Err()}
		}
		switch {
		case err == nil && status == http.StatusOK:
			return body, nil
		case err == nil && status == http.StatusNotFound && allow404:
			return nil, errNotFound
		case err == nil && status != http.StatusTooManyRequests && status < 500:
			return nil, &ptv.FetchError{Endpoint: endpoint, Status: status, Attempts: attempt, Body: shorten(body)}
		case errors.Is(err, errTooLarge):
			return nil, &ptv.FetchError{Endpoint: endpoint, Status: status, Attempts: attempt, Err: err}
		}
		last = &ptv.FetchError{Endpoint: endpoint, Status: status, Attempts: attempt, Body: shorten(body), Retryable: true, Err: err}
		if attempt >= c.MaxAttempts {
			return nil, last
		}
		wait := c.backoff(attempt)
		if retryAfter > 0 {
			if retryAfter > c.MaxRetryAfter {
				last.Err = fmt.Errorf("Retry-After %v exceeds %v", retryAfter, c.MaxRetryAfter)
				return nil, last
			}
			wait = retryAfter
		}
		if err := c.Sleep(ctx, wait); err != nil {
			last.Err = err
			last.Retryable = false
			return nil, last
		}
	}
}

// attempt does one request. A returned error is a network fault or timeout.
func (c *Client) attempt(ctx context.Context, u string) (body []byte, status int, retryAfter time.Duration, err error) {
	c.requests.Add(1)
	ctx, cancel := context.WithTimeout(ctx, c.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, 0, err
	}
	req.Header.Set("User-Agent", c.UserAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, 0, 0, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, c.MaxBody+1))
	if err != nil {
		return nil, resp.StatusCode, 0, fmt.Errorf("reading the body: %w", err)
	}
	if int64(len(body)) > c.MaxBody {
		return nil, resp.StatusCode, 0, fmt.Errorf("%w: over %d bytes", errTooLarge, c.MaxBody)
	}
	return body, resp.StatusCode, c.retryAfter(resp.Header.Get("Retry-After")), nil
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func (c *Client) retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := t.Sub(c.Now()); d > 0 {
			return d
		}
	}
	return 0
}

// backoff is MinBackoff doubled per attempt, capped, with jitter in the upper
// half so that many importers do not retry in step.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.MinBackoff
	for i := 1; i < attempt && d < c.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.MaxBackoff)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// shorten makes an error body fit in a log line.
func shorten(b []byte) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, string(b))
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// withPage appends page=n to an endpoint that may already have a query.
func withPage(endpoint string, n int) string {
	sep := "?"
	if strings.Contains(endpoint, "?") {
		sep = "&"
	}
	return endpoint + sep + "page=" + strconv.Itoa(n)
}

// maxPages guards against a PTV that reports an absurd page count.
const maxPages = 100000

// guidPages calls fn with the items of each page of an id+name list.
func (c *Client) guidPages(ctx context.Context, endpoint string, fn func([]Item) error) error {
	return pages(ctx, c, endpoint, func(_ string, items []Item) error { return fn(items) })
}

// objectPages calls fn with the raw objects of each page of a full-object
// list.
func (c *Client) objectPages(ctx context.Context, endpoint string, fn func(ep string, items []json.RawMessage) error) error {
	return pages(ctx, c, endpoint, fn)
}

// pages loops page=1..pageCount; PTV answers itemList null past the end
// and when nothing matches.
func pages[T any](ctx context.Context, c *Client, endpoint string, fn func(ep string, items []T) error) error {
	for n := 1; ; n++ {
		ep := withPage(endpoint, n)
		body, err := c.get(ctx, ep, false)
		if err != nil {
			return err
		}
		var p struct {
			PageCount int `json:"pageCount"`
			ItemList  []T `json:"itemList"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			return &ptv.DataError{Endpoint: ep, Kind: "page", Err: err}
		}
		if p.PageCount > maxPages {
			return &ptv.DataError{Endpoint: ep, Kind: "page", Err: fmt.Errorf("pageCount %d", p.PageCount)}
		}
		if len(p.ItemList) > 0 {
			if err := fn(ep, p.ItemList); err != nil {
				return err
			}
		}
		if n >= p.PageCount || p.ItemList == nil {
			return nil
		}
	}
}

// list fetches objects by id from resource ("Service", "ServiceChannel",
// "Organization"), at most MaxGuids per request. Ids PTV does not publish
// are simply absent from the result.
func (c *Client) list(ctx context.Context, resource string, ids []string, fn func(ep string, items []json.RawMessage) error) error {
	for len(ids) > 0 {
		n := min(len(ids), MaxGuids)
		ep := resource + "/list?guids=" + strings.Join(ids[:n], ",")
		ids = ids[n:]
		body, err := c.get(ctx, ep, true)
		if errors.Is(err, errNotFound) {
			continue // none of these ids is published
		}
		if err != nil {
			return err
		}
		var items []json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			return &ptv.DataError{Endpoint: ep, Kind: "page", Err: err}
		}
		if err := fn(ep, items); err != nil {
			return err
		}
	}
	return nil
}

// decode decodes one object; a failure names the object's id when the
// object is at least well-formed enough to have one.
func decode(ep, kind string, raw json.RawMessage, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		var id struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &id)
		return &ptv.DataError{Endpoint: ep, Kind: kind, ID: id.ID, Err: err}
	}
	return nil
}
