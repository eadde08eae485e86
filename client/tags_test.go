package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/client"
	"github.com/dli-contract/dli-go/gen/dli"
)

func TestEveryTagMethodAgainstTheMock(t *testing.T) {
	t.Parallel()
	c := mockClient(t, 0)
	ctx := context.Background()
	created, err := c.CreateEnhancedConnection(ctx, dli.EnhancedConnectionCreateRequest{Name: "tagged", DestVpcID: "v", DestNetworkID: "s",
		Tags: []dli.Tag{{Key: "team", Value: "a"}}})
	require.NoError(t, err)
	id := *created.ConnectionID

	require.NoError(t, c.BatchCreateResourceTags(ctx, id, dli.ResourceTagsRequest{Tags: []dli.ResourceTag{{Key: "env", Value: "prod"}}}))
	shown, err := c.ShowResourceTags(ctx, id, nil)
	require.NoError(t, err)
	assert.Equal(t, []dli.ResourceTag{{Key: "team", Value: "a"}, {Key: "env", Value: "prod"}}, shown.Tags)
	keys, err := c.ListResourcesTags(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, keys.Tags, 2)
	found, err := c.ListResourcesByTags(ctx, nil, dli.ResourceFilterRequest{Tags: []dli.TagSelector{{Key: "env", Values: []string{}}}})
	require.NoError(t, err)
	require.Len(t, found.Resources, 1)
	assert.Equal(t, id, found.Resources[0].ResourceID)
	count, err := c.CountResourcesByTags(ctx, dli.ResourceFilterRequest{WithoutAnyTag: ptr(true)})
	require.NoError(t, err)
	assert.Equal(t, int32(0), count.TotalCount)
	require.NoError(t, c.BatchDeleteResourceTags(ctx, id, dli.ResourceTagsDeleteRequest{Tags: []dli.TagToDelete{{Key: "env", Value: ptr("")}}}))

	var all []string
	for r, err := range c.ResourcesByTags(ctx, &dli.ListResourcesByTagsParams{Limit: ptr(int32(1))}, dli.ResourceFilterRequest{}) {
		require.NoError(t, err)
		all = append(all, r.ResourceName)
	}
	assert.Equal(t, []string{"tagged"}, all)
	var tagKeys []string
	for k, err := range c.ResourcesTags(ctx, nil) {
		require.NoError(t, err)
		tagKeys = append(tagKeys, k.Key)
	}
	assert.Equal(t, []string{"team"}, tagKeys)

	err = c.BatchCreateResourceTags(ctx, unknownID, dli.ResourceTagsRequest{Tags: []dli.ResourceTag{{Key: "k", Value: "v"}}})
	apiErr(t, err, "BatchCreateResourceTags", 400, apierror.CodeBadParameter)
	err = c.BatchDeleteResourceTags(ctx, unknownID, dli.ResourceTagsDeleteRequest{Tags: []dli.TagToDelete{{Key: "k"}}})
	apiErr(t, err, "BatchDeleteResourceTags", 400, apierror.CodeBadParameter)
	_, err = c.ShowResourceTags(ctx, unknownID, nil)
	apiErr(t, err, "ShowResourceTags", 400, apierror.CodeBadParameter)
}

// recorder is a stand-in answering every call status (with a body, but
// for a 204), keeping the paths and bodies it got.
func recorder(t *testing.T, status int) (*client.Client, *[]string) {
	t.Helper()
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, r.URL.Path+" "+string(b))
		w.WriteHeader(status)
		if status != http.StatusNoContent {
			_, _ = io.WriteString(w, `{"is_success":true}`)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: projectID, Credentials: auth.Anonymous})
	require.NoError(t, err)
	return c, &bodies
}

// UntagConnection sends each key alone, never "value": "", twenty to a
// call; TagConnection sends the keys in order.
func TestTagHelpersSendWhatTheyPromise(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, bodies := recorder(t, http.StatusNoContent)
	var keys []string
	for i := range 25 {
		keys = append(keys, fmt.Sprintf("k%02d", i))
	}
	require.NoError(t, c.UntagConnection(ctx, unknownID, keys...))
	require.Len(t, *bodies, 2, "25 keys are two calls")
	for i, want := range []int{20, 5} {
		path, body, _ := strings.Cut((*bodies)[i], " ")
		assert.Equal(t, "/v3/"+projectID+"/dli_enhanced_datasource/"+unknownID+"/tags/delete", path)
		var sent struct{ Tags []map[string]any }
		require.NoError(t, json.Unmarshal([]byte(body), &sent))
		require.Len(t, sent.Tags, want)
		for _, tag := range sent.Tags {
			assert.NotContains(t, tag, "value", "a key alone")
		}
	}
	require.NoError(t, c.UntagConnection(ctx, unknownID))
	assert.Len(t, *bodies, 2, "no keys, no call")

	require.NoError(t, c.TagConnection(ctx, unknownID, map[string]string{"b": "2", "a": ""}))
	_, body, _ := strings.Cut((*bodies)[2], " ")
	assert.JSONEq(t, `{"tags":[{"key":"a","value":""},{"key":"b","value":"2"}]}`, body)
	assert.EqualError(t, c.TagConnection(ctx, unknownID, nil), "TagConnection: no tags given")
	assert.Len(t, *bodies, 3, "nothing sent")

	// A body where the document declares a bodiless 204 is not taken for
	// a success.
	odd, _ := recorder(t, http.StatusOK)
	assert.Error(t, odd.UntagConnection(ctx, unknownID, "k"))
}
