package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/keywords"
)

// The HTML report: one self-contained page (styles inline, no script,
// nothing loaded from the network) rendered from the same Report the JSON
// report is written from.

//go:embed report.html.tmpl
var reportHTML string

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
	// message is a violation's message without its steps, which the page
	// lists apart.
	"message": func(m string) string { head, _, _ := strings.Cut(m, "\n      steps:\n"); return head },
	"steps":   steps,
}).Parse(reportHTML))

// steps are the numbered steps of a violation's shrunk sequence.
func steps(m string) []string {
	_, rest, ok := strings.Cut(m, "\n      steps:\n")
	if !ok {
		return nil
	}
	var out []string
	for _, l := range strings.Split(rest, "\n") {
		l = strings.TrimSpace(l)
		if i := strings.Index(l, ". "); i > 0 && i < 5 {
			out = append(out, l[i+2:])
		}
	}
	return out
}

type htmlCell struct {
	Pair     string
	Declared bool
	Hits     int
	// Class says what a cell's count means: answered, failed (a violation
	// was found in such an answer), unreached (declared and never
	// answered) or unneeded (a 5xx or default, which no request needs).
	Class, Title string
}

type htmlRow struct {
	Op    string
	Cells []htmlCell
}

type htmlCheck struct {
	Name, Means, Class string
	T                  CheckTally
}

type htmlKeywords struct {
	Op string
	T  keywords.Tally
}

type htmlPage struct {
	R                   Report
	Verdict, Meaning    string
	Duration, Throttled string
	JSON                string
	Checks              []htmlCheck
	Statuses            []string
	Matrix              []htmlRow
	Covered, Declared   int
	Keywords            []htmlKeywords
}

// WriteHTML writes the report as one HTML page; jsonPath, when set, is
// the JSON report's path, which the page's replay commands name.
func (r Report) WriteHTML(w io.Writer, jsonPath string) error {
	p := htmlPage{R: r, JSON: jsonPath, Duration: r.Duration.Round(time.Millisecond).String(), Throttled: r.ThrottledFor.String()}
	switch r.ExitCode() {
	case 0:
		p.Verdict, p.Meaning = "PASS", "The server kept the contract in everything the run checked."
	case 1:
		p.Verdict, p.Meaning = "FAIL", fmt.Sprintf("The server broke the contract: %s, below.", Count(len(r.Violations), "distinct violation"))
	default:
		p.Verdict, p.Meaning = "INCOMPLETE", "No violation was found, but the run could not be carried out to the end: see what did not run."
	}
	descriptions := map[string]string{}
	for _, c := range check.Table() {
		descriptions[c.Name] = c.Means
	}
	for _, name := range check.All {
		t := r.Checks[name]
		class := "pass"
		switch {
		case t.Failed > 0:
			class = "fail"
		case t.Passed == 0:
			class = "none"
		}
		p.Checks = append(p.Checks, htmlCheck{Name: name, Means: descriptions[name], Class: class, T: t})
	}
	declared := map[string]map[string]bool{}
	statuses := map[string]bool{}
	for _, pair := range r.Summary.Declared {
		if declared[pair.Operation] == nil {
			declared[pair.Operation] = map[string]bool{}
		}
		declared[pair.Operation][pair.Status] = true
		statuses[pair.Status] = true
	}
	// The statuses in order, default last ("~" sorts after the digits).
	p.Statuses = slices.SortedFunc(maps.Keys(statuses), func(a, b string) int {
		return strings.Compare(strings.Replace(a, "default", "~", 1), strings.Replace(b, "default", "~", 1))
	})
	failed := map[string]bool{}
	for _, v := range r.Violations {
		failed[v.Operation+" "+strconv.Itoa(v.Status)] = true
	}
	for _, op := range slices.Sorted(maps.Keys(declared)) {
		row := htmlRow{Op: op}
		for _, st := range p.Statuses {
			pair := contract.Pair{Operation: op, Status: st}
			c := htmlCell{Pair: pair.String(), Declared: declared[op][st]}
			if c.Declared {
				c.Hits = r.Summary.Hits[pair]
				p.Declared++
				switch {
				case failed[c.Pair]:
					c.Class, c.Title = "failed", "answered, and a violation was found in such an answer"
				case c.Hits > 0:
					c.Class, c.Title = "answered", "answered"
				case contract.Unneeded(pair):
					c.Class, c.Title = "unneeded", "declared, and no request needed it: a server that keeps the contract need never answer a 5xx or default"
				default:
					c.Class, c.Title = "unreached", "declared, and never reached: no request of the run got this answer"
				}
				if c.Hits > 0 {
					p.Covered++
				}
			}
			row.Cells = append(row.Cells, c)
		}
		p.Matrix = append(p.Matrix, row)
	}
	for _, op := range slices.Sorted(maps.Keys(r.Keywords.ByOperation)) {
		p.Keywords = append(p.Keywords, htmlKeywords{Op: op, T: r.Keywords.ByOperation[op]})
	}
	return reportTemplate.Execute(w, p)
}
