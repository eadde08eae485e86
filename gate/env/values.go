package env

import "encoding/json"

func Marshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func Strings(v any) []string {
	arr, _ := v.([]any)
	var out []string
	for _, x := range arr {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func Objects(v any) []map[string]any {
	arr, _ := v.([]any)
	var out []map[string]any
	for _, x := range arr {
		if o, ok := x.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}

func Str(v any) string {
	s, _ := v.(string)
	return s
}
