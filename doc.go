// Package dligo is the home of a Go client and contract gate for Huawei
// Cloud DLI's datasource connection API: enhanced connections, the
// deprecated classic ones, and the authorization call that shares a
// connection with another project.
//
// openapi/dli.yaml is the single source of truth. From it, `go generate`
// produces the client in gen/dli (types, Client, ClientWithResponses), the
// server interface in gen/server, the embedded document in gen/spec and
// the typed methods of client.Client (client/operations.gen.go); no
// generated file is edited by hand.
// Hand-written packages plug into the generated client through its options
// and never patch it:
//
//   - client: client.New, one typed method per operation, waiters and a
//     paginator, over the generated client with endpoint, auth, retries
//     and timeouts wired in;
//   - auth: AK/SK signing (SDK-HMAC-SHA256) and verification, token auth;
//   - apierror: one typed error for every failed call;
//   - retry: retries that never duplicate a create;
//   - endpoint: region to endpoint;
//   - validate: checks requests (and optionally responses) against the
//     document before anything is sent;
//   - mockserver: a stateful stand-in server (cmd/dli-mock runs it);
//   - contract: the contract gate, in-process or against a live server.
//
// See the package examples and README.md.
package dligo

// The generator is pinned in tools/go.mod and run from there, so programs
// that import the client never inherit its dependencies. Paths in the
// configs are relative to tools/.
//go:generate go -C tools run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config ../gen/dli/config.yaml ../openapi/dli.yaml
//go:generate go -C tools run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config ../gen/spec/config.yaml ../openapi/dli.yaml
//go:generate go -C tools run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config ../gen/server/config.yaml ../openapi/dli.yaml
//go:generate go -C tools run ./typedgen -in ../openapi/dli.yaml -out ../client/operations.gen.go
