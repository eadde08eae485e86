package mockserver

import (
	"sort"
	"sync"
	"time"

	"github.com/dli-contract/dli-go/gen/dli"
)

// connection is what the mock remembers of a created connection.
type connection struct {
	id      string
	req     dli.ConnectionCreateRequest
	created time.Time
}

// store keeps connections per project. One mutex is enough: every
// operation is a few map lookups.
type store struct {
	mu       sync.Mutex
	projects map[string]*project
}

type project struct {
	byID   map[string]*connection
	byName map[string]string // name → id
}

func newStore() *store { return &store{projects: map[string]*project{}} }

// lookup returns the project's connections for reading: an empty project
// for one never written to, which is not stored, so that reads under any
// number of project ids allocate no state.
func (s *store) lookup(id string) *project {
	if p := s.projects[id]; p != nil {
		return p
	}
	return &emptyProject
}

var emptyProject = project{}

// project returns the project's connections for writing, creating it.
func (s *store) project(id string) *project {
	p := s.projects[id]
	if p == nil {
		p = &project{byID: map[string]*connection{}, byName: map[string]string{}}
		s.projects[id] = p
	}
	return p
}

// list returns the project's connections, oldest first.
func (p *project) list() []*connection {
	out := make([]*connection, 0, len(p.byID))
	for _, c := range p.byID {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].created.Equal(out[j].created) {
			return out[i].created.Before(out[j].created)
		}
		return out[i].id < out[j].id
	})
	return out
}

// state is where the connection's life cycle stands at now: CREATING with
// process rising from 0 to 1 during delay, ACTIVE after.
func (c *connection) state(now time.Time, delay time.Duration) (dli.ConnectionState, float64) {
	elapsed := now.Sub(c.created)
	if delay <= 0 || elapsed >= delay {
		return dli.StateActive, 1
	}
	if elapsed < 0 {
		elapsed = 0
	}
	// Two decimals, as a progress figure is shown.
	p := float64(elapsed*100/delay) / 100
	return dli.StateCreating, p
}
