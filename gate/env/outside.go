package env

import (
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dli-contract/dli-go/gate/internal/pattern"
)

// BadValue is a value outside a schema, and what it is.
type BadValue struct{ Value, What string }

// OutsideQuery are values a query parameter's schema refuses: those
// outside it, and empty where it has a minLength.
func OutsideQuery(s *openapi3.Schema) []BadValue {
	bads := Outside(s)
	if s.MinLength > 0 {
		bads = append(bads, BadValue{"", "shorter than its minLength"})
	}
	return bads
}

// Outside are values a parameter's schema refuses: below its minimum, not
// an integer, outside its enum or pattern, over its maxLength, not a UUID.
func Outside(s *openapi3.Schema) []BadValue {
	var out []BadValue
	switch {
	case s.Type.Is("integer"):
		if s.Min != nil {
			out = append(out, BadValue{strconv.Itoa(int(*s.Min) - 1), "below its minimum"})
		}
		out = append(out, BadValue{"ten", "that is not an integer"})
	case s.Type.Is("string"):
		if s.Format == "uuid" {
			out = append(out, BadValue{"not-a-uuid", "that is not a UUID"})
		}
		if s.Pattern != "" || len(s.Enum) > 0 {
			// The first of a word and a control character (which free
			// text refuses) that the pattern or enum does not take.
			for _, v := range []string{"RUNNING", "a\x01b"} {
				if re := pattern.Compiled(s.Pattern); (s.Pattern == "" || re != nil && !re.MatchString(v)) && !slices.Contains(s.Enum, any(v)) {
					out = append(out, BadValue{v, "outside its pattern"})
					break
				}
			}
		}
		if s.MaxLength != nil {
			out = append(out, BadValue{strings.Repeat("p", Capped(*s.MaxLength, 1<<16)+1), "over its maxLength"})
		}
	}
	return out
}
