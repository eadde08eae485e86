package gate

import (
	"context"
	"slices"

	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/phases"
	"github.com/dli-contract/dli-go/gate/sequences"
)

// phaseRuns is what runs each phase of the check table, by its name.
var phaseRuns = map[string]func(context.Context, *env.Env){
	check.PhaseReads:      phases.Reads,
	check.PhaseValid:      phases.Valid,
	check.PhaseInvalid:    phases.Invalid,
	check.PhaseAuth:       phases.Credentials,
	check.PhaseUndeclared: phases.Undeclared,
	check.PhaseLife:       phases.LifeCycles,
	check.PhaseRefusals:   phases.StateRefusals,
	check.PhaseField:      phases.FieldCases,
	check.PhaseSequences:  sequences.Run,
}

// plan is the phases a run takes, in the check table's order: each but
// those that change things when the run may not (mutate), and those that
// judge no check the run has on.
func plan(mutate bool, on func(check string) bool) []string {
	var out []string
	for _, name := range check.Phases {
		if slices.Contains(check.Mutating, name) && !mutate || !slices.ContainsFunc(check.OfPhase(name), on) {
			continue
		}
		out = append(out, name)
	}
	return out
}
