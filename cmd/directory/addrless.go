package main

import (
	"context"
	"log/slog"
	"regexp"
)

// addrlessHandler removes IP addresses and ports from messages, for
// net/http's error log, whose lines name the client ("http: TLS handshake
// error from 192.0.2.1:5555"). Client addresses are never logged.
type addrlessHandler struct{ slog.Handler }

var addrPattern = regexp.MustCompile(`(\[[0-9a-fA-F:.]+\]|\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F]*:[0-9a-fA-F:]+:[0-9a-fA-F:]*)(:\d+)?`)

func (h addrlessHandler) Handle(ctx context.Context, r slog.Record) error {
	r2 := slog.NewRecord(r.Time, r.Level, addrPattern.ReplaceAllString(r.Message, "[address]"), r.PC)
	r.Attrs(func(a slog.Attr) bool { r2.AddAttrs(a); return true })
	return h.Handler.Handle(ctx, r2)
}

func (h addrlessHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return addrlessHandler{h.Handler.WithAttrs(as)}
}

func (h addrlessHandler) WithGroup(name string) slog.Handler {
	return addrlessHandler{h.Handler.WithGroup(name)}
}
