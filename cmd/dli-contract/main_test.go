package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/mockserver"
)

const (
	testAK  = "AKTESTEXAMPLE0000000"
	testSK  = "SKtestexampleSecretKey0000000000000000000"
	project = "0123456789abcdef0123456789abcdef"
)

// gateRun runs the command against h, mutating, and returns its exit
// status and output.
func gateRun(t *testing.T, h http.Handler, extra ...string) (int, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	env := map[string]string{gate.EnvSK: testSK}
	args := append([]string{"-endpoint", srv.URL, "-project", project, "-ak", testAK, "-mutate",
		"-vpc-id", "vpc-1", "-subnet-id", "subnet-1", "-pool", "contract_pool", "-queue", "contract_queue", "-grantee-project-id", "fedcba9876543210fedcba9876543210", "-seed", "7", "-max-examples", "3", "-poll", "5ms"}, extra...)
	var out, errOut bytes.Buffer
	code := run(context.Background(), clockOf(t), args, func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String() + errOut.String()
}

// clocks holds each test's fake clock, which its mocks and its runs share:
// what a run only waits (settle windows, polls, Retry-After) then costs no
// real time, and the mock's create delays pass as the run polls.
// A test that holds a real-time bound says so with useSystemClock first.
var clocks sync.Map // *testing.T → clock.Clock

func clockOf(t *testing.T) clock.Clock {
	var fresh clock.Clock = clock.NewFake(time.Now())
	if longRun() {
		fresh = clock.System // make test-long: the whole table in real time
	}
	c, loaded := clocks.LoadOrStore(t, fresh)
	if !loaded {
		t.Cleanup(func() { clocks.Delete(t) })
	}
	return c.(clock.Clock)
}

// fakeClockOf is the test's fake clock, to ask how long its runs slept.
func fakeClockOf(t *testing.T) *clock.Fake {
	f, ok := clockOf(t).(*clock.Fake)
	if !ok {
		t.Skip("on the system clock (make test-long): nothing slept to count")
	}
	return f
}

// longRun is set by make test-long.
func longRun() bool { return os.Getenv("DLI_TEST_LONG") != "" }

func useSystemClock(t *testing.T) {
	clocks.Store(t, clock.System)
	t.Cleanup(func() { clocks.Delete(t) })
}

func newMock(t *testing.T, withAuth bool) *mockserver.Server {
	t.Helper()
	cfg := mockserver.Config{Clock: clockOf(t)}
	if withAuth {
		cfg.AK, cfg.SK = testAK, testSK
	}
	m, err := mockserver.New(cfg)
	require.NoError(t, err)
	return m
}

// rewrite passes requests to next and lets change alter the answer.
func rewrite(next http.Handler, change func(r *http.Request, rec *httptest.ResponseRecorder) (int, http.Header, []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		status, header, body := change(r, rec)
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

// jsonEdit rewrites the JSON answers of the requests match selects.
func jsonEdit(next http.Handler, match func(*http.Request) bool, edit func(map[string]any)) http.Handler {
	return rewrite(next, func(r *http.Request, rec *httptest.ResponseRecorder) (int, http.Header, []byte) {
		body := rec.Body.Bytes()
		var m map[string]any
		if match(r) && json.Unmarshal(body, &m) == nil {
			edit(m)
			body, _ = json.Marshal(m)
		}
		return rec.Code, rec.Header(), body
	})
}

// refusing answers 400 to the requests refuse picks, as a server stricter
// than live DLI would.
func refusing(next http.Handler, refuse func(r *http.Request, body string) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if refuse(r, string(body)) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error_code":"DLI.0001","error_msg":"refused by a server stricter than DLI"}`)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

func isEnhancedList(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/datasource/enhanced-connections")
}

func isEnhancedShow(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/enhanced-connections/") &&
		!strings.HasSuffix(r.URL.Path, "/privileges")
}

func TestTheMockPassesEveryCheck(t *testing.T) {
	t.Parallel()
	code, out := gateRun(t, newMock(t, true))
	assert.Equal(t, 0, code, out)
	for _, check := range gate.AllChecks {
		assert.Regexp(t, "PASS "+check+" +[1-9][0-9]* passed, 0 failed", out)
	}
	assert.Contains(t, out, "seed 7 (pass -seed 7 to repeat)")
}

// Each check bites: a server broken in one way fails the run with exit 1,
// naming that check, the operation, the status, the place and a curl
// command that reproduces it with the credentials redacted.
func TestEachCheckFailsOnAServerBrokenThatWay(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		check string
		want  string
		h     func(t *testing.T) http.Handler
	}{
		{"answers 500", gate.CheckServerError, "ListEnhancedConnections 500", func(t *testing.T) http.Handler {
			return rewrite(newMock(t, true), func(r *http.Request, rec *httptest.ResponseRecorder) (int, http.Header, []byte) {
				if isEnhancedList(r) && rec.Code == 200 {
					return 500, rec.Header(), []byte(`{"error_code":"DLI.0999","error_msg":"boom"}`)
				}
				return rec.Code, rec.Header(), rec.Body.Bytes()
			})
		}},
		{"accepts invalid input", gate.CheckNegative, "AssociateQueueToEnhancedConnection 200", func(t *testing.T) http.Handler {
			m := newMock(t, true)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/associate-queue") {
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, `{"is_success":true,"message":""}`)
					return
				}
				m.ServeHTTP(w, r)
			})
		}},
		{"serves a method the document does not declare", gate.CheckUnsupported, "unsupported_method: undeclared route 200: a route the document does not declare was answered 200, want a 4xx refusal", func(t *testing.T) http.Handler {
			m := newMock(t, true)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPatch {
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, `{"is_success":true,"message":""}`)
					return
				}
				m.ServeHTTP(w, r)
			})
		}},
		{"ignores authentication", gate.CheckIgnoredAuth, "an unsigned request was answered 200, want 401", func(t *testing.T) http.Handler {
			return newMock(t, false)
		}},
		{"still shows what it deleted", gate.CheckUseAfterFree, `read after delete answered 200 with state "ACTIVE"`, func(t *testing.T) http.Handler {
			return jsonEdit(newMock(t, true), isEnhancedShow, func(m map[string]any) {
				if m["status"] == "DELETED" {
					m["status"] = "ACTIVE"
				}
			})
		}},
		{"a wrong content type", gate.CheckContentType, "ListEnhancedConnections 200", func(t *testing.T) http.Handler {
			return rewrite(newMock(t, true), func(r *http.Request, rec *httptest.ResponseRecorder) (int, http.Header, []byte) {
				h := rec.Header().Clone()
				if isEnhancedList(r) {
					h.Set("Content-Type", "text/plain")
				}
				return rec.Code, h, rec.Body.Bytes()
			})
		}},
		{"a wrong type", gate.CheckSchema, "ListEnhancedConnections 200 /count", func(t *testing.T) http.Handler {
			return jsonEdit(newMock(t, true), isEnhancedList, func(m map[string]any) {
				if c, ok := m["count"].(float64); ok {
					m["count"] = strconv.Itoa(int(c))
				}
			})
		}},
		{"an undeclared status", gate.CheckStatus, "success status 200 is not declared for CreateEnhancedConnection", func(t *testing.T) http.Handler {
			return rewrite(newMock(t, true), func(_ *http.Request, rec *httptest.ResponseRecorder) (int, http.Header, []byte) {
				if rec.Code == 201 {
					return 200, rec.Header(), rec.Body.Bytes()
				}
				return rec.Code, rec.Header(), rec.Body.Bytes()
			})
		}},
		{"loses what it created", gate.CheckAvailability, "the list lacks the enhanced connection", func(t *testing.T) http.Handler {
			return jsonEdit(newMock(t, true), isEnhancedList, func(m map[string]any) {
				m["connections"], m["count"] = []any{}, 0
			})
		}},
		{"keeps what it refused", gate.CheckUnchanged, "the resources of the project changed", func(t *testing.T) http.Handler {
			// It answers an invalid create 400, and creates a connection
			// all the same.
			m := newMock(t, true)
			var mu sync.Mutex
			n := 0
			return rewrite(m, func(r *http.Request, rec *httptest.ResponseRecorder) (int, http.Header, []byte) {
				if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/datasource/enhanced-connections") && rec.Code == 400 {
					mu.Lock()
					n++
					body := `{"name":"kept` + strconv.Itoa(n) + `","dest_vpc_id":"v","dest_network_id":"s"}`
					mu.Unlock()
					inner := httptest.NewRequest(http.MethodPost, r.URL.Path, strings.NewReader(body))
					inner.Header.Set("Content-Type", "application/json")
					if err := auth.NewSigner(testAK, testSK).Sign(inner, time.Now()); err != nil {
						panic(err)
					}
					m.ServeHTTP(httptest.NewRecorder(), inner)
				}
				return rec.Code, rec.Header(), rec.Body.Bytes()
			})
		}},
		{"a binding that goes back", gate.CheckTransitions, "binding contract_pool went from ACTIVE to CREATING", func(t *testing.T) http.Handler {
			// The second show claims the pool ACTIVE (and another binding
			// still CREATING) while the peering is still being created; the
			// third tells the truth.
			m, err := mockserver.New(mockserver.Config{AK: testAK, SK: testSK, CreateDelay: time.Second, Clock: clockOf(t)})
			require.NoError(t, err)
			var mu sync.Mutex
			shows := 0
			return jsonEdit(m, isEnhancedShow, func(m map[string]any) {
				mu.Lock()
				defer mu.Unlock()
				if pools, ok := m["elastic_resource_pools"].([]any); ok && len(pools) > 0 {
					if shows++; shows == 2 {
						pools[0].(map[string]any)["status"] = "ACTIVE"
						m["available_queue_info"] = []any{map[string]any{"name": "q1", "status": "CREATING", "peer_id": "p", "err_msg": "", "update_time": 1}}
					}
				}
			})
		}},
		// Stricter than live DLI, where Terraform's provider works: each is
		// reported naming the provider's function and the field case.
		{"refuses tags null", gate.CheckPositive, "Terraform's resourceDatasourceConnectionCreate (field case create-without-tags-or-hosts.json, step 1", func(t *testing.T) http.Handler {
			return refusing(newMock(t, true), func(r *http.Request, body string) bool {
				return strings.Contains(strings.ReplaceAll(body, " ", ""), `"tags":null`)
			})
		}},
		{"serves no v2.0 routes", gate.CheckPositive, "(field case create-without-tags-or-hosts.json, step 2: addRoutes): answered 404, want 200", func(t *testing.T) http.Handler {
			m := newMock(t, true)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/v2.0/") && strings.Contains(r.URL.Path, "/routes") {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusNotFound)
					_, _ = io.WriteString(w, `{"error_code":"APIGW.0101","error_msg":"The API does not exist"}`)
					return
				}
				m.ServeHTTP(w, r)
			})
		}},
		{"leaves the array out of an empty page", gate.CheckSchema, "ListEnhancedConnections 200 /connections: response body /connections: required", func(t *testing.T) http.Handler {
			return jsonEdit(newMock(t, true), isEnhancedList, func(m map[string]any) {
				if c, _ := m["connections"].([]any); len(c) == 0 {
					delete(m, "connections")
				}
			})
		}},
		{"refuses to clear hosts with null", gate.CheckPositive, "Terraform's resourceDatasourceConnectionUpdate", func(t *testing.T) http.Handler {
			return refusing(newMock(t, true), func(r *http.Request, body string) bool {
				return r.Method == http.MethodPut && !strings.Contains(body, "[")
			})
		}},
		{"refuses a delete while a binding is created", gate.CheckPositive, "Terraform's resourceDatasourceConnectionDelete", func(t *testing.T) http.Handler {
			return refusing(newMock(t, true), func(r *http.Request, _ string) bool {
				return r.Method == http.MethodDelete && !strings.Contains(r.URL.Path, "/routes")
			})
		}},
		{"names the grantee only applicant_project_id", gate.CheckPositive, "lacks /privileges/0/project_id, which the provider reads", func(t *testing.T) http.Handler {
			return jsonEdit(newMock(t, true), func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/privileges") }, func(m map[string]any) {
				ps, _ := m["privileges"].([]any)
				for _, p := range ps {
					delete(p.(map[string]any), "project_id")
				}
			})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out := gateRun(t, tc.h(t))
			assert.Equal(t, 1, code, "exit status\n%s", out)
			assert.Regexp(t, "FAIL "+tc.check+" +[0-9]+ passed, [1-9][0-9]* failed", out)
			assert.Contains(t, out, "VIOLATION "+tc.check+": ")
			assert.Contains(t, out, tc.want)
			assert.Contains(t, out, "reproduce: curl -X ")
			assert.NotContains(t, out, testSK, "a secret reached the output")
		})
	}
}

func TestReportsAndRedaction(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	junit, js := filepath.Join(dir, "contract.xml"), filepath.Join(dir, "contract.json")
	broken := jsonEdit(newMock(t, true), isEnhancedList, func(m map[string]any) { m["count"] = "1" })
	code, out := gateRun(t, broken, "-junit", junit, "-json", js)
	require.Equal(t, 1, code, out)

	x, err := os.ReadFile(junit)
	require.NoError(t, err)
	assert.Contains(t, string(x), `<testcase name="response_schema_conformance" classname="dli-contract">`)
	assert.Contains(t, string(x), "<failure message=\"ListEnhancedConnections: ")

	var rep struct {
		Seed       uint64 `json:"seed"`
		Requests   int    `json:"requests"`
		Violations []gate.Violation
	}
	b, err := os.ReadFile(js)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep))
	assert.Equal(t, uint64(7), rep.Seed)
	assert.Positive(t, rep.Requests)
	require.NotEmpty(t, rep.Violations)
	v := rep.Violations[0]
	assert.Equal(t, gate.CheckSchema, v.Check)
	assert.Equal(t, "/count", v.Pointer)
	assert.Contains(t, v.Exchange.Curl(), "-H 'Authorization: <signature>'")
	assert.NotContains(t, string(b), testSK)
}

func TestUsageErrorsExitTwoNamingTheFlag(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-no-such-flag"}, "flag provided but not defined: -no-such-flag"},
		{[]string{"-endpoint", "https://dli.example.com"}, "needs -project"},
		{[]string{"-endpoint", "https://dli.example.com", "-project", "p", "-ak", "a"}, "both -ak and -sk"},
		{[]string{"-endpoint", "https://dli.example.com", "-project", "p", "-token", "t", "-mutate"}, "-mutate creates real connections and needs -pool, -subnet-id, -vpc-id"},
		{[]string{"-endpoint", "http://127.0.0.1:8080", "-project", "p", "-token", "t", "-mutate"},
			"-mutate creates real connections and needs -pool, -subnet-id, -vpc-id; or, if the server is a dli-mock, which takes any, set -mock"},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"-max-examples", "-1"}, "dli-contract: -max-examples -1: must be 0 (the default) or more\n"},
		{[]string{"-timeout", "0"}, "dli-contract: -timeout 0s: must be more than 0, e.g. 10m\n"},
		{[]string{"-max-steps", "0", "-poll", "0"}, "dli-contract: -max-steps 0: must be 1 or more\n"},
		{[]string{"-rate-limit", "-2"}, "dli-contract: -rate-limit -2: must be 0 (no limit) or more requests a second\n"},
		{[]string{"-profile", "cheap"}, "dli-contract: -profile cheap: must be live or loopback\n"},
		{[]string{"-max-requests", "-5"}, "dli-contract: -max-requests -5: must be 0 (the profile's) or more\n"},
		{[]string{"-case", "3"}, "dli-contract: -case picks the violation of a report to send again: give the report too, -replay FILE\n"},
		{[]string{"-endpoint", "127.0.0.1:8080"}, `-endpoint: endpoint: "127.0.0.1:8080" has no scheme: write http://127.0.0.1:8080 for a local server such as dli-mock`},
	}
	for _, tc := range cases {
		var out, errOut bytes.Buffer
		code := run(context.Background(), clockOf(t), tc.args, func(string) string { return "" }, &out, &errOut)
		assert.Equal(t, 2, code, "%v", tc.args)
		assert.Contains(t, errOut.String(), tc.want, "%v", tc.args)
		if !strings.Contains(tc.want, "not defined") {
			assert.Equal(t, 0, strings.Count(strings.TrimSpace(errOut.String()), "\n"), "one line: %s", errOut.String())
		}
		if strings.HasSuffix(tc.want, "\n") {
			assert.Equal(t, tc.want, errOut.String(), "only the flag that is wrong")
		}
	}
	// Environment variables still work, and -h never prints a secret
	// they hold.
	var out, errOut bytes.Buffer
	code := run(context.Background(), clockOf(t), []string{"-h"}, func(k string) string {
		return map[string]string{gate.EnvSK: "SKfromTheEnvironment", gate.EnvToken: "TOKENfromTheEnvironment"}[k]
	}, &out, &errOut)
	assert.Equal(t, 0, code)
	assert.NotContains(t, errOut.String(), "fromTheEnvironment")
	assert.Contains(t, errOut.String(), "$"+gate.EnvSK)
}

// Another module can run the command through a replace, as it would run a
// published version with go run ...@version.
func TestRunsFromAnotherModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command in a scratch module")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	dir := t.TempDir()
	gomod := "module example.com/ci\n\ngo 1.26.0\n\nrequire github.com/dli-contract/dli-go v0.0.0\n\nreplace github.com/dli-contract/dli-go => " + root + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tools.go"), []byte("//go:build tools\n\npackage ci\n\nimport _ \"github.com/dli-contract/dli-go/cmd/dli-contract\"\n"), 0o644))
	goCmd := func(args ...string) (string, error) {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	out, err := goCmd("mod", "tidy")
	require.NoError(t, err, out)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", "github.com/dli-contract/dli-go/cmd/dli-contract", "-max-examples", "2")
	cmd.Dir = dir
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, string(b))
	assert.Contains(t, string(b), "result: PASS")
}

// Unset, -max-examples and -rate-limit follow the endpoint: loopback is
// free to hammer, a live project is not. -max-examples follows the
// profile, which can be live against loopback.
func TestDefaultsFollowTheEndpoint(t *testing.T) {
	for _, tc := range []struct {
		endpoint, profile string
		examples          int
		rate              float64
	}{
		{"http://127.0.0.1:8080", "", 40, 0},
		{"http://[::1]:8080", "", 40, 0},
		{"http://localhost:8080", "", 40, 0},
		{"https://dli.cn-north-4.myhuaweicloud.com", "", 10, defaultRemoteRate},
		{"http://127.0.0.1:8080", gate.ProfileLive, 10, 0},
		{"https://dli.cn-north-4.myhuaweicloud.com", gate.ProfileLoopback, 40, defaultRemoteRate},
	} {
		cfg := gate.Config{Target: gate.Target{Endpoint: tc.endpoint}, Profile: tc.profile}
		assert.Equal(t, tc.examples, defaultExamples(cfg), tc.endpoint)
		assert.Equal(t, tc.rate, defaultRate(cfg), tc.endpoint)
	}
}

// A delete must change nothing but what it deletes: a server that forgets
// every enhanced connection once a classic one is deleted (as a mock that
// dropped the whole project would) fails, naming the delete.
func TestADeleteChangesNothingElse(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	dropped := false
	h := rewrite(newMock(t, true), func(r *http.Request, rec *httptest.ResponseRecorder) (int, http.Header, []byte) {
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/datasource-connection/") && rec.Code == 200 {
			dropped = true
		}
		if dropped && isEnhancedShow(r) && rec.Code == 200 {
			return 400, rec.Header(), []byte(`{"error_code":"DLI.0001","error_msg":"Connection is not exist."}`)
		}
		return rec.Code, rec.Header(), rec.Body.Bytes()
	})
	code, out := gateRun(t, h, "-url", "192.168.0.10:3306", "-security-group-id", "sg-1", "-network-id", "net-1")
	assert.Equal(t, 1, code, out)
	assert.Regexp(t, `VIOLATION ensure_resource_availability: ShowEnhancedConnection 400: the delete of the classic connection \S+ changed the enhanced connection \S+: its read answered 200 before, 400 after`, out)
}

// A server that answers 401 to a create with wrong credentials, and
// creates it all the same, fails ignored_auth: the project's lists show
// what the refused create made.
func TestACreateRefusedForItsCredentialsCreatesNothing(t *testing.T) {
	t.Parallel()
	m := newMock(t, true)
	front := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		inner := r.Clone(r.Context())
		inner.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, inner)
		if rec.Code == http.StatusUnauthorized && r.Method == http.MethodPost {
			// Carried out all the same, as a handler that went on past
			// its refusal would.
			again, _ := http.NewRequest(http.MethodPost, r.URL.String(), bytes.NewReader(body))
			again.Header.Set("Content-Type", "application/json")
			_ = auth.AKSK{AK: testAK, SK: testSK}.Authenticate(again, clockOf(t).Now())
			m.ServeHTTP(httptest.NewRecorder(), again)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
	code, out := gateRun(t, front, "-mock")
	assert.Equal(t, 1, code, out)
	assert.Regexp(t, `VIOLATION ignored_auth: Create\w+ 20\d: creates refused for their credentials changed the project: new \w+`, out)
}

// docs/gate.md's table of what a mutating live run is given is the
// document's x-dli-cloud-inputs, each with the flag's help: a declared
// input changes the table, and this test says what the table must become.
func TestTheGatePageListsEveryDeclaredInput(t *testing.T) {
	t.Parallel()
	inputs, err := gate.DeclaredInputs()
	require.NoError(t, err)
	var want strings.Builder
	want.WriteString("| `DLI_CONTRACT_MUTATE=1` |")
	for _, in := range inputs {
		fmt.Fprintf(&want, "\n| `%s` (`-%s`) | %s |", in.Env(), in.Name, inputUsage(in))
	}
	readme, err := os.ReadFile("../../docs/gate.md")
	require.NoError(t, err)
	start := strings.Index(string(readme), "| `DLI_CONTRACT_MUTATE=1` |")
	require.GreaterOrEqual(t, start, 0, "docs/gate.md's table of variables has no DLI_CONTRACT_MUTATE row")
	rest := string(readme)[start:]
	end := strings.Index(rest, "\n\n")
	require.Greater(t, end, 0)
	got := rest[:end]
	_, mutateRow, _ := strings.Cut(got, " |")
	mutateRow, _, _ = strings.Cut(mutateRow, "\n")
	assert.Equal(t, strings.Replace(want.String(), "| `DLI_CONTRACT_MUTATE=1` |", "| `DLI_CONTRACT_MUTATE=1` |"+mutateRow, 1), got,
		"docs/gate.md's rows after DLI_CONTRACT_MUTATE must be the declared inputs, in the document's order")
}
