package mockserver

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dli-contract/dli-go/gen/server"
)

// store keeps connections per project. One mutex is enough: every
// operation is a few map lookups.
type store struct {
	mu       sync.Mutex
	projects map[string]*project
}

// project holds one project's connections, classic and enhanced.
type project struct {
	classic       map[string]*classicConnection // by id
	classicByName map[string]string             // name → id
	enhanced      map[string]*enhancedConnection
	// enhancedByName maps the names of connections not deleted to ids,
	// so that a create checks its name in constant time.
	enhancedByName map[string]string
}

func newStore() *store { return &store{projects: map[string]*project{}} }

// lookup returns the project for reading: an empty project for one never
// written to, which is not stored, so that reads under any number of
// project ids allocate no state.
func (s *store) lookup(id string) *project {
	if p := s.projects[id]; p != nil {
		return p
	}
	return &project{}
}

// project returns the project for writing, creating it.
func (s *store) project(id string) *project {
	p := s.projects[id]
	if p == nil {
		p = &project{classic: map[string]*classicConnection{}, classicByName: map[string]string{},
			enhanced: map[string]*enhancedConnection{}, enhancedByName: map[string]string{}}
		s.projects[id] = p
	}
	return p
}

// dropIfEmpty forgets a project left without connections.
func (s *store) dropIfEmpty(id string) {
	if p := s.projects[id]; p != nil && len(p.classic) == 0 && len(p.enhanced) == 0 {
		delete(s.projects, id)
	}
}

// classicConnection is what the mock remembers of a classic connection.
type classicConnection struct {
	id      string
	req     server.ConnectionCreateRequest
	created time.Time
}

// progress is where a life cycle of delay that began at start stands at
// now: done, or the fraction elapsed (two decimals, as DLI shows it).
func progress(start, now time.Time, delay time.Duration) (done bool, fraction float64) {
	elapsed := now.Sub(start)
	if delay <= 0 || elapsed >= delay {
		return true, 1
	}
	elapsed = max(elapsed, 0)
	return false, float64(elapsed*100/delay) / 100
}

// enhancedConnection is what the mock remembers of an enhanced
// connection: only what show and list answer, since a mock under load
// keeps many of them.
type enhancedConnection struct {
	id, name      string
	vpc, subnet   string
	tags          []server.Tag
	created       time.Time
	deleted       bool
	queues, pools []binding
	hosts         []server.Host
	routes        []server.Route
	// grants are the projects allowed to use the connection, in the order
	// they were first granted (RunAuthorizationAction).
	grants []grant
}

// binding is one queue or elastic resource pool bound to a connection.
type binding struct {
	name    string
	started time.Time
}

// FailPrefix makes a binding fail: a queue or elastic resource pool whose
// name starts with it ends FAILED after the create delay, with
// FailMessage, so that programs can test their handling of a failed
// peering.
const (
	FailPrefix  = "fail_"
	FailMessage = "mock: the peering of %s failed because its name starts with " + FailPrefix
)

// status is where the binding stands at now.
func (b binding) status(now time.Time, delay time.Duration) server.BindingStatus {
	if done, _ := progress(b.started, now, delay); !done {
		return server.BindingCreating
	}
	if strings.HasPrefix(b.name, FailPrefix) {
		return server.BindingFailed
	}
	return server.BindingActive
}

// sortedByCreation orders connections oldest first, ids breaking ties.
func sortedByCreation[T any](m map[string]T, created func(T) (time.Time, string)) []T {
	out := make([]T, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b T) int {
		ta, ia := created(a)
		tb, ib := created(b)
		if c := ta.Compare(tb); c != 0 {
			return c
		}
		return strings.Compare(ia, ib)
	})
	return out
}
