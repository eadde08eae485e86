// Package dli is the generated Go client of DLI's classic datasource
// connection API, described by openapi/dli.yaml.
//
// Everything in dli.gen.go comes from the document; change the document and
// run `go generate ./...`, never the generated file. Authentication, typed
// errors, retries and validation plug in through the client's options
// (WithHTTPClient, WithRequestEditorFn) from the sibling packages.
package dli

// The generator is pinned in tools/go.mod and run from there so that this
// module's users never inherit its dependencies.
//go:generate go -C ../../tools run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config ../gen/dli/config.yaml ../openapi/dli.yaml
