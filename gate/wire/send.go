package wire

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// Sender sends the requests the gate builds itself, through the observer:
// signed or not, and returns each one's exchange.
type Sender struct {
	// Signing signs each request with the run's credentials; Plain does
	// not (a case of missing credentials, or a run without any).
	Signing, Plain *http.Client
	Endpoint       string
	// Fixed are the path parameters the document fixes, by name, with
	// their value: a path still holding {name} gets it, wherever the path
	// was built.
	Fixed map[string]string
}

// Send sends a request, signed unless raw, and returns its exchange.
func (s *Sender) Send(ctx context.Context, signed bool, method, path string, body []byte) *Exchange {
	ex, _ := s.Exchange(ctx, signed, method, path, body, nil)
	return ex
}

// SendChunked sends a request unsigned with its body's length not
// declared (chunked), and returns its exchange.
func (s *Sender) SendChunked(ctx context.Context, method, path string, body []byte) *Exchange {
	ex, _ := s.Exchange(ctx, false, method, path, body, func(r *http.Request) {
		r.Body, r.GetBody, r.ContentLength = io.NopCloser(io.MultiReader(r.Body)), nil, -1
	})
	return ex
}

// Exchange sends a request, signed or not, prepare (when set) changing it
// last, and returns its exchange and the error of a request that got no
// answer. The answer is read, and kept, by the observer.
func (s *Sender) Exchange(ctx context.Context, signed bool, method, path string, body []byte, prepare func(*http.Request)) (*Exchange, error) {
	hc := s.Plain
	if signed {
		hc = s.Signing
	}
	ctx, ex := Track(ctx)
	for name, v := range s.Fixed {
		path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(v))
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(s.Endpoint, "/")+path, rd)
	if err != nil {
		ex.Error = err.Error()
		return ex, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if prepare != nil {
		prepare(req)
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ex.Error == "" {
			ex.Error = err.Error()
		}
		return ex, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return ex, nil
}

// ExchangeLog collects the exchanges of every request sent with a context
// that carries it (WithLog), in order: the field cases' requests, which
// their own replayer sends.
type ExchangeLog struct {
	mu   sync.Mutex
	list []*Exchange
}

type exchangeLogKey struct{}

// WithLog is ctx, whose requests l collects.
func WithLog(ctx context.Context, l *ExchangeLog) context.Context {
	return context.WithValue(ctx, exchangeLogKey{}, l)
}

func (l *ExchangeLog) add(ex *Exchange) {
	l.mu.Lock()
	l.list = append(l.list, ex)
	l.mu.Unlock()
}

// Len is how many exchanges l holds.
func (l *ExchangeLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.list)
}

// At is the i-th exchange, nil when there is none.
func (l *ExchangeLog) At(i int) *Exchange {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i < 0 || i >= len(l.list) {
		return nil
	}
	return l.list[i]
}
