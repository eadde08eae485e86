package mockserver_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/mockserver"
)

const enhancedType = dli.DliEnhancedDatasource

// tagsOf is a connection's tags as ShowResourceTags answers them.
func tagsOf(t *testing.T, c *dli.ClientWithResponses, id string) map[string]string {
	t.Helper()
	resp, err := c.ShowResourceTagsWithResponse(context.Background(), project, enhancedType, id, nil)
	require.NoError(t, apierror.Check(resp, err))
	out := map[string]string{}
	for _, tg := range resp.JSON200.Tags {
		out[tg.Key] = tg.Value
	}
	assert.Equal(t, int64(len(resp.JSON200.Tags)), *resp.JSON200.Count)
	return out
}

// found are the names ListResourcesByTags answers for filter, and its
// total; CountResourcesByTags must count the same.
func found(t *testing.T, c *dli.ClientWithResponses, filter dli.ResourceFilterRequest) []string {
	t.Helper()
	ctx := context.Background()
	resp, err := c.ListResourcesByTagsWithResponse(ctx, project, enhancedType, nil, filter)
	require.NoError(t, apierror.Check(resp, err))
	names := []string{}
	for _, r := range resp.JSON200.Resources {
		names = append(names, r.ResourceName)
	}
	assert.Equal(t, int32(len(names)), *resp.JSON200.TotalCount)
	count, err := c.CountResourcesByTagsWithResponse(ctx, project, enhancedType, filter)
	require.NoError(t, apierror.Check(count, err))
	assert.Equal(t, int32(len(names)), count.JSON200.TotalCount, "count selects what the filter does")
	return names
}

func addTags(t *testing.T, c *dli.ClientWithResponses, id string, kv ...string) (*dli.BatchCreateResourceTagsResponse, error) {
	t.Helper()
	body := dli.ResourceTagsRequest{Tags: []dli.ResourceTag{}}
	for i := 0; i+1 < len(kv); i += 2 {
		body.Tags = append(body.Tags, dli.ResourceTag{Key: kv[i], Value: kv[i+1]})
	}
	return c.BatchCreateResourceTagsWithResponse(context.Background(), project, enhancedType, id, body)
}

func deleteTags(t *testing.T, c *dli.ClientWithResponses, id string, tags ...dli.TagToDelete) {
	t.Helper()
	resp, err := c.BatchDeleteResourceTagsWithResponse(context.Background(), project, enhancedType, id, dli.ResourceTagsDeleteRequest{Tags: tags})
	require.NoError(t, apierror.Check(resp, err))
	assert.Equal(t, 204, resp.StatusCode())
}

func createTagged(t *testing.T, c *dli.ClientWithResponses, name string, tags ...dli.Tag) string {
	t.Helper()
	body := enhancedBody(name, "pool1")
	body.Tags = tags
	created, err := c.CreateEnhancedConnectionWithResponse(context.Background(), project, body)
	require.NoError(t, apierror.Check(created, err))
	return *created.JSON201.ConnectionID
}

// The choices the document makes where DLI's sources are silent, one
// store, overwrite, delete by key, AND of keys, hold end to end.
func TestTagsLifeCycle(t *testing.T) {
	t.Parallel()
	c := setup(t, mockserver.Config{}, nil)
	ctx := context.Background()
	orders := createTagged(t, c, "conn_orders", dli.Tag{Key: "team", Value: "a"})
	createTagged(t, c, "conn_users")
	createTagged(t, c, "other_conn", dli.Tag{Key: "team", Value: "c"})

	assert.Equal(t, map[string]string{"team": "a"}, tagsOf(t, c, orders), "a create's tags are the same store")
	resp, err := addTags(t, c, orders, "team", "b", "env", "prod")
	require.NoError(t, apierror.Check(resp, err))
	assert.Equal(t, 204, resp.StatusCode())
	assert.Equal(t, map[string]string{"team": "b", "env": "prod"}, tagsOf(t, c, orders), "a key there gets the new value")

	list, err := c.ListEnhancedConnectionsWithResponse(ctx, project, &dli.ListEnhancedConnectionsParams{Tags: ptr("team=b,env=prod")})
	require.NoError(t, apierror.Check(list, err))
	require.Len(t, list.JSON200.Connections, 1, "the list's tags filter reads the same store")
	assert.Equal(t, orders, *list.JSON200.Connections[0].ID)

	sel := func(key string, values ...string) dli.TagSelector {
		return dli.TagSelector{Key: key, Values: append([]string{}, values...)}
	}
	for name, tc := range map[string]struct {
		filter dli.ResourceFilterRequest
		want   []string
	}{
		"one value":            {dli.ResourceFilterRequest{Tags: []dli.TagSelector{sel("team", "b")}}, []string{"conn_orders"}},
		"values OR'd":          {dli.ResourceFilterRequest{Tags: []dli.TagSelector{sel("team", "b", "c")}}, []string{"conn_orders", "other_conn"}},
		"no values, any value": {dli.ResourceFilterRequest{Tags: []dli.TagSelector{sel("team")}}, []string{"conn_orders", "other_conn"}},
		"keys AND'd":           {dli.ResourceFilterRequest{Tags: []dli.TagSelector{sel("team"), sel("env", "prod")}}, []string{"conn_orders"}},
		"a value no one has":   {dli.ResourceFilterRequest{Tags: []dli.TagSelector{sel("team", "z")}}, []string{}},
		"name prefix":          {dli.ResourceFilterRequest{Matches: []dli.NameMatch{{Key: "resource_name", Value: "conn_"}}}, []string{"conn_orders", "conn_users"}},
		"prefix and tags":      {dli.ResourceFilterRequest{Tags: []dli.TagSelector{sel("team")}, Matches: []dli.NameMatch{{Key: "resource_name", Value: "conn"}}}, []string{"conn_orders"}},
		"untagged":             {dli.ResourceFilterRequest{WithoutAnyTag: ptr(true), Tags: []dli.TagSelector{sel("team")}}, []string{"conn_users"}},
		"everything":           {dli.ResourceFilterRequest{}, []string{"conn_orders", "conn_users", "other_conn"}},
	} {
		assert.Equal(t, tc.want, found(t, c, tc.filter), name)
	}

	keys, err := c.ListResourcesTagsWithResponse(ctx, project, enhancedType, nil)
	require.NoError(t, apierror.Check(keys, err))
	assert.Equal(t, []dli.TagKey{{Key: "env", Values: []string{"prod"}}, {Key: "team", Values: []string{"b", "c"}}}, keys.JSON200.Tags)

	// Delete: another value leaves the tag, "" (as the SDK sends an unset
	// value) and no value remove it, a key not there is no error.
	deleteTags(t, c, orders, dli.TagToDelete{Key: "team", Value: ptr("other")})
	assert.Equal(t, map[string]string{"team": "b", "env": "prod"}, tagsOf(t, c, orders))
	deleteTags(t, c, orders, dli.TagToDelete{Key: "team", Value: ptr("")}, dli.TagToDelete{Key: "nope"})
	deleteTags(t, c, orders, dli.TagToDelete{Key: "env"})
	assert.Empty(t, tagsOf(t, c, orders))
	assert.Equal(t, []string{"conn_orders", "conn_users"}, found(t, c, dli.ResourceFilterRequest{WithoutAnyTag: ptr(true)}))

	// A deleted connection: its tags are still shown, cannot change, and
	// it is found and counted no more.
	resp, err = addTags(t, c, orders, "gone", "soon")
	require.NoError(t, apierror.Check(resp, err))
	del, err := c.DeleteEnhancedConnectionWithResponse(ctx, project, orders)
	require.NoError(t, apierror.Check(del, err))
	assert.Equal(t, map[string]string{"gone": "soon"}, tagsOf(t, c, orders))
	resp, err = addTags(t, c, orders, "x", "y")
	refused(t, resp, err, "DLI.0001", "has been deleted")
	assert.Equal(t, []string{}, found(t, c, dli.ResourceFilterRequest{Tags: []dli.TagSelector{sel("gone")}}))
	assert.Equal(t, []string{"conn_users", "other_conn"}, found(t, c, dli.ResourceFilterRequest{}))
	keys, err = c.ListResourcesTagsWithResponse(ctx, project, enhancedType, nil)
	require.NoError(t, apierror.Check(keys, err))
	assert.Equal(t, []dli.TagKey{{Key: "team", Values: []string{"c"}}}, keys.JSON200.Tags)
}

// Every refusal changes nothing.
func TestTagRefusals(t *testing.T) {
	t.Parallel()
	c := setup(t, mockserver.Config{}, nil)
	ctx := context.Background()
	id := createTagged(t, c, "conn_limits", dli.Tag{Key: "k0", Value: "v"})
	var kv []string
	for i := 1; i < 20; i++ {
		kv = append(kv, fmt.Sprintf("k%d", i), "v")
	}
	resp, err := addTags(t, c, id, kv...)
	require.NoError(t, apierror.Check(resp, err), "twenty in all")
	before := tagsOf(t, c, id)
	require.Len(t, before, 20)
	resp, err = addTags(t, c, id, "k0", "new")
	require.NoError(t, apierror.Check(resp, err), "overwriting a key adds no tag")
	before["k0"] = "new"

	for name, tc := range map[string]struct {
		kind      dli.TagResourceType
		id        string
		kv        []string
		code, msg string
	}{
		"a twenty-first":        {enhancedType, id, []string{"k20", "v"}, "DLI.0009", "at most 20 tags"},
		"a key twice":           {enhancedType, id, []string{"k0", "a", "k0", "b"}, "DLI.0001", "more than once"},
		"a reserved key":        {enhancedType, id, []string{"_sys_owner", "v"}, "DLI.0001", "reserved"},
		"an unknown connection": {enhancedType, "503fc86a-5e60-4349-92c2-7e399404fa8a", []string{"a", "b"}, "DLI.0001", "is not exist"},
		"a type the mock lacks": {dli.DliQueue, "queue1", []string{"a", "b"}, "DLI.0002", "does not exist"},
	} {
		body := dli.ResourceTagsRequest{Tags: []dli.ResourceTag{}}
		for i := 0; i+1 < len(tc.kv); i += 2 {
			body.Tags = append(body.Tags, dli.ResourceTag{Key: tc.kv[i], Value: tc.kv[i+1]})
		}
		resp, err := c.BatchCreateResourceTagsWithResponse(ctx, project, tc.kind, tc.id, body)
		refused(t, resp, err, tc.code, tc.msg)
		assert.Equal(t, before, tagsOf(t, c, id), name)
	}
	// A connection's create is held to the same rules: its tags are the
	// same store.
	for name, tc := range map[string]struct {
		tags      []dli.Tag
		code, msg string
	}{
		"a key twice":    {[]dli.Tag{{Key: "k", Value: "1"}, {Key: "k", Value: "2"}}, "DLI.0001", "more than once"},
		"a reserved key": {[]dli.Tag{{Key: "_sys_owner", Value: "1"}}, "DLI.0001", "reserved"},
		"21 tags":        {twentyOne(), "DLI.0009", "at most 20 tags"},
	} {
		body := enhancedBody("refused_"+strings.ReplaceAll(name, " ", "_"), "pool1")
		body.Tags = tc.tags
		created, err := c.CreateEnhancedConnectionWithResponse(ctx, project, body)
		refused(t, created, err, tc.code, tc.msg)
	}
	body := enhancedBody("twenty_tags", "pool1")
	body.Tags = twentyOne()[:20]
	created, err := c.CreateEnhancedConnectionWithResponse(ctx, project, body)
	require.NoError(t, err)
	require.Equal(t, 201, created.StatusCode(), "20 tags are a connection's most, not more: %s", created.Body)
	assert.Len(t, tagsOf(t, c, *created.JSON201.ConnectionID), 20)
	show, err := c.ShowResourceTagsWithResponse(ctx, project, enhancedType, "503fc86a-5e60-4349-92c2-7e399404fa8a", nil)
	refused(t, show, err, "DLI.0001", "is not exist")
	del, err := c.BatchDeleteResourceTagsWithResponse(ctx, project, enhancedType, "503fc86a-5e60-4349-92c2-7e399404fa8a",
		dli.ResourceTagsDeleteRequest{Tags: []dli.TagToDelete{{Key: "a"}}})
	refused(t, del, err, "DLI.0001", "is not exist")
}

// A page of a connection's tags follows the order their keys were first
// added; limit 0 or none is DLI's default of 1000.
func TestTagPages(t *testing.T) {
	t.Parallel()
	c := setup(t, mockserver.Config{}, nil)
	ctx := context.Background()
	id := createTagged(t, c, "conn_pages", dli.Tag{Key: "c", Value: "1"}, dli.Tag{Key: "a", Value: "2"})
	resp, err := addTags(t, c, id, "b", "3")
	require.NoError(t, apierror.Check(resp, err))
	for _, tc := range []struct {
		offset, limit *int32
		want          []string
	}{
		{nil, nil, []string{"c", "a", "b"}},
		{ptr(int32(1)), ptr(int32(1)), []string{"a"}},
		{ptr(int32(2)), ptr(int32(0)), []string{"b"}},
		{ptr(int32(3)), nil, []string{}},
	} {
		show, err := c.ShowResourceTagsWithResponse(ctx, project, enhancedType, id, &dli.ShowResourceTagsParams{Offset: tc.offset, Limit: tc.limit})
		require.NoError(t, apierror.Check(show, err))
		keys := []string{}
		for _, tg := range show.JSON200.Tags {
			keys = append(keys, tg.Key)
		}
		assert.Equal(t, tc.want, keys)
	}
	createTagged(t, c, "conn_pages_2", dli.Tag{Key: "c", Value: "1"})
	page, err := c.ListResourcesByTagsWithResponse(ctx, project, enhancedType, &dli.ListResourcesByTagsParams{Offset: ptr(int32(1)), Limit: ptr(int32(1))},
		dli.ResourceFilterRequest{Tags: []dli.TagSelector{{Key: "c", Values: []string{"1"}}}})
	require.NoError(t, apierror.Check(page, err))
	require.Len(t, page.JSON200.Resources, 1)
	assert.Equal(t, "conn_pages_2", page.JSON200.Resources[0].ResourceName)
	assert.Equal(t, int32(2), *page.JSON200.TotalCount, "the total of all matches, not of the page")
}

func twentyOne() []dli.Tag {
	var out []dli.Tag
	for i := range 21 {
		out = append(out, dli.Tag{Key: fmt.Sprintf("k%d", i), Value: "v"})
	}
	return out
}
