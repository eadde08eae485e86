package credenv_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dli-contract/dli-go/credenv"
)

func TestOldNamesAreReadWithOneLineEach(t *testing.T) {
	cases := []struct {
		name  string
		env   map[string]string
		read  string
		want  string
		lines []string
	}{
		{"the SDK's name", map[string]string{"HUAWEICLOUD_SDK_AK": "AKNEW"}, "HUAWEICLOUD_SDK_AK", "AKNEW", nil},
		{"an old name alone", map[string]string{"DLI_AK": "AKOLD"}, "HUAWEICLOUD_SDK_AK", "AKOLD",
			[]string{"prog: DLI_AK is deprecated and read only until release 0.2.0: set HUAWEICLOUD_SDK_AK instead"}},
		{"both: the new one wins", map[string]string{"DLI_SK": "old-secret", "HUAWEICLOUD_SDK_SK": "new-secret"}, "HUAWEICLOUD_SDK_SK", "new-secret",
			[]string{"prog: DLI_SK is deprecated and read only until release 0.2.0: set HUAWEICLOUD_SDK_SK instead (HUAWEICLOUD_SDK_SK is set too, and wins)"}},
		{"the mock's old secret", map[string]string{"DLI_MOCK_SK": "mock-secret"}, "HUAWEICLOUD_SDK_SK", "mock-secret",
			[]string{"prog: DLI_MOCK_SK is deprecated and read only until release 0.2.0: set HUAWEICLOUD_SDK_SK instead"}},
		{"the mock's old token", map[string]string{"DLI_MOCK_TOKEN": "tok"}, "DLI_TOKEN", "tok",
			[]string{"prog: DLI_MOCK_TOKEN is deprecated and read only until release 0.2.0: set DLI_TOKEN instead"}},
		{"the project", map[string]string{"DLI_PROJECT_ID": "p1"}, "HUAWEICLOUD_SDK_PROJECT_ID", "p1",
			[]string{"prog: DLI_PROJECT_ID is deprecated and read only until release 0.2.0: set HUAWEICLOUD_SDK_PROJECT_ID instead"}},
		{"another name is read as it is", map[string]string{"DLI_ENDPOINT": "http://127.0.0.1:8080"}, "DLI_ENDPOINT", "http://127.0.0.1:8080", nil},
		{"nothing set", nil, "HUAWEICLOUD_SDK_AK", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var warn bytes.Buffer
			get := credenv.Environ(func(k string) string { return tc.env[k] }, &warn, "prog")
			assert.Equal(t, tc.want, get(tc.read))
			assert.Equal(t, tc.want, get(tc.read), "read twice, warned once")
			var want string
			for _, l := range tc.lines {
				want += l + "\n"
			}
			assert.Equal(t, want, warn.String())
			for _, v := range tc.env {
				assert.NotContains(t, warn.String(), v+" ", "a value is never quoted")
			}
		})
	}
}
