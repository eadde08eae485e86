package dligo_test

import (
	"os/exec"
	"strings"
	"testing"
)

// A program that only calls the API must not compile a validator: the
// client packages stay free of kin-openapi (the embedded document lives in
// gen/spec, validation in validate).
func TestClientPackagesDoNotImportKinOpenAPI(t *testing.T) {
	for _, pkg := range []string{"./gen/dli", "./client", "./auth", "./apierror", "./retry", "./endpoint"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.Contains(dep, "kin-openapi") {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}
