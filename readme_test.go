package dligo_test

import (
	"os"
	"strings"
	"testing"
)

// The README's usage sample must be the program that `go build ./...`
// compiles, so the README cannot show code that no longer builds.
func TestReadmeShowsTheCompiledQuickstart(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	sample, err := os.ReadFile("examples/quickstart/main.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```go\n"+string(sample)+"```") {
		t.Error("README.md does not contain examples/quickstart/main.go verbatim in a ```go block; copy the file into the README")
	}
}
