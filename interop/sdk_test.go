package interop

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

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
