package web

import (
	"net/http"

	"golang.org/x/text/language"

	"github.com/serie-verkosto/directory/internal/l10n"
)

// A page's language: the lang parameter where a link or the language
// switch gives one, else the browser's Accept-Language among fi, sv and
// en, else Finnish. Nothing is remembered: no cookie, so a shared
// computer keeps no trace, and a link carries lang only when it differs
// from what the browser asks for.

// langMatcher's tags are l10n.Languages', in their order: the index it
// answers is a position in that list.
var langMatcher = language.NewMatcher([]language.Tag{language.Finnish, language.Swedish, language.English})

// browserLang is the language the request's Accept-Language asks for,
// when it asks for one of ours with high confidence; else Finnish.
func browserLang(r *http.Request) string {
	h := r.Header.Get("Accept-Language")
	if h == "" {
		return "fi"
	}
	tags, _, err := language.ParseAcceptLanguage(h)
	if err != nil || len(tags) == 0 {
		return "fi"
	}
	_, i, conf := langMatcher.Match(tags...)
	if conf < language.High {
		return "fi"
	}
	return l10n.Languages[i]
}

// pageLang is the language the page is shown in.
func pageLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		return l10n.Norm(l)
	}
	return browserLang(r)
}

// LangParam is the lang parameter links and forms carry: the page's
// language where the browser alone would choose another, else "".
func (b *Base) LangParam() string {
	if b.Lang == browserLang(b.req) {
		return ""
	}
	return b.Lang
}
