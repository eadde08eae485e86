package gate

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/dli-contract/dli-go/contract"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/gen/dli"
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
	// Create is the classic connection a mutating run creates (its name is
	// made unique per run). A real DLI needs a real security group, subnet
	// and service address; the zero value suits a mock.
	Create dli.ConnectionCreateRequest
	// SkipClassic leaves out the classic life cycle of a mutating run: the
	// classic API is past its end of life, and a live DLI may refuse it.
	SkipClassic bool
	// Enhanced is the enhanced connection a mutating run creates (its name
	// is made unique per run): a real VPC, subnet and elastic resource
	// pool for a real DLI; the zero value suits a mock.
	Enhanced dli.EnhancedConnectionCreateRequest
	// Queue, optional, is a queue a mutating run may bind, and
	// GranteeProjectID, optional, a project it may grant a connection to:
	// the field cases that need them are skipped without.
	Queue, GranteeProjectID string
	// Mock says the server is a dli-mock, whose README adds to the
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

// mockConnection is what a run creates when Target.Create is not set.
var mockConnection = dli.ConnectionCreateRequest{
	Service: "RDS", URL: "192.168.0.10:3306",
	SecurityGroupID: "a07ab107-a4ad-4835-ad09-08a2f2efccdb", NetworkID: "e83ba67d-e812-42d3-908d-6ea0b2cc5ecb",
}

// mockQueue and mockGrantee stand in for a real queue and a real other
// project against a mock.
const (
	mockQueue   = "contract_queue"
	mockGrantee = "fedcba9876543210fedcba9876543210"
)

// mockEnhanced is what a run creates when Target.Enhanced is not set.
var mockEnhanced = dli.EnhancedConnectionCreateRequest{
	DestVpcID: "22094d8f-c310-4621-913d-4c4d655d8495", DestNetworkID: "78f2562a-36e4-4b39-95b9-f5aab22e1281",
	ElasticResourcePools: []string{"contract_pool"},
}

func marshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
