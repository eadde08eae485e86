package semantics

// The inputs a mutating run against live DLI is given, and the request
// properties that take them.

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dli-contract/dli-go/docwalk"
)

// Input is something a mutating run against live DLI must be given
// because DLI checks it: a real VPC, subnet, pool, queue, project,
// security group, or a classic service's address. Against a mock, Mock
// stands in for it.
type Input struct {
	// Name is the gate's flag (-Name); its environment variable and the
	// field cases' placeholder derive from it (Env, Placeholder).
	Name string `json:"name"`
	// Kind is what it names: vpc, subnet, pool, queue, project,
	// security_group, route_table, address, service.
	Kind string `json:"kind"`
	// Need is required (a mutating live run needs it), optional (what
	// needs it is skipped without) or together (all or none of one
	// create's inputs; without them that create's life cycle is skipped).
	Need string `json:"need"`
	// Usage says what it is, for the flag's help and docs/gate.md.
	Usage string `json:"usage"`
	// Default is taken when it is not given (only with need together or
	// optional).
	Default string `json:"default,omitempty"`
	// Mock is what a run given no inputs sends (a mock, or a server that
	// takes any); without one, such a run sends what the request examples
	// and the schema give.
	Mock string `json:"mock,omitempty"`
}

// The needs of an input.
const (
	NeedRequired = "required"
	NeedOptional = "optional"
	NeedTogether = "together"
)

// Env is the environment variable of the input: DLI_CONTRACT_ and its
// name in capitals, dashes as underscores.
func (in *Input) Env() string {
	return "DLI_CONTRACT_" + strings.ToUpper(in.Placeholder())
}

// Placeholder is the input's name with dashes as underscores, as field
// cases write it ({{vpc_id}}).
func (in *Input) Placeholder() string { return strings.ReplaceAll(in.Name, "-", "_") }

// CloudInput is a request property that takes an Input.
type CloudInput struct {
	Operation string
	// Pointer is the property's JSON pointer in the body (* for the
	// items of an array).
	Pointer string
	// Input is the Input's name.
	Input string
}

// checkInputs refuses inputs without a usable name, kind, need or mock
// value.
func checkInputs(inputs []*Input) []error {
	var errs []error
	seen := map[string]bool{}
	for i, in := range inputs {
		at := fmt.Sprintf("input %d (%s)", i+1, in.Name)
		switch {
		case !inputName.MatchString(in.Name):
			errs = append(errs, fmt.Errorf("%s: name %q: want lower-case words joined by dashes, such as vpc-id (it is a flag)", at, in.Name))
		case seen[in.Name]:
			errs = append(errs, fmt.Errorf("%s: declared twice", at))
		}
		seen[in.Name] = true
		if !slices.Contains(cloudKinds, in.Kind) {
			errs = append(errs, fmt.Errorf("%s: kind %q: want one of %v", at, in.Kind, cloudKinds))
		}
		if !slices.Contains(needs, in.Need) {
			errs = append(errs, fmt.Errorf("%s: need %q: want one of %v", at, in.Need, needs))
		}
		if in.Default != "" && in.Need == NeedRequired {
			errs = append(errs, fmt.Errorf("%s: a default on a required input: it would never be required", at))
		}
		if in.Usage == "" {
			errs = append(errs, fmt.Errorf("%s: want a usage, which the flag's help and docs/gate.md show", at))
		}
	}
	return errs
}

// cloudInputs lists the properties of op's request body that take a
// declared input.
func (s *Semantics) cloudInputs(op *openapi3.Operation) ([]CloudInput, error) {
	var out []CloudInput
	var errs []error
	docwalk.Schema(docwalk.RequestSchema(op), func(at string, sc *openapi3.Schema) {
		raw, ok := sc.Extensions[extCloud]
		if !ok {
			return
		}
		var name string
		if err := decodeStrict(raw, &name); err != nil || s.Input(name) == nil {
			var names []string
			for _, in := range s.Inputs {
				names = append(names, in.Name)
			}
			errs = append(errs, fmt.Errorf("%s at %s: %v is not a declared input; want one of %s's %v", extCloud, firstOf(at, "/"), raw, extInputs, names))
			return
		}
		out = append(out, CloudInput{Operation: op.OperationID, Pointer: firstOf(at, "/"), Input: name})
	})
	return out, errors.Join(errs...)
}
