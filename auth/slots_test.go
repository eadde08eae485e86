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

// The Transport signs through header value slots of its own copy of the
// headers; every vector must come out the same that way.
func TestSignWithHeaderSlotsReproducesEveryVector(t *testing.T) {
	t.Parallel()
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			req := v.request(t)
			before := req.Header.Clone()
			var spare []string
			req.Header, spare = cloneHeader(req.Header, headersSigningAdds)
			require.NoError(t, NewSigner(v.AK, v.SK).sign(req, v.time(t), &spare))
			assert.Equal(t, v.Authorization, req.Header.Get("Authorization"))
			assert.Equal(t, v.XSdkDate, req.Header.Get(HeaderDate))
			for k, vv := range before {
				assert.Equal(t, vv, req.Header[k], "header %s changed by signing", k)
			}
		})
	}
}

func TestCloneHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    http.Header
		extra int
	}{
		{"nil", nil, 2},
		{"empty", http.Header{}, 0},
		{"one value each", http.Header{"A": {"1"}, "B": {"2"}}, 4},
		{"several values and a nil one", http.Header{"A": {"1", "2", "3"}, "User-Agent": nil, "C": {}}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			orig := tc.in.Clone()
			out, spare := cloneHeader(tc.in, tc.extra)
			require.NotNil(t, out, "a clone is never nil, so it can be set")
			assert.Len(t, spare, tc.extra)
			assert.Equal(t, len(tc.in), len(out))
			for k, vv := range tc.in {
				assert.Equal(t, vv, out[k], k)
				assert.Equal(t, vv == nil, out[k] == nil, "%s: nil values stay nil (no default header)", k)
			}

			// Filling every spare slot and then some must not touch a
			// copied value, nor the original.
			for i := 0; i < tc.extra+2; i++ {
				setHeader(out, &spare, "X-New-"+string(rune('A'+i)), "v")
			}
			for k, vv := range tc.in {
				assert.Equal(t, vv, out[k], "%s overwritten by a spare slot", k)
			}
			// Appending to one value (Header.Add) must not spill into
			// the next key's values, which share the clone's array.
			for k := range tc.in {
				want := out.Clone()
				out[k] = append(out[k], "appended")
				want[k] = append(want[k], "appended")
				assert.Equal(t, want, out, "adding a value to %s", k)
			}
			assert.Equal(t, orig, tc.in, "the original header changed with its clone")
		})
	}
}

// hashBody reads small bodies into its scratch buffer and streams large
// ones; both must hash every byte, however the reader splits them, and
// leave the body readable.
func TestSignHashesBodiesOfEverySize(t *testing.T) {
	t.Parallel()
	sizes := []int{1, minBuffer - 1, minBuffer, minBuffer + 1, 3 * maxPooledBuffer}
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

func TestAppendDateMatchesTimeFormat(t *testing.T) {
	t.Parallel()
	times := []time.Time{
		time.Date(2024, 6, 3, 2, 15, 30, 999999999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-44, 3, 15, 12, 0, 0, 0, time.UTC),
		time.Unix(0, 0).UTC(),
	}
	for i := 0; i < 1000; i++ {
		times = append(times, time.Unix(int64(i)*7919*3607, 0).UTC())
	}
	for _, tm := range times {
		assert.Equal(t, tm.Format(DateLayout), string(appendDate(nil, tm)), "%v", tm)
	}
}
