package wire

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/clock"
)

// answers is a transport that answers each request with the next status
// of its script (the last one from then on), counting what it was sent.
type answers struct {
	mu         sync.Mutex
	script     []int
	retryAfter string
	sent       []time.Time
	clock      clock.Clock
}

func (a *answers) RoundTrip(req *http.Request) (*http.Response, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sent = append(a.sent, a.clock.Now())
	status := a.script[min(len(a.sent), len(a.script))-1]
	h := http.Header{}
	if status == http.StatusTooManyRequests && a.retryAfter != "" {
		h.Set("Retry-After", a.retryAfter)
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(`{}`)), Request: req}, nil
}

func TestTheThrottlerWaitsOut429sAsTheServerSays(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name       string
		script     []int
		retryAfter string
		maxRetries int
		wantStatus int
		wantSent   int
		wantWaited time.Duration
	}{
		{"Retry-After in seconds", []int{429, 429, 200}, "3", 5, 200, 3, 6 * time.Second},
		{"no Retry-After: 1, 2, 4 s", []int{429, 429, 429, 200}, "", 5, 200, 4, 7 * time.Second},
		{"retries run out: the 429 is the answer", []int{429}, "1", 2, 429, 3, 2 * time.Second},
		{"a Retry-After over the cap waits the cap", []int{429, 200}, "3600", 5, 200, 2, time.Minute},
		{"no retries", []int{429}, "1", 0, 429, 1, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fake := clock.NewFake(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
			next := &answers{script: c.script, retryAfter: c.retryAfter, clock: fake}
			th := &Throttler{Next: next, Clock: fake, MaxRetries: c.maxRetries, MaxWait: time.Minute, AttemptTimeout: time.Second}
			req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://127.0.0.1/x", nil)
			require.NoError(t, err)
			resp, err := th.RoundTrip(req)
			require.NoError(t, err)
			defer func() { _ = resp.Body.Close() }()
			assert.Equal(t, c.wantStatus, resp.StatusCode)
			assert.Len(t, next.sent, c.wantSent)
			assert.Equal(t, c.wantWaited, th.WaitedOut(), "the time waited out is reported")
			assert.Equal(t, c.wantWaited, fake.Slept(), "and waited on the run's clock")
			assert.Equal(t, waitedOut{retries: c.wantSent - 1, waited: c.wantWaited}, waitedOf(resp))
		})
	}
}

func TestTheThrottlerStopsWaitingWhenTheRunDoes(t *testing.T) {
	t.Parallel()
	next := &answers{script: []int{429}, retryAfter: "30", clock: clock.Or(nil)}
	th := &Throttler{Next: next, Clock: clock.Or(nil), MaxRetries: 5, MaxWait: time.Minute, AttemptTimeout: time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1/x", nil)
	require.NoError(t, err)
	_, err = th.RoundTrip(req) //nolint:bodyclose // no answer
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Len(t, next.sent, 1, "the wait for a retry ended with the run")
}

func TestTheLimiterSpacesRequestsEvenly(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		rate float64
		want []time.Duration // when each of four requests leaves, from the start
	}{
		{"two a second", 2, []time.Duration{0, 500 * time.Millisecond, time.Second, 1500 * time.Millisecond}},
		{"one every two seconds", 0.5, []time.Duration{0, 2 * time.Second, 4 * time.Second, 6 * time.Second}},
		{"no limit", 0, []time.Duration{0, 0, 0, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			start := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
			fake := clock.NewFake(start)
			next := &answers{script: []int{200}, clock: fake}
			th := &Throttler{Next: next, Limit: NewLimiter(fake, c.rate), Clock: fake, MaxWait: time.Minute, AttemptTimeout: time.Second}
			for range c.want {
				req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://127.0.0.1/x", nil)
				require.NoError(t, err)
				resp, err := th.RoundTrip(req)
				require.NoError(t, err)
				require.NoError(t, resp.Body.Close())
			}
			var got []time.Duration
			for _, at := range next.sent {
				got = append(got, at.Sub(start))
			}
			assert.Equal(t, c.want, got)
		})
	}
}

func TestThrottleWaitReadsRetryAfterInBothForms(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		retryAfter string
		retries    int
		want       time.Duration
	}{
		{"2", 0, 2 * time.Second},
		{now.Add(5 * time.Second).Format(http.TimeFormat), 0, 5 * time.Second},
		{now.Add(-5 * time.Second).Format(http.TimeFormat), 0, 0},
		{"", 0, time.Second},
		{"", 3, 8 * time.Second},
		{"", 20, time.Minute},
		{"soon", 1, 2 * time.Second},
	} {
		assert.Equal(t, c.want, throttleWait(c.retryAfter, c.retries, time.Minute, now), "Retry-After %q after %d retries", c.retryAfter, c.retries)
	}
}
