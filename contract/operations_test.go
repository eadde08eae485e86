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
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/dli"
)

const connectionID = "68233202-63bf-4f27-a99b-fa5f5a2dbae1"

// pathValues fill the path parameters of every operation, by name.
var pathValues = map[string]string{"project_id": projectID, "connection_id": connectionID, "name": "route",
	"auth_info_name": "kafka_auth", "queue_name": "queue1", "task_id": "9",
	"resource_type": "dli_enhanced_datasource", "resource_id": connectionID}

// call invokes the generated client's <operationId>WithResponse method for
// o by reflection: path parameters in path order from pathValues, nil query
// parameters, and body decoded into the method's request body type. So the
// suite has no code per operation; an operation the client lacks is an
// error here.
func call(ctx context.Context, c *dli.ClientWithResponses, o operation, body []byte) (any, error) {
	m := reflect.ValueOf(c).MethodByName(o.id + "WithResponse")
	if !m.IsValid() {
		return nil, fmt.Errorf("the generated client has no method %sWithResponse", o.id)
	}
	names := pathParamNames(o.path)
	t := m.Type()
	args := []reflect.Value{reflect.ValueOf(ctx)}
	for i := 1; i < t.NumIn(); i++ {
		in := t.In(i)
		switch {
		case t.IsVariadic() && i == t.NumIn()-1:
			continue // request editors
		case in.Kind() == reflect.String, in.Kind() >= reflect.Int && in.Kind() <= reflect.Int64:
			// A path parameter, in the type of its schema.
			if len(names) == 0 {
				return nil, fmt.Errorf("%s: more arguments than path parameters in %s", o.id, o.path)
			}
			v := reflect.ValueOf(pathValues[names[0]])
			if in.Kind() != reflect.String {
				n, err := strconv.ParseInt(pathValues[names[0]], 10, 64)
				if err != nil {
					return nil, fmt.Errorf("%s: path parameter %s: %w", o.id, names[0], err)
				}
				v = reflect.ValueOf(n)
			}
			args = append(args, v.Convert(in))
			names = names[1:]
		case in.Kind() == reflect.Pointer && strings.HasSuffix(in.Elem().Name(), "Params"):
			// The required query parameters, from their examples (the
			// object whose privileges to list); the rest nil.
			required := map[string]any{}
			for _, p := range o.op.Parameters {
				if p.Value != nil && p.Value.In == "query" && p.Value.Required {
					required[p.Value.Name] = p.Value.Example
				}
			}
			params := reflect.New(in.Elem())
			if err := json.Unmarshal(mustJSONValue(required), params.Interface()); err != nil {
				return nil, fmt.Errorf("%s: the required query parameters' examples into %s: %w", o.id, in, err)
			}
			if len(required) == 0 {
				params = reflect.Zero(in)
			}
			args = append(args, params)
		default:
			v := reflect.New(in)
			if err := json.Unmarshal(body, v.Interface()); err != nil {
				return nil, fmt.Errorf("%s: decode the request example into %s: %w", o.id, in, err)
			}
			args = append(args, v.Elem())
		}
	}
	out := m.Call(args)
	err, _ := out[1].Interface().(error)
	return out[0].Interface(), err
}

func mustJSONValue(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// pathParamNames lists the {names} of a path template in order.
func pathParamNames(path string) []string {
	var names []string
	for _, part := range strings.Split(path, "/") {
		if strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}") {
			names = append(names, part[1:len(part)-1])
		}
	}
	return names
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

func TestEveryOperationHasAGeneratedCall(t *testing.T) {
	t.Parallel()
	caseRun()
	c, err := dli.NewClientWithResponses(server)
	require.NoError(t, err)
	for _, o := range operations(t) {
		assert.True(t, reflect.ValueOf(c).MethodByName(o.id+"WithResponse").IsValid(),
			"the generated client has no method for operation %s: run make generate", o.id)
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
		body := firstBody(requestBodies(t, o.op))
		for _, key := range slices.Sorted(maps.Keys(o.op.Responses.Map())) {
			resp := o.op.Responses.Value(key).Value
			statuses := []int{statusFor(t, key)}
			if key == "default" {
				statuses = defaultStatuses
			}
			if len(resp.Content) == 0 {
				// No Content (a 204): served empty, a success with no
				// typed field set.
				t.Run(fmt.Sprintf("%s/%s/empty", o.id, key), func(t *testing.T) {
					t.Parallel()
					caseRun()
					h := newHarness(t)
					h.mock.RegisterRegexpResponder(o.method, routeRegexp(o.path), httpmock.NewBytesResponder(statusFor(t, key), nil))
					got, err := call(context.Background(), h.client, o, body)
					require.NoError(t, err)
					require.NoError(t, apierror.Check(got.(apierror.Response), nil))
					assertNoTypedField(t, got)
				})
				continue
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
						got, err := call(context.Background(), h.client, o, body)
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
		if o.op.RequestBody == nil {
			continue
		}
		status, answer := successExample(t, o.op)
		for name, body := range requestBodies(t, o.op) {
			t.Run(o.id+"/"+name, func(t *testing.T) {
				t.Parallel()
				caseRun()
				h := newHarness(t)
				var received []byte
				h.mock.RegisterRegexpResponder(o.method, routeRegexp(o.path), func(req *http.Request) (*http.Response, error) {
					received = readAll(req)
					return jsonResponder(status, answer)(req)
				})
				_, err := call(context.Background(), h.client, o, body)
				require.NoError(t, err)
				assert.JSONEq(t, string(body), string(received))
			})
		}
	}
}

// successExample is the first 2xx status of op and its first example.
func successExample(t *testing.T, op *openapi3.Operation) (int, []byte) {
	t.Helper()
	for _, key := range slices.Sorted(maps.Keys(op.Responses.Map())) {
		if strings.HasPrefix(key, "2") {
			if len(op.Responses.Value(key).Value.Content) == 0 {
				return statusFor(t, key), nil // No Content
			}
			examples := op.Responses.Value(key).Value.Content.Get("application/json").Examples
			first := slices.Sorted(maps.Keys(examples))[0]
			return statusFor(t, key), mustJSON(t, examples[first].Value.Value)
		}
	}
	t.Fatalf("%s declares no success status", op.OperationID)
	return 0, nil
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

// assertNoTypedField checks that no JSON field of the generated response
// is set: what a response without a body decodes to.
func assertNoTypedField(t *testing.T, resp any) {
	t.Helper()
	v := reflect.ValueOf(resp).Elem()
	for i := 0; i < v.NumField(); i++ {
		if f := v.Type().Field(i); strings.HasPrefix(f.Name, "JSON") {
			assert.True(t, v.Field(i).IsNil(), "%T.%s is set from an empty body", resp, f.Name)
		}
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
