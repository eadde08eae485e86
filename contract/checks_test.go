package contract_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/mockserver"
)

// gateOn runs the gate against h in-process, mutating, signed.
func gateOn(t *testing.T, h http.Handler) contract.GateReport {
	t.Helper()
	var log bytes.Buffer
	rep := contract.Gate(context.Background(), contract.GateConfig{
		Target: contract.Target{Endpoint: server, ProjectID: projectID, Mutate: true, Poll: time.Millisecond, Settle: 2 * time.Second,
			Credentials: auth.AKSK{AK: mockAK, SK: mockSK, ProjectID: projectID}},
		Network:     mockserver.NewMockTransport(h),
		Seed:        42,
		MaxExamples: 5,
		Log:         &log,
	})
	t.Log(log.String())
	return rep
}

func TestTheMockPassesEveryCheck(t *testing.T) {
	t.Parallel()
	caseRun()
	m, err := mockserver.New(mockserver.Config{AK: mockAK, SK: mockSK, CreateDelay: 20 * time.Millisecond})
	require.NoError(t, err)
	rep := gateOn(t, m)
	for _, v := range rep.Violations {
		t.Errorf("the mock breaks the contract: %s", v)
	}
	assert.Empty(t, rep.Problem)
	for _, check := range contract.AllChecks {
		assert.Positive(t, rep.Checks[check].Passed, "check %s never ran", check)
	}
	assert.Positive(t, rep.Requests)
	assert.Equal(t, uint64(42), rep.Seed)
}
