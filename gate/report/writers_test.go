package report

import (
	"bytes"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/keywords"
	"github.com/dli-contract/dli-go/gate/wire"
)

var update = flag.Bool("update", false, "rewrite testdata/fixed.* from the writers")

// exchange is a request and its answer, as the wire records them.
func exchange(t *testing.T, method, url, body string, status int, answer string) *wire.Exchange {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "SDK-HMAC-SHA256 secret-signature")
	ex := &wire.Exchange{Seq: 1, Started: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC), Took: 12 * time.Millisecond}
	ex.Record(req, []byte(body))
	resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req-1"}},
		Body: io.NopCloser(strings.NewReader(answer))}
	ex.SetAnswer(resp, []byte(answer), int64(len(answer)))
	return ex
}

// fixed is a finished run with a bit of everything a report shows: a
// violation with its exchange, a check not judged, a leftover, what did
// not run, keywords not covered, what the budget left out.
func fixed(t *testing.T) Report {
	t.Helper()
	bad := exchange(t, http.MethodPost, "http://127.0.0.1:8080/v2.0/p1/datasource/enhanced-connections",
		`{"name":"contract_a","dest_vpc_id":"v","dest_network_id":"n"}`, http.StatusInternalServerError, `{"error_code":"DLI.0999","error_msg":"boom"}`)
	ok := exchange(t, http.MethodGet, "http://127.0.0.1:8080/v2.0/p1/datasource/enhanced-connections", "", http.StatusOK, `{"is_success":true,"connections":[],"count":0}`)
	checks := map[string]CheckTally{}
	for _, name := range check.All {
		checks[name] = CheckTally{Passed: 3}
	}
	checks[check.ServerError] = CheckTally{Passed: 2, Failed: 1}
	checks[check.IgnoredAuth] = CheckTally{}
	checks[check.Model] = CheckTally{Passed: 1, NotRun: 2}
	return Report{
		Version: "v0.1.0", Started: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC), Endpoint: "http://127.0.0.1:8080",
		Options: map[string]string{"seed": "42", "mutate": "true"}, Seed: 42, Requests: 2, Answered: 2, Duration: 3 * time.Second,
		Checks: checks,
		Operations: map[string]OperationTally{
			"CreateEnhancedConnection": {Requests: 1, Cases: 1, Judged: 1, Failed: 1},
			"ListEnhancedConnections":  {Requests: 1, Judged: 1},
		},
		Violations: []Violation{{Check: check.ServerError, Operation: "CreateEnhancedConnection", Case: "a valid create", Status: 500,
			Message: "the server answered 500: boom", Group: "the server answered 500", Exchange: bad, Count: 2}},
		Leftovers: []Leftover{{Kind: "enhanced connection", ID: "c-1", Name: "contract_a", LastAnswer: "delete answered 500"}},
		Throttled: 1, ThrottledFor: 2 * time.Second,
		Keywords: keywords.Coverage{Covered: 1, Total: 2, Missing: []string{"CreateEnhancedConnection body /name maxLength: never broken"},
			ByOperation: map[string]keywords.Tally{"CreateEnhancedConnection": {Total: 2, Satisfied: 2, Breakable: 2, Broken: 1, Covered: 1}}},
		NotRun:    []string{"generated sequences: cut short, -timeout ran out"},
		NotJudged: map[string]string{check.IgnoredAuth: "the dli-mock checks no credentials"},
		Skipped:   []string{"the life cycle of a classic connection: no -classic-inputs"},
		Budget: &Budget{Profile: "live", MaxRequests: 360, Spent: 2, Polls: 5,
			Phases: []PhaseShare{{Phase: "invalid requests", Share: 1, Spent: 1, Cut: true}, {Phase: "generated sequences", Share: 1, Spent: 1}},
			Kinds:  []KindBudget{{Kind: "enhanced_connection", Title: "enhanced connection", Max: 3, Made: 3, HeldBack: 4}}},
		Exchanges: []*wire.Exchange{bad, ok},
		Summary:   contract.Summary{Mode: "the server's answers", Observed: true},
	}
}

// Each writer, given the same finished run, writes the same bytes: what
// a change to a writer changes shows in testdata/fixed.* (-update
// rewrites them; read the diff).
func TestEachWriterFromAFixedResult(t *testing.T) {
	t.Parallel()
	r := fixed(t)
	for _, c := range []struct {
		file  string
		write func(io.Writer) error
	}{
		{"fixed.txt", func(w io.Writer) error { _, err := io.WriteString(w, r.Text()+"\n"+r.Failures()); return err }},
		{"fixed.json", r.WriteJSON},
		{"fixed.xml", r.WriteJUnit},
		{"fixed.html", func(w io.Writer) error { return r.WriteHTML(w, "fixed.json") }},
		{"fixed.har", r.WriteHAR},
	} {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			require.NoError(t, c.write(&b))
			path := filepath.Join("testdata", c.file)
			if *update {
				require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), b.String(), "%s differs (-update rewrites it)", path)
			assert.NotContains(t, b.String(), "secret-signature", "no writer shows a request's signature")
		})
	}
}

// What WriteJSON writes, Read reads back as it was: -replay and the HTML
// page start from the JSON alone.
func TestTheJSONReadsBackAsWritten(t *testing.T) {
	t.Parallel()
	r := fixed(t)
	var b bytes.Buffer
	require.NoError(t, r.WriteJSON(&b))
	got, err := Read(&b)
	require.NoError(t, err)
	r.Exchanges = nil              // the HAR's, not the JSON's
	r.Summary = contract.Summary{} // the coverage record's, which has its own file
	for i := range r.Violations {
		ex := *r.Violations[i].Exchange
		r.Violations[i].Exchange = &ex
	}
	assert.Equal(t, r.Violations[0].Exchange.Curl(), got.Violations[0].Exchange.Curl())
	assert.Equal(t, r.Text(), got.Text(), "the summary of the report read back is the summary of the run")
	assert.Equal(t, r.ExitCode(), got.ExitCode())
}

// The verdict and exit code follow from what was found: a violation is a
// failure whatever else; else a problem, something not run, throttling
// or a leftover makes the run incomplete.
func TestTheVerdictOfAReport(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		r    Report
		want int
	}{
		{"clean", Report{Answered: 1}, 0},
		{"a violation", Report{Violations: []Violation{{}}, NotRun: []string{"x"}}, 1},
		{"not run", Report{NotRun: []string{"x"}}, 2},
		{"throttled", Report{Throttled: 1}, 2},
		{"left behind", Report{Leftovers: []Leftover{{}}}, 2},
		{"a problem", Report{Problem: "cannot reach"}, 2},
	} {
		assert.Equal(t, c.want, c.r.ExitCode(), c.name)
	}
	assert.True(t, Report{Problem: "cannot reach"}.NotCarriedOut())
	assert.False(t, Report{Problem: "stopped answering", Answered: 3}.NotCarriedOut(), "a server that answered was reached")
}
