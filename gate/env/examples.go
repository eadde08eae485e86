package env

import (
	"encoding/json"

	"github.com/dli-contract/dli-go/semantics"
)

// asObject decodes a JSON object; false for anything else.
func asObject(raw []byte) (map[string]any, bool) {
	var out map[string]any
	return out, json.Unmarshal(raw, &out) == nil && out != nil
}

// FirstExample is a copy of the first (by name) request example of op.
func FirstExample(op *semantics.Operation) (map[string]any, bool) {
	if exs := op.RequestExamples(); len(exs) > 0 {
		return asObject(exs[0])
	}
	return nil, false
}

// RichestExample is a copy of the request example of op with the most to
// it (the longest in JSON; by name among equals): a life cycle sends what
// shows most.
func RichestExample(op *semantics.Operation) (map[string]any, bool) {
	var best []byte
	for _, raw := range op.RequestExamples() {
		if len(raw) > len(best) {
			best = raw
		}
	}
	return asObject(best)
}
