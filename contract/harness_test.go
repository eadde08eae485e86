package contract_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/validate"
)

const (
	server    = "https://dli.cn-north-4.myhuaweicloud.com"
	projectID = "0123456789abcdef0123456789abcdef"
)

// harness is one in-process contract setup: the generated client behind
// the validating transport (bad requests never leave), a recorder that
// checks requests and responses against the document and counts coverage,
// and a fresh httpmock transport standing in for the server. Nothing is
// global, so tests using it run in parallel.
type harness struct {
	doc    *validate.Document
	mock   *httpmock.MockTransport
	rec    *contract.Recorder
	hc     *http.Client
	client *dli.ClientWithResponses
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	doc, err := validate.Embedded()
	require.NoError(t, err)
	h := &harness{doc: doc, mock: httpmock.NewMockTransport()}
	h.rec = contract.NewRecorder(doc, h.mock, coverage)
	h.hc = &http.Client{Transport: validate.NewTransport(doc, h.rec)}
	h.client, err = dli.NewClientWithResponses(server, dli.WithHTTPClient(h.hc))
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, f := range h.rec.Findings() {
			t.Errorf("contract mismatch: %s", f)
		}
	})
	return h
}

// jsonResponder answers with status and body as application/json, as DLI
// does, with a request id header like API Gateway's.
func jsonResponder(status int, body []byte) httpmock.Responder {
	return httpmock.NewBytesResponder(status, body).HeaderSet(http.Header{
		"Content-Type": {"application/json"},
		"X-Request-Id": {"0f3c8a1e2b4d4e6f8a9b0c1d2e3f4a5b"},
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// routeRegexp matches the URL of a path template of the document.
func routeRegexp(template string) *regexp.Regexp {
	re := regexp.QuoteMeta(template)
	re = regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(re, `[^/]+`)
	return regexp.MustCompile(re + `$`)
}

// concretePath fills the path parameters of template from pathValues.
func concretePath(template string) string {
	for name, v := range pathValues {
		template = strings.ReplaceAll(template, "{"+name+"}", v)
	}
	return template
}

func readAll(req *http.Request) []byte {
	if req.Body == nil {
		return nil
	}
	b, _ := io.ReadAll(req.Body)
	return b
}

// statusFor is a status a response key stands for: the code itself, or a
// gateway error (429) for `default`.
func statusFor(t *testing.T, key string) int {
	t.Helper()
	if key == "default" {
		return http.StatusTooManyRequests
	}
	n, err := strconv.Atoi(key)
	require.NoError(t, err, "response key %q", key)
	return n
}

func joinLines(lines []string) string { return strings.Join(lines, "\n") }
