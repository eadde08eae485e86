//go:build tools

// Package actionlint pins actionlint, which make lint runs over action.yml
// (through the workflow that uses it), .github/workflows and the
// adopters' example workflow, in a module of its own.
package actionlint

import (
	_ "github.com/rhysd/actionlint/cmd/actionlint"
)
