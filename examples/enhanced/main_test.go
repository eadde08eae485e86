package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/client"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/mockserver"
)

// The example runs end to end against the mock, and reports a failed
// binding (a pool named fail_..., by the mock's documented rule).
func TestExampleAgainstTheMock(t *testing.T) {
	m, err := mockserver.New(mockserver.Config{CreateDelay: 50 * time.Millisecond})
	require.NoError(t, err)
	srv := httptest.NewServer(m)
	defer srv.Close()
	c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: "p1", Credentials: auth.Anonymous,
		Wait: client.WaitPolicy{MinDelay: 10 * time.Millisecond}})
	require.NoError(t, err)
	conn := dli.EnhancedConnectionCreateRequest{Name: "example_orders", DestVpcID: "vpc", DestNetworkID: "subnet",
		ElasticResourcePools: []string{"elastic_pool_dli"}}

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), c, conn, &out))
	assert.Regexp(t, `^created \S+\nbindings active\nroute added\ndeleted \S+\n$`, out.String())

	conn.Name, conn.ElasticResourcePools = "example_failing", []string{mockserver.FailPrefix + "pool"}
	out.Reset()
	err = run(context.Background(), c, conn, &out)
	require.ErrorContains(t, err, "to elastic resource pool fail_pool FAILED: mock: the peering of fail_pool failed")
	// The failed pool cannot be unbound, as DLI documents, so the clean-up
	// reports that too.
	assert.ErrorContains(t, err, "cannot be unbound")
}
