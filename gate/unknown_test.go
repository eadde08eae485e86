package gate_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/mockserver"
)

// A kind under a parent the run is given (a connectivity test under its
// queue) is read where it does not exist, as its declaration's unknown
// says it is refused: a key of its shape that names none (a number, for
// a test's), and, against a dli-mock, the one just made under another
// queue, which docs/mock.md answers as unknown.
func TestAnUnknownChildIsRefusedAsDeclared(t *testing.T) {
	t.Parallel()
	unknownTest := regexp.MustCompile(`/queues/[^/]+/connection-test/9007199254740991$`)
	otherQueue := regexp.MustCompile(`^(.*/queues/[^/]+)_other(/connection-test/[0-9]+)$`)
	cases := []struct {
		name   string
		break_ func(next http.Handler) http.Handler
		want   string
	}{
		{"the mock", nil, ""},
		{"an unknown test answered", answerRefused(`/connection-test/[0-9]+$`, `{"is_success":true,"message":"","connectivity":"UNREACHABLE"}`),
			"a read of a connectivity test that does not exist was answered 200"},
		{"a test read under any queue", func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.URL.Path = otherQueue.ReplaceAllString(r.URL.Path, "$1$2")
				next.ServeHTTP(w, r)
			})
		}, "a read of the connectivity test just added under another queue was answered 200"},
		{"another code for an unknown test", func(next http.Handler) http.Handler {
			return corrupting(next, func(path string, status int, b map[string]any) {
				if status == http.StatusBadRequest && strings.Contains(path, "/connection-test/") {
					b["error_code"] = "DLI.0006"
				}
			})
		}, "a read of a connectivity test that does not exist was refused 400 DLI.0006, want 400 DLI.0002"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := negativeRun(t, tc.break_, true)
			var unknown, other int
			for _, ex := range rep.Exchanges {
				if ex.Method == http.MethodGet && unknownTest.MatchString(ex.URL) {
					unknown++
				}
				if ex.Method == http.MethodGet && strings.Contains(ex.URL, "_other/connection-test/") {
					other++
				}
			}
			require.Positive(t, unknown, "no test that does not exist was read")
			require.Positive(t, other, "no test was read under another queue")
			holdsViolation(t, rep, tc.want)
		})
	}
}

// Against a dli-mock, the privilege list of an object of no kind it
// models is refused as the privilege kind's mock.unknown declares, and a
// user's grant on a datasource authentication that does not exist as the
// auth_info kind's mock.unknown does (docs/mock.md); a mock that takes
// either is caught.
func TestTheMocksRefusalsOfObjects(t *testing.T) {
	t.Parallel()
	answered := func(match func(r *http.Request, body string) bool, ok string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				raw, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(raw))
				if match(r, string(raw)) {
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(ok))
					return
				}
				next.ServeHTTP(w, r)
			})
		}
	}
	cases := []struct {
		name   string
		break_ func(http.Handler) http.Handler
		want   string
	}{
		{"the mock", nil, ""},
		{"privileges of any object listed", answered(func(r *http.Request, _ string) bool {
			return matches(r, http.MethodGet, `/authorization/privileges$`) && !strings.HasPrefix(r.URL.Query().Get("object"), "datasourceauth.")
		}, `{"is_success":true,"message":"","count":0,"privileges":[]}`),
			"a list of the privileges on an object of no kind a dli-mock models was answered 200"},
		{"a grant on any authentication taken", answered(func(r *http.Request, body string) bool {
			return matches(r, http.MethodPut, `/authorization$`) && strings.Contains(body, "datasourceauth.")
		}, `{"is_success":true,"message":""}`),
			"a grant on a datasource authentication that does not exist was answered 200"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			holdsViolation(t, negativeRun(t, tc.break_, false), tc.want)
		})
	}
}

// negativeRun runs the checks of what is refused (CheckNegative), signed,
// against a dli-mock on a fake clock, broken by break_ unless it is nil;
// with mutate, the life cycles too (and one generated sequence).
func negativeRun(t *testing.T, break_ func(http.Handler) http.Handler, mutate bool) gate.Report {
	t.Helper()
	clk := clock.NewFake(time.Now())
	m, err := mockserver.New(mockserver.Config{Clock: clk})
	require.NoError(t, err)
	var h http.Handler = m
	if break_ != nil {
		h = break_(m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep := gate.Run(ctx, gate.Config{
		Target: gate.Target{Endpoint: server, ProjectID: projectID, Mutate: mutate, Mock: true, Poll: 5 * time.Millisecond,
			Settle: time.Second, Credentials: auth.AKSK{AK: mockAK, SK: mockSK, ProjectID: projectID}},
		Network:     mockserver.NewMockTransport(h),
		Clock:       clk,
		Checks:      []string{gate.CheckNegative},
		MaxExamples: 1,
	})
	require.Empty(t, rep.Problem)
	return rep
}

// holdsViolation asserts that rep has no violation when want is "", and
// otherwise one that says want.
func holdsViolation(t *testing.T, rep gate.Report, want string) {
	t.Helper()
	all := violationLines(rep)
	if want == "" {
		assert.Empty(t, all)
		return
	}
	assert.Contains(t, joinLines(all), want)
}
