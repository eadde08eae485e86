package gate

import (
	"fmt"
	"net/http"
	"time"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/validate"
)

// Target is a server to hold to the contract: a live DLI endpoint, a local
// mock, or the mock in-process.
type Target struct {
	Endpoint  string
	ProjectID string
	// Transport reaches the server and authenticates with Credentials, for
	// a caller that wants the same connection the gate checks (Gate itself
	// signs with Credentials over Config.Network).
	Transport http.RoundTripper
	// Credentials sign requests; nil sends anonymous ones.
	Credentials auth.Credentials
	// Mutate allows creating, changing and deleting connections. Whatever
	// a run creates, it deletes, even when a check fails.
	Mutate bool
	// Inputs are what the run creates with, by the name of each input the
	// document declares (x-dli-cloud-inputs, DeclaredInputs): a real VPC,
	// subnet, pool and the like, which live DLI checks. With none of them
	// set, each input's declared mock value is sent, which suits a mock; an
	// input not given is left out of what the run sends, and a create
	// whose inputs go together (the classic connection's) is not run
	// without them.
	Inputs map[string]string
	// Mock says the server is a dli-mock, whose docs/mock.md adds to the
	// document: it takes any queue, pool or route table, and a binding
	// named fail_* ends FAILED. The model then holds it to that too.
	Mock bool
	// Doc is the document to hold the server to; the embedded one when nil.
	Doc *validate.Document
	// Coverage counts the pairs exercised; a private record when nil.
	Coverage *contract.Coverage
	// Settle is how long to wait for bindings and new connections to leave
	// CREATING (default 2 minutes), polling every Poll (default 2 seconds).
	Settle, Poll time.Duration
}

// CredentialsKind names what kind of credentials a run signs with, never
// them: "AK/SK", "token" or "none", as dli-mock's GET /_mock/info names
// what it checks.
func CredentialsKind(c auth.Credentials) string {
	switch c.(type) {
	case auth.AKSK:
		return "AK/SK"
	case auth.Token:
		return "token"
	case nil:
		return "none"
	}
	if c == auth.Anonymous {
		return "none"
	}
	return fmt.Sprintf("%T", c)
}
