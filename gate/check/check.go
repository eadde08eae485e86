// Package check is the gate's one declaration of its checks, like
// Schemathesis's checks.py: each check's name, what it holds a server to,
// the phases that judge it and how -replay judges its failure again.
// AllChecks, -checks and -exclude-checks, the phases a run takes and
// -replay all derive from its table. It imports nothing of the gate.
package check

import (
	"slices"
	"strings"
)

// Check names: Schemathesis's where it has one, so that a team that knows
// it knows what each means.
const (
	ServerError  = "not_a_server_error"
	Status       = "status_code_conformance"
	ContentType  = "content_type_conformance"
	Schema       = "response_schema_conformance"
	Secrets      = "write_only_never_answered"
	Negative     = "negative_data_rejection"
	Positive     = "positive_data_acceptance"
	IgnoredAuth  = "ignored_auth"
	Unsupported  = "unsupported_method"
	Availability = "ensure_resource_availability"
	UseAfterFree = "use_after_free"
	Transitions  = "state_transitions"
	Unchanged    = "refusal_changes_nothing"
	Model        = "model_conformance"
)

// ReplayRule is how -replay judges a check's failure again: every replay
// holds the answer to the document; some also want it refused.
type ReplayRule int

const (
	ReplayShape   ReplayRule = iota // the answer fits the document
	ReplayRefused                   // and is a 4xx refusal
	ReplayRoute                     // a 4xx, of a route the document has no operation for
)

// Def is one check: what it holds a server to, the phases that judge
// it, and how -replay judges its failure again. The table below is the
// one place a check is declared: All, -checks and -exclude-checks,
// the phases run and -replay derive from it.
type Def struct {
	Name, Means string
	Phases      []string
	Replay      ReplayRule
}

// The phases, by name, in the order a run takes them.
const (
	PhaseReads      = "reads"
	PhaseValid      = "valid requests"
	PhaseInvalid    = "invalid requests"
	PhaseAuth       = "credentials"
	PhaseUndeclared = "undeclared routes"
	PhaseLife       = "life cycles"
	PhaseRefusals   = "state refusals"
	PhaseField      = "field cases"
	PhaseSequences  = "generated sequences"
)

// Phases is each phase, in the order a run takes them: a check of every
// answer is judged wherever one comes.
var Phases = []string{PhaseReads, PhaseValid, PhaseInvalid, PhaseAuth, PhaseUndeclared, PhaseLife, PhaseRefusals, PhaseField, PhaseSequences}

// Mutating are the phases that create and delete, run only with -mutate.
var Mutating = []string{PhaseLife, PhaseRefusals, PhaseField, PhaseSequences}

var table = []Def{
	{ServerError, "no answer is a 5xx", Phases, ReplayShape},
	{Status, "each status is one the operation declares", Phases, ReplayShape},
	{ContentType, "each answer's Content-Type is one its status declares", Phases, ReplayShape},
	{Schema, "each answer's body fits its declared schema", Phases, ReplayShape},
	{Secrets, "no answer carries what the document marks writeOnly (a password)", Phases, ReplayShape},
	{Negative, "each invalid request is refused with a 4xx", []string{PhaseInvalid, PhaseLife}, ReplayRefused},
	{Positive, "each valid request is accepted", []string{PhaseValid, PhaseLife, PhaseField}, ReplayShape},
	{IgnoredAuth, "missing, wrong or forged credentials get 401", []string{PhaseAuth}, ReplayRefused},
	{Unsupported, "a route the document does not declare is refused", []string{PhaseUndeclared}, ReplayRoute},
	{Availability, "what was created is read and listed, and deleted", []string{PhaseLife}, ReplayShape},
	{UseAfterFree, "what was deleted reads as deleted and refuses changes", []string{PhaseLife}, ReplayRefused},
	{Transitions, "states move only as declared, settle within -settle, and refuse what they declare", []string{PhaseLife, PhaseRefusals}, ReplayShape},
	{Unchanged, "refused requests change nothing", []string{PhaseInvalid}, ReplayShape},
	{Model, "generated call sequences answer as the model of the operations says", []string{PhaseSequences}, ReplayShape},
}

// All lists every check in the order a report shows them.
var All = func() []string {
	out := make([]string, len(table))
	for i, c := range table {
		out[i] = c.Name
	}
	return out
}()

// Of is the table's row of a check.
func Of(name string) (Def, bool) {
	i := slices.IndexFunc(table, func(c Def) bool { return c.Name == name })
	if i < 0 {
		return Def{}, false
	}
	return table[i], true
}

// OfPhase are the checks a phase judges.
func OfPhase(phase string) []string {
	var out []string
	for _, c := range table {
		if slices.Contains(c.Phases, phase) {
			out = append(out, c.Name)
		}
	}
	return out
}

// Descriptions says, per check, what it holds a server to: one line
// each, in report order, for -help and reports.
func Descriptions() string {
	var b strings.Builder
	for _, c := range table {
		b.WriteString("  " + c.Name + strings.Repeat(" ", max(1, 30-len(c.Name))) + c.Means + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Table is every check's declaration, in the order a report shows them.
func Table() []Def { return slices.Clone(table) }
