package mockserver_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/mockserver"
)

// The mock's page lists what it holds, the faults armed and the last
// requests, and never a password.
func TestThePageShowsTheState(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	srv := httptest.NewServer(m)
	defer srv.Close()
	c, err := dli.NewClientWithResponses(srv.URL)
	require.NoError(t, err)
	ctx := context.Background()
	created, err := c.CreateEnhancedConnectionWithResponse(ctx, project, enhancedBody("page_conn", "pool_p"))
	require.NoError(t, apierror.Check(created, err))
	tagged, err := c.BatchCreateResourceTagsWithResponse(ctx, project, dli.DliEnhancedDatasource, *created.JSON201.ConnectionID,
		dli.ResourceTagsRequest{Tags: []dli.ResourceTag{{Key: "team", Value: "orders"}}})
	require.NoError(t, apierror.Check(tagged, err))
	auth, err := c.CreateJobAuthInfoWithResponse(ctx, project, kafkaAuth("page_auth"))
	require.NoError(t, apierror.Check(auth, err))
	_, err = m.AddFault(mockserver.Fault{Kind: mockserver.FaultThrottle, Operation: "ListJobAuthInfos", Times: 2})
	require.NoError(t, err)

	resp, err := http.Get(srv.URL + mockserver.ControlPrefix)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	page, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	for _, want := range []string{"page_conn", "pool pool_p", "team=orders", "page_auth", "Kafka_SSL", "ListJobAuthInfos", "CreateJobAuthInfo", created.HTTPResponse.Header.Get("X-Request-Id")} {
		assert.Contains(t, string(page), want)
	}
	for _, s := range secrets {
		assert.NotContains(t, string(page), s, "the page never shows a password")
	}
	assert.Len(t, m.Recent(), 3, "the page's own request is not listed")
	assert.Equal(t, "CreateJobAuthInfo", m.Recent()[0].Operation, "the latest first")
	assert.Equal(t, http.StatusCreated, m.Recent()[0].Status)
}
