package mockserver

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/server"
)

// The classic operations: a connection is CREATING for the create delay,
// its process rising from 0 to 1, then ACTIVE; delete removes it.

func (h *handlers) CreateDatasourceConnection(_ context.Context, r server.CreateDatasourceConnectionRequestObject) (server.CreateDatasourceConnectionResponseObject, error) {
	s := h.s
	id := uuid.NewString()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	p := s.store.lookup(r.ProjectID)
	if _, taken := p.classicByName[r.Body.Name]; taken {
		return server.CreateDatasourceConnection400JSONResponse(errorBody(apierror.CodeAlreadyExists,
			fmt.Sprintf("Connection name %s already exists", r.Body.Name))), nil
	}
	p = s.store.project(r.ProjectID)
	p.classic[id] = &classicConnection{id: id, req: *r.Body, created: s.cfg.Now()}
	p.classicByName[r.Body.Name] = id
	return server.CreateDatasourceConnection201JSONResponse{IsSuccess: ptr(true), Message: ptr(""), ConnectionID: &id}, nil
}

func (h *handlers) ListDatasourceConnections(_ context.Context, r server.ListDatasourceConnectionsRequestObject) (server.ListDatasourceConnectionsResponseObject, error) {
	s := h.s
	now := s.cfg.Now()
	s.store.mu.Lock()
	conns := sortedByCreation(s.store.lookup(r.ProjectID).classic, func(c *classicConnection) (time.Time, string) { return c.created, c.id })
	items := make([]server.Connection, len(conns))
	for i, c := range conns {
		d := s.classicDetail(c, now)
		items[i] = server.Connection{
			IsSuccess: d.IsSuccess, Message: d.Message, ConnectionID: d.ConnectionID, Destination: d.Destination,
			State: d.State, Process: d.Process, Name: d.Name, ConnectionURL: d.ConnectionURL,
			ClusterName: d.ClusterName, Service: d.Service, CreateTime: d.CreateTime, QueueList: []string{},
		}
	}
	s.store.mu.Unlock()
	count := int32(min(len(items), math.MaxInt32))
	return server.ListDatasourceConnections200JSONResponse{IsSuccess: ptr(true), Message: ptr(""), Connections: items, Count: &count}, nil
}

func (h *handlers) ShowDatasourceConnection(_ context.Context, r server.ShowDatasourceConnectionRequestObject) (server.ShowDatasourceConnectionResponseObject, error) {
	s := h.s
	now := s.cfg.Now()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	c := s.store.lookup(r.ProjectID).classic[r.ConnectionID]
	if c == nil {
		return server.ShowDatasourceConnection400JSONResponse(classicNotFound(r.ConnectionID)), nil
	}
	return server.ShowDatasourceConnection200JSONResponse(s.classicDetail(c, now)), nil
}

func (h *handlers) DeleteDatasourceConnection(_ context.Context, r server.DeleteDatasourceConnectionRequestObject) (server.DeleteDatasourceConnectionResponseObject, error) {
	s := h.s
	now := s.cfg.Now()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	p := s.store.lookup(r.ProjectID)
	c := p.classic[r.ConnectionID]
	if c == nil {
		return server.DeleteDatasourceConnection400JSONResponse(classicNotFound(r.ConnectionID)), nil
	}
	if done, _ := progress(c.created, now, s.cfg.CreateDelay); !done {
		return server.DeleteDatasourceConnection400JSONResponse(errorBody(apierror.CodeNotSupported,
			fmt.Sprintf("The connection %s is being created and cannot be deleted", r.ConnectionID))), nil
	}
	delete(p.classic, r.ConnectionID)
	delete(p.classicByName, c.req.Name)
	s.store.dropIfEmpty(r.ProjectID)
	return server.DeleteDatasourceConnection200JSONResponse{IsSuccess: ptr(true), Message: ptr("Deleted")}, nil
}

func classicNotFound(id string) server.ErrorBody {
	return errorBody(apierror.CodeNotExist, fmt.Sprintf("The connection %s does not exist", id))
}

func (s *Server) classicDetail(c *classicConnection, now time.Time) server.ConnectionDetail {
	state := server.StateActive
	done, process := progress(c.created, now, s.cfg.CreateDelay)
	if !done {
		state = server.StateCreating
	}
	created := c.created.UnixMilli()
	return server.ConnectionDetail{
		IsSuccess: ptr(true), Message: ptr(""), ConnectionID: ptr(c.id),
		Destination: ptr(c.req.URL), State: &state, Process: &process, Name: ptr(c.req.Name),
		ConnectionURL: ptr(c.req.URL), ClusterName: ptr(""), Service: ptr(c.req.Service),
		CreateTime: &created, AvailableQueueInfo: []server.AvailableQueueInfo{},
	}
}
