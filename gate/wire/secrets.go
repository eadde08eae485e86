package wire

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/dli-contract/dli-go/validate"
)

// What the document marks writeOnly (a password) is redacted where the
// exchanges are recorded (observer.go). A message may still quote one (a
// field case saying a leaked password "is there"), so every value the run
// sent or was answered under a writeOnly name is also scrubbed from
// everything the run reports: its log, its violations, its leftovers, its
// exchanges. Values under eight characters are left to the structural
// redaction alone: the run draws short ones from the alphabets of names
// and ids, and scrubbing "c2_4" would garble every name that holds it.

const minScrubbed = 8

// Secrets are the values to scrub, kept as the run sees them.
type Secrets struct {
	mu   sync.Mutex
	seen map[string]bool
	list []string // longest first, sorted again when seen grows
}

func (s *Secrets) Note(vals []string) {
	if len(vals) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	added := false
	for _, v := range vals {
		if len(v) < minScrubbed || s.seen[v] {
			continue
		}
		if s.seen == nil {
			s.seen = map[string]bool{}
		}
		s.seen[v], added = true, true
		s.list = append(s.list, v)
	}
	if added {
		slices.SortFunc(s.list, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	}
}

// scrub is text without any secret value the run has seen.
func (s *Secrets) Scrub(text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.list {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, validate.Redacted)
		}
	}
	return text
}

// scrubReport scrubs what the report shows.
