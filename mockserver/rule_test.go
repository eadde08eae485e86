package mockserver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/semantics"
	"github.com/dli-contract/dli-go/validate"
)

// The mock decides a connectivity test, and refuses a user's privilege on
// a datasource authentication, by what the document declares of them,
// which the gate holds it to: the two must not drift apart.
func TestTheMocksRulesAreTheDocuments(t *testing.T) {
	doc, err := validate.Embedded()
	require.NoError(t, err)
	sem, err := semantics.Load(doc.OpenAPI())
	require.NoError(t, err)
	res := sem.Resources["connectivity_task"]
	require.NotNil(t, res)
	require.NotNil(t, res.Mock)
	rule := res.Mock.Decides
	require.NotNil(t, rule, "the document declares no rule for a dli-mock's connectivity tests")
	assert.Equal(t, authPrivileges, sem.Resources["auth_info"].Privileges,
		"what a user may hold on a datasource authentication: the mock's list and the document's declaration differ")
	assert.Equal(t, semantics.Decides{Field: "connectivity", Value: Reachable, Otherwise: Unreachable,
		When: semantics.When{Match: map[string]string{"address": addressPattern}, Bound: "enhanced_connection"}}, *rule)
}
