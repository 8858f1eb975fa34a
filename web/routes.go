package web

import (
	"net/http"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/serie-verkosto/directory/internal/api"
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
	r.Handle("/metrics", promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{})).Methods(http.MethodGet).Name("metrics")
	r.HandleFunc("/static/{name}", s.serveStatic).Methods(http.MethodGet, http.MethodHead).Name("static")

	// JSON API: reads are anonymous; writes (POST, PUT, DELETE) need a
	// session and auth.Can's yes (internal/api/write.go).
	a := r.PathPrefix("/api/v1").Subrouter()
	a.Handle("/search", s.api.Get(s.api.Search)).Name("api.search")
	a.Handle("/services", s.api.Methods(s.api.ListServices, s.api.CreateService, nil, nil)).Name("api.services")
	a.Handle("/services/{id}", s.api.Methods(s.api.GetService, nil, s.api.UpdateService, s.api.ArchiveServiceHandler)).Name("api.service")
	a.Handle("/services/{id}/verify", s.api.Methods(nil, s.api.VerifyServiceHandler, nil, nil)).Name("api.service.verify")
	a.Handle("/contacts", s.api.Methods(s.api.ListContacts, s.api.CreateContact, nil, nil)).Name("api.contacts")
	a.Handle("/contacts/{id}", s.api.Methods(s.api.GetContact, nil, s.api.UpdateContact, s.api.ArchiveContactHandler)).Name("api.contact")
	a.Handle("/contacts/{id}/verify", s.api.Methods(nil, s.api.VerifyContactHandler, nil, nil)).Name("api.contact.verify")
	a.Handle("/networks", s.api.Get(s.api.ListNetworks)).Name("api.networks")
	a.Handle("/networks/{slug}", s.api.Get(s.api.GetNetwork)).Name("api.network")
	a.Handle("/municipalities", s.api.Get(s.api.ListMunicipalities)).Name("api.municipalities")
	a.Handle("/vocabularies", s.api.Get(s.api.ListVocabularies)).Name("api.vocabularies")
	a.Handle("/pathways", s.api.Methods(s.api.ListPathways, s.api.CreatePathway, nil, nil)).Name("api.pathways")
	a.Handle("/pathways/{slug}", s.api.Methods(s.api.GetPathway, nil, s.api.UpdatePathway, nil)).Name("api.pathway")
	a.NotFoundHandler = http.HandlerFunc(api.NotFound)

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
	page("/admin/users/new", "admin.user_new", get, s.adminOnly(s.newUserForm))
	page("/admin/users/new", "admin.user_new.post", post, s.adminOnly(s.createUser))
	page("/admin/users/{id}/reset", "admin.user_reset", post, s.adminOnly(s.resetUser))
	page("/admin/users/{id}/deactivate", "admin.user_deactivate", post, s.adminOnly(s.userAction(deactivateUser, "deactivated")))
	page("/admin/users/{id}/activate", "admin.user_activate", post, s.adminOnly(s.userAction(activateUser, "activated")))
	page("/admin/users/{id}/totp-reset", "admin.user_totp_reset", post, s.adminOnly(s.userAction(resetUserTOTP, "totp_reset")))
	page("/dashboard", "dashboard", get, s.loggedIn(s.dashboard))
	page("/reports/{id}/resolve", "report.resolve", post, s.loggedIn(s.resolveReport))
	page("/services/new", "service.new", get, s.loggedIn(s.newServiceForm))
	page("/services/new", "service.new.post", post, s.loggedIn(s.createService))
	page("/services/{id}/edit", "service.edit", get, s.loggedIn(s.editServiceForm))
	page("/services/{id}/edit", "service.edit.post", post, s.loggedIn(s.updateService))
	page("/services/{id}/verify", "service.verify", post, s.loggedIn(s.listingAction("service", verifyService)))
	page("/services/{id}/archive", "service.archive", post, s.loggedIn(s.listingAction("service", archiveService)))
	page("/services/{id}/restore", "service.restore", post, s.loggedIn(s.listingAction("service", unarchiveService)))
	page("/services/{id}/history", "service.history", get, s.loggedIn(s.historyPage(services.EntityService)))
	page("/services/{id}/history/{audit:[0-9]+}/restore", "service.history_restore", post, s.loggedIn(s.restoreVersion(services.EntityService)))
	page("/services/{id}/report", "service.report", get, s.reportPage(services.EntityService))
	page("/services/{id}/report", "service.report.post", post, s.sendReport(services.EntityService))
	page("/contacts/new", "contact.new", get, s.loggedIn(s.newContactForm))
	page("/contacts/new", "contact.new.post", post, s.loggedIn(s.createContact))
	page("/contacts/{id}/edit", "contact.edit", get, s.loggedIn(s.editContactForm))
	page("/contacts/{id}/edit", "contact.edit.post", post, s.loggedIn(s.updateContact))
	page("/contacts/{id}/verify", "contact.verify", post, s.loggedIn(s.listingAction("contact", verifyContact)))
	page("/contacts/{id}/archive", "contact.archive", post, s.loggedIn(s.listingAction("contact", archiveContact)))
	page("/contacts/{id}/restore", "contact.restore", post, s.loggedIn(s.listingAction("contact", unarchiveContact)))
	page("/contacts/{id}/history", "contact.history", get, s.loggedIn(s.historyPage(services.EntityContact)))
	page("/contacts/{id}/history/{audit:[0-9]+}/restore", "contact.history_restore", post, s.loggedIn(s.restoreVersion(services.EntityContact)))
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
	page("/pathways/{slug}/proposal", "pathway.proposal", get, s.loggedIn(s.showProposal))
	page("/pathways/{slug}/proposal/accept", "pathway.proposal.accept", post, s.loggedIn(s.decideProposal(true)))
	page("/pathways/{slug}/proposal/discard", "pathway.proposal.discard", post, s.loggedIn(s.decideProposal(false)))
	page("/pathways/{slug}/edit", "pathway.edit.post", post, s.updatePathway)

	// HTML pages.
	r.Handle("/", s.page(s.home)).Methods(http.MethodGet, http.MethodHead).Name("home")
	r.Handle("/help", s.page(s.help)).Methods(http.MethodGet, http.MethodHead).Name("help")
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

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready: " + err.Error() + "\n"))
			return
		}
	}
	_, _ = w.Write([]byte("ready\n"))
}
