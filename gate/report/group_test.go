package report

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dli-contract/dli-go/gate/check"
)

// Alike violations are one line with a count: alike by their explicit
// group, not by what their text happens to share.
func TestGroupingIsByTheDeclaredGroup(t *testing.T) {
	t.Parallel()
	v := func(check, op string, status int, pointer, msg, group string) Violation {
		return Violation{Check: check, Operation: op, Status: status, Pointer: pointer, Message: msg, Group: group, Count: 1}
	}
	got := Group([]Violation{
		// One server error, whatever the body said and wherever the case pointed.
		v(check.ServerError, "ListEnhancedConnections", 503, "", "the server answered 503: busy", "the server answered 503"),
		v(check.ServerError, "ListEnhancedConnections", 503, "/limit", "the server answered 503: very busy", "the server answered 503"),
		// Another status is another failure.
		v(check.ServerError, "ListEnhancedConnections", 500, "", "the server answered 500: boom", "the server answered 500"),
		// Without a group, the message is its own: ids that differ tell
		// two failures apart.
		v(check.Availability, "ShowEnhancedConnection", 200, "", "the list lacks the enhanced connection 1 just created", ""),
		v(check.Availability, "ShowEnhancedConnection", 200, "", "the list lacks the enhanced connection 2 just created", ""),
		v(check.Availability, "ShowEnhancedConnection", 200, "", "the list lacks the enhanced connection 2 just created", ""),
		// The same group at another pointer is another failure.
		v(check.Schema, "ShowEnhancedConnection", 200, "/hosts/0/ip", "response body /hosts/0/ip: format: bad", "response body /hosts/0/ip: format"),
		v(check.Schema, "ShowEnhancedConnection", 200, "/hosts/1/ip", "response body /hosts/1/ip: format: bad", "response body /hosts/1/ip: format"),
	})
	counts := map[string]int{}
	for _, g := range got {
		counts[g.Message] = g.Count
	}
	assert.Equal(t, map[string]int{
		"the server answered 503: busy":                         2,
		"the server answered 500: boom":                         1,
		"the list lacks the enhanced connection 1 just created": 1,
		"the list lacks the enhanced connection 2 just created": 2,
		"response body /hosts/0/ip: format: bad":                1,
		"response body /hosts/1/ip: format: bad":                1,
	}, counts, "the first of each group is shown")
}
