package interop

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	sdkdli "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dli/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dli/v1/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/mockserver"
)

const (
	ak        = "AKTESTEXAMPLE0000000"
	sk        = "SKtestexampleSecretKey0000000000000000000"
	projectID = "0123456789abcdef0123456789abcdef"
)

// signedHeaders records the SignedHeaders of each request the mock saw.
type recorder struct {
	mu      sync.Mutex
	headers []string
	next    http.Handler
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.headers = append(r.headers, req.Header.Get("Authorization"))
	r.mu.Unlock()
	r.next.ServeHTTP(w, req)
}

func newSDKClient(t *testing.T, endpoint, secret string) *sdkdli.DliClient {
	t.Helper()
	creds, err := basic.NewCredentialsBuilder().WithAk(ak).WithSk(secret).WithProjectId(projectID).SafeBuild()
	require.NoError(t, err)
	hc, err := sdkdli.DliClientBuilder().
		WithEndpoints([]string{endpoint}).
		WithCredential(creds).
		WithHttpConfig(config.DefaultHttpConfig().WithIgnoreSSLVerification(true)).
		SafeBuild()
	require.NoError(t, err)
	return sdkdli.NewDliClient(hc)
}

func TestOfficialSDKAgainstTheMock(t *testing.T) {
	m, err := mockserver.New(mockserver.Config{AK: ak, SK: sk})
	require.NoError(t, err)
	rec := &recorder{next: m}
	srv := httptest.NewTLSServer(rec)
	defer srv.Close()
	client := newSDKClient(t, srv.URL, sk)

	created, err := client.CreateDatasourceConnection(&model.CreateDatasourceConnectionRequest{
		Body: &model.CreateDatasourceConnectionRequestBody{
			Name:            "sdk_conn",
			Service:         "RDS",
			SecurityGroupId: "a07ab107-a4ad-4835-ad09-08a2f2efccdb",
			NetworkId:       "e83ba67d-e812-42d3-908d-6ea0b2cc5ecb",
			Url:             "192.168.12.148:3306",
			Tags:            &[]model.Tag{{Key: "team", Value: "data"}},
		},
	})
	require.NoError(t, err)
	require.NotNil(t, created.ConnectionId)
	assert.Equal(t, 201, created.HttpStatusCode)
	id := *created.ConnectionId

	list, err := client.ListDatasourceConnections(&model.ListDatasourceConnectionsRequest{})
	require.NoError(t, err)
	require.NotNil(t, list.Count)
	assert.Equal(t, int32(1), *list.Count)
	require.Len(t, *list.Connections, 1)
	assert.Equal(t, id, *(*list.Connections)[0].ConnectionId)

	shown, err := client.ShowDatasourceConnection(&model.ShowDatasourceConnectionRequest{ConnectionId: id})
	require.NoError(t, err)
	assert.Equal(t, "sdk_conn", *shown.Name)
	assert.Equal(t, "ACTIVE", *shown.State)

	deleted, err := client.DeleteDatasourceConnection(&model.DeleteDatasourceConnectionRequest{ConnectionId: id})
	require.NoError(t, err)
	assert.Equal(t, "Deleted", *deleted.Message)

	_, err = client.ShowDatasourceConnection(&model.ShowDatasourceConnectionRequest{ConnectionId: id})
	var serr *sdkerr.ServiceResponseError
	require.ErrorAs(t, err, &serr)
	assert.Equal(t, 400, serr.StatusCode)
	assert.Equal(t, apierror.CodeNotExist, serr.ErrorCode)

	// The SDK chose its own SignedHeaders (user-agent, x-project-id,
	// x-sdk-date; no host) and the mock verified them all.
	require.Len(t, rec.headers, 5)
	for _, h := range rec.headers {
		assert.Contains(t, h, "SignedHeaders=user-agent;x-project-id;x-sdk-date,")
	}
}

func TestOfficialSDKWithAWrongSecretIsRefused(t *testing.T) {
	m, err := mockserver.New(mockserver.Config{AK: ak, SK: sk})
	require.NoError(t, err)
	srv := httptest.NewTLSServer(m)
	defer srv.Close()
	_, err = newSDKClient(t, srv.URL, "not-the-secret").ListDatasourceConnections(&model.ListDatasourceConnectionsRequest{})
	var serr *sdkerr.ServiceResponseError
	require.ErrorAs(t, err, &serr)
	assert.Equal(t, 401, serr.StatusCode)
	assert.Equal(t, apierror.CodeGatewayAuth, serr.ErrorCode)
}

// The whole enhanced life cycle through the official SDK, with signature
// checking on: create bound to a pool, show until the binding is ACTIVE,
// replace the hosts, add and delete a route, unbind, delete, show DELETED.
func TestOfficialSDKRunsTheEnhancedLifeCycle(t *testing.T) {
	m, err := mockserver.New(mockserver.Config{AK: ak, SK: sk, CreateDelay: 300 * time.Millisecond})
	require.NoError(t, err)
	rec := &recorder{next: m}
	srv := httptest.NewTLSServer(rec)
	defer srv.Close()
	client := newSDKClient(t, srv.URL, sk)

	pools := []string{"elastic_pool_dli"}
	created, err := client.CreateEnhancedConnection(&model.CreateEnhancedConnectionRequest{
		Body: &model.CreateEnhancedConnectionRequestBody{
			Name:                 "sdk_enhanced",
			DestVpcId:            "22094d8f-c310-4621-913d-4c4d655d8495",
			DestNetworkId:        "78f2562a-36e4-4b39-95b9-f5aab22e1281",
			ElasticResourcePools: &pools,
			Tags:                 &[]model.Tag{{Key: "team", Value: "data"}},
		},
	})
	require.NoError(t, err)
	assert.Equal(t, 201, created.HttpStatusCode)
	require.NotNil(t, created.ConnectionId)
	id := *created.ConnectionId

	show := func() *model.ShowEnhancedConnectionResponse {
		t.Helper()
		resp, err := client.ShowEnhancedConnection(&model.ShowEnhancedConnectionRequest{ConnectionId: id})
		require.NoError(t, err)
		require.Equal(t, 200, resp.HttpStatusCode)
		return resp
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp := show()
		require.NotNil(t, resp.ElasticResourcePools)
		require.Len(t, *resp.ElasticResourcePools, 1)
		if status := *(*resp.ElasticResourcePools)[0].Status; status == "ACTIVE" {
			break
		} else {
			require.Equal(t, "CREATING", status)
		}
		require.True(t, time.Now().Before(deadline), "the binding never became ACTIVE")
		time.Sleep(50 * time.Millisecond)
	}

	hostName, hostIP := "ecs-97f8-0001", "192.168.0.1"
	updated, err := client.UpdateEnhancedConnection(&model.UpdateEnhancedConnectionRequest{
		ConnectionId: id,
		Body:         &model.UpdateEnhancedConnectionRequestBody{Hosts: []model.EnhancedConnectionHost{{Name: &hostName, Ip: &hostIP}}},
	})
	require.NoError(t, err)
	assert.True(t, *updated.IsSuccess)
	hosts := show().Hosts
	require.NotNil(t, hosts)
	require.Len(t, *hosts, 1)
	assert.Equal(t, hostIP, *(*hosts)[0].Ip)

	route, err := client.CreateRouteToEnhancedConnection(&model.CreateRouteToEnhancedConnectionRequest{
		ConnectionId: id, Body: &model.CreateRouteToEnhancedConnectionRequestBody{Name: "rds_subnet", Cidr: "192.168.12.0/24"},
	})
	require.NoError(t, err)
	assert.True(t, *route.IsSuccess)
	_, err = client.CreateRouteToEnhancedConnection(&model.CreateRouteToEnhancedConnectionRequest{
		ConnectionId: id, Body: &model.CreateRouteToEnhancedConnectionRequestBody{Name: "rds_subnet", Cidr: "10.0.0.0/8"},
	})
	var serr *sdkerr.ServiceResponseError
	require.ErrorAs(t, err, &serr, "a duplicate route name is refused")
	assert.Equal(t, apierror.CodeAlreadyExists, serr.ErrorCode)
	dropped, err := client.DeleteRouteFromEnhancedConnection(&model.DeleteRouteFromEnhancedConnectionRequest{ConnectionId: id, Name: "rds_subnet"})
	require.NoError(t, err)
	assert.True(t, *dropped.IsSuccess)

	unbound, err := client.DisassociateQueueFromEnhancedConnection(&model.DisassociateQueueFromEnhancedConnectionRequest{
		ConnectionId: id, Body: &model.DisassociateQueueFromEnhancedConnectionRequestBody{ElasticResourcePools: &pools},
	})
	require.NoError(t, err)
	assert.True(t, *unbound.IsSuccess)
	if pools := show().ElasticResourcePools; pools != nil {
		assert.Empty(t, *pools, "the pool is unbound")
	}

	deleted, err := client.DeleteEnhancedConnection(&model.DeleteEnhancedConnectionRequest{ConnectionId: id})
	require.NoError(t, err)
	assert.Equal(t, "Deleted", *deleted.Message)
	assert.Equal(t, "DELETED", *show().Status, "a deleted connection is still shown, DELETED")

	active := "ACTIVE"
	list, err := client.ListEnhancedConnections(&model.ListEnhancedConnectionsRequest{Status: &active})
	require.NoError(t, err)
	assert.Equal(t, int32(0), *list.Count)

	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, h := range rec.headers {
		assert.Contains(t, h, "SDK-HMAC-SHA256 Access="+ak, "every request was signed")
	}
}
