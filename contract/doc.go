// Package contract is the contract gate: it holds the document, the
// generated client and any server, in-process or live, to openapi/dli.yaml.
//
// The checks live here as functions so that the suite (the tests of this
// package), the command (cmd/dli-contract, which runs Gate against any
// server) and the proofs that each check fails when it should call the
// same code. The suite and the command run with `make contract`; see
// README.md.
package contract
