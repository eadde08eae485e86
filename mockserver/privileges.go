package mockserver

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/server"
)

// RunAuthorizationAction grants, updates and revokes other projects'
// privileges on enhanced connections (objects edsconnections.<id>), which
// ShowEnhancedConnectionPrivilege then lists. DLI's other objects
// (databases, tables, queues ...) are answered with an error that says the
// mock does not model them. Every entry of a request is checked before
// anything changes, so a refused request changes nothing.

// connectionObject is the prefix of an enhanced connection as an
// authorization object.
const connectionObject = "edsconnections."

// grant is what one project may do with a connection.
type grant struct {
	project    string
	privileges []string
}

func (h *handlers) RunAuthorizationAction(_ context.Context, r server.RunAuthorizationActionRequestObject) (server.RunAuthorizationActionResponseObject, error) {
	refuse := func(code, msg string) (server.RunAuthorizationActionResponseObject, error) {
		return server.RunAuthorizationAction400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse(errorBody(code, msg))}, nil
	}
	body := *r.Body
	grantee := value(body.ProjectID)
	s := h.s
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	p := s.store.lookup(r.ProjectID)
	targets := make([]*enhancedConnection, len(body.Privileges))
	for i, pr := range body.Privileges {
		id, ok := strings.CutPrefix(pr.Object, connectionObject)
		if !ok {
			return refuse(apierror.CodeNotSupported, fmt.Sprintf(
				"mock: dli-mock models the privileges of enhanced connections (objects %s<connection_id>) only; %q is not modelled",
				connectionObject, pr.Object))
		}
		if grantee == "" {
			return refuse(apierror.CodeBadParameter, "invalid request: projectId is required to authorize another project on "+pr.Object)
		}
		if len(pr.Privileges) == 0 && body.Action != server.ActionUpdate {
			return refuse(apierror.CodeBadParameter, fmt.Sprintf("invalid request: %s of %s names no privilege", body.Action, pr.Object))
		}
		c := p.enhanced[id]
		switch {
		case c == nil:
			return refuse(apierror.CodeBadParameter, fmt.Sprintf("Connection %s is not exist.", id))
		case c.deleted:
			return refuse(apierror.CodeBadParameter, fmt.Sprintf("Connection %s has been deleted and cannot be changed.", id))
		}
		targets[i] = c
	}
	for i, pr := range body.Privileges {
		targets[i].authorize(grantee, string(body.Action), pr.Privileges)
	}
	return server.RunAuthorizationAction200JSONResponse{IsSuccess: ptr(true), Message: ptr("")}, nil
}

// authorize applies one action: grant adds privileges, revoke removes
// them, update replaces them (an empty list revokes everything). A project
// left without privileges is no longer listed.
func (c *enhancedConnection) authorize(project, action string, privileges []string) {
	i := slices.IndexFunc(c.grants, func(g grant) bool { return g.project == project })
	if i < 0 {
		c.grants = append(c.grants, grant{project: project})
		i = len(c.grants) - 1
	}
	g := &c.grants[i]
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
		c.grants = slices.Delete(c.grants, i, i+1)
	}
}

// privileges answers the grants under both names of the project field:
// applicant_project_id as documented, project_id as Terraform's provider
// reads it.
func (c *enhancedConnection) privileges() []server.Privilege {
	out := make([]server.Privilege, len(c.grants))
	for i, g := range c.grants {
		out[i] = server.Privilege{Object: ptr(connectionObject + c.id), ApplicantProjectID: ptr(g.project),
			ProjectID: ptr(g.project), Privileges: slices.Clone(g.privileges)}
	}
	return out
}

func value[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
