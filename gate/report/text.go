package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/gate/check"
)

// Failures renders the violations, numbered as -replay's -case takes them.
func (r Report) Failures() string {
	var b strings.Builder
	for i, v := range r.Violations {
		fmt.Fprintf(&b, "%d. VIOLATION %s\n", i+1, v)
	}
	return b.String()
}

// Text is the report's summary: a line per check, the (operation, status)
// pairs the server was seen to answer, what the run did not get to, what
// it left behind, and the verdict.
func (r Report) Text() string {
	var b strings.Builder
	if r.NotCarriedOut() {
		fmt.Fprintf(&b, "contract gate: could not run: %s\n", r.Problem)
		return b.String()
	}
	fmt.Fprintf(&b, "contract gate against %s: %s in %s, seed %d (pass -seed %d to repeat)\n",
		r.Endpoint, Count(r.Requests, "request"), r.Duration.Round(time.Millisecond), r.Seed, r.Seed)
	for _, name := range check.All {
		t := r.Checks[name]
		mark := "PASS"
		switch {
		case t.Failed > 0:
			mark = "FAIL"
		case t.Passed == 0:
			mark = "SKIP"
		}
		fmt.Fprintf(&b, "  %s %-30s %d passed, %d failed", mark, name, t.Passed, t.Failed)
		if t.NotRun > 0 {
			fmt.Fprintf(&b, ", %d not judged (throttled or cut short)", t.NotRun)
		}
		if why := r.NotJudged[name]; why != "" {
			fmt.Fprintf(&b, "; not judged: %s", why)
		}
		b.WriteString("\n")
	}
	s := r.Summary
	s.Failed = r.Failed()
	summary := s.String()
	// The summary's own last line is the result; it is given below.
	summary = summary[:strings.LastIndex(strings.TrimSuffix(summary, "\n"), "\n")+1]
	b.WriteString(summary)
	fmt.Fprintf(&b, "  keywords covered: %d of %d (each constraint of the request schemas both satisfied and broken)\n", r.Keywords.Covered, r.Keywords.Total)
	// A run that could not do much (a server answering 503) misses most
	// keywords: the first few say what kind, the JSON report has all.
	const shown = 20
	for i, m := range r.Keywords.Missing {
		if i == shown {
			fmt.Fprintf(&b, "    … and %d more not covered (all of them in the -json report)\n", len(r.Keywords.Missing)-shown)
			break
		}
		fmt.Fprintf(&b, "    not covered: %s\n", m)
	}
	if r.Problem != "" {
		fmt.Fprintf(&b, "  PROBLEM %s\n", r.Problem)
	}
	for _, n := range r.NotRun {
		fmt.Fprintf(&b, "  NOT RUN %s\n", n)
	}
	for _, n := range r.Skipped {
		fmt.Fprintf(&b, "  SKIPPED %s\n", n)
	}
	if r.Budget != nil {
		fmt.Fprintf(&b, "  %s\n", r.Budget.Line())
	}
	for _, n := range r.Budget.LeftOut() {
		fmt.Fprintf(&b, "  LEFT OUT %s\n", n)
	}
	for _, l := range r.Leftovers {
		fmt.Fprintf(&b, "  LEFT BEHIND %s; delete it by hand\n", l)
	}
	switch r.ExitCode() {
	case 0:
		b.WriteString("  result: PASS\n")
	case 1:
		fmt.Fprintf(&b, "  result: FAIL (%s, see above)\n", Count(len(r.Violations), "distinct violation"))
	default:
		b.WriteString("  result: INCOMPLETE (no violation found, but the run could not be carried out to the end; see above)\n")
	}
	return b.String()
}

// WriteJSON writes the report as JSON: checks, operations, violations
// (each with its request and answer, which -replay sends again),
// leftovers, what was not run, seed and request count.
func (r Report) WriteJSON(w io.Writer) error {
	if r.Violations == nil {
		r.Violations = []Violation{} // none found, which [] says and null does not
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Read reads a report WriteJSON wrote, and refuses any other JSON
// (a HAR, {}), saying what it lacks.
func Read(rd io.Reader) (Report, error) {
	raw, err := io.ReadAll(io.LimitReader(rd, 256<<20))
	if err != nil {
		return Report{}, err
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return Report{}, fmt.Errorf("not one JSON object: %w", err)
	}
	var missing []string
	for _, k := range []string{"endpoint", "seed", "checks", "violations"} {
		if _, ok := keys[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		hint := ""
		if _, ok := keys["log"]; ok {
			hint = " (it looks like a HAR file: give the report -json wrote)"
		}
		return Report{}, fmt.Errorf("it has no %s, which every report of dli-contract -json has%s", strings.Join(missing, ", "), hint)
	}
	var r Report
	if err := json.Unmarshal(raw, &r); err != nil {
		return Report{}, err
	}
	return r, nil
}

// WriteJUnit writes the report as JUnit XML: one test case per check, a
// failure per violation, and a case each for the run's problems and the
// cleanup, for CI systems that show test results.
func (r Report) WriteJUnit(w io.Writer) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
	type skipped struct {
		Message string `xml:"message,attr,omitempty"`
	}
	type testcase struct {
		Name      string    `xml:"name,attr"`
		Classname string    `xml:"classname,attr"`
		Failures  []failure `xml:"failure"`
		Skipped   *skipped  `xml:"skipped"`
	}
	type testsuite struct {
		XMLName  xml.Name   `xml:"testsuite"`
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Skipped  int        `xml:"skipped,attr"`
		Time     string     `xml:"time,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	suite := testsuite{Name: "dli-contract " + r.Endpoint, Time: fmt.Sprintf("%.3f", r.Duration.Seconds())}
	for _, name := range check.All {
		tc := testcase{Name: name, Classname: "dli-contract"}
		for _, v := range r.Violations {
			if v.Check == name {
				tc.Failures = append(tc.Failures, failure{Message: v.Operation + ": " + v.Message, Text: v.String()})
			}
		}
		if len(tc.Failures) == 0 && r.Checks[name].Passed == 0 {
			tc.Skipped = &skipped{Message: r.NotJudged[name]}
			suite.Skipped++
		}
		if len(tc.Failures) > 0 {
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, tc)
	}
	run := testcase{Name: "run", Classname: "dli-contract"}
	if r.Problem != "" {
		run.Failures = append(run.Failures, failure{Message: r.Problem})
	}
	for _, n := range r.NotRun {
		run.Failures = append(run.Failures, failure{Message: "not run: " + n})
	}
	cleanup := testcase{Name: "cleanup", Classname: "dli-contract"}
	for _, l := range r.Leftovers {
		cleanup.Failures = append(cleanup.Failures, failure{Message: "left behind: " + l.String()})
	}
	for _, n := range r.Skipped {
		suite.Cases = append(suite.Cases, testcase{Name: n, Classname: "dli-contract.skipped", Skipped: &skipped{}})
		suite.Skipped++
	}
	for _, n := range r.Budget.LeftOut() {
		suite.Cases = append(suite.Cases, testcase{Name: n, Classname: "dli-contract.left-out", Skipped: &skipped{Message: "left out by the budget"}})
		suite.Skipped++
	}
	for _, tc := range []testcase{run, cleanup} {
		if len(tc.Failures) > 0 {
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Tests = len(suite.Cases)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suite); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// Scrub passes every text of the report that may quote a request or an
// answer through sc, which hides the secrets the run saw.
func (rep *Report) Scrub(sc func(string) string) {
	for i := range rep.Violations {
		v := &rep.Violations[i]
		v.Message, v.Case, v.Group = sc(v.Message), sc(v.Case), sc(v.Group)
		if v.Exchange != nil {
			v.Exchange.Scrub(sc)
		}
	}
	for i := range rep.Leftovers {
		rep.Leftovers[i].LastAnswer = sc(rep.Leftovers[i].LastAnswer)
	}
	for i := range rep.NotRun {
		rep.NotRun[i] = sc(rep.NotRun[i])
	}
	rep.Problem = sc(rep.Problem)
	for _, ex := range rep.Exchanges {
		ex.Scrub(sc)
	}
}
