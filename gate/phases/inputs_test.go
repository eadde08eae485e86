package phases

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gen/spec"
	"github.com/dli-contract/dli-go/semantics"
)

// What a run creates with follows the document's x-dli-cloud-inputs: the
// mock values when given none, else what was given and the defaults; a
// create whose inputs go together is not placed without them, and a body
// carries the inputs it takes and none it was not given.
func TestTheRunsInputsFollowTheirDeclarations(t *testing.T) {
	t.Parallel()
	sem := declared(t)
	enhanced, classic := sem.Resources["enhanced_connection"], sem.Resources["classic_connection"]
	for _, tc := range []struct {
		name          string
		given         map[string]string
		want          map[string]string // inputs, by name (those checked)
		classicWhy    string            // why the classic connection is not placed
		enhancedBody  map[string]any    // the properties checked of the enhanced create's body
		enhancedUnset []string          // properties the body must leave out
	}{
		{
			name: "none given: every mock value",
			want: map[string]string{"vpc-id": sem.Input("vpc-id").Mock, "service": "", "url": ""},
			enhancedBody: map[string]any{"dest_vpc_id": sem.Input("vpc-id").Mock, "elastic_resource_pools": []any{"contract_pool"},
				"queues": []any{"contract_queue"}, "routetable_id": "8d5b8d16-5c6e-4f2d-9e2a-0f4e1b2c3d4e"}, // free: the example's
		},
		{
			name:          "enhanced only",
			given:         map[string]string{"vpc-id": "vpc-1", "subnet-id": "sub-1", "pool": "pool-1"},
			want:          map[string]string{"vpc-id": "vpc-1", "queue": "", "service": "RDS", "url": ""},
			classicWhy:    "classic connection: its create needs -network-id, -security-group-id, -url, which the run was not given",
			enhancedBody:  map[string]any{"dest_vpc_id": "vpc-1", "dest_network_id": "sub-1", "elastic_resource_pools": []any{"pool-1"}},
			enhancedUnset: []string{"queues", "routetable_id"},
		},
		{
			name: "both, a service of its own",
			given: map[string]string{"vpc-id": "vpc-1", "subnet-id": "sub-1", "pool": "pool-1", "queue": "q-1",
				"url": "10.0.0.5:3306", "security-group-id": "sg", "network-id": "net", "service": "DWS"},
			want:         map[string]string{"queue": "q-1", "service": "DWS"},
			enhancedBody: map[string]any{"queues": []any{"q-1"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := &phase{&env.Env{Sem: sem, Rng: rand.New(rand.NewPCG(1, 2))}} //nolint:gosec // test data
			require.NoError(t, g.ResolveInputs(tc.given))
			for name, v := range tc.want {
				assert.Equal(t, v, g.Inputs[name], name)
			}
			assert.Equal(t, tc.classicWhy, g.Unplaced(classic))
			assert.Empty(t, g.Unplaced(enhanced))
			body, ok := g.bodyFor(enhanced)
			require.True(t, ok)
			for k, v := range tc.enhancedBody {
				assert.Equal(t, v, body[k], k)
			}
			for _, k := range tc.enhancedUnset {
				assert.NotContains(t, body, k)
			}
		})
	}

	g := &phase{&env.Env{Sem: sem}}
	err := g.ResolveInputs(map[string]string{"vpc": "x"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown input "vpc"; the document declares vpc-id, subnet-id`)
}

// declared is the document's declarations.
func declared(t *testing.T) *semantics.Semantics {
	t.Helper()
	doc, err := spec.GetSpec()
	require.NoError(t, err)
	sem, err := semantics.Load(doc)
	require.NoError(t, err)
	return sem
}
