// Package gate is the engine that holds a server, live DLI, a proxy, a
// private-cloud stand-in or the mock, to openapi/dli.yaml: it signs DLI's
// requests, sends generated valid and invalid ones, follows the life
// cycles, replays the field cases, judges every answer against the
// document, cleans up what it created, and reports. cmd/dli-contract runs
// it; package contract, the suite over the document, feeds it the derived
// cases, the field cases and the coverage record.
package gate
