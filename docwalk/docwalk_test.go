package docwalk_test

import (
	"encoding/json"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/docwalk"
	"github.com/dli-contract/dli-go/gen/spec"
)

func TestStarred(t *testing.T) {
	t.Parallel()
	var doc any
	require.NoError(t, json.Unmarshal([]byte(`{"hosts":[{"ip":"a"},{"name":"n"}],"empty":[],"a~b":{"c/d":1}}`), &doc))
	for _, tc := range []struct {
		ptr  string
		want []docwalk.Match
	}{
		{"/hosts/*/ip", []docwalk.Match{{Pointer: "/hosts/0/ip", Value: "a", Found: true}, {Pointer: "/hosts/1/ip"}}},
		{"/hosts/1/name", []docwalk.Match{{Pointer: "/hosts/1/name", Value: "n", Found: true}}},
		{"/empty/*/ip", nil},
		{"/missing/*", []docwalk.Match{{Pointer: "/missing"}}},
		{"/missing", []docwalk.Match{{Pointer: "/missing"}}},
		{"/a~0b/c~1d", []docwalk.Match{{Pointer: "/a~b/c/d", Value: 1.0, Found: true}}},
		{"", []docwalk.Match{{Value: doc, Found: true}}},
	} {
		assert.Equal(t, tc.want, docwalk.Starred(doc, tc.ptr), tc.ptr)
	}
}

func TestOperationsInAFixedOrder(t *testing.T) {
	t.Parallel()
	doc, err := spec.GetSpec()
	require.NoError(t, err)
	ops := docwalk.Operations(doc)
	seen := map[string]bool{}
	for _, o := range ops {
		assert.False(t, seen[o.Op.OperationID], "%s twice", o.Op.OperationID)
		seen[o.Op.OperationID] = true
		assert.Same(t, doc.Paths.Value(o.Path).GetOperation(o.Method), o.Op)
	}
	n := 0
	for _, item := range doc.Paths.Map() {
		n += len(item.Operations())
	}
	assert.Len(t, seen, n, "every operation, once")
	assert.Equal(t, ops, docwalk.Operations(doc), "the same order every time")
}

// Schema meets every schema under a body's, at its starred pointer, in
// property-name order; RequestSchema finds the body's.
func TestSchema(t *testing.T) {
	t.Parallel()
	str := &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}}
	body := &openapi3.Schema{Properties: openapi3.Schemas{
		"z": str,
		"a": {Value: &openapi3.Schema{Items: &openapi3.SchemaRef{Value: &openapi3.Schema{Properties: openapi3.Schemas{"pw": str}}}}},
	}}
	op := &openapi3.Operation{RequestBody: &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithJSONSchema(body)}}
	require.Same(t, body, docwalk.RequestSchema(op))
	assert.Nil(t, docwalk.RequestSchema(&openapi3.Operation{}))
	var seen []string
	docwalk.Schema(docwalk.RequestSchema(op), func(ptr string, _ *openapi3.Schema) { seen = append(seen, ptr) })
	assert.Equal(t, []string{"", "/a", "/a/*", "/a/*/pw", "/z"}, seen)
}
