package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/serie-verkosto/directory/internal/api"
	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/l10n"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// Base is embedded in every page's view: language, catalogue access, links.
type Base struct {
	Lang   string
	Title  string
	Nav    string // the active menu entry
	Status int
	// BareTitle leaves the site's name out of the window title: the
	// help-seeker page's title must say nothing about the topic.
	BareTitle bool
	// Scripts are static scripts the page loads (progressive
	// enhancement only: every task works without them).
	Scripts []string
	// OwnSearch says the page has its own search form, so the header's
	// is left out (one search box, one id="q-main").
	OwnSearch bool
	// ExitURL, when set, puts a quick exit to this neutral site first on
	// the page (the help-seeker page).
	ExitURL string
	// User is who is logged in; nil for anonymous visitors.
	User *users.User

	s     *Server
	req   *http.Request
	vocab *services.Vocabularies
	munis *services.Municipalities
	now   time.Time
	// networkNames memoises NetworkName for one page.
	networkNames map[string]string
}

// LangLink is one entry of the language switch.
type LangLink struct {
	Lang, Label, URL string
	Current          bool
}

// Level is what members-only fields the viewer may read.
func (b *Base) Level() users.Level { return IdentityFrom(b.req.Context()).Level() }

// T translates a catalogue key in the page's language.
func (b *Base) T(key string, args ...any) string { return b.s.cat.T(b.Lang, key, args...) }

// L shows localized content in the page's language. When it falls back to
// another language, the text carries that lang attribute and a visible note.
func (b *Base) L(t l10n.Text) template.HTML {
	text, lang := t.Get(b.Lang)
	if text == "" {
		return ""
	}
	esc := template.HTMLEscapeString(text)
	if lang == b.Lang {
		return template.HTML(esc)
	}
	return template.HTML(fmt.Sprintf(`<span lang="%s">%s</span> <small class="fallback">(%s)</small>`,
		lang, esc, template.HTMLEscapeString(b.T("fallback", b.T("langname."+lang)))))
}

// Term returns a vocabulary term's label in the page's language.
func (b *Base) Term(vocab, id string) string { return b.vocab.Label(vocab, id, b.Lang) }

// Terms returns the vocabulary's terms, for filter menus.
func (b *Base) Terms(vocab string) []services.Term {
	v, _ := b.vocab.Vocabulary(vocab)
	return v.Terms
}

// Muni returns a municipality's name in the page's language.
func (b *Base) Muni(code string) string {
	if m, ok := b.munis.Lookup(code); ok {
		return m.Name(b.Lang)
	}
	return code
}

// Municipalities lists every municipality, for selectors.
func (b *Base) Municipalities() []services.Municipality { return b.munis.List }

// County returns a county's name in the page's language.
func (b *Base) County(slug string) string {
	if c, ok := b.munis.County(slug); ok {
		s, _ := c.Name.Get(b.Lang)
		return s
	}
	return slug
}

// LangName returns a language code's name (fi, sv, en) or the code.
func (b *Base) LangName(code string) string {
	if key := "langname." + code; b.s.cat.Has(b.Lang, key) {
		return b.T(key)
	}
	return code
}

// Date formats a date the Finnish way (d.m.yyyy), as all three audiences
// read it in Finland.
func (b *Base) Date(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("2.1.2006")
}

// Fresh describes a listing's verification state for a badge.
type Fresh struct {
	State string // verified, overdue, unverified
	Text  string
}

// Freshness tells whether a listing is verified, overdue or never verified.
func (b *Base) Freshness(verifiedAt, reviewBy *time.Time) Fresh {
	switch {
	case verifiedAt == nil:
		return Fresh{"unverified", b.T("unverified")}
	case reviewBy != nil && !b.now.Before(*reviewBy):
		return Fresh{"overdue", b.T("overdue", b.Date(reviewBy))}
	default:
		text := b.T("verified", b.Date(verifiedAt))
		if reviewBy != nil {
			text += "; " + b.T("verified.review_by", b.Date(reviewBy))
		}
		return Fresh{"verified", text}
	}
}

// URL builds a link to a named route, keeping the page's language; kv are
// route variables followed by "?" and query pairs.
func (b *Base) URL(name string, kv ...string) string {
	var vars, query []string
	for i, x := range kv {
		if x == "?" {
			vars, query = kv[:i], kv[i+1:]
			break
		}
	}
	if query == nil && vars == nil {
		vars = kv
	}
	u, err := b.s.router.Get(name).URL(vars...)
	if err != nil {
		return "/"
	}
	q := url.Values{}
	for i := 0; i+1 < len(query); i += 2 {
		if query[i+1] != "" {
			q.Set(query[i], query[i+1])
		}
	}
	if l := b.LangParam(); l != "" {
		q.Set("lang", l)
	}
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Static returns a static file's content-hashed URL.
func (b *Base) Static(name string) string { return b.s.StaticURL(name) }

// LangLinks returns the language switch: this page in each language.
func (b *Base) LangLinks() []LangLink {
	var out []LangLink
	for _, l := range l10n.Languages {
		q := b.req.URL.Query()
		if l == browserLang(b.req) {
			q.Del("lang")
		} else {
			q.Set("lang", l)
		}
		u := url.URL{Path: b.req.URL.Path, RawQuery: q.Encode()}
		out = append(out, LangLink{Lang: l, Label: b.s.cat.T(l, "lang."+l+".self"), URL: u.String(), Current: l == b.Lang})
	}
	return out
}

var funcs = template.FuncMap{
	"join":      strings.Join,
	"langcodes": func() []string { return l10n.Languages },
	"deref": func(p *int) string {
		if p == nil {
			return ""
		}
		return fmt.Sprint(*p)
	},
	"add":     func(a, b int) int { return a + b },
	"ptrTime": func(t time.Time) *time.Time { return &t },
	// Partials take the page's Base plus their own arguments.
	"muni":        func(b *Base, selected string) muniSel { return muniSel{b, selected} },
	"termsel":     func(b *Base, name, vocab, selected string) termSel { return termSel{b, name, vocab, selected} },
	"pagerview":   func(b *Base, p Pager) pagerView { return pagerView{b, p} },
	"contactline": func(b *Base, c services.Contact) contactLine { return contactLine{b, c} },
	"phoneArgs":   func(b *Base, p PhoneView) phoneArg { return phoneArg{b, p} },
}

type muniSel struct {
	*Base
	Selected string
}

type termSel struct {
	*Base
	Name, Vocab, Selected string
}

type pagerView struct {
	*Base
	Pager Pager
}

type contactLine struct {
	*Base
	C services.Contact
}

// FreshTag labels a search hit's verification state; verified hits get
// no label, to keep the list calm.
func (b *Base) FreshTag(state string) *Fresh {
	switch state {
	case "overdue":
		return &Fresh{"overdue", b.T("fresh.overdue")}
	case "unverified":
		return &Fresh{"unverified", b.T("fresh.unverified")}
	}
	return nil
}

// URLWithLang adds the page's language to a site path.
func (b *Base) URLWithLang(path string) string {
	if b.Lang == "fi" {
		return path
	}
	return path + "?lang=" + b.Lang
}

// YesNo renders a known-or-unknown fact.
func (b *Base) YesNo(v *bool) string {
	switch {
	case v == nil:
		return b.T("unknown")
	case *v:
		return b.T("yes")
	default:
		return b.T("no")
	}
}

// True reports whether a known-or-unknown fact is known to be true.
func (b *Base) True(v *bool) bool { return v != nil && *v }

// Days names weekdays (mon..sun) in the page's language.
func (b *Base) Days(days []string) string {
	names := make([]string, len(days))
	for i, d := range days {
		names[i] = b.T("day." + d)
	}
	return strings.Join(names, ", ")
}

// NetworkName returns a network's short name, for labels. The networks
// are read once per page, however many labels it shows.
func (b *Base) NetworkName(slug string) string {
	if b.networkNames == nil {
		b.networkNames = map[string]string{}
		if nets, err := b.s.store.Networks(b.req.Context()); err == nil {
			for _, n := range nets {
				b.networkNames[n.Slug] = n.Display(b.Lang)
			}
		}
	}
	if name, ok := b.networkNames[slug]; ok {
		return name
	}
	return slug
}

// pageHandler is a page handler that returns its error to one renderer.
type pageHandler func(w http.ResponseWriter, r *http.Request, b *Base) error

// page wraps a pageHandler: it prepares the Base, and renders any error as
// an HTML page in the user's language.
func (s *Server) page(h pageHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The language may come from Accept-Language: caches must keep
		// one copy per header.
		w.Header().Add("Vary", "Accept-Language")
		b, err := s.base(r)
		if err == nil {
			err = h(w, r, b)
		}
		if err != nil {
			s.renderError(w, r, err)
		}
	})
}

func (s *Server) base(r *http.Request) (*Base, error) {
	b := &Base{Lang: pageLang(r), s: s, req: r, Status: http.StatusOK,
		now: s.store.DB().Now(), User: IdentityFrom(r.Context()).User}
	var err error
	if b.vocab, err = s.store.Vocabularies(r.Context()); err != nil {
		return b, err
	}
	if b.munis, err = s.store.Municipalities(r.Context()); err != nil {
		return b, err
	}
	return b, nil
}

// render executes a page template into a buffer first, so that a template
// error becomes a clean error page instead of half a page.
func (s *Server) render(w http.ResponseWriter, b *Base, name string, view any) error {
	t := s.pages[name]
	if s.cfg.Dev {
		pages, err := s.parseTemplates()
		if err != nil {
			return err
		}
		t = pages[name]
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, view); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", b.Lang)
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
		// A logged-in user's page may show members-only fields: never
		// in a shared cache.
		if b.User != nil {
			h.Set("Cache-Control", "private, no-cache")
		}
	}
	w.WriteHeader(b.Status)
	_, err := w.Write(buf.Bytes())
	return err
}

// ErrorView is the error page.
type ErrorView struct {
	*Base
	Code    string
	Heading string
	Text    string
	Fields  []string
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status, err := api.Classify(w, r, err)
	if status >= 500 {
		s.log.Error("page error", "path", r.URL.Path, "status", status, "err", err)
	}
	w.Header().Add("Vary", "Accept-Language")
	b := &Base{Lang: pageLang(r), s: s, req: r, Status: status,
		vocab: services.NewVocabularies(nil), munis: services.NewMunicipalityIndex(nil), User: IdentityFrom(r.Context()).User}
	code := apperr.CodeOf(err)
	v := &ErrorView{Base: b, Code: string(code), Heading: b.T("error." + string(code))}
	if e := apperr.As(err); e != nil && code != apperr.Internal {
		if e.Key != "" && s.cat.Has(b.Lang, e.Key) {
			v.Text = b.T(e.Key, e.Args...)
		} else if code == apperr.NotFound {
			v.Text = b.T("error.not_found.text")
		} else if e.Message != "" && b.Lang == "en" {
			v.Text = e.Message
		}
		for _, f := range e.Fields {
			msg := f.Message
			if f.Key != "" && s.cat.Has(b.Lang, f.Key) {
				msg = b.T(f.Key, f.Args...)
			}
			name := f.Field
			if s.cat.Has(b.Lang, "field."+name) {
				name = b.T("field." + name) // the field as the form names it
			}
			v.Fields = append(v.Fields, name+": "+msg)
		}
	} else {
		v.Text = b.T("error.internal.text")
	}
	b.Title = v.Heading
	b.OwnSearch = code == apperr.NotFound
	w.Header().Set("Cache-Control", "no-store")
	if rerr := s.render(w, b, "error", v); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		http.Error(w, http.StatusText(status), status)
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, b *Base) error {
	return &apperr.Error{Code: apperr.NotFound, Key: "error.not_found.text", Message: "no page at " + r.URL.Path}
}
