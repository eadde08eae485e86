// Package env is what each room of a run is given, and nothing more: a
// sender, the ledger that takes its findings, the document and its
// declarations, the values of the declared inputs, the run's clock and
// random source, and the settings a phase reads. It also holds what every
// room does alike with them: fill a path, read one resource, list all,
// build a body from the examples, and judge an answer accepted or
// refused. It plans nothing and runs no phase: package gate does.
package env

import (
	"math/rand/v2"
	"time"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate/keywords"
	"github.com/dli-contract/dli-go/gate/ledger"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/semantics"
	"github.com/dli-contract/dli-go/validate"
)

// Settings are the run's settings a phase reads, their defaults given.
type Settings struct {
	Endpoint, ProjectID string
	// Credentials sign the run's requests; a case of wrong credentials
	// reads them to forge others.
	Credentials auth.Credentials
	// Mutate allows creating, changing and deleting; Mock says the server
	// is a dli-mock, which docs/mock.md adds to the document.
	Mutate, Mock bool
	// Settle bounds the wait for a state to settle, polling every Poll.
	Settle, Poll time.Duration
	// MaxExamples, MaxSteps and MaxShrinks bound the generated requests
	// and sequences.
	MaxExamples, MaxSteps, MaxShrinks int
	RequestTimeout                    time.Duration
	// Inputs are the values given for the declared inputs, by name.
	Inputs map[string]string
	// Budgeted says the run has a request budget: a phase then spends a
	// request only where it adds (an invalid request that breaks a
	// constraint none broke yet).
	Budgeted bool
}

// Env is what a phase is given.
type Env struct {
	// Sender sends the requests a phase builds, signed or not.
	*wire.Sender
	// Ledger takes what a phase finds, and says whether the run stopped.
	*ledger.Ledger
	Cfg    Settings
	Doc    *validate.Document
	Sem    *semantics.Semantics
	Client *dli.ClientWithResponses
	KW     *keywords.Recorder
	Clock  clock.Clock
	Rng    *rand.Rand
	Seed   uint64
	// Inputs are the values of the declared inputs for this run, and free
	// those it sends what the examples and schemas give (inputs.go).
	Inputs map[string]string
	free   map[string]bool
}
