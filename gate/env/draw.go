package env

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/dli-contract/dli-go/gate/internal/pattern"
)

var (
	samplesMu sync.Mutex
	sampled   = map[string][]string{}
)

// Samples is a fixed set of strings of the pattern within the lengths,
// shortest first. A sequence draws one of them with a single choice,
// rather than character by character: shrinking then spends its budget on
// the calls, and goes to the shortest string.
func Samples(expr string, minLen, maxLen int) []string {
	key := fmt.Sprintf("%d %d %s", minLen, maxLen, expr)
	samplesMu.Lock()
	defer samplesMu.Unlock()
	if out, ok := sampled[key]; ok {
		return out
	}
	re := pattern.Compiled(expr)
	if re == nil {
		expr = fmt.Sprintf(`^[a-z0-9_]{%d,%d}$`, minLen, maxLen)
		re = pattern.Compiled(expr)
	}
	gen := rapid.StringMatching(expr)
	seen := map[string]bool{}
	var out []string
	for i := 0; len(out) < 16 && i < 400; i++ {
		// A value of the pattern, cut where it is too long to a prefix
		// that still matches.
		runes := []rune(gen.Example(i))
		for len(runes) > maxLen || len(runes) > minLen && !re.MatchString(string(runes)) {
			runes = runes[:len(runes)-1]
		}
		v := string(runes)
		if len(runes) >= minLen && re.MatchString(v) && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		return cmp.Or(cmp.Compare(utf8.RuneCountInString(a), utf8.RuneCountInString(b)), cmp.Compare(a, b))
	})
	sampled[key] = out
	return out
}

// Capped is a count of a schema's as an int, at most limit (16 when
// not given: a sequence draws no more items than that).
func Capped(n uint64, limit ...uint64) int {
	return int(min(n, append(limit, 16)[0])) //nolint:gosec // at most limit
}
