package mockserver

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dli-contract/dli-go/gen/server"
)

// store keeps connections per project, in memory. Reads (show, list,
// privileges) share a read lock and cost what they answer: each project
// keeps its connections in creation order, so a list page is a slice of
// that order, not a sort of the project. Writes are a few map and slice
// operations under the write lock.
type store struct {
	mu       sync.RWMutex
	projects map[string]*project
	// interned holds one copy of strings many connections repeat (VPC,
	// subnet, queue and pool names), so that 100k connections on one VPC
	// keep one copy of its id, not 100k.
	interned map[string]string
}

// project holds one project's connections, classic and enhanced, its
// datasource authentications and its connectivity tests.
type project struct {
	classic      map[string]*classicConnection // by id
	classicOrder []*classicConnection          // creation order
	// classicByName maps names to ids; classic names are unique.
	classicByName map[string]string

	enhanced map[string]*enhancedConnection // by id
	// enhancedOrder is every enhanced connection in creation order,
	// deleted ones included (show and list still return them).
	enhancedOrder []*enhancedConnection
	// enhancedByName lists the connections of each name in creation
	// order: the name filter reads it, and since a name is unique among
	// connections not deleted, only its last entry can be live.
	enhancedByName map[string][]*enhancedConnection
	// tags finds the live enhanced connections by their tags; liveCount
	// is how many are not deleted (a count with no filter).
	tags      tagIndex
	liveCount int

	authInfos map[string]*authInfo // by name
	authOrder []*authInfo          // creation order

	tasks     map[int64]*connectivityTask // by id
	taskOrder []*connectivityTask         // creation order, the oldest forgotten past maxTasks
	lastTask  int64                       // the last id given
}

// newProject is a project holding nothing.
func newProject() *project {
	return &project{classic: map[string]*classicConnection{}, classicByName: map[string]string{},
		enhanced: map[string]*enhancedConnection{}, enhancedByName: map[string][]*enhancedConnection{}, tags: tagIndex{},
		authInfos: map[string]*authInfo{}, tasks: map[int64]*connectivityTask{}}
}

func newStore() *store {
	return &store{projects: map[string]*project{}, interned: map[string]string{}}
}

// reset forgets everything.
func (s *store) reset() {
	s.projects = map[string]*project{}
	s.interned = map[string]string{}
}

// intern returns the store's copy of v.
func (s *store) intern(v string) string {
	if c, ok := s.interned[v]; ok {
		return c
	}
	s.interned[v] = v
	return v
}

// emptyProject is what a project never written to reads as; it is not
// stored, so that reads under any number of project ids allocate no
// state. Its maps are nil and never written.
var emptyProject = &project{}

// lookup returns the project for reading.
func (s *store) lookup(id string) *project {
	if p := s.projects[id]; p != nil {
		return p
	}
	return emptyProject
}

// project returns the project for writing, creating it.
func (s *store) project(id string) *project {
	p := s.projects[id]
	if p == nil {
		p = newProject()
		s.projects[id] = p
	}
	return p
}

// dropIfEmpty forgets a project left holding nothing.
func (s *store) dropIfEmpty(id string) {
	if p := s.projects[id]; p != nil && len(p.classic) == 0 && len(p.enhanced) == 0 && len(p.authInfos) == 0 && len(p.tasks) == 0 {
		delete(s.projects, id)
	}
}

// addClassic stores a new classic connection.
func (p *project) addClassic(c *classicConnection) {
	p.classic[c.id] = c
	p.classicOrder = append(p.classicOrder, c)
	p.classicByName[c.name] = c.id
}

// removeClassic forgets a classic connection; classic deletes remove.
func (p *project) removeClassic(c *classicConnection) {
	delete(p.classic, c.id)
	delete(p.classicByName, c.name)
	p.classicOrder = slices.DeleteFunc(p.classicOrder, func(o *classicConnection) bool { return o == c })
}

// addEnhanced stores a new enhanced connection.
func (p *project) addEnhanced(c *enhancedConnection) {
	c.seq = len(p.enhancedOrder)
	if !c.deleted {
		p.liveCount++
		p.tags.add(c)
	}
	p.enhanced[c.id] = c
	p.enhancedOrder = append(p.enhancedOrder, c)
	p.enhancedByName[c.name] = append(p.enhancedByName[c.name], c)
}

// deleteEnhanced marks a connection deleted: no longer found by its tags.
func (p *project) deleteEnhanced(c *enhancedConnection) {
	c.deleted = true
	p.liveCount--
	p.tags.remove(c)
}

// liveEnhanced returns the connection of that name that is not deleted.
func (p *project) liveEnhanced(name string) *enhancedConnection {
	named := p.enhancedByName[name]
	if len(named) == 0 || named[len(named)-1].deleted {
		return nil
	}
	return named[len(named)-1]
}

// enhancedPage returns one page of the connections that match, in
// creation order: skip offset of them, then take up to limit (0 takes
// all). It walks only as far as the page needs; a name narrows the walk
// to the connections of that name.
func (p *project) enhancedPage(name *string, match func(*enhancedConnection) bool, offset, limit int) []*enhancedConnection {
	candidates := p.enhancedOrder
	if name != nil {
		candidates = p.enhancedByName[*name]
	}
	if match == nil {
		start := min(offset, len(candidates))
		end := len(candidates)
		if limit > 0 {
			end = min(start+limit, end)
		}
		return candidates[start:end]
	}
	var out []*enhancedConnection
	for _, c := range candidates {
		if !match(c) {
			continue
		}
		if offset > 0 {
			offset--
			continue
		}
		out = append(out, c)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out
}

// classicConnection is what the mock remembers of a classic connection.
type classicConnection struct {
	id, name               string
	service, url           string
	securityGroup, network string // interned
	tags                   []server.Tag
	created                int64 // milliseconds since the epoch
	// fixed, when set, is the connection's state whatever the clock says
	// (a fixture's ACTIVE or FAILED connection), with fixedMessage as its
	// message.
	fixed        server.ConnectionState
	fixedMessage string
}

// progress is where a life cycle of delay that began at start (in
// milliseconds) stands at now: done, or the fraction elapsed (two
// decimals, as DLI shows it).
func progress(start int64, now time.Time, delay time.Duration) (done bool, fraction float64) {
	elapsed := time.Duration(now.UnixMilli()-start) * time.Millisecond
	if delay <= 0 || elapsed >= delay {
		return true, 1
	}
	elapsed = max(elapsed, 0)
	return false, float64(elapsed*100/delay) / 100
}

// enhancedConnection is what the mock remembers of an enhanced
// connection: only what show and list answer, compactly, since a mock
// under load keeps many of them.
type enhancedConnection struct {
	id, name    string
	vpc, subnet string // interned
	// tags are its tags, the create's and those added since, in the
	// order their keys were first added.
	tags    []server.Tag
	created int64 // milliseconds since the epoch
	// seq is its place in the project's creation order.
	seq           int
	deleted       bool
	queues, pools []binding
	hosts         []host
	routes        []route
	// grants are the projects allowed to use the connection, in the order
	// they were first granted (RunAuthorizationAction).
	grants []grant
}

// host is a custom host entry; "" stands for an absent field.
type host struct{ name, ip string }

// route is a custom route.
type route struct {
	name, cidr string
	created    int64 // milliseconds since the epoch
}

// binding is one queue or elastic resource pool bound to a connection.
type binding struct {
	name    string // interned
	started int64  // milliseconds since the epoch
	// fixed, when set, is the binding's status whatever the clock says (a
	// fixture's ACTIVE or FAILED binding), with fixedMessage as err_msg.
	fixed        server.BindingStatus
	fixedMessage string
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
	if b.fixed != "" {
		return b.fixed
	}
	if done, _ := progress(b.started, now, delay); !done {
		return server.BindingCreating
	}
	if strings.HasPrefix(b.name, FailPrefix) {
		return server.BindingFailed
	}
	return server.BindingActive
}
