package contract_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dli-contract/dli-go/contract"
)

// The suite's line and a server's line count different things, and say
// which: the suite must exercise every declared pair; a server is seen to
// answer some, and of the rest, a 5xx or default needs no request, while
// the others were never reached.
func TestTheCoverageLinesSayWhatTheyCount(t *testing.T) {
	t.Parallel()
	declared := []contract.Pair{{Operation: "Show", Status: "200"}, {Operation: "Show", Status: "400"}, {Operation: "Show", Status: "500"},
		{Operation: "Show", Status: "default"}, {Operation: "Create", Status: "201"}}
	hits := map[contract.Pair]int{{Operation: "Show", Status: "200"}: 3, {Operation: "Create", Status: "201"}: 1}
	suite := contract.Summary{Mode: "in-process", Declared: declared, Hits: hits}.String()
	assert.Contains(t, suite, "  operations: 2; (operation, status) pairs the suite's cases exercised: 2 of the 5 declared (each must be)\n")
	server := contract.Summary{Mode: "the server's answers", Declared: declared, Hits: hits, Observed: true}.String()
	assert.Contains(t, server, "  operations: 2; (operation, status) pairs the server answered: 2 of the 5 declared "+
		"(2 more are 5xx or default, which no request needs; 1 was never reached)\n")
	for _, tc := range []struct {
		status string
		want   bool
	}{{"500", true}, {"503", true}, {"default", true}, {"200", false}, {"400", false}, {"429", false}} {
		assert.Equal(t, tc.want, contract.Unneeded(contract.Pair{Operation: "Show", Status: tc.status}), tc.status)
	}
}
