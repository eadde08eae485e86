package contract_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/gen/dli"
)

const connectionID = "68233202-63bf-4f27-a99b-fa5f5a2dbae1"

// calls says how to invoke each operation with the generated client. It is
// the only per-operation code of the suite; an operation of the document
// that is missing here fails TestEveryOperationIsCalled (and leaves its
// pairs unexercised, which fails the gate).
var calls = map[string]func(ctx context.Context, c *dli.ClientWithResponses, body []byte) (any, error){
	"CreateDatasourceConnection": func(ctx context.Context, c *dli.ClientWithResponses, body []byte) (any, error) {
		var req dli.ConnectionCreateRequest
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, err
		}
		return c.CreateDatasourceConnectionWithResponse(ctx, projectID, req)
	},
	"ListDatasourceConnections": func(ctx context.Context, c *dli.ClientWithResponses, _ []byte) (any, error) {
		return c.ListDatasourceConnectionsWithResponse(ctx, projectID, nil)
	},
	"ShowDatasourceConnection": func(ctx context.Context, c *dli.ClientWithResponses, _ []byte) (any, error) {
		return c.ShowDatasourceConnectionWithResponse(ctx, projectID, connectionID)
	},
	"DeleteDatasourceConnection": func(ctx context.Context, c *dli.ClientWithResponses, _ []byte) (any, error) {
		return c.DeleteDatasourceConnectionWithResponse(ctx, projectID, connectionID)
	},
}

// defaultStatuses are the statuses served for a `default` response: the
// gateway errors it stands for.
var defaultStatuses = []int{401, 403, 429}

type operation struct {
	id, method, path string
	op               *openapi3.Operation
}

func operations(t *testing.T) []operation {
	t.Helper()
	doc := loadFile(t)
	var out []operation
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			out = append(out, operation{op.OperationID, method, path, op})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func TestEveryOperationIsCalled(t *testing.T) {
	t.Parallel()
	caseRun()
	for _, o := range operations(t) {
		assert.Contains(t, calls, o.id, "the contract suite has no call for operation %s", o.id)
	}
}

// requestBodies returns the request examples of op, or one nil body.
func requestBodies(t *testing.T, op *openapi3.Operation) map[string][]byte {
	if op.RequestBody == nil {
		return map[string][]byte{"": nil}
	}
	out := map[string][]byte{}
	for name, ex := range op.RequestBody.Value.Content.Get("application/json").Examples {
		out[name] = mustJSON(t, ex.Value.Value)
	}
	require.NotEmpty(t, out, "request body of %s has no examples", op.OperationID)
	return out
}

// TestClientDecodesEveryDocumentedResponse serves every example of every
// declared response of every operation and checks that the generated
// client puts it, complete, into the typed field named for its status.
func TestClientDecodesEveryDocumentedResponse(t *testing.T) {
	t.Parallel()
	for _, o := range operations(t) {
		call := calls[o.id]
		if call == nil {
			continue // reported by TestEveryOperationIsCalled
		}
		body := firstBody(requestBodies(t, o.op))
		for _, key := range slices.Sorted(maps.Keys(o.op.Responses.Map())) {
			resp := o.op.Responses.Value(key).Value
			statuses := []int{statusFor(t, key)}
			if key == "default" {
				statuses = defaultStatuses
			}
			examples := resp.Content.Get("application/json").Examples
			require.NotEmpty(t, examples, "%s %s has no examples to serve", o.id, key)
			for _, exName := range slices.Sorted(maps.Keys(examples)) {
				served := mustJSON(t, examples[exName].Value.Value)
				for _, status := range statuses {
					t.Run(fmt.Sprintf("%s/%d/%s", o.id, status, exName), func(t *testing.T) {
						t.Parallel()
						caseRun()
						h := newHarness(t)
						h.mock.RegisterRegexpResponder(o.method, routeRegexp(o.path), jsonResponder(status, served))
						got, err := call(context.Background(), h.client, body)
						require.NoError(t, err)
						assert.Equal(t, 1, h.mock.GetTotalCallCount())
						assertTypedField(t, got, key, served)
					})
				}
			}
		}
	}
}

// TestClientSendsEveryRequestExample sends each request example through the
// generated client and checks the server received it unchanged.
func TestClientSendsEveryRequestExample(t *testing.T) {
	t.Parallel()
	for _, o := range operations(t) {
		if o.op.RequestBody == nil || calls[o.id] == nil {
			continue
		}
		for name, body := range requestBodies(t, o.op) {
			t.Run(o.id+"/"+name, func(t *testing.T) {
				t.Parallel()
				caseRun()
				h := newHarness(t)
				var received []byte
				h.mock.RegisterRegexpResponder(o.method, routeRegexp(o.path), func(req *http.Request) (*http.Response, error) {
					received = readAll(req)
					return jsonResponder(201, []byte(`{"is_success":true,"message":"","connection_id":"`+connectionID+`"}`))(req)
				})
				_, err := calls[o.id](context.Background(), h.client, body)
				require.NoError(t, err)
				assert.JSONEq(t, string(body), string(received))
			})
		}
	}
}

// assertTypedField checks that the generated response has exactly one JSON
// field set, the one oapi-codegen names for key (JSON201, JSONDefault ...),
// and that it holds everything that was served.
func assertTypedField(t *testing.T, resp any, key string, served []byte) {
	t.Helper()
	want := "JSON" + key
	if key == "default" {
		want = "JSONDefault"
	}
	v := reflect.ValueOf(resp).Elem()
	require.True(t, v.FieldByName(want).IsValid(), "%T has no field %s", resp, want)
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if len(f.Name) < 4 || f.Name[:4] != "JSON" {
			continue
		}
		if f.Name != want {
			assert.True(t, v.Field(i).IsNil(), "%T.%s is set; only %s should be", resp, f.Name, want)
			continue
		}
		require.False(t, v.Field(i).IsNil(), "%T.%s is nil: the client did not decode the response", resp, want)
		assert.Equal(t, withoutEmptyArrays(t, served), withoutEmptyArrays(t, mustJSON(t, v.Field(i).Interface())),
			"%T.%s lost or changed fields of the served body", resp, want)
	}
}

func firstBody(bodies map[string][]byte) []byte {
	keys := make([]string, 0, len(bodies))
	for k := range bodies {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return bodies[keys[0]]
}

// withoutEmptyArrays decodes b and drops empty arrays. The generated types
// keep optional arrays as plain slices (prefer-skip-optional-pointer-on-
// container-types), so an empty array and an absent one decode alike and
// re-encode as absent; to a Go caller both are an empty slice.
func withoutEmptyArrays(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	var prune func(any) any
	prune = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if a, ok := e.([]any); ok && len(a) == 0 {
					delete(x, k)
					continue
				}
				x[k] = prune(e)
			}
		case []any:
			for i, e := range x {
				x[i] = prune(e)
			}
		}
		return v
	}
	return prune(v)
}
