package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// bodyProblems finds what kin-openapi reads differently from the Go code
// that acts on a JSON body, so that whatever passes validation is exactly
// what encoding/json decodes:
//
//   - invalid UTF-8, which encoding/json silently turns into U+FFFD;
//   - an object key that matches a property only by letter case, which
//     kin-openapi takes for an unknown property and encoding/json for the
//     property itself ({"name":"ok","Name":"<anything>"}).
func bodyProblems(schema *openapi3.Schema, body []byte, in string) []Problem {
	if !utf8.Valid(body) {
		return []Problem{{In: in, Rule: "encoding", Reason: "the body is not valid UTF-8, which JSON requires"}}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil // kin-openapi reports what does not decode
	}
	var out []Problem
	caseOnlyKeys(schema, v, "", in, &out)
	return out
}

func caseOnlyKeys(s *openapi3.Schema, v any, ptr, in string, out *[]Problem) {
	if s == nil {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for _, key := range slices.Sorted(maps.Keys(v)) {
			if prop, ok := s.Properties[key]; ok {
				caseOnlyKeys(prop.Value, v[key], ptr+"/"+PointerToken(key), in, out)
				continue
			}
			for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
				if strings.EqualFold(key, name) {
					*out = append(*out, Problem{In: in, Field: ptr + "/" + PointerToken(key), Rule: "case",
						Reason: fmt.Sprintf("key %q matches property %q only by letter case; decoders that ignore case would read it as %q", key, name, name)})
					break
				}
			}
		}
	case []any:
		if s.Items == nil {
			return
		}
		for i, item := range v {
			caseOnlyKeys(s.Items.Value, item, fmt.Sprintf("%s/%d", ptr, i), in, out)
		}
	}
}
