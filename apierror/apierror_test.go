package apierror_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/dli"
)

func httpResponse(status int, contentType, body string, header ...string) *http.Response {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return &http.Response{StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

// Every way a call can fail reaches the caller as an *Error that keeps the
// status and the raw body, through one call: Check(c.<Op>WithResponse(...)).
func TestCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                 string
		resp                 *http.Response
		wantErr              bool
		status               int
		code, msg, requestID string
		decode               bool
		notFound, throttled  bool
		auth                 bool
		inMessage            string
	}{
		{name: "success", resp: httpResponse(200, "application/json", `{"is_success":true}`)},
		{name: "success with charset", resp: httpResponse(200, "application/json;charset=UTF-8", `{"is_success":true,"state":"ACTIVE"}`)},
		{name: "declared 400", resp: httpResponse(400, "application/json", `{"error_code":"DLI.0002","error_msg":"no such connection"}`, "X-Request-Id", "hdr-1"),
			wantErr: true, status: 400, code: "DLI.0002", msg: "no such connection", requestID: "hdr-1", notFound: true,
			inMessage: "dli: 400 DLI.0002: no such connection (request id hdr-1)"},
		{name: "DLI.0001 for an unknown connection", resp: httpResponse(400, "application/json",
			`{"error_code":"DLI.0001","error_msg":"Connection 503fc86a-5e60-4349-92c2-7e399404fa8a is not exist."}`),
			wantErr: true, status: 400, code: "DLI.0001", msg: "Connection 503fc86a-5e60-4349-92c2-7e399404fa8a is not exist.", notFound: true},
		{name: "DLI.0001 for a bad parameter", resp: httpResponse(400, "application/json",
			`{"error_code":"DLI.0001","error_msg":"The format of message is error"}`),
			wantErr: true, status: 400, code: "DLI.0001", msg: "The format of message is error"},
		{name: "request id from the body", resp: httpResponse(429, "application/json", `{"error_code":"APIGW.0308","error_msg":"throttled","request_id":"body-1"}`),
			wantErr: true, status: 429, code: "APIGW.0308", msg: "throttled", requestID: "body-1", throttled: true},
		{name: "404 without a code", resp: httpResponse(404, "application/json", `{}`), wantErr: true, status: 404, notFound: true},
		{name: "DLI.0023", resp: httpResponse(404, "application/json", `{"error_code":"DLI.0023","error_msg":"gone"}`), wantErr: true, status: 404, code: "DLI.0023", msg: "gone", notFound: true},
		{name: "403", resp: httpResponse(403, "application/json", `{"error_code":"APIGW.0302","error_msg":"forbidden"}`), wantErr: true, status: 403, code: "APIGW.0302", msg: "forbidden", auth: true},
		{name: "DLI.0013", resp: httpResponse(401, "application/json", `{"error_code":"DLI.0013","error_msg":"bad user"}`), wantErr: true, status: 401, code: "DLI.0013", msg: "bad user", auth: true},
		{name: "undeclared status with another shape", resp: httpResponse(418, "application/json", `{"code":"X.1","message":"teapot"}`),
			wantErr: true, status: 418, code: "X.1", msg: "teapot"},
		{name: "HTML 502", resp: httpResponse(502, "text/html", "<html>bad gateway</html>"), wantErr: true, status: 502,
			inMessage: `dli: 502 Bad Gateway: "<html>bad gateway</html>"`},
		{name: "empty 500", resp: httpResponse(500, "", ""), wantErr: true, status: 500, inMessage: "dli: 500 Internal Server Error"},
		{name: "garbage JSON on success", resp: httpResponse(200, "application/json", `{"is_success":`), wantErr: true, status: 200, decode: true,
			inMessage: `dli: 200: undecodable body (unexpected end of JSON input): "{\"is_success\":"`},
		{name: "invalid JSON on success", resp: httpResponse(200, "application/json", `{is_success: true}`), wantErr: true, status: 200, decode: true,
			inMessage: "undecodable body (invalid character"},
		{name: "wrong JSON type on success", resp: httpResponse(200, "application/json", `{"process":"half"}`), wantErr: true, status: 200, decode: true,
			inMessage: "undecodable body"},
		{name: "undecodable error body", resp: httpResponse(400, "application/json", `{"error_code":`), wantErr: true, status: 400, decode: true},
		{name: "text/plain 200", resp: httpResponse(200, "text/plain", "OK"), wantErr: true, status: 200,
			inMessage: `dli: 200: no JSON body of the type the document declares for status 200: "OK"`},
		{name: "204 without a body", resp: httpResponse(204, "", ""), wantErr: true, status: 204,
			inMessage: "no JSON body of the type the document declares for status 204: (empty body)"},
		{name: "is_success false in a 200", resp: httpResponse(200, "application/json", `{"is_success":false,"message":"queue is busy"}`, "X-Request-Id", "r-9"),
			wantErr: true, status: 200, msg: "queue is busy", requestID: "r-9",
			inMessage: "dli: 200: is_success is false: queue is busy (request id r-9)"},
		{name: "long body is cut", resp: httpResponse(500, "text/plain", strings.Repeat("x", 1000)), wantErr: true, status: 500, inMessage: "(1000 bytes)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw, _ := io.ReadAll(tc.resp.Body)
			tc.resp.Body = io.NopCloser(bytes.NewReader(raw))
			resp, err := dli.ParseShowDatasourceConnectionResponse(tc.resp)
			err = apierror.Check(resp, err)
			if !tc.wantErr {
				require.NoError(t, err)
				require.NotNil(t, resp.JSON200)
				return
			}
			var e *apierror.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.status, e.StatusCode)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.msg, e.Message)
			assert.Equal(t, tc.requestID, e.RequestID)
			assert.Equal(t, string(raw), string(e.Body), "the body is never lost")
			assert.Equal(t, tc.decode, e.Decode != nil)
			assert.Equal(t, tc.notFound, apierror.IsNotFound(err), "IsNotFound")
			assert.Equal(t, tc.throttled, apierror.IsThrottled(err), "IsThrottled")
			assert.Equal(t, tc.auth, apierror.IsAuth(err), "IsAuth")
			assert.Contains(t, e.Error(), tc.inMessage)
			assert.NotNil(t, resp, "the response comes back next to the error")
		})
	}
}

func TestCheckPassesCallErrorsThrough(t *testing.T) {
	t.Parallel()
	netErr := errors.New("dial tcp: connection refused")
	var none *dli.ListDatasourceConnectionsResponse
	err := apierror.Check(none, netErr)
	assert.Same(t, netErr, err)
	assert.False(t, apierror.IsNotFound(err))

	deadline := fmt.Errorf("Get \"https://dli\": %w", context.DeadlineExceeded)
	assert.ErrorIs(t, apierror.Check(none, deadline), context.DeadlineExceeded)

	assert.Error(t, apierror.Check(none, nil), "a nil response without an error is an error, not a panic")
}

func TestCheckReadsTheRequestIDFromTheResponse(t *testing.T) {
	t.Parallel()
	r, err := dli.ParseDeleteDatasourceConnectionResponse(httpResponse(400, "application/json",
		`{"error_code":"DLI.0002","error_msg":"x"}`, "X-Request-Id", "abc"))
	err = apierror.Check(r, err)
	var e *apierror.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "abc", e.RequestID, "the request id comes from the generated response's HTTPResponse")
	assert.True(t, apierror.IsNotFound(err))

	ok, err := dli.ParseDeleteDatasourceConnectionResponse(httpResponse(200, "application/json", `{"is_success":true,"message":"Deleted"}`))
	assert.NoError(t, apierror.Check(ok, err))
}
