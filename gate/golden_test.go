package gate_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/mockserver"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from this run")

// timings are what differs between two runs of one seed: durations and
// when the run started, which the reports' comparison leaves out.
var timings = []struct {
	re  *regexp.Regexp
	out string
}{
	{regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s|m\d+(\.\d+)?s|h\d+m\d+(\.\d+)?s)\b`), "<t>"},
	{regexp.MustCompile(`"(duration_ns|took_ns|throttled_for_ns)": \d+`), `"$1": <t>`},
	{regexp.MustCompile(`"(started|version)": "[^"]*"`), `"$1": "<t>"`},
	{regexp.MustCompile(`time="[\d.]+"`), `time="<t>"`},
}

// The reports of a run of a fixed seed against the in-process mock, on a
// fake clock shared with it, are the same every time, less their timings:
// the log, the text, the JSON and the JUnit report. They are kept in
// testdata/golden, so that a change that should change nothing (moving
// the gate's code between packages) shows that it did not; a change that
// means to change a report runs go test ./gate/ -run TestReportsOfFixedSeeds
// -update, and the diff says what changed.
func TestReportsOfFixedSeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("-short draws fewer sequences (rapid reads testing.Short); make test runs it")
	}
	t.Parallel()
	for _, seed := range []uint64{1, 7, 42} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			// What dli-contract runs without -endpoint (cmd/dli-contract's
			// config), on a fake clock.
			clk := clock.NewFake(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
			m, err := mockserver.New(mockserver.Config{AK: mockAK, SK: mockSK, CreateDelay: 20 * time.Millisecond, Clock: clk})
			require.NoError(t, err)
			var log bytes.Buffer
			rep := gate.Run(context.Background(), gate.Config{
				Target: gate.Target{Endpoint: "https://dli.mock.invalid", ProjectID: projectID, Mutate: true, Mock: true,
					Credentials: auth.AKSK{AK: mockAK, SK: mockSK, ProjectID: projectID}, Poll: 5 * time.Millisecond, Settle: 10 * time.Second},
				Network: mockserver.NewMockTransport(m), Clock: clk, Seed: seed, MaxExamples: 4 * gate.DefaultMaxExamples, Log: &log,
			})
			var js, junit bytes.Buffer
			require.NoError(t, rep.WriteJSON(&js))
			require.NoError(t, rep.WriteJUnit(&junit))
			for name, got := range map[string]string{
				"log.txt": log.String(), "text.txt": rep.Failures() + rep.Text(), "report.json": js.String(), "report.xml": junit.String(),
			} {
				for _, tm := range timings {
					got = tm.re.ReplaceAllString(got, tm.out)
				}
				path := filepath.Join("testdata", "golden", fmt.Sprintf("seed-%d-%s", seed, name))
				if *update {
					require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o750))
					require.NoError(t, os.WriteFile(path, []byte(got), 0o600))
					continue
				}
				want, err := os.ReadFile(path) //nolint:gosec // the test's own file
				require.NoError(t, err, "run with -update to write it")
				assert.Equal(t, string(want), got, "%s differs from this run, less timings (-update rewrites it)", path)
			}
		})
	}
}
