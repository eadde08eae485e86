package contract_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/credenv"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/mockserver"
	"github.com/dli-contract/dli-go/validate"
)

const (
	mockAK = "AKTESTEXAMPLE0000000"
	mockSK = "SKtestexampleSecretKey0000000000000000000"
)

// TestServer runs the gate against DLI_ENDPOINT when it is set, and
// against the in-process mock otherwise, counting into the suite's
// coverage.
func TestServer(t *testing.T) {
	t.Parallel()
	caseRun()
	target, live, err := gate.TargetFromEnv(credenv.Environ(os.Getenv, os.Stderr, "contract"))
	require.NoError(t, err)
	cfg := gate.Config{Target: target}
	if !live {
		m, err := mockserver.New(mockserver.Config{AK: mockAK, SK: mockSK, CreateDelay: 30 * time.Millisecond})
		require.NoError(t, err)
		cfg = gate.Config{
			Target: gate.Target{Endpoint: server, ProjectID: projectID, Mutate: true,
				Credentials: auth.AKSK{AK: mockAK, SK: mockSK, ProjectID: projectID}, Poll: 5 * time.Millisecond, Settle: 5 * time.Second},
			Network: mockserver.NewMockTransport(m),
		}
	}
	doc, err := validate.Embedded()
	require.NoError(t, err)
	cfg.Doc, cfg.Coverage = doc, coverage
	rep := gate.Run(context.Background(), cfg)
	require.Empty(t, rep.Problem)
	for _, v := range rep.Violations {
		t.Errorf("server breaks the contract: %s", v)
	}
	if cfg.Mutate {
		assert.Positive(t, rep.Checks[gate.CheckUseAfterFree].Passed, "the life cycles ran")
	}
}
