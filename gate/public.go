package gate

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/report"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/validate"
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

// What a run found, as package report has it.
type (
	Report         = report.Report
	Violation      = report.Violation
	CheckTally     = report.CheckTally
	OperationTally = report.OperationTally
	Leftover       = report.Leftover
	ReplayResult   = report.ReplayResult
)

// ReadReport reads a report written by Report.WriteJSON.
func ReadReport(rd io.Reader) (Report, error) { return report.Read(rd) }

// Replay sends a violation's request again and judges the answer as the
// check that found it did (report.Replay).
func Replay(ctx context.Context, v Violation, creds auth.Credentials, network http.RoundTripper, doc *validate.Document, timeout time.Duration) (ReplayResult, error) {
	return report.Replay(ctx, v, creds, network, doc, timeout)
}
