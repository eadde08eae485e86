// Package local is what the examples share: a client of DLI as the
// environment names it, or, when it names no endpoint and no region, of a
// dli-mock on this machine, which needs no account.
package local

import (
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/client"
	"github.com/dli-contract/dli-go/endpoint"
)

// MockEndpoint is where go run ./cmd/dli-mock listens by default.
const MockEndpoint = "http://127.0.0.1:8080"

// MockProject is the project the examples use with a dli-mock, which
// takes any, when HUAWEICLOUD_SDK_PROJECT_ID is not set.
const MockProject = "0123456789abcdef0123456789abcdef"

// Client is a client of DLI_ENDPOINT, or of DLI_REGION's public endpoint,
// with the credentials and the project where the official SDK finds them
// (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID, then
// ~/.huaweicloud/credentials). With neither set, it is a client of a
// dli-mock at MockEndpoint. A client of this machine (a dli-mock) is
// signed when HUAWEICLOUD_SDK_AK is set, as the mock started in the same
// environment checks, and anonymous otherwise, as a mock started without
// keys takes it; its project is MockProject unless one is set.
func Client(getenv func(string) string) (*client.Client, error) {
	o := client.Options{
		Endpoint:            getenv("DLI_ENDPOINT"),
		Region:              getenv("DLI_REGION"),
		ProjectID:           getenv(auth.EnvProjectID),
		CredentialsProvider: auth.DefaultChain(auth.ChainOptions{Getenv: getenv}),
	}
	if o.Endpoint == "" && o.Region == "" {
		o.Endpoint = MockEndpoint
	}
	if endpoint.Loopback(o.Endpoint) {
		if getenv(auth.EnvAK) == "" {
			o.Credentials = auth.Anonymous
		}
		if o.ProjectID == "" {
			o.ProjectID = MockProject
		}
	}
	return client.New(o)
}

// Or is the environment variable name, or fallback when it is not set.
func Or(getenv func(string) string, name, fallback string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return fallback
}
