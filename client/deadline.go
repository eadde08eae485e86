package client

import (
	"context"
	"io"
	"net/http"
	"time"
)

// deadlineTransport bounds a whole call, retries included, by timeout.
//
// http.Client.Timeout would do the same, but for any RoundTripper that is
// not an *http.Transport it falls back to a legacy cancellation path (a
// goroutine, a timer and channels per request), which cost about twelve
// allocations and 1.5µs a call here. A context deadline does the job with
// the same effect: the call fails with context.DeadlineExceeded, a
// net.Error whose Timeout() is true.
type deadlineTransport struct {
	next    http.RoundTripper
	timeout time.Duration
}

func (t *deadlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	// The deadline must hold while the caller reads the body, and end
	// once the body is read or closed.
	resp.Body = &cancelOnDone{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelOnDone struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnDone) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.cancel()
	}
	return n, err
}

func (b *cancelOnDone) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
