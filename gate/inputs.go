package gate

import (
	"fmt"
	"sync"

	"github.com/dli-contract/dli-go/semantics"
	"github.com/dli-contract/dli-go/validate"
)

// What a run creates with comes from the document's x-dli-cloud-inputs:
// against live DLI what the user gives (DLI checks it); a run given none
// of them (a mock, or a server that takes any) sends each one's declared
// mock value, or without one whatever the examples and schemas give.

// DeclaredInputs are the inputs the embedded document declares, in its
// order: a mutating run against live DLI is given them by flag (-Name) or
// environment variable (Env).
func DeclaredInputs() ([]*semantics.Input, error) { return embeddedInputs() }

var embeddedInputs = sync.OnceValues(func() ([]*semantics.Input, error) {
	doc, err := validate.Embedded()
	if err != nil {
		return nil, err
	}
	sem, err := semantics.Load(doc.OpenAPI())
	if err != nil {
		return nil, fmt.Errorf("the embedded document's declarations: %w", err)
	}
	return sem.Inputs, nil
})
