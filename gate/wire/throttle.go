package wire

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/validate"
)

// Throttler sends a request again, for every method, while API Gateway
// answers it 429 (it refuses before DLI runs anything): up to maxRetries
// times, waiting as Retry-After says (or 1, 2, 4 ... seconds), within the
// request's context. Below it, Limiter paces every request sent.
type Throttler struct {
	Next       http.RoundTripper
	Limit      *Limiter
	Clock      clock.Clock
	MaxRetries int
	MaxWait    time.Duration
	// AttemptTimeout bounds each attempt at the server, its answer's body
	// included; the waits in between are bounded by the run.
	AttemptTimeout time.Duration

	waitedMu sync.Mutex
	waited   time.Duration // waiting out 429s, in all
}

// waitedOut is how long the run waited out throttling, in all.
func (t *Throttler) WaitedOut() time.Duration {
	t.waitedMu.Lock()
	defer t.waitedMu.Unlock()
	return t.waited
}

type retriesKey struct{}

// waitedOut is what one request waited out before its answer: how many
// throttled answers, and for how long.
type waitedOut struct {
	retries int
	waited  time.Duration
}

// waitedOf is what was waited out before resp.
func waitedOf(resp *http.Response) waitedOut {
	if resp.Request == nil {
		return waitedOut{}
	}
	w, _ := resp.Request.Context().Value(retriesKey{}).(*waitedOut)
	if w == nil {
		return waitedOut{}
	}
	return *w
}

func (t *Throttler) RoundTrip(req *http.Request) (*http.Response, error) {
	w := &waitedOut{}
	ctx := context.WithValue(req.Context(), retriesKey{}, w)
	body, err := validate.ReadBody(req)
	if err != nil {
		return nil, err
	}
	for {
		if err := t.Limit.wait(ctx); err != nil {
			return nil, err
		}
		actx, cancel := context.WithTimeout(ctx, t.AttemptTimeout)
		resp, err := t.Next.RoundTrip(forward(req.WithContext(actx), body))
		if err != nil {
			// Read before cancel, which would set it: only an attempt
			// that ran out of its own time is said to have.
			ranOut := errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
			cancel()
			if ranOut {
				err = fmt.Errorf("no answer within -request-timeout %s: %w", t.AttemptTimeout, err)
			}
			return nil, err
		}
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		head, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
		if !throttled(resp.StatusCode, head) || w.retries >= t.MaxRetries {
			resp.Request = req.WithContext(ctx)
			return resp, nil
		}
		wait := throttleWait(resp.Header.Get("Retry-After"), w.retries, t.MaxWait, t.Clock.Now())
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		w.retries++
		w.waited += wait
		t.waitedMu.Lock()
		t.waited += wait
		t.waitedMu.Unlock()
		if err := t.Clock.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// Limiter spaces requests evenly at rate per second; 0 does not limit.
type Limiter struct {
	Clock clock.Clock
	// Interval is the time between two requests; 0 does not limit.
	Interval time.Duration

	mu   sync.Mutex
	next time.Time
}

// NewLimiter paces requests at rate a second on c; 0 does not limit.
func NewLimiter(c clock.Clock, rate float64) *Limiter {
	l := &Limiter{Clock: c}
	if rate > 0 {
		l.Interval = time.Duration(float64(time.Second) / rate)
	}
	return l
}

func (l *Limiter) wait(ctx context.Context) error {
	if l == nil || l.Interval <= 0 {
		return ctx.Err()
	}
	l.mu.Lock()
	now := l.Clock.Now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.Interval)
	l.mu.Unlock()
	return l.Clock.Sleep(ctx, at.Sub(now))
}

// cancelOnClose ends an attempt's context once its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// throttleWait is how long to wait after a throttled answer: Retry-After
// (seconds or an HTTP date), else 1, 2, 4 ... seconds, at most max.
func throttleWait(retryAfter string, retries int, maxWait time.Duration, now time.Time) time.Duration {
	if retryAfter != "" {
		if s, err := time.ParseDuration(retryAfter + "s"); err == nil && s >= 0 {
			return min(s, maxWait)
		}
		if at, err := http.ParseTime(retryAfter); err == nil {
			return min(max(at.Sub(now), 0), maxWait)
		}
	}
	return min(time.Second<<min(retries, 6), maxWait)
}
