// Package pattern compiles a schema's pattern once for every part of the
// gate that draws, breaks or matches it: the generator, the invalid
// requests, keyword coverage and the model.
package pattern

import (
	"regexp"
	"sync"
)

var (
	mu       sync.Mutex
	compiled = map[string]*regexp.Regexp{}
)

// Compiled is the pattern compiled once; nil for one Go cannot read (a
// document of the caller's may hold one).
func Compiled(p string) *regexp.Regexp {
	mu.Lock()
	defer mu.Unlock()
	re, ok := compiled[p]
	if !ok {
		re, _ = regexp.Compile(p)
		compiled[p] = re
	}
	return re
}
