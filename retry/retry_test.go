package retry

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// script is a fake network: each attempt gets the next answer.
type script struct {
	mu      sync.Mutex
	answers []func() (*http.Response, error)
	bodies  []string
}

func (s *script) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := ""
	if req.Body != nil {
		raw, _ := io.ReadAll(req.Body)
		b = string(raw)
	}
	s.bodies = append(s.bodies, b)
	i := len(s.bodies) - 1
	if i >= len(s.answers) {
		i = len(s.answers) - 1
	}
	return s.answers[i]()
}

func status(code int, header ...string) func() (*http.Response, error) {
	return func() (*http.Response, error) {
		h := http.Header{}
		for i := 0; i+1 < len(header); i += 2 {
			h.Set(header[i], header[i+1])
		}
		return &http.Response{StatusCode: code, Header: h, Body: io.NopCloser(strings.NewReader("{}"))}, nil
	}
}

func fail(err error) func() (*http.Response, error) {
	return func() (*http.Response, error) { return nil, err }
}

var (
	refused = &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	reset   = &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
)

func newTestTransport(next http.RoundTripper, p Policy) (*Transport, *[]time.Duration) {
	t := NewTransport(next, p)
	var waits []time.Duration
	t.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }
	t.jitter = func(d time.Duration) time.Duration { return d } // the longest wait, to test bounds
	return t, &waits
}

func TestWhatIsRetried(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		method   string
		answers  []func() (*http.Response, error)
		attempts int
		status   int
	}{
		{"GET 500 then 200", http.MethodGet, []func() (*http.Response, error){status(500), status(200)}, 2, 200},
		{"GET 503 until attempts run out", http.MethodGet, []func() (*http.Response, error){status(503)}, 3, 503},
		{"GET 502, 504, 200", http.MethodGet, []func() (*http.Response, error){status(502), status(504), status(200)}, 3, 200},
		{"GET 429 then 200", http.MethodGet, []func() (*http.Response, error){status(429), status(200)}, 2, 200},
		{"GET reset then 200", http.MethodGet, []func() (*http.Response, error){fail(reset), status(200)}, 2, 200},
		{"DELETE 500 then 200", http.MethodDelete, []func() (*http.Response, error){status(500), status(200)}, 2, 200},
		{"GET 400 is final", http.MethodGet, []func() (*http.Response, error){status(400)}, 1, 400},
		{"GET 501 is final", http.MethodGet, []func() (*http.Response, error){status(501)}, 1, 501},
		{"POST 500 is never retried", http.MethodPost, []func() (*http.Response, error){status(500)}, 1, 500},
		{"POST 503 is never retried", http.MethodPost, []func() (*http.Response, error){status(503)}, 1, 503},
		// API Gateway throttles before DLI sees a request: nothing ran.
		{"POST 429 then 201", http.MethodPost, []func() (*http.Response, error){status(429), status(201)}, 2, 201},
		{"POST 429 until attempts run out", http.MethodPost, []func() (*http.Response, error){status(429)}, 3, 429},
		{"POST 429 then 503 is not retried again", http.MethodPost, []func() (*http.Response, error){status(429), status(503), status(201)}, 2, 503},
		{"POST reset is never retried", http.MethodPost, []func() (*http.Response, error){fail(reset)}, 1, 0},
		{"POST refused connection is retried", http.MethodPost, []func() (*http.Response, error){fail(refused), status(201)}, 2, 201},
		{"POST unknown host is retried", http.MethodPost, []func() (*http.Response, error){fail(&net.DNSError{Err: "no such host", Name: "dli"}), status(201)}, 2, 201},
		{"POST timeout is never retried", http.MethodPost, []func() (*http.Response, error){fail(context.DeadlineExceeded)}, 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &script{answers: tc.answers}
			tr, _ := newTestTransport(s, Policy{BaseDelay: time.Millisecond})
			req, err := http.NewRequest(tc.method, "https://dli.example/v2.0/p/datasource-connection", strings.NewReader(`{"name":"a"}`))
			require.NoError(t, err)
			resp, err := tr.RoundTrip(req)
			assert.Len(t, s.bodies, tc.attempts)
			for _, b := range s.bodies {
				assert.Equal(t, `{"name":"a"}`, b, "every attempt sends the whole body")
			}
			if tc.status == 0 {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.status, resp.StatusCode)
		})
	}
}

func TestWaits(t *testing.T) {
	t.Parallel()
	httpDate := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	cases := []struct {
		name    string
		policy  Policy
		answers []func() (*http.Response, error)
		min     []time.Duration
		max     []time.Duration
	}{
		{"exponential", Policy{MaxAttempts: 4, BaseDelay: 100 * time.Millisecond},
			[]func() (*http.Response, error){status(500)},
			[]time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond},
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}},
		{"capped", Policy{MaxAttempts: 3, BaseDelay: time.Second, MaxDelay: 1500 * time.Millisecond},
			[]func() (*http.Response, error){status(500)},
			[]time.Duration{500 * time.Millisecond, 750 * time.Millisecond},
			[]time.Duration{time.Second, 1500 * time.Millisecond}},
		{"Retry-After seconds", Policy{MaxAttempts: 2}, []func() (*http.Response, error){status(429, "Retry-After", "7"), status(200)},
			[]time.Duration{7 * time.Second}, []time.Duration{7 * time.Second}},
		{"Retry-After date", Policy{MaxAttempts: 2}, []func() (*http.Response, error){status(503, "Retry-After", httpDate), status(200)},
			[]time.Duration{time.Second}, []time.Duration{3 * time.Second}},
		{"Retry-After capped", Policy{MaxAttempts: 2, MaxDelay: 2 * time.Second}, []func() (*http.Response, error){status(429, "Retry-After", "3600"), status(200)},
			[]time.Duration{2 * time.Second}, []time.Duration{2 * time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr, waits := newTestTransport(&script{answers: tc.answers}, tc.policy)
			req, _ := http.NewRequest(http.MethodGet, "https://dli.example/x", nil)
			_, _ = tr.RoundTrip(req)
			require.Len(t, *waits, len(tc.min))
			for i, w := range *waits {
				assert.GreaterOrEqual(t, w, tc.min[i], "wait %d", i)
				assert.LessOrEqual(t, w, tc.max[i], "wait %d", i)
			}
		})
	}
}

func TestDeadlineAndCancellation(t *testing.T) {
	t.Parallel()
	t.Run("a wait past the deadline returns the last answer at once", func(t *testing.T) {
		t.Parallel()
		s := &script{answers: []func() (*http.Response, error){status(429, "Retry-After", "30")}}
		tr, waits := newTestTransport(s, Policy{MaxAttempts: 5})
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://dli.example/x", nil)
		resp, err := tr.RoundTrip(req)
		require.NoError(t, err)
		assert.Equal(t, 429, resp.StatusCode)
		assert.Len(t, s.bodies, 1)
		assert.Empty(t, *waits)
	})
	t.Run("cancellation during a wait stops retrying", func(t *testing.T) {
		t.Parallel()
		s := &script{answers: []func() (*http.Response, error){status(503)}}
		tr := NewTransport(s, Policy{MaxAttempts: 5, BaseDelay: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		tr.sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://dli.example/x", nil)
		_, err := tr.RoundTrip(req)
		assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
		assert.Len(t, s.bodies, 1)
	})
}

func TestRetryAfterParsing(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"5", 5 * time.Second, true}, {"0", 0, true}, {"-1", 0, false}, {"soon", 0, false},
		{"Thu, 01 Jan 2026 00:00:10 GMT", 10 * time.Second, true},
		{"Wed, 31 Dec 2025 23:59:00 GMT", 0, true},
	}
	for _, tc := range cases {
		got, ok := retryAfter(tc.in, now)
		assert.Equal(t, tc.ok, ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestABodyThatCannotBeReplayedIsNotRetried(t *testing.T) {
	t.Parallel()
	s := &script{answers: []func() (*http.Response, error){status(503), status(200)}}
	tr, waits := newTestTransport(s, Policy{})
	req, err := http.NewRequest(http.MethodPut, "https://dli.example/x", io.NopCloser(strings.NewReader("once")))
	require.NoError(t, err)
	require.Nil(t, req.GetBody)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	assert.Equal(t, 503, resp.StatusCode, "the first answer comes back untouched")
	assert.Len(t, s.bodies, 1)
	assert.Empty(t, *waits)
}

// closeCounter is a request body that counts its Close calls.
type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

func TestARewindErrorClosesTheBodyAndSaysWhy(t *testing.T) {
	t.Parallel()
	next := &script{answers: []func() (*http.Response, error){status(503), status(200)}}
	tr, _ := newTestTransport(next, Policy{})
	body := &closeCounter{Reader: strings.NewReader("{}")}
	req, err := http.NewRequest(http.MethodGet, "https://dli.example/x", body)
	require.NoError(t, err)
	req.GetBody = func() (io.ReadCloser, error) { return nil, errors.New("source gone") }
	resp, err := tr.RoundTrip(req)
	require.Nil(t, resp)
	require.ErrorContains(t, err, "attempt 2 of GET https://dli.example/x: rewind the body: source gone")
	assert.Positive(t, body.closed)
}

// OnAttempt hears of every attempt with the decision after it and why.
func TestOnAttemptTellsEachDecision(t *testing.T) {
	t.Parallel()
	var got []Attempt
	s := &script{answers: []func() (*http.Response, error){status(429, "Retry-After", "2"), status(503), status(503)}}
	tr, _ := newTestTransport(s, Policy{BaseDelay: time.Millisecond, OnAttempt: func(a Attempt) { got = append(got, a) }})
	req, err := http.NewRequest(http.MethodGet, "https://dli.example/v2.0/p/datasource-connection", nil)
	require.NoError(t, err)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	assert.Equal(t, 503, resp.StatusCode)
	require.Len(t, got, 3)
	assert.True(t, got[0].Retry)
	assert.Equal(t, 2*time.Second, got[0].Wait, "Retry-After, within MaxDelay")
	assert.Contains(t, got[0].Reason, "429 throttled, Retry-After 2s")
	assert.Equal(t, 2, got[1].Number)
	assert.True(t, got[1].Retry)
	assert.False(t, got[2].Retry)
	assert.True(t, got[2].GaveUp)
	assert.Contains(t, got[2].Reason, "no attempt left of 3")

	got = nil
	s = &script{answers: []func() (*http.Response, error){status(503)}}
	tr, _ = newTestTransport(s, Policy{OnAttempt: func(a Attempt) { got = append(got, a) }})
	req, err = http.NewRequest(http.MethodPost, "https://dli.example/v2.0/p/datasource-connection", strings.NewReader("{}"))
	require.NoError(t, err)
	_, err = tr.RoundTrip(req)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.False(t, got[0].GaveUp, "a POST after a 5xx is not a retry given up: it is never retried")
	assert.Equal(t, "503 of a POST, which may have run", got[0].Reason)
}
