package mockserver

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/server"
)

// RunAuthorizationAction grants, updates and revokes privileges on two
// kinds of object: other projects' on enhanced connections (objects
// edsconnections.<id>), which ShowEnhancedConnectionPrivilege lists, and
// users' on datasource authentications (objects datasourceauth.<name>,
// with user_name), which ListAuthorizationPrivileges lists. DLI's other
// objects (databases, tables, queues ...) are answered with an error that
// says the mock does not model them. Every entry of a request is checked
// before anything changes, so a refused request changes nothing.

// The prefixes of the objects the mock models.
const (
	connectionObject = "edsconnections."
	authObject       = "datasourceauth."
)

// authPrivileges are the privileges a user may hold on a datasource
// authentication (DLI's permission table for datasourceauth).
var authPrivileges = []string{"USE_AUTH", "UPDATE_AUTH", "DROP_AUTH", "GRANT_PRIVILEGE", "REVOKE_PRIVILEGE", "SHOW_PRIVILEGES"}

// grant is what one holder (a project on a connection, a user on a
// datasource authentication) may do with the object.
type grant struct {
	holder     string
	privileges []string
}

func (h *handlers) RunAuthorizationAction(_ context.Context, r server.RunAuthorizationActionRequestObject) (server.RunAuthorizationActionResponseObject, error) {
	refuse := func(code, msg string) (server.RunAuthorizationActionResponseObject, error) {
		return server.RunAuthorizationAction400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse(errorBody(code, msg))}, nil
	}
	body := *r.Body
	project, user := value(body.ProjectID), value(body.UserName)
	s := h.s
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	p := s.store.lookup(r.ProjectID)
	targets := make([]*[]grant, len(body.Privileges))
	holders := make([]string, len(body.Privileges))
	for i, pr := range body.Privileges {
		none := len(pr.Privileges) == 0 && body.Action != server.ActionUpdate
		if name, ok := strings.CutPrefix(pr.Object, authObject); ok {
			a := p.authInfos[name]
			switch {
			case user == "":
				return refuse(apierror.CodeBadParameter, "invalid request: user_name is required to authorize a user on "+pr.Object)
			case none:
				return refuse(apierror.CodeBadParameter, fmt.Sprintf("invalid request: %s of %s names no privilege", body.Action, pr.Object))
			case slices.ContainsFunc(pr.Privileges, func(v string) bool { return !slices.Contains(authPrivileges, v) }):
				return refuse(apierror.CodeBadParameter, fmt.Sprintf("invalid request: the privileges of a datasource authentication are %s, not %v",
					strings.Join(authPrivileges, ", "), pr.Privileges))
			case a == nil:
				return refuse(apierror.CodeNotExist, fmt.Sprintf("There is no datasource authentication named %s", name))
			}
			targets[i], holders[i] = &a.users, user
			continue
		}
		id, ok := strings.CutPrefix(pr.Object, connectionObject)
		if !ok {
			return refuse(apierror.CodeNotSupported, fmt.Sprintf(
				"mock: dli-mock models the privileges of enhanced connections (objects %s<connection_id>) and datasource authentications (objects %s<name>) only; %q is not modelled",
				connectionObject, authObject, pr.Object))
		}
		if project == "" {
			return refuse(apierror.CodeBadParameter, "invalid request: projectId is required to authorize another project on "+pr.Object)
		}
		if none {
			return refuse(apierror.CodeBadParameter, fmt.Sprintf("invalid request: %s of %s names no privilege", body.Action, pr.Object))
		}
		c := p.enhanced[id]
		switch {
		case c == nil:
			return refuse(apierror.CodeBadParameter, fmt.Sprintf("Connection %s is not exist.", id))
		case c.deleted:
			return refuse(apierror.CodeBadParameter, fmt.Sprintf("Connection %s has been deleted and cannot be changed.", id))
		}
		targets[i], holders[i] = &c.grants, project
	}
	for i, pr := range body.Privileges {
		authorize(targets[i], holders[i], string(body.Action), pr.Privileges)
	}
	return server.RunAuthorizationAction200JSONResponse{IsSuccess: true, Message: ptr("")}, nil
}

// authorize applies one action to a holder's privileges: grant adds,
// revoke removes, update replaces (an empty list revokes everything). A
// holder left without privileges is no longer listed.
func authorize(grants *[]grant, holder, action string, privileges []string) {
	i := slices.IndexFunc(*grants, func(g grant) bool { return g.holder == holder })
	if i < 0 {
		*grants = append(*grants, grant{holder: holder})
		i = len(*grants) - 1
	}
	g := &(*grants)[i]
	switch action {
	case string(server.ActionGrant):
		for _, pr := range privileges {
			if !slices.Contains(g.privileges, pr) {
				g.privileges = append(g.privileges, pr)
			}
		}
	case string(server.ActionRevoke):
		g.privileges = slices.DeleteFunc(g.privileges, func(pr string) bool { return slices.Contains(privileges, pr) })
	case string(server.ActionUpdate):
		g.privileges = slices.Compact(slices.Clone(privileges))
	}
	if len(g.privileges) == 0 {
		*grants = slices.Delete(*grants, i, i+1)
	}
}

// privileges answers the grants under both names of the project field:
// applicant_project_id as documented, project_id as Terraform's provider
// reads it.
func (c *enhancedConnection) privileges() []server.Privilege {
	out := make([]server.Privilege, len(c.grants))
	for i, g := range c.grants {
		out[i] = server.Privilege{Object: ptr(connectionObject + c.id), ApplicantProjectID: ptr(g.holder),
			ProjectID: ptr(g.holder), Privileges: slices.Clone(g.privileges)}
	}
	return out
}

// ListAuthorizationPrivileges answers the users holding privileges on a
// datasource authentication. Other objects are refused as DLI refuses an
// object it does not support (DLI.0001), saying the mock does not model
// them; an unknown authentication as DLI refuses an unknown database
// (DLI.0002).
func (h *handlers) ListAuthorizationPrivileges(_ context.Context, r server.ListAuthorizationPrivilegesRequestObject) (server.ListAuthorizationPrivilegesResponseObject, error) {
	refuse := func(code, msg string) (server.ListAuthorizationPrivilegesResponseObject, error) {
		return server.ListAuthorizationPrivileges400JSONResponse{ObjectRefusedJSONResponse: server.ObjectRefusedJSONResponse(errorBody(code, msg))}, nil
	}
	name, ok := strings.CutPrefix(r.Params.Object, authObject)
	if !ok {
		return refuse(apierror.CodeBadParameter, fmt.Sprintf(
			"mock: dli-mock lists the privileges of datasource authentications (objects %s<name>) only; %q is not modelled", authObject, r.Params.Object))
	}
	s := h.s
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	a := s.store.lookup(r.ProjectID).authInfos[name]
	if a == nil {
		return refuse(apierror.CodeNotExist, fmt.Sprintf("There is no datasource authentication named %s", name))
	}
	items := make([]server.UserPrivilege, len(a.users))
	for i, g := range a.users {
		items[i] = server.UserPrivilege{Object: ptr(r.Params.Object), IsAdmin: ptr(false), UserName: ptr(g.holder), Privileges: slices.Clone(g.privileges)}
	}
	count := int32(min(len(items), math.MaxInt32))
	return server.ListAuthorizationPrivileges200JSONResponse{IsSuccess: ptr(true), Message: ptr(""), ObjectName: ptr(name),
		ObjectType: ptr("datasourceauth"), Count: &count, Privileges: items}, nil
}

func value[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
