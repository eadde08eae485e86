//go:build tools

// Package lint pins golangci-lint in a module of its own: its dependency
// tree is large and must not reach the main module or its users.
package lint

import (
	_ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
)
