package main

import (
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/mockserver"
)

// The README's sample runs against the mock with signature checking on,
// with only the HUAWEICLOUD_SDK_* variables for credentials and project,
// and leaves nothing behind.
func TestQuickstartAgainstTheMock(t *testing.T) {
	const ak, sk = "AKTESTEXAMPLE0000000", "SKtestexampleSecretKey0000000000000000000"
	t.Setenv("HUAWEICLOUD_SDK_AK", ak)
	t.Setenv("HUAWEICLOUD_SDK_SK", sk)
	t.Setenv("HUAWEICLOUD_SDK_PROJECT_ID", "0123456789abcdef0123456789abcdef")
	t.Setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	m, err := mockserver.New(mockserver.Config{AK: ak, SK: sk})
	require.NoError(t, err)
	srv := httptest.NewServer(m)
	defer srv.Close()
	env := map[string]string{
		"DLI_ENDPOINT": srv.URL, "DLI_VPC_ID": "vpc", "DLI_SUBNET_ID": "subnet", "DLI_POOL": "pool1",
	}
	require.NoError(t, run(func(k string) string { return env[k] }))

	env["DLI_POOL"] = mockserver.FailPrefix + "pool"
	err = run(func(k string) string { return env[k] })
	assert.ErrorContains(t, err, "WaitEnhancedConnectionReady: 200: the binding of connection")
	assert.ErrorContains(t, err, "to elastic resource pool fail_pool FAILED")
}
