// Package phases are the checks a run takes in turn, each given the run's
// Env and nothing more: the reads, the valid and invalid requests, the
// credentials, the undeclared routes, and, when the run may change
// things, the life cycles, the state refusals and the field cases. The
// generated sequences are package sequences'; the order is package
// gate's.
package phases

import (
	"context"

	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/wire"
)

// phase is one run's phases: what the run is given.
type phase struct{ *env.Env }

// Reads lists and reads what the project holds, of every kind.
func Reads(ctx context.Context, e *env.Env) { (&phase{e}).readOnly(ctx) }

// Valid sends requests the document allows, which must be accepted.
func Valid(ctx context.Context, e *env.Env) { (&phase{e}).positive(ctx) }

// Invalid sends requests the document refuses, which must be refused and
// change nothing: a create among them makes nothing on a server that
// conforms, and no budget of what a run makes holds it back.
func Invalid(ctx context.Context, e *env.Env) { (&phase{e}).negative(wire.MeantToBeRefused(ctx)) }

// Credentials sends requests without, with wrong and with forged
// credentials, which must get 401.
func Credentials(ctx context.Context, e *env.Env) { (&phase{e}).ignoredAuth(ctx) }

// Undeclared sends requests to routes the document does not declare,
// which must be refused.
func Undeclared(ctx context.Context, e *env.Env) { (&phase{e}).undeclared(ctx) }

// LifeCycles creates, reads, lists, updates and deletes one resource of
// each kind, holding each step to the declarations.
func LifeCycles(ctx context.Context, e *env.Env) { (&phase{e}).lifeCycles(ctx) }

// StateRefusals holds a resource in each declared state to the calls the
// state refuses.
func StateRefusals(ctx context.Context, e *env.Env) { (&phase{e}).stateRefusals(ctx) }

// FieldCases replays the requests Terraform's provider sends.
func FieldCases(ctx context.Context, e *env.Env) { (&phase{e}).fieldCases(ctx) }
