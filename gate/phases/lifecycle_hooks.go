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
