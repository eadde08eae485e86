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
	fmt.Fprintf(&b, "  operations: %d, (operation, status) pairs covered: %d of %d\n", len(ops), covered, len(s.Declared))
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
