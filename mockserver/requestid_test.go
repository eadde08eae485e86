package mockserver_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/mockserver"
)

// Every answer whose body carries a request_id names the same one as its
// X-Request-Id header: a person matching a log line or a support ticket
// to an answer must not find two ids. The control surface's refusal and
// the throttle fault once drew a second id for the body.
func TestTheBodysRequestIDIsTheHeaders(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, path, body string
		faults                   []mockserver.Fault
	}{
		{"an unsigned API request", http.MethodGet, enhanced, "", nil},
		{"an unsigned control request", http.MethodGet, "/_mock/state", "", nil},
		{"an unsigned fault arming", http.MethodPost, "/_mock/faults", `{"kind":"error"}`, nil},
		{"a route the API does not have", http.MethodGet, "/v2.0/" + project + "/no-such-thing", "", nil},
		{"an armed throttle fault", http.MethodPost, enhanced, createBody,
			[]mockserver.Fault{{Kind: mockserver.FaultThrottle, Operation: "CreateEnhancedConnection"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := mockserver.New(mockserver.Config{AK: testAK, SK: testSK, Faults: tc.faults})
			require.NoError(t, err)
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			m.ServeHTTP(rec, req)
			require.GreaterOrEqual(t, rec.Code, 400, rec.Body.String())
			var body struct {
				RequestID string `json:"request_id"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
			header := rec.Header().Get("X-Request-Id")
			require.NotEmpty(t, header)
			assert.Equal(t, header, body.RequestID, "answered %d: %s", rec.Code, rec.Body.String())
		})
	}
}
