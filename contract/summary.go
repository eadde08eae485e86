package contract

import (
	"fmt"
	"sort"
	"strings"
)

// Summary is the readable outcome of a contract run.
type Summary struct {
	Mode     string
	Declared []Pair
	Hits     map[Pair]int
	Missing  []Pair
	Cases    int
	// Observed marks a record of what a server was seen to answer, where
	// no pair is required: pairs not seen are not MISSING.
	Observed bool
	Failed   bool // some test failed; its messages are in the test output
}

// Unneeded reports whether a declared pair is one no request needs a
// server to answer: a 5xx, or default. A server that keeps the contract
// may never answer one, so a record of what it answered need not show it.
func Unneeded(p Pair) bool {
	return p.Status == "default" || strings.HasPrefix(p.Status, "5")
}

func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "contract summary (%s)\n", s.Mode)
	byOp := map[string][]string{}
	for _, p := range s.Declared {
		mark := fmt.Sprintf("%s×%d", p.Status, s.Hits[p])
		if s.Hits[p] == 0 && !s.Observed {
			mark = p.Status + "×0 MISSING"
		}
		byOp[p.Operation] = append(byOp[p.Operation], mark)
	}
	ops := make([]string, 0, len(byOp))
	for op := range byOp {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	covered := 0
	for _, p := range s.Declared {
		if s.Hits[p] > 0 {
			covered++
		}
	}
	if s.Observed {
		unneeded, unreached := 0, 0
		for _, p := range s.Declared {
			switch {
			case s.Hits[p] > 0:
			case Unneeded(p):
				unneeded++
			default:
				unreached++
			}
		}
		were := "were"
		if unreached == 1 {
			were = "was"
		}
		fmt.Fprintf(&b, "  operations: %d; (operation, status) pairs the server answered: %d of the %d declared "+
			"(%d more are 5xx or default, which no request needs; %d %s never reached)\n", len(ops), covered, len(s.Declared), unneeded, unreached, were)
	} else {
		fmt.Fprintf(&b, "  operations: %d; (operation, status) pairs the suite's cases exercised: %d of the %d declared (each must be)\n",
			len(ops), covered, len(s.Declared))
	}
	width := 0
	for _, op := range ops {
		width = max(width, len(op))
	}
	for _, op := range ops {
		fmt.Fprintf(&b, "    %-*s %s\n", width, op, strings.Join(byOp[op], "  "))
	}
	if !s.Observed {
		fmt.Fprintf(&b, "  cases run: %d\n", s.Cases)
	}
	for _, p := range s.Missing {
		fmt.Fprintf(&b, "  FAIL not exercised: %s %s (declared in openapi/dli.yaml, no contract case hit it)\n", p.Operation, p.Status)
	}
	switch {
	case s.Failed:
		b.WriteString("  result: FAIL (see the failures above)\n")
	case len(s.Missing) > 0:
		b.WriteString("  result: FAIL\n")
	default:
		b.WriteString("  result: PASS\n")
	}
	return b.String()
}
