package apierror_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/dli"
)

// FuzzResponses hands any status, content type and body to the generated
// parsers and apierror.Check: each must become a decoded 2xx response or
// an *apierror.Error that keeps the status and the body, never a panic.
// Seeds live in testdata/fuzz/FuzzResponses.
func FuzzResponses(f *testing.F) {
	f.Add(200, "application/json", `{"is_success":true,"connections":[],"count":0}`)
	f.Add(201, "application/json", `{"is_success":true,"message":"","connection_id":"68233202-63bf-4f27-a99b-fa5f5a2dbae1"}`)
	f.Add(400, "application/json", `{"error_code":"DLI.0002","error_msg":"gone"}`)
	f.Add(502, "text/html", `<html>Bad Gateway</html>`)
	f.Fuzz(func(t *testing.T, status int, contentType, body string) {
		if status < 100 || status > 999 || strings.ContainsAny(contentType, "\r\n") {
			t.Skip("not a status line or header a client could receive")
		}
		for name, call := range parsers {
			resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {contentType}},
				Body: io.NopCloser(strings.NewReader(body))}
			r, err := call(resp)
			if err == nil {
				if status < 200 || status >= 300 {
					t.Fatalf("%s: status %d without an error", name, status)
				}
				if r == nil {
					t.Fatalf("%s: no response and no error", name)
				}
				continue
			}
			var e *apierror.Error
			if !errors.As(err, &e) {
				t.Fatalf("%s: %T is not an *apierror.Error: %v", name, err, err)
			}
			if e.StatusCode != status || string(e.Body) != body {
				t.Fatalf("%s: the error lost the status or body: %d %q", name, e.StatusCode, e.Body)
			}
			_ = e.Error()
		}
	})
}

var parsers = map[string]func(*http.Response) (any, error){
	"create": wrap(dli.ParseCreateDatasourceConnectionResponse),
	"list":   wrap(dli.ParseListDatasourceConnectionsResponse),
	"show":   wrap(dli.ParseShowDatasourceConnectionResponse),
	"delete": wrap(dli.ParseDeleteDatasourceConnectionResponse),
}

func wrap[R apierror.Response](parse func(*http.Response) (R, error)) func(*http.Response) (any, error) {
	return func(resp *http.Response) (any, error) {
		r, err := parse(resp)
		return r, apierror.Check(r, err)
	}
}
