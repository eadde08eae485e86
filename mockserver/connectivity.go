package mockserver

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/server"
)

// Connectivity tests: whether a queue reaches an address. DLI runs them
// in its network; the mock decides by a rule docs/mock.md states, at the
// moment of the create, so that a test's result is the same however often
// it is read:
//
//   - REACHABLE when the address has a port (host:port, an IPv6 host in
//     brackets, a port 1 to 65535 without a sign or leading zeros: the
//     document's mock.decides) and the queue is bound, ACTIVE, to an enhanced connection
//     that is not deleted, directly or through its pool: a queue or an
//     elastic resource pool binding of that name (the mock knows no queue
//     membership, so naming the pool stands for its queues);
//   - UNREACHABLE otherwise.
//
// Any queue name is taken, as in bindings. Task ids count from 1 per
// project; a project keeps its latest maxTasks tests.

// The results a dli-mock answers.
const (
	Reachable   = "REACHABLE"
	Unreachable = "UNREACHABLE"
)

// maxTasks is how many connectivity tests a project keeps: DLI forgets
// them on its own, and a mock under load must not grow without bound.
const maxTasks = 1000

// connectivityTask is a connectivity test and its result.
type connectivityTask struct {
	id             int64
	queue, address string
	result         string
}

func (h *handlers) CreateConnectivityTask(_ context.Context, r server.CreateConnectivityTaskRequestObject) (server.CreateConnectivityTaskResponseObject, error) {
	s := h.s
	now := s.cfg.Clock.Now()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	p := s.store.project(r.ProjectID)
	result := Unreachable
	if hasPort(r.Body.Address) && s.reaches(p, r.QueueName, now) {
		result = Reachable
	}
	p.lastTask++
	p.addTask(&connectivityTask{id: p.lastTask, queue: r.QueueName, address: r.Body.Address, result: result})
	return server.CreateConnectivityTask200JSONResponse{IsSuccess: ptr(true), TaskID: p.lastTask,
		Message: ptr("check connectivity to address:" + r.Body.Address + " successfully")}, nil
}

func (h *handlers) ShowConnectivityTask(_ context.Context, r server.ShowConnectivityTaskRequestObject) (server.ShowConnectivityTaskResponseObject, error) {
	s := h.s
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	t := s.store.lookup(r.ProjectID).tasks[r.TaskID]
	if t == nil || t.queue != r.QueueName {
		return server.ShowConnectivityTask400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse(errorBody(apierror.CodeNotExist,
			fmt.Sprintf("The connectivity test %d of queue %s does not exist", r.TaskID, r.QueueName)))}, nil
	}
	return server.ShowConnectivityTask200JSONResponse{IsSuccess: ptr(true), Connectivity: ptr(t.result),
		Message: ptr(fmt.Sprintf("Get node connectivity status successfully for addressId:%d", t.id))}, nil
}

// addressPattern is a host:port with a port DLI could reach: an IPv6
// host in brackets, a port 1 to 65535 without a sign or leading zeros.
// The document declares the same rule (x-dli-resources.connectivity_task
// mock.decides), by which the gate holds the mock to it.
const addressPattern = `^(\[[^\x00-\x1f\x7f\[\]]+\]|[^\x00-\x1f\x7f:\[\]]+):([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$`

var addressRE = regexp.MustCompile(addressPattern)

// hasPort says whether address is host:port with a port DLI could reach.
func hasPort(address string) bool { return addressRE.MatchString(address) }

// reaches says whether the queue (or pool) of that name is bound, ACTIVE,
// to an enhanced connection of p that is not deleted.
func (s *Server) reaches(p *project, queue string, now time.Time) bool {
	for _, c := range p.enhancedOrder {
		if c.deleted {
			continue
		}
		for _, bs := range [][]binding{c.queues, c.pools} {
			for _, b := range bs {
				if b.name == queue && b.status(now, s.cfg.CreateDelay) == server.BindingActive {
					return true
				}
			}
		}
	}
	return false
}

// addTask keeps a new test, forgetting the oldest past maxTasks.
func (p *project) addTask(t *connectivityTask) {
	p.tasks[t.id] = t
	p.taskOrder = append(p.taskOrder, t)
	if len(p.taskOrder) > maxTasks {
		delete(p.tasks, p.taskOrder[0].id)
		p.taskOrder = p.taskOrder[1:]
	}
}
