package interop

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dli/v1/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/mockserver"
)

// The official SDK's life cycle of a datasource authentication, its
// privileges and a connectivity test, against the mock, signed: every
// request the SDK builds is one the mock takes, and every answer decodes
// into the SDK's models, without a password.
func TestOfficialSDKDatasourceFamily(t *testing.T) {
	m, err := mockserver.New(mockserver.Config{AK: ak, SK: sk, CreateDelay: 10 * time.Millisecond})
	require.NoError(t, err)
	rec := &recorder{next: m}
	srv := httptest.NewTLSServer(rec)
	defer srv.Close()
	client := newSDKClient(t, srv.URL, sk)
	str := func(s string) *string { return &s }

	created, err := client.CreateJobAuthInfo(&model.CreateJobAuthInfoRequest{Body: &model.CreateJobAuthInfoRequestBody{
		AuthInfoName: "sdk_kafka", DatasourceType: "Kafka_SSL",
		TruststoreLocation: str("obs://b/trust.jks"), TruststorePassword: str("sdk-trust-secret"),
		KeystoreLocation: str("obs://b/key.jks"), KeystorePassword: str("sdk-store-secret"), KeyPassword: str("sdk-key-secret"),
	}})
	require.NoError(t, err)
	assert.Equal(t, 201, created.HttpStatusCode)
	assert.Equal(t, "Upload success.", *created.Message)

	name := "sdk_kafka"
	listed, err := client.ListJobAuthInfos(&model.ListJobAuthInfosRequest{AuthInfoName: &name})
	require.NoError(t, err)
	require.NotNil(t, listed.AuthInfos)
	require.Len(t, *listed.AuthInfos, 1)
	a := (*listed.AuthInfos)[0]
	assert.Equal(t, "Kafka_SSL", *a.DatasourceType)
	assert.Equal(t, "obs://b/trust.jks", *a.TruststoreLocation)
	assert.Equal(t, mockserver.Owner, *a.Owner)
	assert.NotContains(t, listed.String(), "secret", "no password reaches the SDK")

	_, err = client.UpdateJobAuthInfo(&model.UpdateJobAuthInfoRequest{Body: &model.UpdateJobAuthInfoRequestBody{
		AuthInfoName: name, KeystoreLocation: str("obs://b/key2.jks")}})
	require.NoError(t, err)
	limit, offset := int32(10), int32(0)
	page, err := client.ListJobAuthInfos(&model.ListJobAuthInfosRequest{Offset: &offset, Limit: &limit})
	require.NoError(t, err)
	require.Len(t, *page.AuthInfos, 1)
	assert.Equal(t, "obs://b/key2.jks", *(*page.AuthInfos)[0].KeystoreLocation)

	_, err = client.RunAuthorizationAction(&model.RunAuthorizationActionRequest{Body: &model.RunAuthorizationActionRequestBody{
		UserName: str("sdk_user"), Action: model.GetRunAuthorizationActionRequestBodyActionEnum().GRANT,
		Privileges: []model.Privilege{{Object: "datasourceauth." + name, Privileges: []string{"USE_AUTH"}}},
	}})
	require.NoError(t, err)
	privs, err := client.ListAuthorizationPrivileges(&model.ListAuthorizationPrivilegesRequest{Object: "datasourceauth." + name})
	require.NoError(t, err)
	require.NotNil(t, privs.Privileges)
	require.Len(t, *privs.Privileges, 1)
	assert.Equal(t, "sdk_user", *(*privs.Privileges)[0].UserName)
	assert.Equal(t, "datasourceauth", *privs.ObjectType)

	conn, err := client.CreateEnhancedConnection(&model.CreateEnhancedConnectionRequest{Body: &model.CreateEnhancedConnectionRequestBody{
		Name: "sdk_kafka", DestVpcId: "vpc-1", DestNetworkId: "subnet-1", Queues: &[]string{"sdk_queue"}}})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		shown, err := client.ShowEnhancedConnection(&model.ShowEnhancedConnectionRequest{ConnectionId: *conn.ConnectionId})
		return err == nil && shown.AvailableQueueInfo != nil && len(*shown.AvailableQueueInfo) == 1 &&
			strings.EqualFold(*(*shown.AvailableQueueInfo)[0].Status, "ACTIVE")
	}, 5*time.Second, 10*time.Millisecond, "the queue's binding settles")

	task, err := client.CreateConnectivityTask(&model.CreateConnectivityTaskRequest{QueueName: "sdk_queue",
		Body: &model.CreateConnectivityTaskRequestBody{Address: "192.168.0.20:9093"}})
	require.NoError(t, err)
	require.NotNil(t, task.TaskId, "task_id decodes into the SDK's int64")
	result, err := client.ShowConnectivityTask(&model.ShowConnectivityTaskRequest{QueueName: "sdk_queue", TaskId: fmt.Sprint(*task.TaskId)})
	require.NoError(t, err)
	assert.Equal(t, mockserver.Reachable, *result.Connectivity)

	_, err = client.DeleteJobAuthInfo(&model.DeleteJobAuthInfoRequest{AuthInfoName: name})
	require.NoError(t, err)
	gone, err := client.ListJobAuthInfos(&model.ListJobAuthInfosRequest{AuthInfoName: &name})
	require.NoError(t, err)
	assert.Empty(t, *gone.AuthInfos)
	for _, h := range rec.headers {
		assert.Contains(t, h, "SDK-HMAC-SHA256", "every request was signed")
	}
}
