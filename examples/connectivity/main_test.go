package main

import (
	"bytes"
	"context"
	"log/slog"
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

func example() setup {
	return setup{
		Auth: dli.AuthInfoCreateRequest{AuthInfoName: "example_kafka", DatasourceType: dli.AuthTypeKafkaSSL,
			TruststoreLocation: ptr("obs://example/client.jks"), TruststorePassword: ptr("trust-secret-1"),
			KeystoreLocation: ptr("obs://example/client.keystore.jks"), KeystorePassword: ptr("store-secret-2"),
			KeyPassword: ptr("key-secret-3")},
		Conn: dli.EnhancedConnectionCreateRequest{Name: "example_kafka", DestVpcID: "vpc", DestNetworkID: "subnet",
			Queues: []string{"kafka_queue"}},
		Queue: "kafka_queue", Address: "192.168.0.20:9093",
	}
}

// The example runs end to end against the mock, signed, with every body
// logged: the queue reaches the broker once bound, and no password reaches
// the log.
func TestExampleAgainstTheMock(t *testing.T) {
	const ak, sk = "AKEXAMPLE0000000000", "SKexampleSecretKey0000000000000000000000"
	m, err := mockserver.New(mockserver.Config{AK: ak, SK: sk, CreateDelay: 50 * time.Millisecond})
	require.NoError(t, err)
	srv := httptest.NewServer(m)
	defer srv.Close()
	var log bytes.Buffer
	c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: "p1", Credentials: auth.AKSK{AK: ak, SK: sk},
		Wait: client.WaitPolicy{MinDelay: 10 * time.Millisecond}, LogBodies: true,
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	require.NoError(t, err)

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), c, example(), &out))
	assert.Equal(t, `datasource authentication example_kafka created
listed example_kafka Kafka_SSL owned by dli_mock_user
connection created
queue kafka_queue bound
queue kafka_queue to 192.168.0.20:9093: REACHABLE
connection deleted
datasource authentication deleted
`, out.String())
	assert.Contains(t, log.String(), "CreateJobAuthInfo", "the log shows the create")
	for _, secret := range []string{"trust-secret-1", "store-secret-2", "key-secret-3"} {
		assert.NotContains(t, log.String(), secret, "LogBodies never shows a password")
	}
	assert.Contains(t, log.String(), "<redacted>")
	assert.Empty(t, m.State().Projects["p1"].AuthInfos, "the example deleted what it created")

	// An address without a port is not reached, by the mock's rule.
	s := example()
	s.Address = "192.168.0.20"
	out.Reset()
	require.ErrorContains(t, run(context.Background(), c, s, &out), "does not reach 192.168.0.20: UNREACHABLE")
	assert.Contains(t, out.String(), "datasource authentication deleted", "cleaned up after a failure too")
}
