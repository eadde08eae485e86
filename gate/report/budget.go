package report

import (
	"fmt"
	"strings"
)

// Budget is what a run was allowed to spend, by its profile, how it
// planned to share it, and what it spent.
type Budget struct {
	// Profile is "live" (a budget of requests and of what is made) or
	// "loopback" (none unless -max-requests).
	Profile string `json:"profile"`
	// MaxRequests bounds the requests spent; 0 for none.
	MaxRequests int `json:"max_requests,omitempty"`
	// Spent counts the requests the budget counts: all but Polls, the
	// polls of waits for a state to settle (bounded by -settle instead).
	Spent int `json:"spent"`
	Polls int `json:"polls"`
	// Phases are the plan: each phase's share, and what it spent.
	Phases []PhaseShare `json:"phases,omitempty"`
	// Kinds are the kinds the run may make only so many of.
	Kinds []KindBudget `json:"kinds,omitempty"`
	// Others are what phases left out, in their words, besides what the
	// phases and kinds say.
	Others []string `json:"left_out,omitempty"`
}

// PhaseShare is a phase's part of the plan.
type PhaseShare struct {
	Phase string `json:"phase"`
	// Share is the requests planned for it; what an earlier phase left
	// comes on top. 0 when the run has no request budget.
	Share int `json:"share,omitempty"`
	Spent int `json:"spent"`
	// Cut says the budget stopped it before its end.
	Cut bool `json:"cut,omitempty"`
}

// KindBudget is how many of a kind the run may make, made, and held back.
type KindBudget struct {
	Kind     string `json:"kind"`
	Title    string `json:"title"`
	Max      int    `json:"max"`
	Made     int    `json:"made"`
	HeldBack int    `json:"held_back,omitempty"`
	// KeptForSequences is how many of Max the phases before the
	// generated sequences leave them.
	KeptForSequences int `json:"kept_for_sequences,omitempty"`
}

// PlanLine is the plan in one line, for the start of a run.
func (b *Budget) PlanLine() string {
	var s strings.Builder
	fmt.Fprintf(&s, "plan: profile %s", b.Profile)
	if b.MaxRequests > 0 {
		fmt.Fprintf(&s, ", at most %s (polls of settling waits not counted)", Count(b.MaxRequests, "request"))
		parts := make([]string, 0, len(b.Phases))
		for _, p := range b.Phases {
			parts = append(parts, fmt.Sprintf("%s %d", p.Phase, p.Share))
		}
		fmt.Fprintf(&s, ": %s", strings.Join(parts, " · "))
	}
	for _, k := range b.Kinds {
		fmt.Fprintf(&s, "; at most %d %s", k.Max, Plural(k.Max, k.Title))
		if k.KeptForSequences > 0 {
			fmt.Fprintf(&s, ", %d kept for the generated sequences", k.KeptForSequences)
		}
	}
	return s.String()
}

// Line is what the run spent, in one line of the text report.
func (b *Budget) Line() string {
	var s strings.Builder
	fmt.Fprintf(&s, "budget (profile %s): %d", b.Profile, b.Spent)
	if b.MaxRequests > 0 {
		fmt.Fprintf(&s, " of %d", b.MaxRequests)
	}
	fmt.Fprintf(&s, " requests spent, %s not counted", Count(b.Polls, "poll"))
	for _, k := range b.Kinds {
		fmt.Fprintf(&s, "; %d of %d %s made", k.Made, k.Max, Plural(k.Max, k.Title))
	}
	return s.String()
}

// LeftOut says what the budget left out, with counts: each phase it cut,
// each kind whose creates it held back.
func (b *Budget) LeftOut() []string {
	if b == nil {
		return nil
	}
	var out []string
	for _, p := range b.Phases {
		if p.Cut {
			out = append(out, fmt.Sprintf("%s: the rest, after %s (its share %d and what earlier phases left, of -max-requests %d)",
				p.Phase, Count(p.Spent, "request"), p.Share, b.MaxRequests))
		}
	}
	out = append(out, b.Others...)
	for _, k := range b.Kinds {
		if k.HeldBack > 0 {
			out = append(out, fmt.Sprintf("%s of %s not sent: the run made %d, its budget",
				Count(k.HeldBack, "create"), Plural(2, k.Title), k.Made))
		}
	}
	return out
}
