package web

import (
	"context"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"golang.org/x/time/rate"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/auth"
	"github.com/serie-verkosto/directory/internal/corrections"
	"github.com/serie-verkosto/directory/internal/services"
)

// Correction reports: anyone may say a listing is wrong, with a short
// message and no account; the report waits on the dashboards of the
// listing's networks until an editor resolves it. Reports are throttled
// per client address (in memory; the address is neither stored nor
// logged).

// Report throttle: ReportBurst reports per address at once, then one per
// ReportEvery.
const (
	ReportBurst = 5
	ReportEvery = time.Minute
)

func newReportLimiter() *auth.Limiter {
	return auth.NewLimiter(rate.Every(ReportEvery), ReportBurst, auth.DefaultMaxKeys)
}

// ReportView is the correction form of one listing, or its thanks.
type ReportView struct {
	*Base
	Kind, ID, Name, ListingURL string
	Form                       *Form
	Message                    Input
	Sent                       bool
}

// listingOf loads the listing a report is about: its name and networks.
func (s *Server) listingOf(ctx context.Context, b *Base, kind, id string) (name string, networks []string, err error) {
	if kind == services.EntityService {
		return s.services.summary(ctx, b, id)
	}
	return s.contacts.summary(ctx, b, id)
}

func (s *Server) reportView(b *Base, kind, id, name string, form *Form, message string) *ReportView {
	k := newKit(b, "report", form, nil)
	v := &ReportView{Base: b, Kind: kind, ID: id, Name: name, ListingURL: b.URL(kind, "id", id), Form: k.form,
		Message: k.Required(k.Area("message", message))}
	v.Message.Hint = b.T("report.hint")
	v.Message.Max = corrections.MaxMessageLen
	b.Title = b.T("report.title", name)
	return v
}

// reportPage shows a listing's correction form, or the thanks after
// sending one.
func (s *Server) reportPage(kind string) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, b *Base) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		name, _, err := s.listingOf(r.Context(), b, kind, id)
		if err != nil {
			return err
		}
		v := s.reportView(b, kind, id, name, nil, "")
		v.Sent = r.URL.Query().Get("sent") == "1"
		if v.Sent {
			b.Title = b.T("report.thanks")
		}
		return s.render(w, b, "report", v)
	}
}

// sendReport stores a correction report.
func (s *Server) sendReport(kind string) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, b *Base) error {
		if s.cfg.Corrections == nil {
			return apperr.Errorf(apperr.Unavailable, "correction reports are not enabled")
		}
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if !s.reports.Allow(auth.AddrKey(clientAddr(r)), time.Now()) {
			return apperr.Keyed(apperr.TooMany, "err.report_throttled", "too many reports from here; wait a few minutes and try again")
		}
		if err := parseForm(r); err != nil {
			return err
		}
		name, networks, err := s.listingOf(r.Context(), b, kind, id)
		if err != nil {
			return err
		}
		message := r.PostForm.Get("message")
		rep := &corrections.Report{Entity: kind, EntityID: id, Networks: networks, Message: message}
		if err := s.cfg.Corrections.Create(r.Context(), rep); err != nil {
			form := b.formError(err, newKit(b, "report", nil, nil).fieldLabel)
			if form == nil {
				return err
			}
			b.Status = apperr.HTTPStatus(err)
			return s.render(w, b, "report", s.reportView(b, kind, id, name, form, message))
		}
		return redirect(w, r, b.URL(kind+".report", "id", id, "?", "sent", "1"))
	}
}

// resolveReport marks a report resolved and returns to the dashboard.
func (s *Server) resolveReport(w http.ResponseWriter, r *http.Request, b *Base) error {
	if s.cfg.Corrections == nil {
		return apperr.Errorf(apperr.Unavailable, "correction reports are not enabled")
	}
	id := mux.Vars(r)["id"]
	if err := parseForm(r); err != nil {
		return err
	}
	if err := s.cfg.Corrections.Resolve(r.Context(), id, versionOf(r), b.User); err != nil {
		return err
	}
	return redirect(w, r, b.URL("dashboard"))
}
