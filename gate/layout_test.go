package gate

import (
	"bufio"
	"errors"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/gen/spec"
)

// layers are the gate's packages, each above those it may import: a
// package imports only packages of a lower layer, so that no arrow runs
// back up (doc.go draws them).
var layers = map[string]int{
	"check": 0, "internal/pattern": 0,
	"wire": 1, "keywords": 1,
	"report": 2,
	"ledger": 3,
	"env":    4,
	"model":  5, "cleanup": 5,
	"phases": 6, "sequences": 6,
	".": 7,
}

const module = "github.com/dli-contract/dli-go/gate"

// The walls hold: every package of the gate is in a layer, imports only
// packages below its own, and is of a size a person reads in a sitting;
// rapid's testing import stays in one file.
func TestTheGatesLayout(t *testing.T) {
	t.Parallel()
	var seen []string
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() || strings.HasPrefix(path, "testdata") {
			return err
		}
		pkg, err := build.ImportDir(path, 0)
		var none *build.NoGoError
		if errors.As(err, &none) {
			return nil
		}
		require.NoError(t, err, path)
		seen = append(seen, path)
		layer, ok := layers[path]
		if !assert.True(t, ok, "%s is in no layer: add it to layers and to doc.go", path) {
			return nil
		}
		for _, imp := range pkg.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			to := strings.TrimPrefix(imp, module+"/")
			assert.Less(t, layers[to], layer, "%s (layer %d) imports %s (layer %d): an arrow back up", path, layer, to, layers[to])
		}
		lines := 0
		for _, f := range pkg.GoFiles {
			n := countLines(t, filepath.Join(path, f))
			assert.LessOrEqual(t, n, 600, "%s: %d lines; split it by job", filepath.Join(path, f), n)
			lines += n
		}
		limit := 2500
		if path == "." {
			limit = 1500
		}
		assert.LessOrEqual(t, lines, limit, "package %s: %d lines", path, lines)
		if slices.Contains(pkg.Imports, "testing") {
			assert.Equal(t, "sequences", path, "only rapid.go of package sequences imports testing")
			for _, f := range pkg.GoFiles {
				if f != "rapid.go" {
					assert.NotContains(t, importsOf(t, filepath.Join(path, f)), "testing", "%s/%s imports testing", path, f)
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	for p := range layers {
		assert.Contains(t, seen, p, "layers names %s, which is no package", p)
	}
}

func countLines(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	n := 0
	for s := bufio.NewScanner(f); s.Scan(); {
		n++
	}
	return n
}

func importsOf(t *testing.T, path string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
	require.NoError(t, err)
	var out []string
	for _, imp := range f.Imports {
		out = append(out, strings.Trim(imp.Path.Value, `"`))
	}
	return out
}

// What the document cannot declare stays in the registry (doc.go): no
// other file of the gate names an operation in its code, so that a new
// operation (the tag operations were) is taken through its declarations
// alone.
func TestOnlyTheRegistryNamesOperations(t *testing.T) {
	t.Parallel()
	doc, err := spec.GetSpec()
	require.NoError(t, err)
	var ids []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids = append(ids, op.OperationID)
		}
	}
	named := regexp.MustCompile(`\b(` + strings.Join(ids, "|") + `)\b`)
	registry := []string{"model/registry.go", "sequences/registry.go", "phases/registry.go", "phases/lifecycle_hooks.go"}
	err = filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || slices.Contains(registry, path) {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		require.NoError(t, err, path)
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				assert.False(t, named.MatchString(lit.Value), "%s names an operation in %s: move it to the registry", path, lit.Value)
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
}
