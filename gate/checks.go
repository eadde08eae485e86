package gate

import (
	"slices"
	"strings"
)

// Check names: Schemathesis's where it has one, so that a team that knows
// it knows what each means.
const (
	CheckServerError  = "not_a_server_error"
	CheckStatus       = "status_code_conformance"
	CheckContentType  = "content_type_conformance"
	CheckSchema       = "response_schema_conformance"
	CheckSecrets      = "write_only_never_answered"
	CheckNegative     = "negative_data_rejection"
	CheckPositive     = "positive_data_acceptance"
	CheckIgnoredAuth  = "ignored_auth"
	CheckUnsupported  = "unsupported_method"
	CheckAvailability = "ensure_resource_availability"
	CheckUseAfterFree = "use_after_free"
	CheckTransitions  = "state_transitions"
	CheckUnchanged    = "refusal_changes_nothing"
	CheckModel        = "model_conformance"
)

// replayRule is how -replay judges a check's failure again: every replay
// holds the answer to the document; some also want it refused.
type replayRule int

const (
	replayShape   replayRule = iota // the answer fits the document
	replayRefused                   // and is a 4xx refusal
	replayRoute                     // a 4xx, of a route the document has no operation for
)

// checkDef is one check: what it holds a server to, the phases that judge
// it, and how -replay judges its failure again. The table below is the
// one place a check is declared: AllChecks, -checks and -exclude-checks,
// the phases run and -replay derive from it.
type checkDef struct {
	name, means string
	phases      []string
	replay      replayRule
}

// The phases, by name, in the order a run takes them.
const (
	phaseReads      = "reads"
	phaseValid      = "valid requests"
	phaseInvalid    = "invalid requests"
	phaseAuth       = "credentials"
	phaseUndeclared = "undeclared routes"
	phaseLife       = "life cycles"
	phaseRefusals   = "state refusals"
	phaseField      = "field cases"
	phaseSequences  = "generated sequences"
)

// every is each phase, in the order a run takes them: a check of every
// answer is judged wherever one comes.
var every = []string{phaseReads, phaseValid, phaseInvalid, phaseAuth, phaseUndeclared, phaseLife, phaseRefusals, phaseField, phaseSequences}

// mutating are the phases that create and delete, run only with -mutate.
var mutating = []string{phaseLife, phaseRefusals, phaseField, phaseSequences}

var checkTable = []checkDef{
	{CheckServerError, "no answer is a 5xx", every, replayShape},
	{CheckStatus, "each status is one the operation declares", every, replayShape},
	{CheckContentType, "each answer's Content-Type is one its status declares", every, replayShape},
	{CheckSchema, "each answer's body fits its declared schema", every, replayShape},
	{CheckSecrets, "no answer carries what the document marks writeOnly (a password)", every, replayShape},
	{CheckNegative, "each invalid request is refused with a 4xx", []string{phaseInvalid, phaseLife}, replayRefused},
	{CheckPositive, "each valid request is accepted", []string{phaseValid, phaseLife, phaseField}, replayShape},
	{CheckIgnoredAuth, "missing, wrong or forged credentials get 401", []string{phaseAuth}, replayRefused},
	{CheckUnsupported, "a route the document does not declare is refused", []string{phaseUndeclared}, replayRoute},
	{CheckAvailability, "what was created is read and listed, and deleted", []string{phaseLife}, replayShape},
	{CheckUseAfterFree, "what was deleted reads as deleted and refuses changes", []string{phaseLife}, replayRefused},
	{CheckTransitions, "states move only as declared, settle within -settle, and refuse what they declare", []string{phaseLife, phaseRefusals}, replayShape},
	{CheckUnchanged, "refused requests change nothing", []string{phaseInvalid}, replayShape},
	{CheckModel, "generated call sequences answer as the model of the operations says", []string{phaseSequences}, replayShape},
}

// AllChecks lists every check in the order a report shows them.
var AllChecks = func() []string {
	out := make([]string, len(checkTable))
	for i, c := range checkTable {
		out[i] = c.name
	}
	return out
}()

// checkOf is the table's row of a check.
func checkOf(name string) (checkDef, bool) {
	i := slices.IndexFunc(checkTable, func(c checkDef) bool { return c.name == name })
	if i < 0 {
		return checkDef{}, false
	}
	return checkTable[i], true
}

// checksOf are the checks a phase judges.
func checksOf(phase string) []string {
	var out []string
	for _, c := range checkTable {
		if slices.Contains(c.phases, phase) {
			out = append(out, c.name)
		}
	}
	return out
}

// CheckDescriptions says, per check, what it holds a server to: one line
// each, in report order, for -help and reports.
func CheckDescriptions() string {
	var b strings.Builder
	for _, c := range checkTable {
		b.WriteString("  " + c.name + strings.Repeat(" ", max(1, 30-len(c.name))) + c.means + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}
