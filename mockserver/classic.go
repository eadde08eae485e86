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
	now := s.cfg.Clock.Now()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if _, taken := s.store.lookup(r.ProjectID).classicByName[r.Body.Name]; taken {
		return server.CreateDatasourceConnection400JSONResponse(errorBody(apierror.CodeAlreadyExists,
			fmt.Sprintf("Connection name %s already exists", r.Body.Name))), nil
	}
	s.store.project(r.ProjectID).addClassic(&classicConnection{id: id, name: r.Body.Name, service: r.Body.Service, url: r.Body.URL,
		securityGroup: s.store.intern(r.Body.SecurityGroupID), network: s.store.intern(r.Body.NetworkID),
		tags: r.Body.Tags, created: now.UnixMilli()})
	return server.CreateDatasourceConnection201JSONResponse{IsSuccess: ptr(true), Message: ptr(""), ConnectionID: &id}, nil
}

func (h *handlers) ListDatasourceConnections(_ context.Context, r server.ListDatasourceConnectionsRequestObject) (server.ListDatasourceConnectionsResponseObject, error) {
	s := h.s
	now := s.cfg.Clock.Now()
	want, err := parseTags(r.Params.Tags)
	if err != nil {
		return server.ListDatasourceConnections400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse(
			errorBody(apierror.CodeBadParameter, "invalid request: query tags: "+err.Error()))}, nil
	}
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	items := []server.Connection{}
	for _, c := range s.store.lookup(r.ProjectID).classicOrder {
		if !hasTags(c.tags, want) {
			continue
		}
		d := s.classicDetail(c, now)
		items = append(items, server.Connection{
			IsSuccess: d.IsSuccess, Message: d.Message, ConnectionID: d.ConnectionID, Destination: d.Destination,
			State: d.State, Process: d.Process, Name: d.Name, ConnectionURL: d.ConnectionURL,
			ClusterName: d.ClusterName, Service: d.Service, CreateTime: d.CreateTime, QueueList: []string{},
		})
	}
	count := int32(min(len(items), math.MaxInt32))
	return server.ListDatasourceConnections200JSONResponse{IsSuccess: ptr(true), Message: ptr(""), Connections: items, Count: &count}, nil
}

func (h *handlers) ShowDatasourceConnection(_ context.Context, r server.ShowDatasourceConnectionRequestObject) (server.ShowDatasourceConnectionResponseObject, error) {
	s := h.s
	now := s.cfg.Clock.Now()
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	c := s.store.lookup(r.ProjectID).classic[r.ConnectionID]
	if c == nil {
		return server.ShowDatasourceConnection400JSONResponse(classicNotFound(r.ConnectionID)), nil
	}
	return server.ShowDatasourceConnection200JSONResponse(s.classicDetail(c, now)), nil
}

func (h *handlers) DeleteDatasourceConnection(_ context.Context, r server.DeleteDatasourceConnectionRequestObject) (server.DeleteDatasourceConnectionResponseObject, error) {
	s := h.s
	now := s.cfg.Clock.Now()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	p := s.store.lookup(r.ProjectID)
	c := p.classic[r.ConnectionID]
	if c == nil {
		return server.DeleteDatasourceConnection400JSONResponse(classicNotFound(r.ConnectionID)), nil
	}
	if s.classicState(c, now) == server.StateCreating {
		return server.DeleteDatasourceConnection400JSONResponse(errorBody(apierror.CodeNotSupported,
			fmt.Sprintf("The connection %s is being created and cannot be deleted", r.ConnectionID))), nil
	}
	p.removeClassic(c)
	s.store.dropIfEmpty(r.ProjectID)
	return server.DeleteDatasourceConnection200JSONResponse{IsSuccess: ptr(true), Message: ptr("Deleted")}, nil
}

func classicNotFound(id string) server.ErrorBody {
	return errorBody(apierror.CodeNotExist, fmt.Sprintf("The connection %s does not exist", id))
}

func (s *Server) classicState(c *classicConnection, now time.Time) server.ConnectionState {
	if c.fixed != "" {
		return c.fixed
	}
	if done, _ := progress(c.created, now, s.cfg.CreateDelay); !done {
		return server.StateCreating
	}
	return server.StateActive
}

func (s *Server) classicDetail(c *classicConnection, now time.Time) server.ConnectionDetail {
	state := s.classicState(c, now)
	_, process := progress(c.created, now, s.cfg.CreateDelay)
	switch state {
	case server.StateActive:
		process = 1
	case server.StateFailed:
		process = 0
	}
	return server.ConnectionDetail{
		IsSuccess: ptr(true), Message: ptr(c.fixedMessage), ConnectionID: ptr(c.id),
		Destination: ptr(c.url), State: &state, Process: &process, Name: ptr(c.name),
		ConnectionURL: ptr(c.url), ClusterName: ptr(""), Service: ptr(c.service),
		CreateTime: ptr(c.created), AvailableQueueInfo: []server.AvailableQueueInfo{},
	}
}
