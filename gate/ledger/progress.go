package ledger

import (
	"fmt"
	"sync"
	"time"

	"github.com/dli-contract/dli-go/gate/report"
)

// progressEvery is how often a long phase says how far it is: a person
// watching a run, or a CI log, must not wonder whether it hangs.
const progressEvery = 10 * time.Second

// progress is where the run is, for the lines a long phase prints. It is
// read on the run's clock, at each request: a phase that sends nothing
// for ten seconds is waiting, and says so where it waits.
type progress struct {
	mu     sync.Mutex
	phase  string
	began  time.Time
	last   time.Time
	sentAt int // requests sent before the phase began
	// sequence says which generated sequence runs, e.l. "sequence 3 of 40".
	sequence string
}

// StartPhase notes that a phase began.
func (l *Ledger) StartPhase(name string) {
	now := l.clock.Now()
	sent := l.requests()
	p := &l.progress
	p.mu.Lock()
	defer p.mu.Unlock()
	p.phase, p.began, p.last, p.sentAt = name, now, now, sent
	p.sequence = ""
}

// AtSequence notes which generated sequence runs, e.l. "sequence 3 of 40".
func (l *Ledger) AtSequence(which string) {
	l.progress.mu.Lock()
	defer l.progress.mu.Unlock()
	l.progress.sequence = which
}

// Tick prints where the phase is when it last did so progressEvery ago.
func (l *Ledger) Tick() {
	now := l.clock.Now()
	sent := l.requests()
	p := &l.progress
	p.mu.Lock()
	if p.phase == "" || now.Sub(p.last) < progressEvery {
		p.mu.Unlock()
		return
	}
	p.last = now
	line := fmt.Sprintf("  … %s, %s in: %s so far", p.phase, now.Sub(p.began).Round(time.Second), report.Count(sent-p.sentAt, "request"))
	if p.sequence != "" {
		line += ", " + p.sequence
	}
	p.mu.Unlock()
	l.Logf("%s", line)
}
