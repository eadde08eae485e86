package interop

import (
	"net/http/httptest"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dli/v1/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/mockserver"
)

// The official SDK's life cycle of a connection's tags, signed, against
// the mock: the create's tags, tags added and overwritten, shown, listed
// by key, found and counted, then deleted as the SDK deletes them (its Tag
// always sends "value", "" when unset), and a twenty-first refused.
func TestOfficialSDKRunsTheTagLifeCycle(t *testing.T) {
	m, err := mockserver.New(mockserver.Config{AK: ak, SK: sk})
	require.NoError(t, err)
	rec := &recorder{next: m}
	srv := httptest.NewTLSServer(rec)
	defer srv.Close()
	client := newSDKClient(t, srv.URL, sk)

	created, err := client.CreateEnhancedConnection(&model.CreateEnhancedConnectionRequest{
		Body: &model.CreateEnhancedConnectionRequestBody{
			Name: "sdk_tagged", DestVpcId: "22094d8f-c310-4621-913d-4c4d655d8495", DestNetworkId: "78f2562a-36e4-4b39-95b9-f5aab22e1281",
			Tags: &[]model.Tag{{Key: "team", Value: "data"}},
		},
	})
	require.NoError(t, err)
	id := *created.ConnectionId

	added, err := client.BatchCreateResourceTags(&model.BatchCreateResourceTagsRequest{
		ResourceType: model.GetBatchCreateResourceTagsRequestResourceTypeEnum().DLI_ENHANCED_DATASOURCE, ResourceId: id,
		Body: &model.BatchCreateResourceTagsRequestBody{Tags: []model.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "platform"}}},
	})
	require.NoError(t, err)
	assert.Equal(t, 204, added.HttpStatusCode)

	shown := func() map[string]string {
		t.Helper()
		resp, err := client.ShowResourceTags(&model.ShowResourceTagsRequest{
			ResourceType: model.GetShowResourceTagsRequestResourceTypeEnum().DLI_ENHANCED_DATASOURCE, ResourceId: id,
		})
		require.NoError(t, err)
		require.NotNil(t, resp.Tags)
		out := map[string]string{}
		for _, tg := range *resp.Tags {
			out[tg.Key] = tg.Value
		}
		assert.Equal(t, int64(len(out)), *resp.Count)
		return out
	}
	assert.Equal(t, map[string]string{"team": "platform", "env": "prod"}, shown(), "one store, a key added again overwritten")

	keys, err := client.ListResourcesTags(&model.ListResourcesTagsRequest{
		ResourceType: model.GetListResourcesTagsRequestResourceTypeEnum().DLI_ENHANCED_DATASOURCE,
	})
	require.NoError(t, err)
	require.NotNil(t, keys.Tags)
	assert.Equal(t, []model.TagWithValues{{Key: "env", Values: []string{"prod"}}, {Key: "team", Values: []string{"platform"}}}, *keys.Tags)

	// The SDK's TagWithValues sends "values": null for a nil slice: any
	// value, as dli_02_0399 says.
	selection := []model.TagWithValues{{Key: "env"}, {Key: "team", Values: []string{"platform", "other"}}}
	matches := []model.Match{{Key: "resource_name", Value: "sdk_"}}
	found, err := client.ListResourcesByTags(&model.ListResourcesByTagsRequest{
		ResourceType: model.GetListResourcesByTagsRequestResourceTypeEnum().DLI_ENHANCED_DATASOURCE,
		Body:         &model.ListResourcesByTagsRequestBody{Tags: &selection, Matches: &matches},
	})
	require.NoError(t, err)
	require.NotNil(t, found.Resources)
	require.Len(t, *found.Resources, 1)
	assert.Equal(t, id, *(*found.Resources)[0].ResourceId)
	assert.Equal(t, "sdk_tagged", *(*found.Resources)[0].ResourceName)
	assert.Equal(t, int32(1), *found.TotalCount)
	counted, err := client.CountResourcesByTags(&model.CountResourcesByTagsRequest{
		ResourceType: model.GetCountResourcesByTagsRequestResourceTypeEnum().DLI_ENHANCED_DATASOURCE,
		Body:         &model.CountResourcesByTagsRequestBody{Tags: &selection},
	})
	require.NoError(t, err)
	assert.Equal(t, int32(1), *counted.TotalCount)

	var twenty []model.Tag
	for i := range 19 {
		twenty = append(twenty, model.Tag{Key: "k" + string(rune('a'+i)), Value: "v"})
	}
	_, err = client.BatchCreateResourceTags(&model.BatchCreateResourceTagsRequest{
		ResourceType: model.GetBatchCreateResourceTagsRequestResourceTypeEnum().DLI_ENHANCED_DATASOURCE, ResourceId: id,
		Body: &model.BatchCreateResourceTagsRequestBody{Tags: twenty},
	})
	var serr *sdkerr.ServiceResponseError
	require.ErrorAs(t, err, &serr, "2 + 19 tags is over 20")
	assert.Equal(t, "DLI.0009", serr.ErrorCode)

	deleted, err := client.BatchDeleteResourceTags(&model.BatchDeleteResourceTagsRequest{
		ResourceType: model.GetBatchDeleteResourceTagsRequestResourceTypeEnum().DLI_ENHANCED_DATASOURCE, ResourceId: id,
		Body: &model.BatchDeleteResourceTagsRequestBody{Tags: []model.Tag{{Key: "env"}, {Key: "team", Value: "data"}}},
	})
	require.NoError(t, err)
	assert.Equal(t, 204, deleted.HttpStatusCode)
	assert.Equal(t, map[string]string{"team": "platform"}, shown(), `"value": "" deletes the key; another value leaves the tag`)

	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, h := range rec.headers {
		assert.Contains(t, h, "SDK-HMAC-SHA256 Access="+ak, "every request was signed")
	}
}
