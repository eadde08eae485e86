//go:build tools

// Package tools pins the command-line tools the build runs. It is its own
// module so that programs importing the client do not inherit the
// generator's dependency tree.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "golang.org/x/perf/cmd/benchstat"
	_ "gotest.tools/gotestsum"
)
