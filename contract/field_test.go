package contract_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/mockserver"
	"github.com/dli-contract/dli-go/validate"
)

// fieldVars fill the placeholders of the field cases against the mock.
var fieldVars = map[string]string{
	"project_id": projectID, "name": "tf_acc_conn", "vpc_id": "22094d8f-c310-4621-913d-4c4d655d8495",
	"subnet_id": "78f2562a-36e4-4b39-95b9-f5aab22e1281", "queue": "tf_acc_queue", "pool": "tf_acc_pool",
	"grantee_project_id": "330e068af1334c9782f4226acc00a2e2",
}

// Terraform's provider runs against live DLI every day: each request it
// sends must validate against the document, and the mock must accept it
// and answer every field the provider reads. The create delay is long, so
// bindings stay CREATING throughout, as they do when the provider deletes
// at once.
func TestFieldCasesAgainstTheDocumentAndTheMock(t *testing.T) {
	t.Parallel()
	cases, err := contract.FieldCases()
	require.NoError(t, err)
	require.NotEmpty(t, cases)
	doc, err := validate.Embedded()
	require.NoError(t, err)
	for _, fc := range cases {
		t.Run(strings.TrimSuffix(fc.File, ".json"), func(t *testing.T) {
			t.Parallel()
			caseRun()
			for _, need := range fc.Needs() {
				require.Contains(t, fieldVars, need, "%s needs {%s}", fc, need)
			}
			m, err := mockserver.New(mockserver.Config{CreateDelay: time.Hour})
			require.NoError(t, err)
			rec := contract.NewRecorder(doc, mockserver.NewMockTransport(m), coverage)
			_, problems := fc.Replay(context.Background(), &http.Client{Transport: rec}, server, fieldVars)
			for _, p := range problems {
				t.Errorf("the mock fails %s: %s", fc, p)
			}
			for _, f := range rec.Findings() {
				t.Errorf("%s is outside the document: %s", fc, f)
			}
		})
	}
}

// Each request body of a field case validates against the document on its
// own, as the seed's examples do, so that a case is a statement about the
// document even without a server.
func TestFieldCaseRequestsValidate(t *testing.T) {
	t.Parallel()
	caseRun()
	cases, err := contract.FieldCases()
	require.NoError(t, err)
	doc, err := validate.Embedded()
	require.NoError(t, err)
	for _, fc := range cases {
		for i, s := range fc.Steps {
			var body []byte
			if len(s.Body) > 0 {
				body = []byte(fillAll(string(s.Body), fieldVars))
				require.True(t, json.Valid(body), "%s step %d: body is not JSON", fc, i+1)
			}
			path := fillAll(s.Path, fieldVars)
			path = strings.ReplaceAll(path, "{connection_id}", connectionID)
			body = []byte(strings.ReplaceAll(string(body), "{connection_id}", connectionID))
			req, err := http.NewRequest(s.Method, server+path, strings.NewReader(string(body)))
			require.NoError(t, err)
			if len(s.Body) > 0 {
				req.Header.Set("Content-Type", "application/json")
			}
			_, err = doc.Request(req)
			assert.NoError(t, err, "%s step %d (%s): %s %s", fc, i+1, s.From, s.Method, path)
		}
	}
}

// The replay is a judge: a server that refuses what the provider sends, or
// answers without what it reads, is reported, naming the step and the
// provider's function.
func TestFieldReplayReportsAServerThatRefusesTheProvider(t *testing.T) {
	t.Parallel()
	caseRun()
	cases, err := contract.FieldCases()
	require.NoError(t, err)
	byFile := map[string]contract.FieldCase{}
	for _, fc := range cases {
		byFile[fc.File] = fc
	}
	cases2 := []struct {
		file   string
		breaks func(http.Handler) http.Handler
		want   string
	}{
		{"create-without-tags-or-hosts.json", refuseBody(`"tags": null`), "step 1 (resourceDatasourceConnectionCreate, buildCreateDatasourceConnectionBodyParams) POST"},
		{"list-pages.json", dropKey(`"connections":[]`), "lacks /connections, which the provider reads"},
		{"privileges.json", renameKey(`"project_id":`, `"grantee_id":`), "lacks /privileges/0/project_id"},
		{"update-hosts-cleared.json", refuseBody(`{"hosts": null}`), "answered 400, want 200"},
	}
	for _, tc := range cases2 {
		m, err := mockserver.New(mockserver.Config{CreateDelay: time.Hour})
		require.NoError(t, err)
		hc := &http.Client{Transport: mockserver.NewMockTransport(tc.breaks(m))}
		_, problems := byFile[tc.file].Replay(context.Background(), hc, server, fieldVars)
		var all []string
		for _, p := range problems {
			all = append(all, p.String())
		}
		assert.Contains(t, joinLines(all), tc.want, tc.file)
	}
}

func fillAll(s string, vars map[string]string) string {
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// refuseBody answers 400 to any request whose body contains s, as a server
// stricter than live DLI would.
func refuseBody(s string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body := readAll(r)
			if strings.Contains(string(body), s) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"error_code":"DLI.0001","error_msg":"refused"}`))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
		})
	}
}

// dropKey removes a member (written exactly as s, with its comma) from the
// answers.
func dropKey(s string) func(http.Handler) http.Handler {
	return rewriteAnswers(func(b string) string {
		return strings.NewReplacer(s+",", "", ","+s, "", s, "").Replace(b)
	})
}

// renameKey renames a member of the answers.
func renameKey(from, to string) func(http.Handler) http.Handler {
	return rewriteAnswers(func(b string) string { return strings.ReplaceAll(b, from, to) })
}

func rewriteAnswers(rewrite func(string) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			out := rewrite(rec.Body.String())
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(out)))
			w.WriteHeader(rec.Code)
			_, _ = io.WriteString(w, out)
		})
	}
}
