package endpoint_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/endpoint"
)

func TestResolve(t *testing.T) {
	t.Parallel()
	cases := []struct {
		region, explicit, want, err string
	}{
		{region: "cn-north-4", want: "https://dli.cn-north-4.myhuaweicloud.com"},
		{region: "ap-southeast-1", want: "https://dli.ap-southeast-1.myhuaweicloud.com"},
		{region: "my-kualalumpur-1", want: "https://dli.my-kualalumpur-1.myhuaweicloud.com"},
		{region: "eu-west-101", want: "https://dli.eu-west-101.myhuaweicloud.eu"},
		{region: "cn-north-4", explicit: "http://127.0.0.1:8080/", want: "http://127.0.0.1:8080"},
		{explicit: "https://dli.internal.example.com", want: "https://dli.internal.example.com"},
		{region: "", err: `region "" is not a region id`},
		{region: "CN-NORTH-4", err: "is not a region id"},
		{region: "cn-north-4.evil.com/x", err: "is not a region id"},
		{explicit: "dli.cn-north-4.myhuaweicloud.com", err: `"dli.cn-north-4.myhuaweicloud.com" has no scheme: write http://dli.cn-north-4.myhuaweicloud.com for a local server such as dli-mock, or https://dli.cn-north-4.myhuaweicloud.com`},
		{explicit: "127.0.0.1:8080", err: `"127.0.0.1:8080" has no scheme: write http://127.0.0.1:8080 for a local server`},
		{explicit: "dli.example.com/v3", err: "has no scheme"},
		{explicit: "ftp://h", err: "absolute http or https URL"},
		{explicit: "https://h/?x=1", err: "query or fragment"},
	}
	for _, tc := range cases {
		t.Run(tc.region+tc.explicit, func(t *testing.T) {
			t.Parallel()
			got, err := endpoint.Resolve(tc.region, tc.explicit)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestLoopback(t *testing.T) {
	t.Parallel()
	for e, want := range map[string]bool{
		"http://127.0.0.1:8080": true, "http://[::1]:8080": true, "http://localhost:8080": true, "http://LOCALHOST.:8080": true,
		"http://127.0.0.2": true, "https://dli.cn-north-4.myhuaweicloud.com": false, "http://10.0.0.1:8080": false,
		"http://localhost.example.com": false, "https://dli.mock.invalid": false, "::not a url": false,
	} {
		assert.Equal(t, want, endpoint.Loopback(e), e)
	}
}
