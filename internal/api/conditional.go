package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/auth"
)

// Conditional GETs (RFC 9110 section 13): every 200 answer to a GET or
// HEAD carries a strong ETag, and one that the client already holds
// (If-None-Match) is answered 304 without a body, so that a system
// polling the directory costs little. A handler may set the ETag itself
// (a listing's version, which writes take back in If-Match) and
// Last-Modified (when the answer is one resource with an updated_at);
// otherwise the ETag is a hash of the body.
//
// Answers differ by viewer (members see more of a contact), so they Vary
// on the credentials: a shared cache never hands one caller's answer to
// another, and a browser does not revalidate a copy fetched before login.
func conditional(w http.ResponseWriter, r *http.Request, h func(http.ResponseWriter, *http.Request)) {
	bw := &bufferedWriter{header: http.Header{}, status: http.StatusOK}
	h(bw, r)
	dst := w.Header()
	for k, v := range bw.header {
		dst[k] = v
	}
	dst.Add("Vary", "Cookie, Authorization")
	if bw.status != http.StatusOK {
		w.WriteHeader(bw.status)
		_, _ = w.Write(bw.body.Bytes())
		return
	}
	etag := dst.Get("ETag")
	if etag == "" {
		etag = BodyETag(bw.body.Bytes())
		dst.Set("ETag", etag)
	}
	if notModified(r, etag, dst.Get("Last-Modified")) {
		// A 304 keeps the validators and caching headers only.
		for _, k := range []string{"Content-Type", "Content-Length"} {
			dst.Del(k)
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	dst.Set("Content-Length", strconv.Itoa(bw.body.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(bw.body.Bytes())
	}
}

// BodyETag is a strong ETag of a representation's bytes.
func BodyETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}

// notModified evaluates If-None-Match, or else If-Modified-Since, as RFC
// 9110 section 13.2.2 orders them for a GET.
func notModified(r *http.Request, etag, lastModified string) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagListMatches(inm, etag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || lastModified == "" {
		return false
	}
	since, err := http.ParseTime(ims)
	if err != nil {
		return false
	}
	modified, err := http.ParseTime(lastModified)
	return err == nil && !modified.After(since)
}

// etagListMatches is If-None-Match's weak comparison of a list of
// entity tags (or "*") against ours.
func etagListMatches(list, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// setLastModified sets Last-Modified, which has whole seconds only.
func setLastModified(w http.ResponseWriter, t time.Time) {
	if !t.IsZero() {
		w.Header().Set("Last-Modified", t.UTC().Truncate(time.Second).Format(http.TimeFormat))
	}
}

// bufferedWriter holds an answer until its validator is known.
type bufferedWriter struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(status int) {
	if !b.wroteHeader {
		b.status, b.wroteHeader = status, true
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.wroteHeader = true
	return b.body.Write(p)
}

// allowCORS lets pages of any origin read the anonymous read APIs: an
// anonymous GET or HEAD, and the preflight of one (If-None-Match is not a
// header a browser sends cross-origin without asking), is answered with
// Access-Control-Allow-Origin: *. Never with credentials: a request that
// carries a session or a token gets no CORS headers, so a browser keeps a
// member's answer from other origins; writes and pages never get them.
// It reports whether it allowed the request.
func allowCORS(w http.ResponseWriter, r *http.Request) bool {
	id := auth.IdentityFrom(r.Context())
	if id.User != nil || id.Unknown || r.Header.Get("Authorization") != "" {
		return false
	}
	h := w.Header()
	if r.Method == http.MethodOptions {
		m := r.Header.Get("Access-Control-Request-Method")
		if m != http.MethodGet && m != http.MethodHead {
			return false
		}
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, HEAD")
		h.Set("Access-Control-Allow-Headers", "Accept, Accept-Language, If-None-Match, If-Modified-Since")
		h.Set("Access-Control-Max-Age", "86400")
		return true
	}
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "ETag, Retry-After")
	return true
}
