package web

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/services"
)

// routes lists every route of the directory, top to bottom. Route names
// label metrics and build links.
func (s *Server) routes() *mux.Router {
	r := mux.NewRouter()
	r.StrictSlash(false)

	// Operations.
	r.HandleFunc("/healthz", s.healthz).Methods(http.MethodGet, http.MethodHead).Name("healthz")
	r.HandleFunc("/readyz", s.readyz).Methods(http.MethodGet, http.MethodHead).Name("readyz")
	r.HandleFunc("/metrics", s.localMetrics).Methods(http.MethodGet).Name("metrics")
	r.HandleFunc("/static/{name}", s.serveStatic).Methods(http.MethodGet, http.MethodHead).Name("static")

	// JSON API (internal/api/routes.go).
	s.cfg.API.Routes(r.PathPrefix("/api/v1").Subrouter())
	if s.cfg.HSDS != nil {
		r.Handle("/hsds/v3", http.RedirectHandler("/hsds/v3/", http.StatusMovedPermanently)).Name("hsds.base")
		s.cfg.HSDS.Routes(r.PathPrefix("/hsds/v3").Subrouter())
	}

	// Accounts, editing, history, verification, dashboard and correction
	// reports (issue 5). Before the listing pages, so that /services/new is
	// not taken for a service id. Who may do what is decided by auth.Can
	// inside the handlers (on the listing itself), not by the route.
	get, post := []string{http.MethodGet, http.MethodHead}, []string{http.MethodPost}
	page := func(path, name string, methods []string, h pageHandler) {
		r.Handle(path, s.page(h)).Methods(methods...).Name(name)
	}
	page("/login", "login", get, s.loginForm)
	page("/login", "login.post", post, s.login)
	page("/logout", "logout", post, s.logout)
	page("/account/sessions", "account.sessions", get, s.loggedIn(s.sessions))
	page("/account/sessions/{id}/end", "account.session_end", post, s.loggedIn(s.endSession))
	page("/account/password", "account.password", get, s.loggedIn(s.passwordForm))
	page("/account/password", "account.password.post", post, s.loggedIn(s.changePassword))
	page("/account/totp", "account.totp", get, s.totpPage)
	page("/account/totp", "account.totp.post", post, s.totpConfirm)
	page("/account/totp/disable", "account.totp_disable", post, s.loggedIn(s.totpDisable))
	page("/account/totp/qr.png", "account.totp_qr", get, s.totpQR)
	page("/admin/users", "admin.users", get, s.adminOnly(s.listUsers))
	page("/admin/consultation", "admin.consultations", get, s.adminOnly(s.listConsultations))
	page("/admin/import", "admin.import", get, s.adminOnly(s.importPage))
	page("/admin/import", "admin.import.post", post, s.adminOnly(s.importUpload))
	page("/admin/import/template.csv", "admin.import.template", get, s.adminOnly(s.importTemplate))
	page("/admin/tokens", "admin.tokens", get, s.adminOnly(s.listTokens))
	page("/admin/tokens", "admin.tokens.post", post, s.adminOnly(s.createToken))
	page("/admin/tokens/{name}/revoke", "admin.token_revoke", post, s.adminOnly(s.revokeToken))
	page("/admin/consultation/{county}", "admin.consultation", get, s.adminOnly(s.editConsultation))
	page("/admin/consultation/{county}", "admin.consultation.post", post, s.adminOnly(s.saveConsultation))
	page("/admin/users/new", "admin.user_new", get, s.adminOnly(s.newUserForm))
	page("/admin/users/new", "admin.user_new.post", post, s.adminOnly(s.createUser))
	page("/admin/users/{id}/reset", "admin.user_reset", post, s.adminOnly(s.resetUser))
	page("/admin/users/{id}/deactivate", "admin.user_deactivate", post, s.adminOnly(s.userAction(deactivateUser, "deactivated")))
	page("/admin/users/{id}/activate", "admin.user_activate", post, s.adminOnly(s.userAction(activateUser, "activated")))
	page("/admin/users/{id}/totp-reset", "admin.user_totp_reset", post, s.adminOnly(s.userAction(resetUserTOTP, "totp_reset")))
	page("/dashboard", "dashboard", get, s.loggedIn(s.dashboard))
	page("/reports/{id}/resolve", "report.resolve", post, s.loggedIn(s.resolveReport))
	listingRoutes(s, page, "/services", s.services)
	page("/services/{id}/source-change", "service.source_change", post, s.loggedIn(s.resolveSourceChange))
	page("/services/{id}/report", "service.report", get, s.reportPage(services.EntityService))
	page("/services/{id}/report", "service.report.post", post, s.sendReport(services.EntityService))
	listingRoutes(s, page, "/contacts", s.contacts)
	page("/contacts/{id}/report", "contact.report", get, s.reportPage(services.EntityContact))
	page("/contacts/{id}/report", "contact.report.post", post, s.sendReport(services.EntityContact))

	// Care pathways (issue 4, web/pathway*.go): /pathways/coverage and
	// /pathways/new before /pathways/{slug}. Drafts, proposing and
	// publishing are decided inside (internal/pathways).
	page("/pathways", "pathways", get, s.listPathways)
	page("/pathways/coverage", "pathways.coverage", get, s.showCoverage)
	page("/pathways/new", "pathway.new", get, s.newPathwayForm)
	page("/pathways/new", "pathway.new.post", post, s.createPathway)
	page("/pathways/{slug}", "pathway", get, s.showPathway)
	page("/pathways/{slug}/all", "pathway.all", get, s.showPathwayAll)
	page("/pathways/{slug}/handout", "pathway.handout", get, s.showHandout)
	page("/pathways/{slug}/edit", "pathway.edit", get, s.editPathwayForm)
	page("/pathways/{slug}/history", "pathway.history", get, s.loggedIn(s.pathwayHistory))
	page("/pathways/{slug}/proposal", "pathway.proposal", get, s.loggedIn(s.showProposal))
	page("/pathways/{slug}/proposal/accept", "pathway.proposal.accept", post, s.loggedIn(s.decideProposal(true)))
	page("/pathways/{slug}/proposal/discard", "pathway.proposal.discard", post, s.loggedIn(s.decideProposal(false)))
	page("/pathways/{slug}/edit", "pathway.edit.post", post, s.updatePathway)

	// HTML pages.
	r.Handle("/", s.page(s.home)).Methods(http.MethodGet, http.MethodHead).Name("home")
	r.Handle("/help", s.page(s.help)).Methods(http.MethodGet, http.MethodHead).Name("help")
	r.Handle("/api", s.page(s.apiDocs)).Methods(http.MethodGet, http.MethodHead).Name("apidocs")
	r.Handle("/search", s.page(s.search)).Methods(http.MethodGet, http.MethodHead).Name("search")
	r.Handle("/services", s.page(s.listServices)).Methods(http.MethodGet, http.MethodHead).Name("services")
	r.Handle("/services/{id}", s.page(s.showService)).Methods(http.MethodGet, http.MethodHead).Name("service")
	r.Handle("/networks", s.page(s.listNetworks)).Methods(http.MethodGet, http.MethodHead).Name("networks")
	r.Handle("/networks/{slug}", s.page(s.showNetwork)).Methods(http.MethodGet, http.MethodHead).Name("network")
	r.Handle("/contacts", s.page(s.listContacts)).Methods(http.MethodGet, http.MethodHead).Name("contacts")
	r.Handle("/contacts/{id}", s.page(s.showContact)).Methods(http.MethodGet, http.MethodHead).Name("contact")

	r.NotFoundHandler = s.page(s.notFound)
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	})
	return r
}

// listingRoutes adds the editing routes of a listing kind under path
// (/services, /contacts): forms, one-click actions, history. Names are the
// kind's ("service.edit").
func listingRoutes[T any](s *Server, page func(path, name string, methods []string, h pageHandler), path string, p *listingPages[T]) {
	get, post := []string{http.MethodGet, http.MethodHead}, []string{http.MethodPost}
	k := p.kind
	page(path+"/new", k+".new", get, s.loggedIn(p.newForm(s)))
	page(path+"/new", k+".new.post", post, s.loggedIn(p.save(s)))
	page(path+"/{id}/edit", k+".edit", get, s.loggedIn(p.editForm(s)))
	page(path+"/{id}/edit", k+".edit.post", post, s.loggedIn(p.save(s)))
	page(path+"/{id}/verify", k+".verify", post, s.loggedIn(p.action(p.uc.Verify)))
	page(path+"/{id}/archive", k+".archive", post, s.loggedIn(p.action(p.uc.Archive)))
	page(path+"/{id}/restore", k+".restore", post, s.loggedIn(p.action(p.uc.Unarchive)))
	page(path+"/{id}/history", k+".history", get, s.loggedIn(p.history(s)))
	page(path+"/{id}/history/{audit:[0-9]+}/restore", k+".history_restore", post, s.loggedIn(p.restoreVersion()))
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz says whether the directory can serve: the reason when not, in
// words fit for anyone (an error of Ready's own, apperr's message; never a
// cause's text, which may name the database's address). A change of state
// is logged once, with the cause, not every poll.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	state := "ready"
	var err error
	if s.cfg.Ready != nil {
		err = s.cfg.Ready(r.Context())
	}
	if err != nil {
		state = "not ready: unavailable"
		if e := apperr.As(err); e != nil && e.Message != "" {
			state = "not ready: " + e.Message
		}
	}
	if prev := s.readiness.Swap(&state); prev == nil || *prev != state {
		if err != nil {
			s.log.Warn("readiness", "state", state, "err", err)
		} else if prev != nil {
			s.log.Info("readiness", "state", state)
		}
	}
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	body := state + "\n"
	if s.cfg.ReadyDetail != "" {
		body += s.cfg.ReadyDetail + "\n"
	}
	_, _ = w.Write([]byte(body))
}
