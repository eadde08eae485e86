package gate_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/mockserver"
)

// failing is a network that answers its first answers requests through
// next, and every later one with err.
type failing struct {
	next    http.RoundTripper
	answers int64
	err     error
	sent    atomic.Int64
}

func (f *failing) RoundTrip(req *http.Request) (*http.Response, error) {
	if f.sent.Add(1) > f.answers {
		return nil, f.err
	}
	return f.next.RoundTrip(req)
}

// A server that cannot be reached is the run's problem, not a finding: a
// refused connection, a name that does not resolve, a failed TLS
// handshake, before the server has answered anything, end the run as
// not carried out (exit 2), naming the endpoint and the error, with no
// violation. The errors are made here, as net/http returns them, so that
// no test asks a resolver or a port it does not own.
func TestAServerThatCannotBeReachedIsNotAFinding(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	cases := []struct {
		name string
		err  error
	}{
		{"a refused connection", refused},
		{"a name that does not resolve", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "dli.example.invalid", IsNotFound: true}}},
		{"a failed TLS handshake", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}},
		{"a certificate not trusted", &tls.CertificateVerificationError{Err: errors.New("x509: certificate signed by unknown authority")}},
		{"a plain HTTP server at https://", errors.New("http: server gave HTTP response to HTTPS client")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			network := &failing{err: tc.err}
			rep := gate.Run(context.Background(), gate.Config{
				Target: gate.Target{Endpoint: server, ProjectID: projectID, Mutate: true,
					Credentials: auth.AKSK{AK: mockAK, SK: mockSK}},
				Network: network, Log: io.Discard, Seed: 1,
			})
			assert.True(t, rep.NotCarriedOut(), "problem %q, %d violations", rep.Problem, len(rep.Violations))
			assert.Empty(t, rep.Violations)
			assert.Equal(t, 2, rep.ExitCode())
			assert.Contains(t, rep.Problem, "cannot reach "+server+": ")
			assert.Contains(t, rep.Problem, tc.err.Error())
			assert.NotContains(t, rep.Problem, "-request-timeout", "a refusal is not a timeout")
			assert.Equal(t, "contract gate: could not run: "+rep.Problem+"\n", rep.Text(), "one line")
			assert.Less(t, network.sent.Load(), int64(20), "the run stops at once")
		})
	}
}

// A server that answered and then cannot be reached has fallen over: a
// finding, as before.
func TestAServerThatFallsOverIsAFinding(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{AK: mockAK, SK: mockSK})
	require.NoError(t, err)
	network := &failing{next: mockserver.NewMockTransport(m), answers: 40,
		err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}}
	rep := gate.Run(context.Background(), gate.Config{
		Target:  gate.Target{Endpoint: server, ProjectID: projectID, Credentials: auth.AKSK{AK: mockAK, SK: mockSK}},
		Network: network, Log: io.Discard, Seed: 1,
	})
	assert.False(t, rep.NotCarriedOut())
	assert.Positive(t, rep.Answered)
	require.NotEmpty(t, rep.Violations, "the fall is found")
	assert.Equal(t, gate.CheckServerError, rep.Violations[0].Check)
	assert.Contains(t, rep.Violations[0].Message, "connection refused")
	assert.Equal(t, 1, rep.ExitCode())
}

// silentAfter answers its first answers requests through next, and then
// none: each later one waits until its own context ends.
type silentAfter struct {
	next    http.RoundTripper
	answers int64
	sent    atomic.Int64
}

func (s *silentAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	if s.sent.Add(1) > s.answers {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return s.next.RoundTrip(req)
}

// A run cut short (here, a server that fell silent) says of an operation
// it sent requests to but judged nothing of that it was not judged, never
// PASS.
func TestARunCutShortNeverPassesWhatItDidNotJudge(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{AK: mockAK, SK: mockSK})
	require.NoError(t, err)
	var log strings.Builder
	rep := gate.Run(context.Background(), gate.Config{
		Target:  gate.Target{Endpoint: server, ProjectID: projectID, Credentials: auth.AKSK{AK: mockAK, SK: mockSK}},
		Network: &silentAfter{next: mockserver.NewMockTransport(m), answers: 5}, Log: &log, Seed: 1,
		RequestTimeout: 50 * time.Millisecond,
	})
	require.Equal(t, 2, rep.ExitCode(), rep.Text())
	unjudged := 0
	for op, tally := range rep.Operations {
		line := regexp.MustCompile(`(?m)^  ` + op + ` .*$`).FindString(log.String())
		require.NotEmpty(t, line, "no line for %s:\n%s", op, log.String())
		if tally.Judged == 0 {
			unjudged++
			assert.True(t, strings.HasSuffix(line, "  not judged"), "%s", line)
		} else {
			assert.True(t, strings.HasSuffix(line, "  PASS"), "%s", line)
		}
	}
	assert.Positive(t, unjudged, "the run sent requests it never judged:\n%s", log.String())
}
