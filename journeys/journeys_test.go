package journeys_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Keys made up for the journeys, as the README's are.
const (
	exampleAK = "AKEXAMPLE00000000000"
	exampleSK = "SKexampleSecretKey00000000000000000000000"
	project   = "0123456789abcdef0123456789abcdef"
)

// journey is a block of the pages, the environment it runs in beyond what
// the block sets itself, and what a person sees when it works.
type journey struct {
	name string
	env  map[string]string
	// live starts a dli-mock that stands for live DLI, checking env's keys.
	live bool
	// want are what the block must print; after each command, in order.
	want []string
	// then checks what the block left, given the shell it ran in.
	then func(t *testing.T, s *shell)
}

var journeys = []journey{
	{name: "quickstart", want: []string{`(?m)^[0-9a-f-]{36} quickstart ACTIVE 1 binding\(s\) active$`}},
	// The examples talk to the mock on 8080 by default; the port is this
	// journey's, which DLI_ENDPOINT says, as their comments allow.
	{name: "enhanced", env: map[string]string{"DLI_ENDPOINT": "$MOCK"},
		want: []string{`(?m)^created \S+$`, `(?m)^bindings active$`, `(?m)^route added$`, `(?m)^deleted \S+$`}},
	{name: "connectivity", env: map[string]string{"DLI_ENDPOINT": "$MOCK"},
		want: []string{`(?m)^datasource authentication example_kafka created$`, `(?m)^queue kafka_queue to 192\.168\.0\.20:9093: REACHABLE$`,
			`(?m)^datasource authentication deleted$`}},
	{name: "recipe-mock", want: []string{`(?m)^created \S+$`, `(?m)^deleted \S+$`}},
	{name: "recipe-ci", want: []string{`(?m)^  PASS model_conformance`, `(?m)^  result: PASS$`},
		then: func(t *testing.T, _ *shell) {
			for _, report := range []string{"ci.xml", "ci.html"} {
				_, err := os.Stat(filepath.Join(workspace, "reports", report))
				assert.NoError(t, err, "the recipe's %s", report)
			}
		}},
	{name: "gate-mock-config", want: []string{`(?m)^  PASS model_conformance`, `keywords covered: (\d+) of \d+`, `(?m)^  result: PASS$`}},
	{name: "mock", want: []string{`"server":"dli-mock"`, `"credentials":\[\]`, `"server":"dli-mock"`, `"credentials":\["AK/SK","token"\]`}},
	{name: "faults", want: []string{`"kind":"close"`, `"name":"throttled-creates"`, `\{"faults":\[\]\}`}},
	{name: "fixtures", want: []string{`"name":"orders_rds"`}},
	{name: "control", want: []string{`\{"loaded":true\}`, `"name":"orders_rds"`, `\{"reset":true\}`}},
	{name: "gate-in-process", want: []string{`(?m)^  result: PASS$`}},
	{name: "gate-mock", want: []string{
		`SKIP ignored_auth +0 passed, 0 failed; not judged: the dli-mock at http://127\.0\.0\.1:\d+ checks no credentials \(GET /_mock/info\)`,
		`(?m)^  result: PASS$`, `(?m)^  PASS model_conformance +1 passed`, `(?m)^  result: PASS$`}},
	{name: "gate-mock-aksk", want: []string{`(?m)^  PASS ignored_auth +\d+ passed, 0 failed$`, `(?m)^  PASS model_conformance`, `(?m)^  result: PASS$`}},
	{name: "gate-live", live: true, env: map[string]string{
		"HUAWEICLOUD_SDK_AK": exampleAK, "HUAWEICLOUD_SDK_SK": exampleSK, "HUAWEICLOUD_SDK_PROJECT_ID": project,
		"DLI_CONTRACT_VPC_ID": "vpc-journey", "DLI_CONTRACT_SUBNET_ID": "subnet-journey", "DLI_CONTRACT_POOL": "pool_journey",
	}, want: []string{`(?m)^  PASS ignored_auth `, `(?m)^  PASS ensure_resource_availability `, `(?m)^  result: PASS$`},
		then: func(t *testing.T, s *shell) {
			for _, report := range []string{"dli-contract.json", "dli-contract.xml", "dli-contract.html"} {
				info, err := os.Stat(filepath.Join(workspace, "reports", report))
				if assert.NoError(t, err, "the config file's %s", report) {
					assert.Positive(t, info.Size())
				}
			}
		}},
}

// Every journey the pages mark runs as a person types it, and shows what
// a person sees when it works.
func TestJourneys(t *testing.T) {
	t.Parallel()
	for _, j := range journeys {
		t.Run(j.name, func(t *testing.T) {
			t.Parallel()
			text := journeyBlock(t, j.name)
			s := newShell(t, map[string]string{})
			for k, v := range j.env {
				s.env[k] = strings.ReplaceAll(v, "$MOCK", s.url())
			}
			if j.live {
				// The mock that stands for live DLI checks the keys, as DLI.
				s.startLive()
			}
			out, code := s.run(text)
			require.Equal(t, 0, code, "the block exited %d:\n%s\n---\n%s", code, text, out)
			rest := out
			for _, want := range j.want {
				loc := regexp.MustCompile(want).FindStringIndex(rest)
				require.NotNil(t, loc, "%q not printed (in order):\n%s", want, out)
				rest = rest[loc[1]:]
			}
			assert.NotContains(t, out, "panic:")
			if j.then != nil {
				j.then(t, s)
			}
		})
	}
}

// A page's blocks are each run by a journey, or the file a journey runs,
// or say why they cannot run here; a journey is a block of the pages.
func TestEveryBlockIsRunOrSaysWhy(t *testing.T) {
	t.Parallel()
	names := map[string]bool{}
	for _, j := range journeys {
		names[j.name] = true
	}
	for _, page := range pages {
		for _, b := range blocks(t, page) {
			where := page + ":" + strconv.Itoa(b.line)
			switch b.marker {
			case "journey":
				assert.True(t, names[b.value], "%s: no journey %q in journeys_test.go", where, b.value)
			case "file":
				raw, err := os.ReadFile(filepath.Join(root, b.value)) //nolint:gosec // a file of the repository a page names
				if assert.NoError(t, err, where) {
					assert.True(t, strings.Contains(string(raw), b.text) || strings.Contains(string(raw), indented(b.text)),
						"%s: the block is not %s, or lines of a function of it, verbatim: copy them into the page", where, b.value)
				}
			case "not run":
				assert.NotEmpty(t, b.value, where)
			default:
				if b.lang == "sh" || b.lang == "bash" || b.lang == "yaml" {
					t.Errorf("%s: a %s block no journey runs; mark it <!-- journey: NAME --> and add the journey, or <!-- not run: why -->", where, b.lang)
				}
			}
		}
	}
}

// indented is text as lines of a function body: each line one tab in.
func indented(text string) string {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "\t" + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// CI runs the README's two commands.
func TestCIRunsTheREADMEsTwoCommands(t *testing.T) {
	t.Parallel()
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	require.NoError(t, err)
	for _, command := range []string{"\nmake contract\n", "\nmake test\n"} {
		assert.Contains(t, string(ci), command)
	}
}

// built are the commands binary built, once for every journey.
var built sync.Map // command → func() (string, error)

// binary is a command of the module, built once into the workspace, for
// the journeys that time it or put it on PATH as an installed one.
func binary(t *testing.T, s *shell, pkg string) string {
	t.Helper()
	build, _ := built.LoadOrStore(pkg, sync.OnceValues(func() (string, error) {
		out, code := s.exec("go", "build", "-o", filepath.Join(workspace, ".bin")+string(filepath.Separator), "./cmd/"+pkg)
		if code != 0 {
			return "", errors.New(out)
		}
		return filepath.Join(workspace, ".bin", pkg), nil
	}))
	path, err := build.(func() (string, error))()
	require.NoError(t, err, "go build ./cmd/%s", pkg)
	return path
}

// A mistyped endpoint is a run that could not be carried out: exit 2
// within five seconds, one line naming the endpoint and why, and no
// violation.
func TestAClosedPortIsOneLineAndExitTwo(t *testing.T) {
	t.Parallel()
	s := newShell(t, nil)
	gate := binary(t, s, "dli-contract")
	closed := "http://127.0.0.1:" + strconv.Itoa(freePort(t))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, gate, "-endpoint", closed, "-project", "P", "-ak", "A", "-sk", "S")
	cmd.Env = s.environ()
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "still running after five seconds")
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "%v", err)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Empty(t, stdout.String(), "no phase, no verdict")
	assert.Regexp(t, `^dli-contract: cannot reach `+regexp.QuoteMeta(closed)+`: dial tcp .*connection refused\n$`, stderr.String())
	assert.NotContains(t, stderr.String(), "VIOLATION")
	assert.NotContains(t, stderr.String(), "request-timeout")
}

// The replay command a report prints works as printed, with the same
// environment: a person copies it into the shell.
func TestThePrintedReplayCommandWorksAsPrinted(t *testing.T) {
	t.Parallel()
	s := newShell(t, map[string]string{"HUAWEICLOUD_SDK_AK": exampleAK, "HUAWEICLOUD_SDK_SK": exampleSK})
	gate := binary(t, s, "dli-contract")
	faults := filepath.Join(s.dir, "faults.json")
	// A list whose count is a string: a schema violation, every time.
	require.NoError(t, os.WriteFile(faults, []byte(`[{"name":"count-as-string","kind":"status","operation":"ListEnhancedConnections",`+
		`"status":200,"body":"{\"is_success\":true,\"count\":\"one\",\"connections\":[]}"}]`), 0o600))
	report := filepath.Join(s.dir, "report.json")
	out, code := s.run("export PATH=" + filepath.Dir(gate) + ":$PATH\n" +
		"go run ./cmd/dli-mock -create-delay 0s -faults " + faults + " &\n" +
		"dli-contract -mock -endpoint http://127.0.0.1:8080 -json " + report + " -max-examples 2 || echo \"exit $?\"\n")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "exit 1", out)
	m := regexp.MustCompile(`(?m)^  replay a violation: (.+)$`).FindStringSubmatch(out)
	require.NotNil(t, m, "no replay command printed:\n%s", out)
	printed := strings.Replace(m[1], "-case N", "-case 1", 1)
	// The mock again, on the same port, as the person left it running.
	replayed, code := s.run("export PATH=" + filepath.Dir(gate) + ":$PATH\n" +
		"go run ./cmd/dli-mock -create-delay 0s -faults " + faults + " &\n" + printed + "\n")
	assert.Equal(t, 1, code, "the answer still breaks the contract:\n%s", replayed)
	assert.Contains(t, replayed, "replaying violation 1: response_schema_conformance: ListEnhancedConnections 200 /count")
	assert.Contains(t, replayed, "still: ")
	assert.NotContains(t, replayed, "needs", "no usage error")
}

// -h is asked for, not a mistake: both commands print their flags and
// exit 0. -version prints the version Go recorded in the binary.
func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	s := newShell(t, nil)
	for _, cmd := range []string{"dli-mock", "dli-contract"} {
		out, code := s.exec(binary(t, s, cmd), "-h")
		assert.Equal(t, 0, code, "%s -h:\n%s", cmd, out)
		assert.Contains(t, out, "Usage", "%s -h", cmd)
		out, code = s.exec(binary(t, s, cmd), "-version")
		assert.Equal(t, 0, code, "%s -version:\n%s", cmd, out)
		assert.Regexp(t, `^`+cmd+` (v\d+\.\d+\.\d+\S*|\(devel\)( [0-9a-f]{12}(\+dirty)?)?)\n$`, out)
	}
}

// Every relative link of the pages names a file of the repository, and an
// anchor of a page names one of its headings.
func TestThePagesLinksResolve(t *testing.T) {
	t.Parallel()
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, page := range pages {
		raw, err := os.ReadFile(filepath.Join(root, page)) //nolint:gosec // a page of the repository
		require.NoError(t, err)
		for _, m := range link.FindAllStringSubmatch(string(raw), -1) {
			target := m[1]
			if strings.Contains(target, "://") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := filepath.Join(root, filepath.Dir(page), file)
			if file == "" {
				path = filepath.Join(root, page)
			}
			body, err := os.ReadFile(path) //nolint:gosec // a file a page links to
			if !assert.NoError(t, err, "%s links to %s", page, target) || anchor == "" {
				continue
			}
			assert.True(t, slices.Contains(anchors(string(body)), anchor), "%s links to %s: no such heading", page, target)
		}
	}
}

// anchors are the ids GitHub gives a page's headings.
func anchors(page string) []string {
	var out []string
	for _, line := range strings.Split(page, "\n") {
		if h, ok := strings.CutPrefix(line, "#"); ok {
			h = strings.TrimLeft(h, "#")
			h = strings.ToLower(strings.TrimSpace(h))
			h = regexp.MustCompile(`[^\w\- ]`).ReplaceAllString(h, "")
			out = append(out, strings.ReplaceAll(h, " ", "-"))
		}
	}
	return out
}
