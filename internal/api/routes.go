package api

import (
	"net/http"

	"github.com/gorilla/mux"
)

// Routes adds the API's routes to r, the router of /api/v1: reads are
// anonymous; writes (POST, PUT, DELETE) need a session or a token and
// auth.Can's yes, decided by the use cases. Route names label metrics.
func (a *API) Routes(r *mux.Router) {
	r.Handle("/search", a.Get(a.Search)).Name("api.search")
	r.Handle("/services", a.Methods(a.ListServices, a.services.create, nil, nil)).Name("api.services")
	r.Handle("/services/{id}", a.Methods(a.services.get, nil, a.services.update, a.services.archive)).Name("api.service")
	r.Handle("/services/{id}/verify", a.Methods(nil, a.services.verify, nil, nil)).Name("api.service.verify")
	r.Handle("/contacts", a.Methods(a.ListContacts, a.contacts.create, nil, nil)).Name("api.contacts")
	r.Handle("/contacts/{id}", a.Methods(a.contacts.get, nil, a.contacts.update, a.contacts.archive)).Name("api.contact")
	r.Handle("/contacts/{id}/verify", a.Methods(nil, a.contacts.verify, nil, nil)).Name("api.contact.verify")
	r.Handle("/networks", a.Get(a.ListNetworks)).Name("api.networks")
	r.Handle("/networks/{slug}", a.Get(a.GetNetwork)).Name("api.network")
	r.Handle("/municipalities", a.Get(a.ListMunicipalities)).Name("api.municipalities")
	r.Handle("/vocabularies", a.Get(a.ListVocabularies)).Name("api.vocabularies")
	r.Handle("/pathways", a.Methods(a.ListPathways, a.CreatePathway, nil, nil)).Name("api.pathways")
	r.Handle("/pathways/{slug}", a.Methods(a.GetPathway, nil, a.UpdatePathway, nil)).Name("api.pathway")
	r.Handle("/openapi.json", a.Get(a.GetOpenAPI)).Name("api.openapi")
	r.NotFoundHandler = http.HandlerFunc(NotFound)
}

// WriteError renders err as the API does, for the server's own refusals
// (a request too large, a cross-origin write) on API paths.
func (a *API) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	WriteError(w, r, err, a.Log)
}
