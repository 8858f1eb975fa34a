package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/serie-verkosto/directory/internal/corrections"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/seedtest"
	"github.com/serie-verkosto/directory/internal/services"
	"github.com/serie-verkosto/directory/internal/users"
)

// matrixCell is one case of the authorization matrix.
type matrixCell struct {
	role    string // anon, member, editorA, admin
	own     bool   // the listing is in network A (the editor's own)
	surface string // page or api
}

func (c matrixCell) net() string {
	if c.own {
		return netA
	}
	return netB
}

// tag is a unique, valid id part for the cell's own listings.
func (c matrixCell) tag(action string) string {
	where := "other"
	if c.own {
		where = "own"
	}
	return strings.ToLower(fmt.Sprintf("mx-%s-%s-%s-%s", action, c.role, where, c.surface))
}

// outcome of an action: an HTTP status, or for reading the members-only
// field whether it was shown.
const (
	hidden = 0
	shown  = 1
)

// standard is the expected status of an editing action: 401 without a
// session, 403 for members and other networks' editors, ok otherwise.
func standard(pageOK, apiOK int) func(matrixCell) int {
	return func(c matrixCell) int {
		ok := pageOK
		if c.surface == "api" {
			ok = apiOK
		}
		switch {
		case c.role == "anon":
			return http.StatusUnauthorized
		case c.role == "member", c.role == "editorA" && !c.own:
			return http.StatusForbidden
		}
		return ok
	}
}

// minimalServiceForm is a complete, valid service form for a network.
func minimalServiceForm(id, network string, version int) url.Values {
	v := url.Values{
		"name.fi": {"Matriisipalvelu " + id}, "description.fi": {"Muokattu kuvaus " + id},
		"target_groups": {"worried-about-own-thoughts"}, "service_types": {"counselling"},
		"area.networks": {network}, "status": {services.StatusActive},
	}
	if version > 0 {
		v.Set("version", strconv.Itoa(version))
	} else {
		v.Set("id", id)
	}
	return v
}

func ifMatch(version int) http.Header {
	return http.Header{"If-Match": {strconv.Quote(strconv.Itoa(version))}}
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	seedtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, siteOptions{})
		ctx := db.WithActor(context.Background(), "test")
		clients := map[string]*client{}
		for _, r := range []string{"anon", "member", "editorA", "admin"} {
			clients[r] = s.as(t, r)
		}
		newService := func(t *testing.T, id, network, status string) services.Service {
			t.Helper()
			svc := testService(id, network)
			svc.Status = status
			if err := s.store.Services.Create(ctx, users.System("test"), svc); err != nil {
				t.Fatal(err)
			}
			return *svc
		}
		actions := []struct {
			name   string
			noAPI  bool
			writes bool
			want   func(matrixCell) int
			run    func(t *testing.T, c *client, cell matrixCell) int
		}{
			{name: "view-members-only-field", want: func(c matrixCell) int {
				if c.role == "anon" {
					return hidden
				}
				return shown
			}, run: func(t *testing.T, c *client, cell matrixCell) int {
				id := map[bool]string{true: contactA, false: contactB}[cell.own]
				if cell.surface == "page" {
					_, body := c.get(t, "/contacts/"+id)
					if strings.Contains(parse(t, body).Find("main").Text(), secretPhone) {
						return shown
					}
					return hidden
				}
				_, body := c.get(t, "/api/v1/contacts/"+id)
				var got services.Contact
				if err := json.Unmarshal(body, &got); err != nil {
					t.Fatal(err)
				}
				if got.Phone == secretPhone {
					return shown
				}
				return hidden
			}},
			{name: "create", writes: true, want: standard(http.StatusSeeOther, http.StatusCreated),
				run: func(t *testing.T, c *client, cell matrixCell) int {
					id := cell.tag("create")
					if cell.surface == "page" {
						res, _ := c.post(t, "/services/new", minimalServiceForm(id, cell.net(), 0))
						return res.StatusCode
					}
					res, _ := c.sendJSON(t, http.MethodPost, "/api/v1/services", testService(id, cell.net()), nil)
					return res.StatusCode
				}},
			{name: "open-edit-form", want: func(c matrixCell) int {
				if c.role == "anon" {
					return http.StatusSeeOther // to the login page
				}
				return standard(http.StatusOK, http.StatusOK)(c)
			}, noAPI: true, run: func(t *testing.T, c *client, cell matrixCell) int {
				id := map[bool]string{true: svcA, false: svcB}[cell.own]
				res, _ := c.get(t, "/services/"+id+"/edit")
				return res.StatusCode
			}},
			{name: "edit", writes: true, want: standard(http.StatusSeeOther, http.StatusOK),
				run: func(t *testing.T, c *client, cell matrixCell) int {
					svc := newService(t, cell.tag("edit"), cell.net(), services.StatusActive)
					if cell.surface == "page" {
						res, _ := c.post(t, "/services/"+svc.ID+"/edit", minimalServiceForm(svc.ID, cell.net(), svc.Version))
						return res.StatusCode
					}
					svc.Description.FI = "API-muutos"
					res, _ := c.sendJSON(t, http.MethodPut, "/api/v1/services/"+svc.ID, svc, ifMatch(svc.Version))
					return res.StatusCode
				}},
			{name: "edit-contact", writes: true, want: standard(http.StatusSeeOther, http.StatusOK),
				run: func(t *testing.T, c *client, cell matrixCell) int {
					ct := &services.Contact{ID: cell.tag("contact"), Name: "Matriisi Henkilö", Role: "deputy", NetworkSlug: db.Ref(cell.net())}
					if err := s.store.Contacts.Create(ctx, users.System("test"), ct); err != nil {
						t.Fatal(err)
					}
					if cell.surface == "page" {
						res, _ := c.post(t, "/contacts/"+ct.ID+"/edit", url.Values{"version": {strconv.Itoa(ct.Version)},
							"name": {"Muokattu Henkilö"}, "role": {"deputy"}, "network": {cell.net()}})
						return res.StatusCode
					}
					ct.Name = "API Henkilö"
					res, _ := c.sendJSON(t, http.MethodPut, "/api/v1/contacts/"+ct.ID, ct, ifMatch(ct.Version))
					return res.StatusCode
				}},
			{name: "archive", writes: true, want: standard(http.StatusSeeOther, http.StatusNoContent),
				run: func(t *testing.T, c *client, cell matrixCell) int {
					svc := newService(t, cell.tag("archive"), cell.net(), services.StatusActive)
					var res *http.Response
					if cell.surface == "page" {
						res, _ = c.post(t, "/services/"+svc.ID+"/archive", url.Values{"version": {strconv.Itoa(svc.Version)}})
					} else {
						res, _ = c.do(t, http.MethodDelete, "/api/v1/services/"+svc.ID, nil, ifMatch(svc.Version))
					}
					archived := s.service(t, svc.ID).Status == services.StatusArchived
					if archived != (res.StatusCode < 400) {
						t.Errorf("status %d but archived = %v", res.StatusCode, archived)
					}
					return res.StatusCode
				}},
			{name: "restore", writes: true, want: func(c matrixCell) int {
				if c.role == "editorA" {
					return http.StatusForbidden // restoring is for admins only
				}
				return standard(http.StatusSeeOther, http.StatusOK)(c)
			}, run: func(t *testing.T, c *client, cell matrixCell) int {
				svc := newService(t, cell.tag("restore"), cell.net(), services.StatusArchived)
				var res *http.Response
				if cell.surface == "page" {
					res, _ = c.post(t, "/services/"+svc.ID+"/restore", url.Values{"version": {strconv.Itoa(svc.Version)}})
				} else {
					svc.Status = services.StatusActive
					res, _ = c.sendJSON(t, http.MethodPut, "/api/v1/services/"+svc.ID, svc, ifMatch(svc.Version))
				}
				active := s.service(t, svc.ID).Status == services.StatusActive
				if active != (res.StatusCode < 400) {
					t.Errorf("status %d but active = %v", res.StatusCode, active)
				}
				return res.StatusCode
			}},
			{name: "verify", writes: true, want: standard(http.StatusSeeOther, http.StatusOK),
				run: func(t *testing.T, c *client, cell matrixCell) int {
					svc := newService(t, cell.tag("verify"), cell.net(), services.StatusActive)
					if cell.surface == "page" {
						res, _ := c.post(t, "/services/"+svc.ID+"/verify", url.Values{"version": {strconv.Itoa(svc.Version)}})
						return res.StatusCode
					}
					res, _ := c.do(t, http.MethodPost, "/api/v1/services/"+svc.ID+"/verify", nil, ifMatch(svc.Version))
					return res.StatusCode
				}},
			{name: "resolve-report", writes: true, noAPI: true, want: standard(http.StatusSeeOther, 0),
				run: func(t *testing.T, c *client, cell matrixCell) int {
					rep := &corrections.Report{Entity: services.EntityService, EntityID: svcA, Networks: []string{cell.net()}, Message: "Väärä numero"}
					if err := s.corr.Create(context.Background(), rep); err != nil {
						t.Fatal(err)
					}
					res, _ := c.post(t, "/reports/"+rep.ID+"/resolve", url.Values{"version": {"1"}})
					return res.StatusCode
				}},
			{name: "list-users", noAPI: true, want: func(c matrixCell) int {
				switch c.role {
				case "anon":
					return http.StatusSeeOther // to the login page
				case "admin":
					return http.StatusOK
				}
				return http.StatusForbidden
			}, run: func(t *testing.T, c *client, cell matrixCell) int {
				res, _ := c.get(t, "/admin/users")
				return res.StatusCode
			}},
			{name: "create-user", writes: true, noAPI: true, want: func(c matrixCell) int {
				switch c.role {
				case "anon":
					return http.StatusUnauthorized
				case "admin":
					return http.StatusOK // shows the new password once
				}
				return http.StatusForbidden
			}, run: func(t *testing.T, c *client, cell matrixCell) int {
				res, _ := c.post(t, "/admin/users/new", url.Values{"email": {cell.tag("user") + "@example.org"},
					"name": {"Uusi Käyttäjä"}, "role": {"member"}})
				return res.StatusCode
			}},
		}
		for _, a := range actions {
			for _, role := range []string{"anon", "member", "editorA", "admin"} {
				for _, own := range []bool{true, false} {
					for _, surface := range []string{"page", "api"} {
						if surface == "api" && a.noAPI {
							continue
						}
						cell := matrixCell{role: role, own: own, surface: surface}
						name := fmt.Sprintf("%s/%s/own=%v/%s", a.name, role, own, surface)
						t.Run(name, func(t *testing.T) {
							before := s.auditCount(t)
							got := a.run(t, clients[role], cell)
							if want := a.want(cell); got != want {
								t.Errorf("got %d, want %d", got, want)
							}
							// A refused write leaves no trace (the fixture's own
							// rows are written before the request).
							if a.writes && got >= 400 {
								after := s.auditCount(t)
								fixture := map[string]int{"edit": 1, "edit-contact": 1, "archive": 1, "restore": 1, "verify": 1, "resolve-report": 1}[a.name]
								if after-before != fixture {
									t.Errorf("a refused request wrote %d audit rows", after-before-fixture)
								}
							}
						})
					}
				}
			}
		}
		s.noAddresses(t)
	})
}
