package semantics_test

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/semantics"
)

// keyPaths lists the keys a declaration of type t takes, as docs/spec.md
// names them: dotted, * for a map's names and [] for a list's items.
func keyPaths(t reflect.Type, at string, seen []reflect.Type) []string {
	switch t.Kind() {
	case reflect.Pointer:
		return keyPaths(t.Elem(), at, seen)
	case reflect.Map:
		return keyPaths(t.Elem(), at+".*", seen)
	case reflect.Slice:
		return keyPaths(t.Elem(), at+"[]", seen)
	case reflect.Struct:
	default:
		return nil
	}
	if slices.Contains(seen, t) {
		return nil
	}
	seen = append(seen, t)
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		path := strings.TrimPrefix(at+"."+name, ".")
		out = append(out, path)
		out = append(out, keyPaths(f.Type, path, seen)...)
	}
	return out
}

// docs/spec.md lists every key semantics.Load takes, under its extension:
// a key added to a declaration's Go type without a line there fails here.
func TestTheSpecPageListsEveryKeyLoadTakes(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../docs/spec.md")
	require.NoError(t, err)
	page := string(raw)
	section := func(ext string) string {
		start := strings.Index(page, "### `"+ext+"`")
		require.GreaterOrEqual(t, start, 0, "docs/spec.md has no section ### `%s`", ext)
		rest := page[start+1:]
		if end := strings.Index(rest, "\n### "); end >= 0 {
			rest = rest[:end]
		}
		return rest
	}
	// What Load decodes each extension into (semantics.go); an extension
	// of a plain value (a list of codes, an input's name) has no keys.
	for ext, typ := range map[string]reflect.Type{
		"x-dli-resources":    reflect.TypeFor[map[string]semantics.Resource](),
		"x-dli-operation":    reflect.TypeFor[semantics.Operation](),
		"x-dli-cloud-inputs": reflect.TypeFor[[]semantics.Input](),
		"x-dli-codes":        nil,
		"x-dli-cloud-input":  nil,
	} {
		text := section(ext)
		if typ == nil {
			continue
		}
		paths := keyPaths(typ, "", nil)
		require.NotEmpty(t, paths, ext)
		for _, p := range paths {
			p = strings.TrimPrefix(p, "*.")
			p = strings.TrimPrefix(p, "[].")
			if strings.HasPrefix(typ.String(), "map") {
				p = "*." + p
			} else if strings.HasPrefix(typ.String(), "[]") {
				p = "[]." + p
			}
			// Answer's four keys are listed once, under deleted.
			if i := strings.LastIndex(p, "."); i > 0 && slices.Contains([]string{"status", "code", "state", "absent"}, p[i+1:]) &&
				!strings.Contains(p, "refuses") {
				p = "*.deleted." + p[i+1:]
			}
			assert.Contains(t, text, "`"+p+"`", "docs/spec.md's section on %s does not list `%s`", ext, p)
		}
	}
}
