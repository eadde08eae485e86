package gate_test

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/mockserver"
)

// A dli-mock that checks no credentials has none to refuse: with -mock,
// the gate asks it (GET /_mock/info) and reports ignored_auth not judged,
// with why, and the run passes. Without -mock nothing is inferred: the same
// server fails ignored_auth. A dli-mock that refuses the run's credentials
// is the run's configuration, reported as not carried out.
func TestWhatADliMockSaysOfItsCredentials(t *testing.T) {
	t.Parallel()
	anonymous, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	signing, err := mockserver.New(mockserver.Config{AK: mockAK, SK: mockSK})
	require.NoError(t, err)
	keys := auth.AKSK{AK: mockAK, SK: mockSK, ProjectID: projectID}
	cases := []struct {
		name      string
		mock      *mockserver.Server
		creds     auth.Credentials
		isMock    bool
		exit      int
		notJudged string
		problem   string
	}{
		{"an anonymous dli-mock, run anonymous", anonymous, auth.Anonymous, true, 0, "checks no credentials (GET /_mock/info), so there are none to refuse", ""},
		{"an anonymous dli-mock, run signed", anonymous, keys, true, 0, "checks no credentials", ""},
		{"an anonymous server, not called a dli-mock", anonymous, keys, false, 1, "", ""},
		{"a signing dli-mock, run signed", signing, keys, true, 0, "", ""},
		{"a signing dli-mock, run anonymous", signing, auth.Anonymous, true, 2, "",
			"the dli-mock at " + server + " checks credentials and refused the run's (none): give the run the ones the mock was started with " +
				"(HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or DLI_TOKEN)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := gate.Run(context.Background(), gate.Config{
				Target:  gate.Target{Endpoint: server, ProjectID: projectID, Mock: tc.isMock, Credentials: tc.creds},
				Network: mockserver.NewMockTransport(tc.mock), Log: io.Discard, Seed: 1, MaxExamples: 2,
				Checks: []string{gate.CheckIgnoredAuth, gate.CheckServerError},
			})
			assert.Equal(t, tc.exit, rep.ExitCode(), "%s\n%s", rep.Failures(), rep.Text())
			if tc.notJudged != "" {
				assert.Contains(t, rep.NotJudged[gate.CheckIgnoredAuth], tc.notJudged)
				assert.Zero(t, rep.Checks[gate.CheckIgnoredAuth].Failed)
				assert.Contains(t, rep.Text(), "SKIP ignored_auth                   0 passed, 0 failed; not judged: the dli-mock at "+server+" checks no credentials")
			} else {
				assert.Empty(t, rep.NotJudged)
			}
			if tc.problem != "" {
				assert.True(t, rep.NotCarriedOut())
				assert.Equal(t, tc.problem, rep.Problem)
			}
			if tc.exit == 1 {
				assert.Positive(t, rep.Checks[gate.CheckIgnoredAuth].Failed, "the server ignores credentials")
			}
		})
	}
}
