package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/validate"
)

// ReplayResult is a recorded request sent again and what the document
// says of the answer now.
type ReplayResult struct {
	Exchange wire.Exchange
	// Problems is what breaks the contract in the new answer; none when it
	// now conforms.
	Problems []string
}

// Replay sends the request of a violation again, as it was recorded,
// signed anew with creds when the gate had signed it (a recorded
// signature has expired, and is never kept), and judges the answer
// against doc (the embedded document when nil).
func Replay(ctx context.Context, v Violation, creds auth.Credentials, network http.RoundTripper, doc *validate.Document, timeout time.Duration) (ReplayResult, error) {
	rec := v.Exchange
	if rec == nil || rec.Method == "" {
		return ReplayResult{}, errors.New("the violation has no recorded request")
	}
	if strings.Contains(rec.URL, ".invalid/") && network == nil {
		return ReplayResult{}, fmt.Errorf("the request went to %s, the in-process mock of that run: give a network that reaches a mock in its place", rec.URL)
	}
	if doc == nil {
		var err error
		if doc, err = validate.Embedded(); err != nil {
			return ReplayResult{}, err
		}
	}
	if network == nil {
		network = http.DefaultTransport
	}
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if rec.Body != "" {
		body = strings.NewReader(rec.Body)
	}
	req, err := http.NewRequestWithContext(ctx, rec.Method, rec.URL, body)
	if err != nil {
		return ReplayResult{}, err
	}
	for k, val := range rec.Header {
		req.Header.Set(k, val)
	}
	var rt = network
	if rec.Signed {
		if creds == nil {
			return ReplayResult{}, errors.New("the request was signed: give the same credentials (-ak and -sk, or -token)")
		}
		rt = auth.NewTransport(creds, network)
	}
	out := ReplayResult{}
	out.Exchange.Record(req, []byte(rec.Body))
	out.Exchange.Signed = rec.Signed
	resp, err := rt.RoundTrip(req)
	if err != nil {
		out.Exchange.Error = err.Error()
		out.Problems = append(out.Problems, "no answer: "+err.Error())
		return out, nil
	}
	defer func() { _ = resp.Body.Close() }()
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return out, fmt.Errorf("reading the answer: %w", err)
	}
	out.Exchange.SetAnswer(resp, respBody, int64(len(respBody)))
	probe, _ := http.NewRequest(rec.Method, rec.URL, bytes.NewReader([]byte(rec.Body)))
	for k, val := range rec.Header {
		probe.Header.Set(k, val)
	}
	rule := check.ReplayShape
	if c, ok := check.Of(v.Check); ok {
		rule = c.Replay
	}
	if rule == check.ReplayRoute {
		// A route the document does not declare: refused, or not.
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			out.Problems = append(out.Problems, fmt.Sprintf("%s: answered %d, still not refused", v.Check, resp.StatusCode))
		}
		return out, nil
	}
	op, err := doc.Find(probe)
	if err != nil {
		return out, fmt.Errorf("the document has no operation for %s %s", rec.Method, rec.URL)
	}
	if rule == check.ReplayRefused && (resp.StatusCode < 400 || resp.StatusCode >= 500) {
		out.Problems = append(out.Problems, fmt.Sprintf("%s: answered %d, still not refused", v.Check, resp.StatusCode))
	}
	if resp.StatusCode >= 500 {
		out.Problems = append(out.Problems, fmt.Sprintf("%s: the server answered %d", check.ServerError, resp.StatusCode))
	}
	if err := doc.Response(probe, op, resp.StatusCode, resp.Header, respBody); err != nil {
		out.Problems = append(out.Problems, err.Error())
	}
	return out, nil
}
