package contract

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dli-contract/dli-go/validate"
)

// PortablePattern returns an error naming the first construct of a JSON
// Schema pattern that ECMA-262 (without the u flag, as JavaScript
// validators and linters read it), RE2 (Go) and Python's re read
// differently, or that RE2 cannot compile. The portable subset: ASCII
// literals, ^ $ . | * + ? ( ), bounded {n}, {n,} and {n,m}, character
// classes of literals and ranges, and escapes of metacharacters or \xHH.
//
// Not covered, because no portable pattern avoids it: Python's $ also
// matches before a final newline.
func PortablePattern(p string) error {
	if _, err := regexp.Compile(p); err != nil {
		return fmt.Errorf("RE2 cannot compile it: %w", err)
	}
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 0x80 {
			return fmt.Errorf("non-ASCII character at byte %d: ECMA-262 without u splits characters beyond the BMP; write \\xHH ranges of ASCII or a negated class", i)
		}
		switch {
		case c == '\\':
			if i+1 >= len(p) {
				return fmt.Errorf("trailing backslash")
			}
			e := p[i+1]
			switch {
			case e == 'x' && i+3 < len(p) && isHex(p[i+2]) && isHex(p[i+3]):
				i += 3
			case isMeta(e):
				i++
			default:
				return fmt.Errorf("escape \\%c at byte %d: %s", e, i, escapeReason(e))
			}
		case inClass:
			if c == '[' {
				return fmt.Errorf("[ inside a character class at byte %d: Python warns of nested sets; escape it", i)
			}
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			j := i + 1
			if j < len(p) && p[j] == '^' {
				j++
			}
			if j < len(p) && p[j] == ']' {
				return fmt.Errorf("] first in a character class at byte %d: ECMA-262 reads [] as an empty class, RE2 and Python as a literal ]; escape it", i)
			}
			i = j - 1
		case c == '(':
			if i+1 < len(p) && p[i+1] == '?' {
				return fmt.Errorf("(? group at byte %d: lookarounds, flags and named groups differ between the dialects", i)
			}
		case c == '{':
			n, ok := quantifier(p[i:])
			if !ok {
				return fmt.Errorf("{ at byte %d that is not a quantifier {n}, {n,} or {n,m}: the dialects read a literal { differently; escape it", i)
			}
			i += n - 1
		}
	}
	return nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isMeta(c byte) bool {
	switch c {
	case '.', '^', '$', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '\\', '/', '-':
		return true
	}
	return false
}

func escapeReason(e byte) string {
	switch e {
	case 'p', 'P':
		return "ECMA-262 without u reads \\p as a literal p; RE2 and Python differ too"
	case 'd', 'D', 'w', 'W', 's', 'S', 'b', 'B':
		return "Python matches Unicode where ECMA-262 and RE2 match ASCII; spell the class out"
	case 'u':
		return "RE2 has no \\u escape"
	}
	return "not an escape all three dialects read alike"
}

// quantifier reports the length of a {n}, {n,} or {n,m} at the start of s.
func quantifier(s string) (int, bool) {
	i, digits := 1, 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && s[i] == ',' {
		i++
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && s[i] == '}' {
		return i + 1, true
	}
	return 0, false
}

// checkPatterns reports every non-portable pattern of the document's
// component schemas and parameters, where it sits.
func checkPatterns(doc *openapi3.T) []Finding {
	var out []Finding
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, s *openapi3.SchemaRef)
	walk = func(where string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		if strings.HasPrefix(ref.Ref, "#/") {
			// Report a shared schema where it is defined, once.
			where = ref.Ref
		}
		s := ref.Value
		seen[s] = true
		if s.Pattern != "" {
			if err := PortablePattern(s.Pattern); err != nil {
				out = append(out, Finding{Where: where + "/pattern", What: fmt.Sprintf("pattern %q is not portable: %v", s.Pattern, err)})
			}
		}
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			walk(where+"/properties/"+validate.PointerToken(name), s.Properties[name])
		}
		walk(where+"/items", s.Items)
		for i, sub := range s.AllOf {
			walk(fmt.Sprintf("%s/allOf/%d", where, i), sub)
		}
		for i, sub := range s.AnyOf {
			walk(fmt.Sprintf("%s/anyOf/%d", where, i), sub)
		}
		for i, sub := range s.OneOf {
			walk(fmt.Sprintf("%s/oneOf/%d", where, i), sub)
		}
		walk(where+"/not", s.Not)
		walk(where+"/additionalProperties", s.AdditionalProperties.Schema)
	}
	if doc.Components != nil {
		for _, name := range slices.Sorted(maps.Keys(doc.Components.Schemas)) {
			walk("#/components/schemas/"+validate.PointerToken(name), doc.Components.Schemas[name])
		}
		for _, name := range slices.Sorted(maps.Keys(doc.Components.Parameters)) {
			if p := doc.Components.Parameters[name]; p.Value != nil {
				walk("#/components/parameters/"+validate.PointerToken(name)+"/schema", p.Value.Schema)
			}
		}
	}
	for _, o := range operationsOf(doc) {
		where := fmt.Sprintf("#/paths/%s/%s", validate.PointerToken(o.path), o.method)
		for _, p := range slices.Concat(o.item.Parameters, o.op.Parameters) {
			if p.Value != nil {
				walk(where+"/parameters/"+validate.PointerToken(p.Value.Name)+"/schema", p.Value.Schema)
			}
		}
		if o.op.RequestBody != nil && o.op.RequestBody.Value != nil {
			for ct, mt := range o.op.RequestBody.Value.Content {
				walk(where+"/requestBody/content/"+validate.PointerToken(ct)+"/schema", mt.Schema)
			}
		}
		if o.op.Responses != nil {
			for status, r := range o.op.Responses.Map() {
				if r.Value != nil {
					for ct, mt := range r.Value.Content {
						walk(where+"/responses/"+status+"/content/"+validate.PointerToken(ct)+"/schema", mt.Schema)
					}
				}
			}
		}
	}
	return out
}
