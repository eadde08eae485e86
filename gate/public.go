package gate

import (
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/wire"
)

// The checks, named as package check names them, for the callers of Run.
const (
	CheckServerError  = check.ServerError
	CheckStatus       = check.Status
	CheckContentType  = check.ContentType
	CheckSchema       = check.Schema
	CheckSecrets      = check.Secrets
	CheckNegative     = check.Negative
	CheckPositive     = check.Positive
	CheckIgnoredAuth  = check.IgnoredAuth
	CheckUnsupported  = check.Unsupported
	CheckAvailability = check.Availability
	CheckUseAfterFree = check.UseAfterFree
	CheckTransitions  = check.Transitions
	CheckUnchanged    = check.Unchanged
	CheckModel        = check.Model
)

// AllChecks lists every check in the order a report shows them.
var AllChecks = check.All

// CheckDescriptions is the list of checks, one a line, for -h.
func CheckDescriptions() string { return check.Descriptions() }

// Exchange is a request the run sent and its answer, as a report shows
// them; package wire records them.
type Exchange = wire.Exchange
