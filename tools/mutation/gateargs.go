package main

import (
	"fmt"
	"strings"
)

// judgeGateArgs is the judge that runs the gate with -gate-args added:
// "-profile live" holds it to a live run's budget, to see what of the
// gate's kills the budget keeps.
const judgeGateArgs = "gate-args"

// gateJudge is a gate binary and the flags added to its runs (the later
// of two values of a flag wins).
type gateJudge struct {
	bin   string
	extra []string
}

// gateArgsText sets the kills of the gate with -gate-args beside the
// gate's, in all and by file, and names the mutants the gate kills and it
// does not.
func (r Report) gateArgsText(compiled []Outcome) string {
	if r.GateArgs == "" {
		return ""
	}
	var b strings.Builder
	count := func(file string) (both, gate int, missed []Outcome) {
		for _, o := range compiled {
			if file != "" && o.File != file || !o.Killed["gate"] {
				continue
			}
			gate++
			if o.Killed[judgeGateArgs] {
				both++
			} else {
				missed = append(missed, o)
			}
		}
		return both, gate, missed
	}
	both, all, missed := count("")
	fmt.Fprintf(&b, "  the gate with %s kills %d of the %d mutants the gate kills (%s); by file:\n", r.GateArgs, both, all, pct(both, all))
	for _, f := range r.Files {
		both, all, _ := count(f)
		fmt.Fprintf(&b, "    %-28s %d of %d (%s)\n", f, both, all, pct(both, all))
	}
	for _, o := range missed {
		fmt.Fprintf(&b, "    the gate kills, with %s it does not: %s\n", r.GateArgs, o.Mutant)
	}
	return b.String()
}
