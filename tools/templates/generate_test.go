package templates_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/util"
)

// gen/dli's document has only path parameters, so generating it exercises
// one branch of the fork. This generates a client with the fork from
// testdata/fixture.yaml (query and header parameters, an operation without
// path parameters, a non-string path parameter), then compiles it and runs
// testdata/fixture_test.go.txt against it in a scratch module.
func TestForkGeneratesWorkingClientsForOtherOperations(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a generated module")
	}
	fork := readFile(t, "client.tmpl")
	forkWithResponses := readFile(t, "client-with-responses.tmpl")
	spec, err := util.LoadSwagger(filepath.Join("testdata", "fixture.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := codegen.Configuration{
		PackageName: "fixture",
		Generate:    codegen.GenerateOptions{Models: true, Client: true},
		OutputOptions: codegen.OutputOptions{
			UserTemplates: map[string]string{"client.tmpl": fork, "client-with-responses.tmpl": forkWithResponses},
		},
	}.UpdateDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	code, err := codegen.Generate(spec, cfg)
	if err != nil {
		t.Fatalf("generating with the fork: %v", err)
	}

	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module fixture\n\ngo 1.26.0\n\nrequire github.com/oapi-codegen/runtime "+runtimeVersion(t)+"\n")
	write(t, filepath.Join(dir, "fixture.gen.go"), code)
	write(t, filepath.Join(dir, "fixture_test.go"), readFile(t, filepath.Join("testdata", "fixture_test.go.txt")))
	run(t, dir, "go", "mod", "tidy")
	run(t, dir, "go", "vet", "./...")
	run(t, dir, "go", "test", "-count=1", "./...")
}

// runtimeVersion is the generated code's runtime library as the main module
// pins it, so the fixture compiles against what gen/dli does.
func runtimeVersion(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-modfile", filepath.Join("..", "..", "go.mod"),
		"-f", "{{.Version}}", "github.com/oapi-codegen/runtime").Output()
	if err != nil {
		t.Fatalf("finding the main module's oapi-codegen/runtime version: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v in the generated fixture module: %v\n%s", name, args, err, out)
	}
}
