package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/mockserver"
)

// A gate a team can point at live DLI: tried against servers that
// misbehave the way real ones do, each run ends within its bounds, blames
// the server only for what the server did, and leaves nothing behind
// unreported.

// safeRun runs the command against h with args, bounded; it returns the
// exit status, the output and how long it took.
func safeRun(t *testing.T, ctx context.Context, h http.Handler, mutate bool, extra ...string) (int, string, time.Duration) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	env := map[string]string{gate.EnvSK: testSK}
	args := []string{"-endpoint", srv.URL, "-project", project, "-ak", testAK, "-seed", "7", "-max-examples", "3",
		"-poll", "50ms", "-throttle-retries", "5"}
	if mutate {
		args = append(args, "-mutate", "-vpc-id", "vpc-1", "-subnet-id", "subnet-1", "-pool", "contract_pool",
			"-queue", "contract_queue", "-grantee-project-id", "fedcba9876543210fedcba9876543210")
	}
	args = append(args, extra...)
	var out, errOut bytes.Buffer
	start := time.Now()
	code := run(ctx, clockOf(t), args, func(k string) string { return env[k] }, &out, &errOut)
	took := time.Since(start)
	text := out.String() + errOut.String()
	// The figures a team weighs before pointing the gate at live DLI
	// (go test -v): how the run ended, how long it took, what it left.
	if os.Getenv("SHOWOUT") != "" {
		t.Log(text)
	}
	t.Logf("exit %d after %s, %d left behind", code, took.Round(time.Millisecond), strings.Count(text, "LEFT BEHIND"))
	return code, text, took
}

// everyNth answers every nth request with a 429 as API Gateway throttles.
func everyNth(next http.Handler, n int64, retryAfter string) http.Handler {
	var count atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1)%n == 0 {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", retryAfter)
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached","request_id":"r1"}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// enhancedLeft lists the enhanced connections of the mock not DELETED.
func enhancedLeft(t *testing.T, m *mockserver.Server) []string {
	t.Helper()
	var left []string
	for _, c := range m.State().Projects[project].Enhanced {
		if c.Status != "DELETED" {
			left = append(left, c.ID)
		}
	}
	return left
}

// A 429 with Retry-After: 1 on every third request, as the issue that
// made the sequences give up measured it (-max-examples 3): every step
// waits and goes on, and the run passes, sequences included.
func TestThrottlingIsWaitedOutNotJudged(t *testing.T) {
	t.Parallel()
	for _, mutate := range []bool{false, true} {
		t.Run(fmt.Sprintf("mutate=%t", mutate), func(t *testing.T) {
			t.Parallel()
			m := newMock(t, true)
			code, out, _ := safeRun(t, context.Background(), everyNth(m, 3, "1"), mutate)
			assert.Equal(t, 0, code, "a 429 on every third request is throttling, not a violation\n%s", out)
			assert.NotContains(t, out, "VIOLATION")
			assert.Contains(t, out, "result: PASS")
			assert.NotContains(t, out, "could not run")
			assert.Empty(t, enhancedLeft(t, m))
			if f, ok := clockOf(t).(*clock.Fake); ok {
				assert.GreaterOrEqual(t, f.Slept(), 10*time.Second, "Retry-After was waited out each time")
			}
		})
	}
}

// Retry-After is waited out: on the system clock, as a second of real
// time; on a fake one, as the sleeps the run asked for.
func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	for _, real := range []bool{true, false} {
		t.Run(map[bool]string{true: "system clock", false: "fake clock"}[real], func(t *testing.T) {
			t.Parallel()
			if real {
				useSystemClock(t)
			}
			var once sync.Once
			m := newMock(t, true)
			front := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				throttle := false
				once.Do(func() { throttle = true })
				if throttle {
					w.Header().Set("Retry-After", "1")
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				m.ServeHTTP(w, r)
			})
			code, out, took := safeRun(t, context.Background(), front, false, "-checks", gate.CheckServerError)
			assert.Equal(t, 0, code, out)
			if real {
				assert.GreaterOrEqual(t, took, time.Second, "Retry-After: 1 was waited out")
				return
			}
			assert.Equal(t, time.Second, fakeClockOf(t).Slept(), "Retry-After: 1 was waited out, and nothing else")
		})
	}
}

// A 429 on every request is no refusal and no pass: the run says it was
// throttled, as a problem of the run.
func TestThrottlingThatOutlastsItsRetriesIsAProblemOfTheRun(t *testing.T) {
	t.Parallel()
	code, out, _ := safeRun(t, context.Background(), everyNth(newMock(t, true), 1, "0"), false, "-throttle-retries", "2")
	assert.Equal(t, 2, code, out)
	assert.NotContains(t, out, "VIOLATION")
	assert.Regexp(t, `SKIP negative_data_rejection +0 passed, 0 failed, \d+ not judged`, out, "a 429 is no refusal")
	assert.Contains(t, out, "requests still throttled (429) after 2 retries each: lower -rate-limit")
	assert.Contains(t, out, "result: INCOMPLETE")
}

// A server that accepts an invalid create and answers an id that does not
// exist: reported, and the cleanup does not wait on what never existed.
func TestAWronglyAcceptedCreateIsCleanedUpAtOnce(t *testing.T) {
	t.Parallel()
	const phantom = "4d9b0d6e-2f1c-4c1a-9e5e-3b1f0a9c7d21"
	m := newMock(t, true)
	var asked atomic.Int64 // requests about the id that never existed
	front := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, phantom) {
			asked.Add(1)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/datasource/enhanced-connections") && !json.Valid(body) ||
			r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/datasource/enhanced-connections") && !strings.Contains(string(body), `"dest_vpc_id"`) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"is_success":true,"message":"","connection_id":"`+phantom+`"}`)
			return
		}
		m.ServeHTTP(w, r)
	})
	code, out, _ := safeRun(t, context.Background(), front, true, "-settle", "1s")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "VIOLATION negative_data_rejection: CreateEnhancedConnection 201")
	assert.NotContains(t, out, "LEFT BEHIND", "an id that never existed is gone, not left behind")
	assert.NotContains(t, out, "delete it by hand")
	// One show answers 404 and the id is gone: no delete, no retries, no
	// polling until -settle. Counted, not timed, so that a loaded machine
	// cannot fail it.
	assert.Equal(t, int64(1), asked.Load(), "requests about the id that never existed")
}

// Every answer slow, and -timeout short: the run stops sending, says what
// it did not run, cleans up and exits 2, blaming the server for nothing.
func TestTimeoutStopsTheRunNotBlamingTheServer(t *testing.T) {
	t.Parallel()
	m := newMock(t, true)
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(40 * time.Millisecond)
		m.ServeHTTP(w, r)
	})
	const timeout = 4 * time.Second
	code, out, took := safeRun(t, context.Background(), slow, true, "-timeout", timeout.String())
	assert.Equal(t, 2, code, out)
	assert.NotContains(t, out, "VIOLATION")
	assert.Contains(t, out, "NOT RUN")
	assert.Contains(t, out, "-timeout ran out")
	// Unbounded, the run takes about 40 s here; bounded, it ends at the
	// deadline, plus the report, which a loaded machine under -race may
	// take a while to write.
	assert.Less(t, took, 2*timeout, "-timeout bounds the run, cleanup included")
	assert.Empty(t, enhancedLeft(t, m), "what the run created, it deleted")
}

func TestAServerThatNeverAnswersGetsOneVerdict(t *testing.T) {
	t.Parallel()
	silent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	code, out, took := safeRun(t, context.Background(), silent, true, "-request-timeout", "150ms", "-timeout", "1m")
	assert.Equal(t, 2, code, out)
	assert.Contains(t, out, "never answered: 3 requests in a row ran out of -request-timeout (150ms)")
	assert.NotContains(t, out, "VIOLATION")
	assert.Less(t, took, 10*150*time.Millisecond+2*time.Second, "within a small multiple of -request-timeout")
}

// Bindings and classic connections that stay CREATING: each kind fails
// state_transitions once, later waits for it are cut short (not judged
// again), and the run ends within twice -settle plus a minute of waiting,
// naming the classic connections it could not delete (DLI refuses to
// delete one being created). On the fake clock the waits are counted; on
// the system clock (make test-long), timed.
func TestAKindThatNeverSettlesIsJudgedOnce(t *testing.T) {
	t.Parallel()
	settle := 2 * time.Minute // the default
	if longRun() {
		settle = 3 * time.Second
	}
	m, err := mockserver.New(mockserver.Config{AK: testAK, SK: testSK, CreateDelay: 24 * time.Hour, Clock: clockOf(t)})
	require.NoError(t, err)
	// Many more sequences than the default 3 (two hundred, forty under
	// -short), so that one of them waits for a binding again among the
	// calls of the datasource family and the tags: each is one draw among
	// some fifty.
	code, out, took := safeRun(t, context.Background(), m, true, "-settle", settle.String(), "-poll", "2s",
		"-url", "192.168.0.10:3306", "-security-group-id", "sg-1", "-network-id", "net-1", "-max-examples", "200", "-seed", "3")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "VIOLATION state_transitions: ShowEnhancedConnection 200: binding contract_queue, contract_pool still CREATING after "+settle.String()+" (-settle)")
	assert.Contains(t, out, "VIOLATION state_transitions: ShowDatasourceConnection 200 /state: classic connection")
	assert.Contains(t, out, "later waits for bindings: cut short, not judged again")
	assert.Contains(t, out, "later waits for classic_connection: cut short, not judged again")
	assert.NotContains(t, out, "model_conformance: ", "the sequences do not judge again what the life cycles did")
	assert.Contains(t, out, "LEFT BEHIND classic connection ")
	bound := 2*settle + time.Minute
	if f, ok := clockOf(t).(*clock.Fake); ok {
		assert.LessOrEqual(t, f.Slept(), bound, "waited in all")
	} else {
		assert.LessOrEqual(t, took, bound)
	}
}

// Deletes that answer 200 and delete nothing: use_after_free fails, and
// what is left is listed with ids and the last answer, in every report.
func TestLeftoversAreListed(t *testing.T) {
	t.Parallel()
	m := newMock(t, true)
	front := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete && !strings.Contains(r.URL.Path, "/routes/") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"is_success":true,"message":"Deleted"}`)
			return
		}
		m.ServeHTTP(w, r)
	})
	dir := t.TempDir()
	js, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml")
	code, out, _ := safeRun(t, context.Background(), front, true, "-json", js, "-junit", junit)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "VIOLATION use_after_free")
	left := enhancedLeft(t, m)
	require.NotEmpty(t, left)
	for _, id := range left {
		assert.Contains(t, out, "LEFT BEHIND enhanced connection "+id)
	}
	assert.Contains(t, out, "delete answered 200; show answers it ACTIVE")

	raw, err := os.ReadFile(js)
	require.NoError(t, err)
	rep, err := gate.ReadReport(bytes.NewReader(raw))
	require.NoError(t, err)
	assert.Len(t, rep.Leftovers, len(left)+len(classicLeft(t, m))+len(m.State().Projects[project].AuthInfos))
	assert.Contains(t, out, "LEFT BEHIND datasource authentication ", "every kind the run made is listed")
	x, err := os.ReadFile(junit)
	require.NoError(t, err)
	require.NoError(t, xml.Unmarshal(x, new(any)))
	assert.Contains(t, string(x), `<testcase name="cleanup" classname="dli-contract">`)
	assert.Contains(t, string(x), "left behind: enhanced connection "+left[0])
}

func classicLeft(t *testing.T, m *mockserver.Server) []string {
	t.Helper()
	var out []string
	for _, c := range m.State().Projects[project].Classic {
		out = append(out, c.ID)
	}
	return out
}

// A delete refused (DLI.0007) is not a success, whatever its message says.
func TestARefusedDeleteIsNoSuccess(t *testing.T) {
	t.Parallel()
	m := newMock(t, true)
	front := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/enhanced-connections/") && !strings.Contains(r.URL.Path, "/routes/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error_code":"DLI.0007","error_msg":"The connection cannot be deleted while its binding is being created"}`)
			return
		}
		m.ServeHTTP(w, r)
	})
	code, out, _ := safeRun(t, context.Background(), front, true)
	assert.NotEqual(t, 0, code, out)
	left := enhancedLeft(t, m)
	require.NotEmpty(t, left)
	assert.Contains(t, out, "LEFT BEHIND enhanced connection "+left[0])
	assert.Contains(t, out, "delete answered 400")
	assert.Contains(t, out, "DLI.0007")
}

// Ctrl-C during -mutate: the run stops sending, deletes what it created,
// and still prints the summary and writes the report.
func TestAnInterruptedRunCleansUpAndReports(t *testing.T) {
	t.Parallel()
	m := newMock(t, true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var count atomic.Int64
	front := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1) == 230 { // within the life cycles
			cancel()
		}
		m.ServeHTTP(w, r)
	})
	js := filepath.Join(t.TempDir(), "r.json")
	code, out, _ := safeRun(t, ctx, front, true, "-json", js)
	assert.Equal(t, 2, code, out)
	assert.Contains(t, out, "NOT RUN")
	assert.Contains(t, out, "interrupted")
	assert.Contains(t, out, "result: INCOMPLETE")
	assert.NotContains(t, out, "VIOLATION")
	assert.FileExists(t, js)
	assert.Empty(t, enhancedLeft(t, m), "the connection being tested was deleted")
}

// A reset connection is reported with the request that got no answer,
// never the exchange before it.
func TestTransportErrorsNameTheirOwnRequest(t *testing.T) {
	t.Parallel()
	m := newMock(t, true)
	var count atomic.Int64
	front := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1)%5 == 0 {
			panic(http.ErrAbortHandler)
		}
		m.ServeHTTP(w, r)
	})
	js := filepath.Join(t.TempDir(), "r.json")
	code, out, _ := safeRun(t, context.Background(), front, false, "-json", js)
	assert.Equal(t, 1, code, out)
	raw, err := os.ReadFile(js)
	require.NoError(t, err)
	rep, err := gate.ReadReport(bytes.NewReader(raw))
	require.NoError(t, err)
	noAnswer := 0
	for _, v := range rep.Violations {
		if !strings.Contains(v.Message, "got no answer") {
			continue
		}
		noAnswer++
		require.NotNil(t, v.Exchange)
		assert.NotEmpty(t, v.Exchange.Error, "%s: the exchange is the request that got no answer", v.Message)
		assert.Zero(t, v.Exchange.Status, "%s: not the status of an earlier answer", v.Message)
	}
	assert.Positive(t, noAnswer)
}

// A 50 MiB answer is read up to the cap, named by its size.
func TestHugeBodiesAreCapped(t *testing.T) {
	t.Parallel()
	m := newMock(t, true)
	var served, lists atomic.Int64
	front := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/datasource/enhanced-connections") {
			lists.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "52428800")
			chunk := bytes.Repeat([]byte(" "), 64<<10)
			for i := 0; i < 800; i++ {
				n, err := w.Write(chunk)
				served.Add(int64(n))
				if err != nil {
					return
				}
			}
			return
		}
		m.ServeHTTP(w, r)
	})
	code, out, _ := safeRun(t, context.Background(), front, false, "-max-body", "1048576", "-checks", gate.CheckSchema)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "the answer's body of 52428800 bytes is over the cap of 1048576 (-max-body)")
	require.Positive(t, lists.Load())
	assert.Less(t, served.Load()/lists.Load(), int64(16<<20), "a list's 50 MiB were read up to the cap (and socket buffers), not whole")
}

// 503 with HTML on every request: the same failure is reported once per
// place, with a count, not once per request.
func TestIdenticalViolationsAreGrouped(t *testing.T) {
	t.Parallel()
	front := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>")
	})
	code, out, _ := safeRun(t, context.Background(), front, false)
	assert.Equal(t, 1, code, out)
	assert.Regexp(t, `VIOLATION not_a_server_error: ListEnhancedConnections 503: the server answered 503: .* \(×\d+\)`, out)
	// About fourteen lines an operation: its place in each check, its row
	// in the summary.
	assert.Less(t, strings.Count(out, "\n"), 500, "grouped: %d lines", strings.Count(out, "\n"))
}

func TestMaxFailuresAndFilters(t *testing.T) {
	t.Parallel()
	broken := jsonEdit(newMock(t, true), isEnhancedList, func(m map[string]any) { m["count"] = "1" })
	code, out, _ := safeRun(t, context.Background(), broken, false, "-max-failures", "1")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "stopped after 1 failures (-max-failures)")

	code, out, _ = safeRun(t, context.Background(), broken, false, "-exclude-checks", gate.CheckSchema)
	assert.Equal(t, 0, code, "the only broken check is left out\n%s", out)
	assert.Contains(t, out, "SKIP response_schema_conformance")

	code, out, _ = safeRun(t, context.Background(), broken, false, "-exclude-operation", "ListEnhancedConnections")
	assert.Equal(t, 0, code, "the only broken operation is left out\n%s", out)

	code, out, _ = safeRun(t, context.Background(), broken, false, "-checks", "no_such_check")
	assert.Equal(t, 2, code)
	assert.Contains(t, out, `unknown check "no_such_check"`)
}

func TestVerboseSaysWhichCase(t *testing.T) {
	t.Parallel()
	code, out, _ := safeRun(t, context.Background(), newMock(t, true), true, "-v")
	assert.Equal(t, 0, code, out)
	assert.Regexp(t, `PASS negative_data_rejection +CreateEnhancedConnection: without required /dest_vpc_id`, out)
	assert.Regexp(t, `PASS ignored_auth +List\w+: a wrong signature`, out)
}

// A violation's request can be sent again from the JSON report, signed
// anew with the same credentials.
func TestReplaySendsTheRecordedRequestAgain(t *testing.T) {
	t.Parallel()
	m := newMock(t, true)
	var broken atomic.Bool
	broken.Store(true)
	front := jsonEdit(m, func(r *http.Request) bool { return broken.Load() && isEnhancedList(r) }, func(b map[string]any) { b["count"] = "1" })
	srv := httptest.NewServer(front)
	t.Cleanup(srv.Close)
	js := filepath.Join(t.TempDir(), "r.json")
	env := map[string]string{gate.EnvSK: testSK}
	var out bytes.Buffer
	code := run(context.Background(), clockOf(t), []string{"-endpoint", srv.URL, "-project", project, "-ak", testAK, "-seed", "7",
		"-max-examples", "2", "-json", js}, func(k string) string { return env[k] }, &out, &out)
	require.Equal(t, 1, code, out.String())
	assert.Contains(t, out.String(), "replay a violation: dli-contract -replay "+js+" -case N")

	replay := func(args ...string) (int, string) {
		var o bytes.Buffer
		c := run(context.Background(), clockOf(t), append([]string{"-replay", js}, args...), func(k string) string { return env[k] }, &o, &o)
		return c, o.String()
	}
	code, text := replay("-case", "1", "-ak", testAK)
	assert.Equal(t, 1, code, text)
	assert.Contains(t, text, "answer now: 200")
	assert.Contains(t, text, "still:")
	assert.Contains(t, text, "/count")

	broken.Store(false)
	code, text = replay("-case", "1", "-ak", testAK)
	assert.Equal(t, 0, code, text)
	assert.Contains(t, text, "the answer now conforms to the document")

	code, text = replay("-case", "99", "-ak", testAK)
	assert.Equal(t, 2, code)
	assert.Contains(t, text, "numbered from 1")
}
