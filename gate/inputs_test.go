package gate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/semantics"
)

// The embedded document's inputs are what the command's flags and the
// environment are derived from.
func TestDeclaredInputs(t *testing.T) {
	t.Parallel()
	inputs, err := DeclaredInputs()
	require.NoError(t, err)
	var envs []string
	for _, in := range inputs {
		envs = append(envs, in.Env())
	}
	assert.Equal(t, []string{"DLI_CONTRACT_VPC_ID", "DLI_CONTRACT_SUBNET_ID", "DLI_CONTRACT_POOL", "DLI_CONTRACT_QUEUE",
		"DLI_CONTRACT_GRANTEE_PROJECT_ID", "DLI_CONTRACT_ROUTE_TABLE_ID", "DLI_CONTRACT_URL", "DLI_CONTRACT_SECURITY_GROUP_ID",
		"DLI_CONTRACT_NETWORK_ID", "DLI_CONTRACT_SERVICE"}, envs)
	assert.Equal(t, semantics.NeedRequired, inputs[0].Need)
}
