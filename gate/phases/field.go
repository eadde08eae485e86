package phases

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/cleanup"
	"github.com/dli-contract/dli-go/gate/wire"
)

// fieldCases replays the requests of Huawei Cloud's Terraform provider
// (FieldCases) with Mutate: the server must accept each and answer every
// field the provider reads, as live DLI does. A case that needs a queue
// or another project the target did not name is skipped.
func (g *phase) fieldCases(ctx context.Context) {
	cases, err := contract.FieldCases()
	if err != nil {
		g.Judge(wire.Verdict{Check: check.Positive, Op: "field cases", Msg: err.Error()})
		return
	}
	for _, fc := range cases {
		if g.Stopped() {
			return
		}
		vars := g.fieldVars()
		vars["name"] = g.Name()
		var missing []string
		for _, need := range fc.Needs() {
			if vars[need] == "" {
				missing = append(missing, need)
			}
		}
		if len(missing) > 0 {
			g.Logf("SKIP field case %s: the target names no %s", fc, strings.Join(missing, ", "))
			continue
		}
		if slices.ContainsFunc(fc.Steps, func(s contract.FieldStep) bool { return !g.OpOn(g.opName(s.Method, s.PathWith(vars))) }) {
			continue
		}
		log := &wire.ExchangeLog{}
		created, problems := fc.Replay(wire.WithLog(ctx, log), g.Signing, g.Cfg.Endpoint, vars)
		for _, id := range created {
			cleanup.RemoveCreated(ctx, g.Env, "enhanced_connection", id)
		}
		failed := map[int]bool{}
		for _, p := range problems {
			failed[p.Step] = true
			what := fmt.Sprintf("Terraform's %s (field case %s, step %d: %s)", fc.Provider.Function, fc.File, p.Step, p.From)
			g.Judge(wire.Verdict{Check: check.Positive, Op: g.opName(p.Method, p.Path), What: what, Ex: log.At(p.Step - 1), Msg: what + ": " + p.Message})
		}
		for i, s := range fc.Steps {
			if i < log.Len() && !failed[i+1] {
				what := fmt.Sprintf("Terraform's %s (field case %s, step %d: %s)", fc.Provider.Function, fc.File, i+1, s.From)
				g.Judge(wire.Verdict{Check: check.Positive, Op: g.opName(s.Method, s.PathWith(vars)), What: what, Ex: log.At(i)})
			}
		}
	}
}

// fieldVars are the placeholders of the field cases the target fills.
func (g *phase) fieldVars() map[string]string {
	vars := g.InputVars()
	if g.Cfg.ProjectID != "" {
		vars["project_id"] = g.Cfg.ProjectID
	}
	return vars
}

// opName is the operationId of a request, or its method and path when the
// document has none.
func (g *phase) opName(method, path string) string {
	req, err := http.NewRequest(method, strings.TrimSuffix(g.Cfg.Endpoint, "/")+path, nil)
	if err == nil {
		if op, err := g.Doc.Find(req); err == nil && op != nil {
			return op.ID
		}
	}
	return method + " " + strings.SplitN(path, "?", 2)[0]
}
