// Package clock is the one place the gate and the mock take the time from
// and wait on. What is only waited (Retry-After, a create delay, a settle
// window, pacing) then costs a test nothing: a Fake moves when it is slept
// on, so the gate's polls and the mock's create delays meet in virtual
// time while every request still runs for real.
package clock

import (
	"context"
	"sync"
	"time"
)

// Clock tells the time and waits.
type Clock interface {
	Now() time.Time
	// Sleep waits d, or until ctx is done: then it returns ctx's error.
	// A d of zero or less returns at once, with ctx's error if any.
	Sleep(ctx context.Context, d time.Duration) error
}

// System is the machine's clock.
var System Clock = system{}

type system struct{}

func (system) Now() time.Time { return time.Now() }

func (system) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Or is c, or System when c is nil: the default, set in one place.
func Or(c Clock) Clock {
	if c == nil {
		return System
	}
	return c
}

// Fake is a clock that stands still until slept on or advanced: Sleep
// moves it forward by d and returns at once. Safe for concurrent use; two
// goroutines sleeping at once both move it, so virtual time then runs
// faster than either waited, never backwards.
type Fake struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

// NewFake returns a Fake that reads start.
func NewFake(start time.Time) *Fake { return &Fake{now: start} }

// Now is the virtual time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Sleep moves the clock forward by d, unless ctx is done.
func (f *Fake) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		f.mu.Lock()
		f.now = f.now.Add(d)
		f.slept += d
		f.mu.Unlock()
	}
	return nil
}

// Advance moves the clock forward by d without counting it as slept.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// Slept is how long all sleeps on the clock would have waited.
func (f *Fake) Slept() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.slept
}
