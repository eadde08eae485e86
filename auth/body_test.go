package auth

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Sign must hash every byte of a body, with or without GetBody, however
// the reader splits it, and leave the body readable.
func TestSignHashesBodiesOfEverySize(t *testing.T) {
	t.Parallel()
	sizes := []int{0, 1, 4 << 10, 32<<10 + 1, 200 << 10}
	readers := map[string]func([]byte) io.Reader{
		"whole":    func(b []byte) io.Reader { return bytes.NewReader(b) },
		"one byte": func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
		"data+EOF": func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) },
	}
	now := time.Now()
	for _, size := range sizes {
		body := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
		for name, reader := range readers {
			for _, withGetBody := range []bool{true, false} {
				req := httptest.NewRequest(http.MethodPost, "https://h/v2.0/p/datasource-connection", nil)
				req.Body = io.NopCloser(reader(body))
				req.GetBody = nil
				if withGetBody {
					req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(reader(body)), nil }
				}
				require.NoError(t, NewSigner(testAK, testSK).Sign(req, now))
				assert.NoError(t, fixedVerifier(now).Verify(req, body), "size %d, %s reader, GetBody %v", size, name, withGetBody)
				got, err := io.ReadAll(req.Body)
				require.NoError(t, err)
				assert.Equal(t, len(body), len(got), "body still readable: size %d, %s reader", size, name)
			}
		}
	}
}

func TestSignReadErrorIsReported(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest(http.MethodPost, "https://h/p", nil)
	req.Body = io.NopCloser(strings.NewReader("x"))
	req.GetBody = func() (io.ReadCloser, error) {
		return io.NopCloser(iotest.ErrReader(io.ErrUnexpectedEOF)), nil
	}
	err := NewSigner(testAK, testSK).Sign(req, time.Now())
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), "POST /p: read body")
	assert.Empty(t, req.Header.Get("Authorization"))
}

// A differently spelled Authorization key would go on the wire next to the
// signature; Sign drops it and never signs it.
func TestSignReplacesEveryAuthorization(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest(http.MethodGet, "https://h/p", nil)
	req.Header["authorization"] = []string{"Bearer stale"}
	req.Header["Authorization"] = []string{"Bearer stale"}
	now := time.Now()
	require.NoError(t, NewSigner(testAK, testSK).Sign(req, now))
	assert.NotContains(t, req.Header, "authorization")
	assert.Len(t, req.Header["Authorization"], 1)
	assert.Contains(t, req.Header.Get("Authorization"), "SignedHeaders=host;x-sdk-date,")
	assert.NoError(t, fixedVerifier(now).Verify(req, nil))
}

func TestTransportWithTokenLeavesTheCallersRequest(t *testing.T) {
	t.Parallel()
	var got string
	next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r.Header.Get(HeaderAuthToken)
		return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: r}, nil
	})
	req := httptest.NewRequest(http.MethodGet, "https://h/p", nil)
	req.Header = nil
	resp, err := NewTransport(Token("tok"), next).RoundTrip(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, "tok", got)
	assert.Nil(t, req.Header, "the caller's request must not be modified")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
