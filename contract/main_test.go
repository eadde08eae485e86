package contract_test

import (
	"flag"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/validate"
)

// The whole run shares one coverage record: every harness counts into it,
// and TestMain fails the run when a declared pair was never exercised.
var (
	coverage   *contract.Coverage
	casesRun   atomic.Int64
	reportPath = os.Getenv("DLI_CONTRACT_REPORT")
)

func TestMain(m *testing.M) {
	flag.Parse()
	doc, err := validate.Embedded()
	if err != nil {
		fmt.Fprintln(os.Stderr, "contract:", err)
		os.Exit(1)
	}
	coverage = contract.NewCoverage(doc.OpenAPI())
	code := m.Run()

	// Coverage is judged only on a full run: -run selects a subset on
	// purpose, and -list runs nothing.
	full := flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.list").Value.String() == ""
	rep := contract.Summary{
		Declared: contract.Declared(doc.OpenAPI()),
		Hits:     coverage.Hits(),
		Cases:    int(casesRun.Load()),
		Mode:     mode(),
	}
	if full {
		rep.Missing = coverage.Missing()
	}
	if code != 0 {
		rep.Failed = true
	}
	text := rep.String()
	if reportPath == "" {
		fmt.Print(text)
	} else {
		if err := os.WriteFile(reportPath, []byte(text), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "contract: write report:", err)
			code = 1
		}
	}
	if len(rep.Missing) > 0 && code == 0 {
		code = 1
	}
	os.Exit(code)
}

func mode() string {
	if os.Getenv("DLI_ENDPOINT") != "" {
		return "live " + os.Getenv("DLI_ENDPOINT")
	}
	return "in-process"
}

// caseRun counts one contract case for the summary.
func caseRun() { casesRun.Add(1) }
