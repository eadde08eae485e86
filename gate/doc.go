// Package gate is the engine that holds a server, live DLI, a proxy, a
// private-cloud stand-in or the mock, to openapi/dli.yaml: it signs DLI's
// requests, sends generated valid and invalid ones, follows the life
// cycles, replays the field cases, judges every answer against the
// document, cleans up what it created, and reports. cmd/dli-contract runs
// it; package contract, the suite over the document, feeds it the derived
// cases, the field cases and the coverage record.
//
// # Layout
//
// The gate is rooms with walls: packages named for their jobs, each in a
// layer, importing only from layers below its own (layout_test.go holds
// it, and the sizes: no file over 600 lines, no package over 2,500, this
// one at most 1,500).
//
//	7  gate        plans the run (plan.go, budget.go) and runs it: Config, Run, the
//	               bounds, the setup, the report put together
//	6  phases      the checks taken in turn: reads, valid and invalid
//	               requests, credentials, undeclared routes, life cycles,
//	               state refusals, field cases
//	6  sequences   rapid's state machines, the links and their runtime
//	               expressions, the calls held to the model, shrinking
//	5  model       what the server should hold, and each call's outcome
//	5  cleanup     what the run created, deleted and seen gone
//	4  env         what a room is given (Env: a sender, the ledger, the
//	               document and its declarations, the inputs, the clock),
//	               and what every room does alike with it
//	3  ledger      the one owner of the run's state: verdicts, tallies,
//	               violations, exchanges, resources made, what did not run,
//	               the budget spent
//	2  report      a finished run and its writers: text, JSON, JUnit, HTML,
//	               HAR; -replay
//	1  wire        the observer, the throttler, the rate limit, exchanges,
//	               redaction, the sender
//	1  keywords    keyword coverage
//	0  check       the check table: each check, its phases, its replay
//	0  internal/pattern  a schema pattern compiled once
//
// The wire tells what it sees to a Listener, which the ledger is, and
// asks it whether a request may go out (the budget). A phase
// gets an Env, not the run: it cannot reach the plan, the bounds or
// another phase. The report reads a finished Report and never the run.
//
// What the document cannot declare is in Go, by operationId, in three
// registries, one per room that acts on it: what the model predicts
// (model/registry.go), what a sequence does (sequences/registry.go), and
// what a life cycle checks (phases/registry.go, phases/lifecycle_hooks.go).
// No other file of the gate names an operation.
package gate
