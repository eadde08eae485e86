// Package templates_test keeps the generator's templates forked for gen/dli
// (client.tmpl, client-with-responses.tmpl) equal to the pinned
// oapi-codegen's own templates plus the one change documented at the top of
// each file. When oapi-codegen is upgraded and a template moves, this test
// fails and says what to redo, instead of the fork silently freezing an old
// template.
package templates_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const generator = "github.com/oapi-codegen/oapi-codegen/v2"

type change struct{ old, new string }

// patches are the changes made to each upstream template: each old text
// occurs exactly once upstream and is replaced by new.
var patches = map[string][]change{
	"client.tmpl":                clientPatch,
	"client-with-responses.tmpl": withResponsesPatch,
}

// withResponsesPatch keeps the response when its body cannot be read or
// does not decode.
var withResponsesPatch = []change{
	{
		old: `    bodyBytes, err := io.ReadAll(rsp.Body)
    defer func() { _ = rsp.Body.Close() }()
    if err != nil {
        return nil, err
    }
`,
		new: `    bodyBytes, err := io.ReadAll(rsp.Body)
    defer func() { _ = rsp.Body.Close() }()
    if err != nil {
        return {{genResponsePayload $opid}}, err
    }
`,
	},
	{
		old: `// Parse{{genResponseTypeName $opid | ucFirst}} parses an HTTP response from a {{$opid}}WithResponse call
`,
		new: `// Parse{{genResponseTypeName $opid | ucFirst}} parses an HTTP response from a {{$opid}}WithResponse call.
// When the body cannot be read or does not decode it returns the response
// (status, headers, the body as far as read) with the error, so that the
// caller can report both.
`,
	},
	{
		old: `    response := {{genResponsePayload $opid}}

    {{genResponseUnmarshal .}}
`,
		new: `    response := {{genResponsePayload $opid}}

    if _, err := func() (*{{genResponseTypeName $opid}}, error) {
    {{genResponseUnmarshal .}}
        return response, nil
    }(); err != nil {
        return response, err
    }
`,
	},
}

// clientPatch makes request builders append the path to the server string.
var clientPatch = []change{
	{
		old: `    serverURL, err := url.Parse(server)
    if err != nil {
        return nil, err
    }

    operationPath := fmt.Sprintf("{{genParamFmtString .Path}}"{{range $paramIdx, $param := .PathParams}}, pathParam{{$paramIdx}}{{end}})
    if operationPath[0] == '/' {
        operationPath = "." + operationPath
    }

    queryURL, err := serverURL.Parse(operationPath)
    if err != nil {
        return nil, err
    }

{{if .QueryParams}}
    if params != nil {`,
		new: `    reqURL := operationURL(server, "{{genParamFmtString .Path}}"{{range $paramIdx, $param := .PathParams}}, pathParam{{$paramIdx}}{{end}})
{{if .QueryParams}}
    queryURL, err := url.Parse(reqURL)
    if err != nil {
        return nil, err
    }
    if params != nil {`,
	},
	{
		old: `        queryURL.RawQuery = strings.Join(rawQueryFragments, "&")
    }
{{end}}{{/* if .QueryParams */}}
    req, err := http.NewRequest({{.Method | httpMethodConstant}}, queryURL.String(), {{if .HasBody}}body{{else}}nil{{end}})`,
		new: `        queryURL.RawQuery = strings.Join(rawQueryFragments, "&")
    }
    reqURL = queryURL.String()
{{end}}{{/* if .QueryParams */}}
    req, err := http.NewRequest({{.Method | httpMethodConstant}}, reqURL, {{if .HasBody}}body{{else}}nil{{end}})`,
	},
	{
		old: `func (c *{{ $clientTypeName }}) applyEditors(`,
		new: `// operationURL appends path to server, with each %s of path replaced by the
// next of params (path parameters, already escaped), building the string
// in one allocation.
func operationURL(server, path string, params ...string) string {
    n := len(server) + len(path)
    for _, p := range params {
        n += len(p)
    }
    var b strings.Builder
    b.Grow(n)
    b.WriteString(strings.TrimSuffix(server, "/"))
    for _, p := range params {
        i := strings.Index(path, "%s")
        b.WriteString(path[:i])
        b.WriteString(p)
        path = path[i+len("%s"):]
    }
    b.WriteString(path)
    return b.String()
}

func (c *{{ $clientTypeName }}) applyEditors(`,
	},
}

func TestTemplatesAreUpstreamPlusPatch(t *testing.T) {
	dir, version := pinnedGenerator(t)
	for name, patch := range patches {
		t.Run(name, func(t *testing.T) {
			upstreamPath := filepath.Join(dir, "pkg", "codegen", "templates", name)
			upstream := readFile(t, upstreamPath)
			fork := readFile(t, name)

			header, body, ok := strings.Cut(fork, "*/ -}}\n")
			if !ok {
				t.Fatalf("%s: the leading {{- /* ... */ -}} comment that says what was changed is missing", name)
			}
			if !strings.Contains(header, "oapi-codegen "+version+"'s "+name) {
				t.Errorf("%s: its header should name the pinned generator, oapi-codegen %s, whose template it forks:\n%s",
					name, version, header)
			}

			want := upstream
			for i, p := range patch {
				if n := strings.Count(want, p.old); n != 1 {
					t.Fatalf("oapi-codegen %s changed its %s: patch %d's old text occurs %d times in %s (want once).\n"+
						"Copy that file to tools/templates/%s again, re-apply the change described in its header, "+
						"and update the patch in this test.", version, name, i+1, n, upstreamPath, name)
				}
				want = strings.Replace(want, p.old, p.new, 1)
			}
			if body != want {
				line := firstDifferentLine(body, want)
				t.Errorf("tools/templates/%s differs from upstream %s plus the patch in this test, first at line %d of its body:\n"+
					"  fork: %q\n  want: %q\n"+
					"Change the fork only through the patch, so that upgrades stay mechanical.",
					name, upstreamPath, line.n, line.got, line.want)
			}
		})
	}
}

func TestGeneratorConfigUsesTheFork(t *testing.T) {
	config := readFile(t, filepath.Join("..", "..", "gen", "dli", "config.yaml"))
	// Paths in the config are relative to tools/, where go generate runs.
	for name := range patches {
		if !strings.Contains(config, name+": templates/"+name) {
			t.Errorf("gen/dli/config.yaml no longer points user-templates at templates/%s, so this fork is dead code", name)
		}
	}
}

// pinnedGenerator downloads (if needed) the oapi-codegen version tools/go.mod
// pins and returns its directory in the module cache and its version.
func pinnedGenerator(t *testing.T) (dir, version string) {
	t.Helper()
	out, err := exec.Command("go", "mod", "download", "-json", generator).Output()
	if err != nil {
		var stderr string
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go mod download %s: %v\n%s", generator, err, stderr)
	}
	var m struct{ Dir, Version, Error string }
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("go mod download -json %s: %v", generator, err)
	}
	if m.Error != "" || m.Dir == "" {
		t.Fatalf("go mod download %s: %s", generator, m.Error)
	}
	return m.Dir, m.Version
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type difference struct {
	n         int
	got, want string
}

func firstDifferentLine(got, want string) difference {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return difference{n: i + 1, got: gl, want: wl}
		}
	}
	return difference{}
}
