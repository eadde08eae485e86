package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/gate"
)

// runCLI runs the command with args and the environment env.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), clockOf(t), args, func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

// -h lists every flag once, under its group, so that a flag added without
// a group fails here rather than hiding from -h.
func TestHelpGroupsEveryFlagOnce(t *testing.T) {
	t.Parallel()
	code, _, help := runCLI(t, nil, "-h")
	require.Equal(t, 0, code)
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	all, err := settings()
	require.NoError(t, err)
	var grouped []string
	for _, g := range groups {
		assert.Contains(t, help, "\n"+g.title+":\n")
		if g.flags == nil {
			for _, s := range all[len(fixedSettings):] {
				grouped = append(grouped, s.flag)
			}
		}
		grouped = append(grouped, g.flags...)
	}
	for _, line := range strings.Split(help, "\n") {
		if name, ok := strings.CutPrefix(line, "  -"); ok {
			name, _, _ = strings.Cut(name, " ")
			assert.Equal(t, 1, timesIn(grouped, name), "-%s is in %d groups", name, timesIn(grouped, name))
		}
	}
	assert.Equal(t, len(grouped), strings.Count(help, "\n  -"), "every grouped flag is listed, once")
	slices.Sort(grouped)
	assert.Len(t, slices.Compact(grouped), len(grouped))
}

// timesIn is how often x is in xs.
func timesIn(xs []string, x string) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

func TestVersion(t *testing.T) {
	t.Parallel()
	code, out, _ := runCLI(t, nil, "-version")
	assert.Equal(t, 0, code)
	assert.Regexp(t, `^dli-contract (v\d+\.\d+\.\d+\S*|\(devel\).*)\n$`, out)
}

// The old names of the credentials still work for a release, each with a
// line saying what replaces it.
func TestOldCredentialNamesWarn(t *testing.T) {
	t.Parallel()
	code, _, errOut := runCLI(t, map[string]string{"DLI_AK": "AKOLD", "DLI_SK": "old-secret-key"}, "-endpoint", "http://127.0.0.1:1", "-project", "p", "-timeout", "1ns")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "dli-contract: DLI_AK is deprecated and read only until release 0.2.0: set HUAWEICLOUD_SDK_AK instead\n")
	assert.Contains(t, errOut, "dli-contract: DLI_SK is deprecated and read only until release 0.2.0: set HUAWEICLOUD_SDK_SK instead\n")
	assert.NotContains(t, errOut, "needs", "the old names were read")
	assert.NotContains(t, errOut, "old-secret-key")
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dli-contract.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

// -config reads a YAML file whose keys are the flags' names; ${NAME} is the
// environment variable; flags win over the file, which wins over the
// environment.
func TestConfigFile(t *testing.T) {
	t.Parallel()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	endpoint := fs.String("endpoint", "", "")
	sk := fs.String("sk", "", "")
	mock := fs.Bool("mock", false, "")
	checks := fs.String("checks", "", "")
	timeout := fs.Duration("timeout", 0, "")
	examples := fs.Int("max-examples", 0, "")
	require.NoError(t, fs.Parse([]string{"-max-examples", "7"}))
	path := writeConfig(t, "# a run against a dli-mock\nendpoint: http://127.0.0.1:8080\nsk: ${THE_SK}\nmock: true\n"+
		"checks: [ignored_auth, not_a_server_error]\ntimeout: 3m\nmax-examples: 2\n")
	require.NoError(t, loadConfig(fs, path, env{"THE_SK": "from-the-env"}.Get))
	assert.Equal(t, "http://127.0.0.1:8080", *endpoint)
	assert.Equal(t, "from-the-env", *sk)
	assert.True(t, *mock)
	assert.Equal(t, "ignored_auth,not_a_server_error", *checks)
	assert.Equal(t, "3m0s", timeout.String())
	assert.Equal(t, 7, *examples, "the command line wins")
}

type env map[string]string

func (e env) Get(k string) string { return e[k] }

func TestBadConfigFilesSayWhatAndWhere(t *testing.T) {
	t.Parallel()
	cases := []struct{ text, want string }{
		{"endpont: http://127.0.0.1:8080\n", `:1: no option "endpont"; the keys are the flags' names without the dash`},
		{"sk: ${NOT_SET}\n", ":1: sk: ${NOT_SET} is not set in the environment"},
		{"timeout: soon\n", `timeout: "soon" is not a duration, such as 30s or 10m`},
		{"mock: yes please\n", `mock: "yes please" is not true or false`},
		{"sk: [a, b]\n", ":1: sk: want one value, not a list"},
		{"- endpoint\n", "want a mapping of flag names to values"},
		{"mock: true\nmock: false\n", ":2: mock is given twice"},
		{"endpoint: [\n", "not YAML"},
		{"config: other.yaml\n", `no option "config"`},
	}
	for _, tc := range cases {
		path := writeConfig(t, tc.text)
		code, _, errOut := runCLI(t, nil, "-config", path)
		assert.Equal(t, 2, code, tc.text)
		assert.Contains(t, errOut, "dli-contract: -config "+path, tc.text)
		assert.Contains(t, errOut, tc.want, tc.text)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %s", errOut)
	}
	code, _, errOut := runCLI(t, nil, "-config", filepath.Join(t.TempDir(), "none.yaml"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "no such file")
	// A bad value is quoted, but for a secret's.
	code, _, errOut = runCLI(t, nil, "-config", writeConfig(t, "max-body: not-a-number-secret\n"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `max-body: "not-a-number-secret" is not a whole number`)
	code, _, errOut = runCLI(t, nil, "-config", writeConfig(t, "token: [a-secret-token]\n"))
	assert.Equal(t, 2, code)
	assert.NotContains(t, errOut, "a-secret-token")
}

// -replay refuses a file that is not a report of dli-contract -json,
// saying what it lacks, instead of finding 0 violations in it.
func TestReplayRefusesWhatIsNotAReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"har.json":   `{"log": {"version": "1.2", "entries": []}}`,
		"empty.json": `{}`,
		"list.json":  `[1, 2]`,
	} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
		code, _, errOut := runCLI(t, nil, "-replay", path)
		assert.Equal(t, 2, code, name)
		assert.Contains(t, errOut, "not a JSON report of dli-contract", name)
		if name != "list.json" {
			assert.Contains(t, errOut, "it has no endpoint, seed, checks, violations", name)
		}
		assert.NotContains(t, errOut, "0 violations", name)
	}
	code, _, errOut := runCLI(t, nil, "-replay", filepath.Join(dir, "har.json"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "a HAR file")
}

// The JSON report of a passing run: [] for no violations, when it started,
// which version made it, and its options, never a credential.
func TestTheJSONReportSaysWhatRanAndHow(t *testing.T) {
	t.Parallel()
	js := filepath.Join(t.TempDir(), "r.json")
	code, out, errOut := runCLI(t, map[string]string{"HUAWEICLOUD_SDK_SK": "SKnotInAnyReport"}, "-json", js, "-max-examples", "2", "-seed", "5")
	require.Equal(t, 0, code, out+errOut)
	raw, err := os.ReadFile(js) //nolint:gosec // the test's own file
	require.NoError(t, err)
	var rep map[string]any
	require.NoError(t, json.Unmarshal(raw, &rep))
	assert.Equal(t, []any{}, rep["violations"])
	assert.NotEmpty(t, rep["started"])
	assert.NotEmpty(t, rep["version"])
	opts, ok := rep["options"].(map[string]any)
	require.True(t, ok, "options: %v", rep["options"])
	assert.Equal(t, "2", opts["max-examples"])
	assert.Equal(t, "5", opts["seed"])
	assert.Equal(t, "AK/SK", opts["credentials"])
	for _, secret := range []string{"sk", "ak", "token", "security-token"} {
		assert.NotContains(t, opts, secret)
	}
	assert.NotContains(t, string(raw), "SKnotInAnyReport")
	assert.NotContains(t, string(raw), "SKdliContractMockSecretKey")
	back, err := gate.ReadReport(bytes.NewReader(raw))
	require.NoError(t, err)
	assert.Equal(t, rep["endpoint"], back.Endpoint)
}

// The replay command a report of an in-process run prints works as
// printed: the run's mock lived in its process, so a fresh one, with the
// same keys, takes the request. (It used to ask for -ak and -sk, saying
// -endpoint was set when it was not.)
func TestAnInProcessRunsViolationReplays(t *testing.T) {
	t.Parallel()
	rep := gate.Report{Endpoint: inProcessEndpoint, Checks: map[string]gate.CheckTally{}, Violations: []gate.Violation{{
		Check: gate.CheckSchema, Operation: "ListEnhancedConnections", Message: "/count: type", Count: 1,
		Exchange: &gate.Exchange{Method: "GET", URL: inProcessEndpoint + "/v2.0/" + gate.MockProject + "/datasource/enhanced-connections", Signed: true},
	}}}
	path := filepath.Join(t.TempDir(), "in-process.json")
	f, err := os.Create(path) //nolint:gosec // the test's own file
	require.NoError(t, err)
	require.NoError(t, rep.WriteJSON(f))
	require.NoError(t, f.Close())
	code, out, errOut := runCLI(t, nil, "-replay", path, "-case", "1")
	assert.Equal(t, 0, code, out+errOut)
	assert.Contains(t, out, "replaying against a fresh one")
	assert.Contains(t, out, "answer now: 200")
	assert.Contains(t, out, "the answer now conforms to the document")
	assert.Empty(t, errOut)
}
