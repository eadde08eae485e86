package mockserver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/semantics"
	"github.com/dli-contract/dli-go/validate"
)

// The mock decides a connectivity test by the rule the document declares
// of it, which the gate holds it to: the two must not drift apart.
func TestConnectivityRuleIsTheDocuments(t *testing.T) {
	doc, err := validate.Embedded()
	require.NoError(t, err)
	sem, err := semantics.Load(doc.OpenAPI())
	require.NoError(t, err)
	res := sem.Resources["connectivity_task"]
	require.NotNil(t, res)
	require.NotNil(t, res.Mock)
	rule := res.Mock.Decides
	require.NotNil(t, rule, "the document declares no rule for a dli-mock's connectivity tests")
	assert.Equal(t, semantics.Decides{Field: "connectivity", Value: Reachable, Otherwise: Unreachable,
		When: semantics.When{Match: map[string]string{"address": addressPattern}, Bound: "enhanced_connection"}}, *rule)
}
