package gate

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/dli-contract/dli-go/contract"
)

// fieldCases replays the requests of Huawei Cloud's Terraform provider
// (FieldCases) with Mutate: the server must accept each and answer every
// field the provider reads, as live DLI does. A case that needs a queue
// or another project the target did not name is skipped.
func (g *gate) fieldCases(ctx context.Context) {
	cases, err := contract.FieldCases()
	if err != nil {
		g.verdict(CheckPositive, "field cases", "", err.Error())
		return
	}
	for _, fc := range cases {
		vars := g.fieldVars()
		vars["name"] = g.name()
		var missing []string
		for _, need := range fc.Needs() {
			if vars[need] == "" {
				missing = append(missing, need)
			}
		}
		if len(missing) > 0 {
			g.logf("SKIP field case %s: the target names no %s", fc, strings.Join(missing, ", "))
			continue
		}
		created, problems := fc.Replay(ctx, g.hc, g.cfg.Endpoint, vars)
		for _, id := range created {
			g.deleteEnhanced(ctx, id)
		}
		if len(problems) == 0 {
			for _, s := range fc.Steps {
				g.verdict(CheckPositive, g.opName(s.Method, s.PathWith(vars)), "", "")
			}
			continue
		}
		for _, p := range problems {
			g.verdict(CheckPositive, g.opName(p.Method, p.Path), "",
				fmt.Sprintf("Terraform's %s (field case %s, step %d: %s): %s", fc.Provider.Function, fc.File, p.Step, p.From, p.Message))
		}
	}
}

// fieldVars are the placeholders of the field cases the target fills.
func (g *gate) fieldVars() map[string]string {
	vars := map[string]string{"project_id": g.cfg.ProjectID}
	e := g.cfg.Enhanced
	queue, grantee := g.cfg.Queue, g.cfg.GranteeProjectID
	if e.DestVpcID == "" {
		e, queue, grantee = mockEnhanced, mockQueue, mockGrantee
	}
	vars["vpc_id"], vars["subnet_id"] = e.DestVpcID, e.DestNetworkID
	if len(e.ElasticResourcePools) > 0 {
		vars["pool"] = e.ElasticResourcePools[0]
	}
	vars["queue"], vars["grantee_project_id"] = queue, grantee
	for k, v := range vars {
		if v == "" {
			delete(vars, k)
		}
	}
	return vars
}

// opName is the operationId of a request, or its method and path when the
// document has none.
func (g *gate) opName(method, path string) string {
	req, err := http.NewRequest(method, strings.TrimSuffix(g.cfg.Endpoint, "/")+path, nil)
	if err == nil {
		if op, err := g.doc.Find(req); err == nil && op != nil {
			return op.ID
		}
	}
	return method + " " + strings.SplitN(path, "?", 2)[0]
}
