package phases

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/gen/dli"
)

// The life cycle hooks of the registry (registry.go): what the life cycles
// of enhanced and classic connections check beyond what their kinds
// declare.

// enhancedLife: an enhanced connection is created on the target's VPC
// and subnet, bound to its pool (a dli-mock's fail_ pool too, which must
// end FAILED); its bindings must settle; they are unbound before the
// delete.
var enhancedLife = &lifeHooks{
	body: func(g *phase, body map[string]any) {
		if pools, ok := body["elastic_resource_pools"].([]any); ok && g.Cfg.Mock {
			// A dli-mock ends a fail_ binding FAILED, with a message, and any
			// other ACTIVE: both ends are checked.
			body["elastic_resource_pools"] = append(pools, "fail_contract_pool")
		}
	},
	settle: &partSettle{
		what: "bindings",
		see: func(st *stateTracker, got map[string]any) (moves, creating []string) {
			for _, b := range slices.Concat(env.Objects(got["available_queue_info"]), env.Objects(got["elastic_resource_pools"])) {
				status := env.Str(b["status"])
				moves = append(moves, st.move("binding", env.Str(b["name"]), status, func(from, to string) bool {
					return slices.Contains(bindingMoves[from], to)
				}))
				if status == string(dli.BindingCreating) {
					creating = append(creating, env.Str(b["name"]))
				}
			}
			return moves, creating
		},
		still: func(creating []string, settle string) string {
			return fmt.Sprintf("binding %s still CREATING after %s (-settle)", strings.Join(creating, ", "), settle)
		},
		ended: func(got map[string]any) string {
			var d dli.EnhancedConnectionDetail
			_ = json.Unmarshal(env.Marshal(got), &d)
			return mockEnds(&d)
		},
	},
	whileLive:   enhancedMockRefusals,
	afterDelete: grantOnDeleted,
	beforeDelete: func(ctx context.Context, g *phase, id string, body map[string]any) {
		queues, pools := env.Strings(body["queues"]), env.Strings(body["elastic_resource_pools"])
		if len(queues)+len(pools) > 0 {
			_, _ = g.Client.DisassociateQueueFromEnhancedConnectionWithResponse(ctx, g.Cfg.ProjectID, id,
				dli.EnhancedConnectionBindingRequest{Queues: queues, ElasticResourcePools: pools})
		}
	},
}

// bindingMoves says where a binding's status may go next.
var bindingMoves = map[string][]string{
	"CREATING": {"ACTIVE", "FAILED"},
}

// classicLife: a classic connection is created for the target's service;
// a dli-mock's shows its progress as docs/mock.md says.
var classicLife = &lifeHooks{
	mock: func(got map[string]any) string {
		var d dli.ConnectionDetail
		_ = json.Unmarshal(env.Marshal(got), &d)
		return mockProcess(&d)
	},
}

// mockEnds says what is wrong with how a dli-mock's bindings ended: a
// fail_ binding FAILED with an err_msg, any other ACTIVE without one, as
// docs/mock.md says.
func mockEnds(d *dli.EnhancedConnectionDetail) string {
	var wrong []string
	for _, b := range slices.Concat(d.AvailableQueueInfo, d.ElasticResourcePools) {
		name, status, msg := value(b.Name), string(value(b.Status)), value(b.ErrMsg)
		fails := strings.HasPrefix(name, "fail_")
		switch {
		case fails && (status != string(dli.BindingFailed) || msg == ""):
			wrong = append(wrong, fmt.Sprintf("%s ended %s with err_msg %q, want FAILED with a message", name, status, msg))
		case !fails && (status != string(dli.BindingActive) || msg != ""):
			wrong = append(wrong, fmt.Sprintf("%s ended %s with err_msg %q, want ACTIVE without one", name, status, msg))
		}
	}
	return strings.Join(wrong, "; ")
}

// mockProcess says what is wrong with a dli-mock's new classic connection:
// docs/mock.md has it CREATING, process rising from 0 to below 1, then
// ACTIVE at 1; a new one never FAILS.
func mockProcess(d *dli.ConnectionDetail) string {
	state, process := value(d.State), value(d.Process)
	switch {
	case state == dli.StateCreating && (process < 0 || process >= 1):
		return fmt.Sprintf("CREATING at process %v, want at least 0 and below 1", process)
	case state == dli.StateActive && process != 1:
		return fmt.Sprintf("ACTIVE at process %v, want 1", process)
	case state != dli.StateCreating && state != dli.StateActive:
		return fmt.Sprintf("a new connection is %s, want CREATING, then ACTIVE", state)
	}
	return ""
}

func value[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// enhancedMockRefusals holds a dli-mock, while its connection lives, to the
// choices docs/mock.md states where DLI's documents are silent: binding what
// is bound 400 DLI.0006, unbinding what is not bound 400 DLI.0001, a grant
// to no project 400 DLI.0001; and to an update of a grant replacing its
// privileges, as the document says.
func enhancedMockRefusals(ctx context.Context, g *phase, id string, body map[string]any) {
	if !g.Cfg.Mock {
		return
	}
	if pools := env.Strings(body["elastic_resource_pools"]); len(pools) > 0 {
		cctx, ex := wire.Track(ctx)
		_, _ = g.Client.AssociateQueueToEnhancedConnectionWithResponse(cctx, g.Cfg.ProjectID, id, dli.EnhancedConnectionBindingRequest{ElasticResourcePools: pools[:1]})
		g.JudgeRefusal(check.Negative, ex, "binding a pool bound already (docs/mock.md)", apierror.CodeAlreadyExists)
	}
	cctx, ex := wire.Track(ctx)
	_, _ = g.Client.DisassociateQueueFromEnhancedConnectionWithResponse(cctx, g.Cfg.ProjectID, id, dli.EnhancedConnectionBindingRequest{ElasticResourcePools: []string{"contract_not_bound"}})
	g.JudgeRefusal(check.Negative, ex, "unbinding a pool not bound (docs/mock.md)", apierror.CodeBadParameter)

	grant := func(action dli.AuthorizationRequestAction, project *string, privileges ...string) *wire.Exchange {
		cctx, ex := wire.Track(ctx)
		_, _ = g.Client.RunAuthorizationActionWithResponse(cctx, g.Cfg.ProjectID, dli.AuthorizationRequest{Action: action, ProjectID: project,
			Privileges: []dli.AuthorizationPrivilege{{Object: "edsconnections." + id, Privileges: privileges}}})
		return ex
	}
	g.JudgeRefusal(check.Negative, grant("grant", nil, "BIND_QUEUE"), "a grant to no project (docs/mock.md)", apierror.CodeBadParameter)

	grantee := g.MockValue("project")
	if ex := grant("grant", &grantee, "BIND_QUEUE"); acceptedAny(ex, "a grant") != "" {
		return // the sequences judge grants
	}
	ex = grant("update", &grantee, "SHOW_PRIVILEGES")
	msg := acceptedAny(ex, "an update of a grant")
	if msg == "" {
		cctx, shown := wire.Track(ctx)
		priv, _ := g.Client.ShowEnhancedConnectionPrivilegeWithResponse(cctx, g.Cfg.ProjectID, id)
		ex = shown
		var got []string
		if priv != nil && priv.JSON200 != nil {
			for _, p := range priv.JSON200.Privileges {
				if value(p.ProjectID) == grantee || value(p.ApplicantProjectID) == grantee {
					got = append(got, p.Privileges...)
				}
			}
		}
		if !slices.Equal(got, []string{"SHOW_PRIVILEGES"}) {
			msg = fmt.Sprintf("after an update to [SHOW_PRIVILEGES] of a grant of [BIND_QUEUE], the project holds %v; an update replaces (the document)", got)
		}
	}
	g.Judge(wire.Verdict{Check: check.Availability, Op: g.OpNamed(ex), What: "an update of a grant replaces its privileges", Ex: ex, Msg: msg})
	grant("revoke", &grantee, "SHOW_PRIVILEGES")
}

// grantOnDeleted: a dli-mock refuses a grant on a deleted connection, 400
// DLI.0001 (docs/mock.md).
func grantOnDeleted(ctx context.Context, g *phase, id string) {
	if !g.Cfg.Mock {
		return
	}
	grantee := g.MockValue("project")
	cctx, ex := wire.Track(ctx)
	_, _ = g.Client.RunAuthorizationActionWithResponse(cctx, g.Cfg.ProjectID, dli.AuthorizationRequest{Action: "grant", ProjectID: &grantee,
		Privileges: []dli.AuthorizationPrivilege{{Object: "edsconnections." + id, Privileges: []string{"BIND_QUEUE"}}}})
	g.JudgeRefusal(check.UseAfterFree, ex, "a grant on a deleted connection (docs/mock.md)", apierror.CodeBadParameter)
}

// objectGrants holds a dli-mock, while a resource of kind lives, to the
// privileges of the object the kind is named as (datasourceauth.<name>):
// a grant to a user shows in the object's privilege list, a revoke takes
// it away, and the list of such an object that does not exist is refused
// as the kind's mock.unknown says (docs/mock.md). Users are the mock's to
// make up; a live DLI's are not.
func objectGrants(kind string) func(ctx context.Context, g *phase, key string, body map[string]any) {
	return func(ctx context.Context, g *phase, key string, _ map[string]any) {
		res := g.Sem.Resources[kind]
		if !g.Cfg.Mock || res == nil || res.Object == "" || len(res.Privileges) == 0 {
			return
		}
		user, privilege, object := env.Grantees[0], res.Privileges[0], res.Object+key
		grant := func(action dli.AuthorizationRequestAction) string {
			cctx, ex := wire.Track(ctx)
			_, _ = g.Client.RunAuthorizationActionWithResponse(cctx, g.Cfg.ProjectID, dli.AuthorizationRequest{Action: action, UserName: &user,
				Privileges: []dli.AuthorizationPrivilege{{Object: object, Privileges: []string{privilege}}}})
			return acceptedAny(ex, fmt.Sprintf("a %s of %s on %s to %s", action, privilege, object, user))
		}
		held := func(obj string) (*wire.Exchange, []string) {
			cctx, ex := wire.Track(ctx)
			list, _ := g.Client.ListAuthorizationPrivilegesWithResponse(cctx, g.Cfg.ProjectID, &dli.ListAuthorizationPrivilegesParams{Object: obj})
			var got []string
			if list != nil && list.JSON200 != nil {
				for _, p := range list.JSON200.Privileges {
					if value(p.UserName) == user {
						got = append(got, p.Privileges...)
					}
				}
			}
			return ex, got
		}
		for _, step := range []struct {
			action dli.AuthorizationRequestAction
			want   []string
		}{{"grant", []string{privilege}}, {"revoke", nil}} {
			if msg := grant(step.action); msg != "" {
				return // the sequences judge grants
			}
			ex, got := held(object)
			msg := env.Accepted(ex, 200, "the privilege list")
			if msg == "" && !slices.Equal(got, step.want) {
				msg = fmt.Sprintf("after a %s of %s, %s holds %v on %s, want %v", step.action, privilege, user, got, object, step.want)
			}
			g.Judge(wire.Verdict{Check: check.Availability, Op: g.OpNamed(ex), What: fmt.Sprintf("the privileges on the %s after a %s", res.Title, step.action), Ex: ex, Msg: msg})
		}
		if res.Mock != nil && res.Mock.Unknown != nil {
			ex, _ := held(res.Object + "contract_no_such_" + key)
			g.Judge(wire.Verdict{Check: check.Negative, Op: g.OpNamed(ex), What: "the privileges on a " + res.Title + " that does not exist", Ex: ex,
				Msg: env.RefusedAs(ex, "the privileges on a "+res.Title+" that does not exist", *res.Mock.Unknown)})
		}
	}
}
