package phases

import (
	"maps"
	"slices"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gate/env"
)

// The phases' part of the registry (package gate's doc.go says what the
// registry is), by operationId:
//
//   - life: what the life cycle of the operation's resource checks beyond
//     the declared one, for the create it names (lifecycle.go);
//   - mockRefusals: calls docs/mock.md says a dli-mock refuses beyond the
//     document, sent in the invalid requests' phase.
type lifeBehaviour struct {
	life         *lifeHooks
	mockRefusals func(g *phase, unknown string) []mockRefusal
}

var lifeBehaviours = map[string]lifeBehaviour{
	"CreateEnhancedConnection":   {life: enhancedLife},
	"CreateDatasourceConnection": {life: classicLife},
	"CreateJobAuthInfo":          {life: &lifeHooks{whileLive: objectGrants("auth_info")}},
	"RunAuthorizationAction":     {mockRefusals: grantRefusals},
}

// mockRefusal is a call a dli-mock refuses, and with which code.
type mockRefusal struct {
	what string
	body []byte
	code string
}

// grantRefusals: a dli-mock models the privileges of enhanced connections
// only, and refuses a grant on one that does not exist (docs/mock.md).
func grantRefusals(g *phase, unknown string) []mockRefusal {
	var out []mockRefusal
	for _, a := range []struct {
		object, code, what string
		privileges         []any
	}{
		{"databases.db_contract", apierror.CodeNotSupported, "a grant on an object other than a connection", []any{"BIND_QUEUE"}},
		{"edsconnections." + unknown, apierror.CodeBadParameter, "a grant on a connection that does not exist", []any{"BIND_QUEUE"}},
		{"edsconnections." + unknown, apierror.CodeBadParameter, "a grant on a connection naming no privilege", nil},
	} {
		body := env.Marshal(map[string]any{"projectId": g.MockValue("project"), "action": "grant",
			"privileges": []any{map[string]any{"object": a.object, "privileges": a.privileges}}})
		out = append(out, mockRefusal{a.what, body, a.code})
	}
	// A user's grant on a resource of a kind named as an object (a
	// datasource authentication) that does not exist: refused as the
	// kind's mock.unknown says.
	for _, kind := range slices.Sorted(maps.Keys(g.Sem.Resources)) {
		res := g.Sem.Resources[kind]
		if res.Object == "" || len(res.Privileges) == 0 || res.Mock == nil || res.Mock.Unknown == nil {
			continue
		}
		body := env.Marshal(map[string]any{"user_name": env.Grantees[0], "action": "grant",
			"privileges": []any{map[string]any{"object": res.Object + unknown, "privileges": []any{res.Privileges[0]}}}})
		out = append(out, mockRefusal{"a grant on a " + res.Title + " that does not exist", body, res.Mock.Unknown.Code})
		// Checked before the object is looked up (docs/mock.md): a grant
		// to no user, one naming no privilege, one of a privilege such an
		// object does not have, 400 DLI.0001.
		for _, r := range []struct {
			what       string
			user       any // none when nil
			privileges []any
		}{
			{"to no user", nil, []any{res.Privileges[0]}},
			{"naming no privilege", env.Grantees[0], nil},
			{"of a privilege it does not have", env.Grantees[0], []any{"BIND_QUEUE"}},
		} {
			body := map[string]any{"action": "grant", "privileges": []any{map[string]any{"object": res.Object + unknown, "privileges": r.privileges}}}
			if r.user != nil {
				body["user_name"] = r.user
			}
			out = append(out, mockRefusal{"a grant on a " + res.Title + " " + r.what, env.Marshal(body), apierror.CodeBadParameter})
		}
	}
	return out
}
