package sequences

import (
	"flag"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Running rapid outside `go test`. rapid takes its settings from flags of
// the process (rapid.checks, rapid.seed ...), and asks testing.Short,
// which needs testing.Init: both are the process's, not the run's, so
// every use holds rapidMu, and this file alone touches testing and flags.
var (
	rapidMu   sync.Mutex
	rapidInit sync.Once
)

// shortDivisor is what rapid divides its checks by under go test -short.
const shortDivisor = 5

// rapidSettings are what a run of the sequences sets rapid to.
type rapidSettings struct {
	checks, steps int
	seed          uint64
	shrinkTime    time.Duration
}

// lockRapid takes rapid for one run of the sequences, set as s; setChecks
// changes the count of sequences for a later rapid.Check of the same run,
// and unlock gives rapid back.
func lockRapid(s rapidSettings) (setChecks func(int), unlock func()) {
	rapidMu.Lock()
	rapidInit.Do(func() {
		testing.Init()
		if !flag.Parsed() {
			_ = flag.CommandLine.Parse(nil)
		}
	})
	checks := s.checks
	if testing.Short() && checks > 0 && checks < shortDivisor {
		// rapid runs a fifth of the checks under go test -short: a run
		// asked for one sequence (a budget's) still gets one.
		checks = shortDivisor
	}
	for name, v := range map[string]string{"rapid.checks": strconv.Itoa(checks), "rapid.steps": strconv.Itoa(s.steps),
		"rapid.seed": strconv.FormatUint(s.seed, 10), "rapid.nofailfile": "true", "rapid.shrinktime": s.shrinkTime.String()} {
		_ = flag.Set(name, v)
	}
	return func(n int) { _ = flag.Set("rapid.checks", strconv.Itoa(n)) }, rapidMu.Unlock
}

// rapidTB lets rapid run outside `go test`: it keeps whether the property
// failed, and what rapid said; the gate reports the shrunk sequence itself.
type rapidTB struct {
	failed bool
	said   []string
}

func (*rapidTB) Helper()              {}
func (*rapidTB) Name() string         { return "dli-contract" }
func (*rapidTB) Logf(string, ...any)  {}
func (*rapidTB) Log(...any)           {}
func (*rapidTB) Skipf(string, ...any) {}
func (*rapidTB) Skip(...any)          {}
func (*rapidTB) SkipNow()             {}
func (tb *rapidTB) Errorf(format string, args ...any) {
	tb.failed = true
	tb.said = append(tb.said, fmt.Sprintf(format, args...))
}
func (tb *rapidTB) Error(args ...any)                 { tb.Errorf("%s", fmt.Sprint(args...)) }
func (tb *rapidTB) Fatalf(format string, args ...any) { tb.Errorf(format, args...) }
func (tb *rapidTB) Fatal(args ...any)                 { tb.Error(args...) }
func (tb *rapidTB) FailNow()                          { tb.failed = true }
func (tb *rapidTB) Fail()                             { tb.failed = true }
func (tb *rapidTB) Failed() bool                      { return tb.failed }
