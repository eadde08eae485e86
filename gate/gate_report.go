package gate

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// Text is the report as the command prints it at the end: a line per
// check, the (operation, status) pairs the server was seen to answer, and
// what to pass back to reproduce the run.
func (r Report) Text() string {
	var b strings.Builder
	if r.Problem != "" {
		fmt.Fprintf(&b, "contract gate: could not run: %s\n", r.Problem)
		return b.String()
	}
	fmt.Fprintf(&b, "contract gate against %s: %d requests in %s, seed %d (pass -seed %d to repeat)\n",
		r.Endpoint, r.Requests, r.Duration.Round(time.Millisecond), r.Seed, r.Seed)
	for _, name := range AllChecks {
		t := r.Checks[name]
		mark := "PASS"
		switch {
		case t.Failed > 0:
			mark = "FAIL"
		case t.Passed == 0:
			mark = "SKIP"
		}
		fmt.Fprintf(&b, "  %s %-30s %d passed, %d failed\n", mark, name, t.Passed, t.Failed)
	}
	s := r.Summary
	s.Failed = r.Failed()
	b.WriteString(s.String())
	return b.String()
}

// WriteJSON writes the report as JSON: checks, violations (each with its
// curl reproduction), seed and request count.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteJUnit writes the report as JUnit XML: one test case per check, a
// failure per violation, for CI systems that show test results.
func (r Report) WriteJUnit(w io.Writer) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
	type testcase struct {
		Name      string    `xml:"name,attr"`
		Classname string    `xml:"classname,attr"`
		Failures  []failure `xml:"failure"`
		Skipped   *struct{} `xml:"skipped"`
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
	for _, name := range AllChecks {
		tc := testcase{Name: name, Classname: "dli-contract"}
		for _, v := range r.Violations {
			if v.Check == name {
				tc.Failures = append(tc.Failures, failure{Message: v.Operation + ": " + v.Message, Text: v.String()})
			}
		}
		if len(tc.Failures) == 0 && r.Checks[name].Passed == 0 {
			tc.Skipped = &struct{}{}
			suite.Skipped++
		}
		if len(tc.Failures) > 0 {
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, tc)
	}
	if r.Problem != "" {
		suite.Cases = append(suite.Cases, testcase{Name: "run", Classname: "dli-contract", Failures: []failure{{Message: r.Problem}}})
		suite.Failures++
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
