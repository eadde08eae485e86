// Package contract is the suite over the document: it holds
// openapi/dli.yaml to its own rules (examples, portable patterns, the seed
// page and the field cases), derives the negative cases of every schema,
// records the (operation, status) pairs exercised, and checks the generated
// client against every example. Package gate, the engine that checks a
// server, builds on it. Both run with `make contract`; see docs/gate.md.
package contract
