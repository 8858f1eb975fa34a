package auth

import (
	"slices"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/users"
)

// Action is something a person may be allowed to do.
type Action string

// The actions Can decides.
const (
	ReadPublic    Action = "read-public"    // read public listings
	ReadMembers   Action = "read-members"   // read members-only entries and fields
	Edit          Action = "edit"           // create, update, verify or archive a listing
	Propose       Action = "propose"        // save a care pathway draft, propose a change to a published one, read drafts
	Publish       Action = "publish"        // publish a care pathway, change or unpublish a published one
	AdminUsers    Action = "admin-users"    // create, reset, deactivate users
	Restore       Action = "restore"        // restore an earlier version or an archived listing
	ResolveReport Action = "resolve-report" // see and resolve correction reports
)

// Actions lists every action, for tables and tests.
var Actions = []Action{ReadPublic, ReadMembers, Edit, Propose, Publish, AdminUsers, Restore, ResolveReport}

// Kinds of resource: the entity names of the change log and audit log
// (services.EntityService is KindService, and so on).
const (
	KindService    = "service"
	KindContact    = "contact"
	KindPathway    = "pathway"
	KindCorrection = "correction"
	KindUser       = "user" // an account (users.EntityUser)
)

// Resource is what an action is done to. Kind is one of the Kind names;
// Networks are the slugs of the networks the resource belongs to, which
// the feature package computes (services.Store.ServiceResource,
// services.ContactResource, a report's networks). For an update, check both the stored listing and the
// submitted one, so that an editor can neither take over another
// network's listing nor move theirs into another network.
type Resource struct {
	Kind     string
	Networks []string
}

func loginRequired() error {
	return apperr.Keyed(apperr.Unauthorized, KeyLoginRequired, "log in to do this")
}

func forbidden() error {
	return apperr.Keyed(apperr.Forbidden, KeyForbidden, "you may not do this")
}

func forbiddenNetwork() error {
	return apperr.Keyed(apperr.Forbidden, KeyForbiddenNetwork, "you may edit only the listings of your own network")
}

// Can decides whether u may do the action to res: nil when allowed,
// Unauthorized (KeyLoginRequired) when nobody is logged in (u nil or
// inactive) and logging in might help, Forbidden otherwise. It is the one
// place these rules are written:
//
//   - anyone, logged in or not, reads public listings;
//   - members, editors and admins read members-only entries;
//   - an editor edits services and contacts that belong to one of the
//     editor's networks, resolves those networks' correction reports,
//     proposes care pathways (drafts, and changes to published ones for
//     an admin to publish) when the editor has a network at all, and
//     does nothing else;
//   - a system identity (the seed, an importer; never a login) edits
//     services and contacts of every network, and does nothing else;
//   - admins do everything;
//   - anything not named here is refused.
func Can(u *users.User, a Action, res Resource) error {
	if a == ReadPublic {
		return nil
	}
	if u == nil || !u.Active {
		return loginRequired()
	}
	switch u.Role {
	case users.RoleAdmin:
		if slices.Contains(Actions, a) {
			return nil
		}
	case users.RoleEditor:
		switch a {
		case ReadMembers:
			return nil
		case Edit:
			if res.Kind != KindService && res.Kind != KindContact {
				return forbidden()
			}
			return inNetworks(u, res)
		case ResolveReport:
			if res.Kind != KindCorrection {
				return forbidden()
			}
			return inNetworks(u, res)
		case Propose:
			// Pathways belong to no network; an editor of none edits
			// nothing, so proposes nothing either.
			if res.Kind != KindPathway {
				return forbidden()
			}
			if len(u.Networks) == 0 {
				return forbiddenNetwork()
			}
			return nil
		}
	case users.RoleMember:
		if a == ReadMembers {
			return nil
		}
	case users.RoleSystem:
		if a == Edit && (res.Kind == KindService || res.Kind == KindContact) {
			return nil
		}
	}
	return forbidden()
}

func inNetworks(u *users.User, res Resource) error {
	for _, n := range res.Networks {
		if slices.Contains(u.Networks, n) {
			return nil
		}
	}
	return forbiddenNetwork()
}

// Scope returns the networks in which u may do the action, for lists such
// as an editor's dashboard or report queue: all is true when u may do it
// everywhere (admins, or actions not tied to networks); otherwise networks
// are the ones allowed. The error is Can's when u may do it nowhere.
func Scope(u *users.User, a Action) (networks []string, all bool, err error) {
	if u != nil && u.Active && u.Role == users.RoleEditor && (a == Edit || a == ResolveReport) {
		if len(u.Networks) == 0 {
			return nil, false, forbiddenNetwork()
		}
		return slices.Clone(u.Networks), false, nil
	}
	if u != nil && u.Active && u.Role == users.RoleSystem && a == Edit {
		return nil, true, nil
	}
	if err := Can(u, a, Resource{}); err != nil {
		return nil, false, err
	}
	return nil, true, nil
}

// Level is the clearance of u for members-only and admin-only fields:
// LevelPublic for nobody (or an inactive user), LevelMember for members
// and editors, LevelAdmin for admins.
func Level(u *users.User) users.Level {
	switch {
	case u == nil || !u.Active:
		return users.LevelPublic
	case u.Role == users.RoleAdmin:
		return users.LevelAdmin
	case u.Role == users.RoleEditor || u.Role == users.RoleMember:
		return users.LevelMember
	}
	return users.LevelPublic
}
