package contract

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Combined, the invalid cases of a body take fewer requests, and each
// case's change is still made, in exactly one combined case, which the
// schema refuses.
func TestCombineKeepsEveryCasesChange(t *testing.T) {
	t.Parallel()
	var schema openapi3.Schema
	require.NoError(t, json.Unmarshal([]byte(`{"type":"object","required":["name","queues"],"properties":{
		"name":{"type":"string","maxLength":8,"pattern":"^[a-z]+$"},
		"size":{"type":"integer","minimum":1},
		"queues":{"type":"array","minItems":1,"items":{"type":"string","minLength":1}},
		"hosts":{"type":"array","items":{"type":"object","required":["ip"],"properties":{"ip":{"type":"string"}}}}}}`), &schema))
	var valid any
	require.NoError(t, json.Unmarshal([]byte(`{"name":"abc","size":2,"queues":["q1"],"hosts":[{"ip":"10.0.0.1"}]}`), &valid))
	var cases []Case
	for _, c := range Derive(&schema, valid) {
		if !c.Valid {
			cases = append(cases, c)
		}
	}
	combined := Combine(valid, cases)
	assert.Less(t, len(combined), len(cases)/2, "far fewer requests")
	for _, c := range cases {
		var in []Case
		for _, k := range combined {
			if k.Name == c.Name || strings.Contains(k.Name, ": "+c.Name) || strings.Contains(k.Name, "; "+c.Name) {
				in = append(in, k)
			}
		}
		if !assert.Len(t, in, 1, "%s is in one combined case", c.Name) {
			continue
		}
		want, wantFound := lookupOne(c.Value, c.Field)
		got, gotFound := lookupOne(in[0].Value, c.Field)
		assert.Equal(t, wantFound, gotFound, "%s: %s present alike", c.Name, c.Field)
		assert.Equal(t, want, got, "%s: %s changed alike", c.Name, c.Field)
	}
	for _, k := range combined {
		assert.Error(t, schema.VisitJSON(k.Value), "%s breaks the schema", k.Name)
	}
}
