package env_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/gate/env"
)

func schemaOf(t *testing.T, src string) *openapi3.Schema {
	t.Helper()
	var s openapi3.Schema
	require.NoError(t, json.Unmarshal([]byte(src), &s))
	return &s
}

func decoded(t *testing.T, src string) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(src), &v))
	return v
}

// A completed body has every property its schema declares, each a value
// of its schema, keeps what the example gave, and leaves the example as
// it was.
func TestCompleteGivesEveryPropertyAValueOfItsSchema(t *testing.T) {
	t.Parallel()
	s := schemaOf(t, `{"type":"object","required":["name"],"properties":{
		"name":{"type":"string","minLength":1,"maxLength":64},
		"kind":{"type":"string","enum":["passwd","KRB"]},
		"user":{"type":"string","nullable":true,"pattern":"^[a-z]{3,5}$"},
		"id":{"type":"string","format":"uuid"},
		"port":{"type":"integer","minimum":1,"maximum":65535},
		"on":{"type":"boolean"},
		"hosts":{"type":"array","minItems":2,"items":{"type":"object","properties":{"ip":{"type":"string","pattern":"^[0-9.]+$"},"name":{"type":"string"}}}},
		"queues":{"type":"array","items":{"type":"string"}},
		"tags":{"type":"array","items":{"type":"object","properties":{"key":{"type":"string"},"value":{"type":"string"}}}}}}`)
	example := decoded(t, `{"name":"given","user":null,"tags":[{"key":"k"}]}`)
	before, _ := json.Marshal(example)

	got, ok := env.Complete(s, example).(map[string]any)
	require.True(t, ok)
	assert.Equal(t, "given", got["name"], "what the example gave is kept")
	assert.Equal(t, "passwd", got["kind"], "an enum's first")
	assert.Regexp(t, regexp.MustCompile(`^[a-z]{3,5}$`), got["user"], "a null is given a value of the pattern")
	assert.Len(t, got["id"], 36)
	assert.InDelta(t, 1.0, got["port"], 0, "the least number")
	assert.Equal(t, true, got["on"])
	hosts, _ := got["hosts"].([]any)
	require.Len(t, hosts, 2, "an absent array gets its least items")
	assert.Regexp(t, regexp.MustCompile(`^[0-9.]+$`), hosts[0].(map[string]any)["ip"])
	assert.Equal(t, []any{"a"}, got["queues"])
	assert.Equal(t, map[string]any{"key": "k", "value": "a"}, got["tags"].([]any)[0], "an item given is completed")
	after, _ := json.Marshal(example)
	assert.JSONEq(t, string(before), string(after), "the example is not changed")
}
