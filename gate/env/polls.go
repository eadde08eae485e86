package env

import (
	"context"
	"time"
)

// MaxPoll caps the wait between two polls of a wait for a state to
// settle: the client's waiter's cap (client.DefaultWaitMaxDelay).
const MaxPoll = 30 * time.Second

// Polls is the schedule of one wait for a state to settle: the first
// pause is -poll, each next twice the last, up to MaxPoll (never below
// -poll), as the client's waiter backs off. A binding on live DLI takes
// minutes; a poll every two seconds of them spends requests and quota on
// nothing.
type Polls struct {
	g    *Env
	next time.Duration
}

// Polls starts the schedule of a wait.
func (g *Env) Polls() *Polls { return &Polls{g: g, next: g.Cfg.Poll} }

// Pause waits the schedule's next pause on the run's clock, and doubles
// the one after; an error when ctx ended first. It waits in steps of
// -poll, after each of which a long phase may say how far it is: a pause
// grows past the ten seconds in which a person watching is told.
func (p *Polls) Pause(ctx context.Context) error {
	left := p.next
	p.next = min(2*p.next, max(MaxPoll, p.g.Cfg.Poll))
	for left > 0 {
		step := min(left, p.g.Cfg.Poll)
		if step <= 0 {
			step = left
		}
		if err := p.g.Clock.Sleep(ctx, step); err != nil {
			return err
		}
		left -= step
		p.g.Tick()
	}
	return nil
}
