package mockserver

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/server"
)

// The enhanced operations. A connection is ACTIVE from creation; each
// queue or elastic resource pool bound to it is CREATING for the create
// delay, then ACTIVE (or FAILED, for names starting with FailPrefix).
// Delete marks the connection DELETED; show and list still return it, and
// nothing about it can change any more.

// defaultLimit is the page size of a list without limit.
const defaultLimit = 100

func (h *handlers) CreateEnhancedConnection(_ context.Context, r server.CreateEnhancedConnectionRequestObject) (server.CreateEnhancedConnectionResponseObject, error) {
	s := h.s
	now := s.cfg.Clock.Now()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if s.store.lookup(r.ProjectID).liveEnhanced(r.Body.Name) != nil {
		return server.CreateEnhancedConnection400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse(
			errorBody(apierror.CodeAlreadyExists, fmt.Sprintf("Connection name %s already exists", r.Body.Name)))}, nil
	}
	if name, ok := duplicate(r.Body.Queues, r.Body.ElasticResourcePools); ok {
		return server.CreateEnhancedConnection400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse(
			errorBody(apierror.CodeBadParameter, fmt.Sprintf("%s is named more than once in queues and elastic_resource_pools", name)))}, nil
	}
	// The create's tags are the connection's (one store, the document
	// says): held to the same rules as BatchCreateResourceTags.
	if code, msg := tagsRefused(r.Body.Tags); code != "" {
		return server.CreateEnhancedConnection400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse(errorBody(code, msg))}, nil
	}
	c := &enhancedConnection{id: uuid.NewString(), name: r.Body.Name, vpc: s.store.intern(r.Body.DestVpcID),
		subnet: s.store.intern(r.Body.DestNetworkID), tags: r.Body.Tags, created: now.UnixMilli(), hosts: hostsOf(r.Body.Hosts)}
	c.queues = s.bind(nil, r.Body.Queues, now)
	c.pools = s.bind(nil, r.Body.ElasticResourcePools, now)
	s.store.project(r.ProjectID).addEnhanced(c)
	return server.CreateEnhancedConnection201JSONResponse{IsSuccess: ptr(true), Message: ptr(""), ConnectionID: ptr(c.id)}, nil
}

func (h *handlers) ListEnhancedConnections(_ context.Context, r server.ListEnhancedConnectionsRequestObject) (server.ListEnhancedConnectionsResponseObject, error) {
	s := h.s
	now := s.cfg.Clock.Now()
	want, err := parseTags(r.Params.Tags)
	if err != nil {
		return server.ListEnhancedConnections400JSONResponse{BadRequestJSONResponse: server.BadRequestJSONResponse(
			errorBody(apierror.CodeBadParameter, "invalid request: query tags: "+err.Error()))}, nil
	}
	offset, limit := 0, defaultLimit
	if r.Params.Offset != nil {
		offset = int(*r.Params.Offset)
	}
	if r.Params.Limit != nil {
		limit = int(*r.Params.Limit)
	}
	var match func(*enhancedConnection) bool
	if r.Params.Status != nil || len(want) > 0 {
		match = func(c *enhancedConnection) bool {
			return (r.Params.Status == nil || strings.EqualFold(*r.Params.Status, string(c.status()))) && hasTags(c.tags, want)
		}
	}
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	page := s.store.lookup(r.ProjectID).enhancedPage(r.Params.Name, match, offset, limit)
	// Never nil: a page, even an empty one, always carries its array.
	items := make([]server.EnhancedConnection, len(page))
	for i, c := range page {
		d := s.enhancedDetail(c, now)
		items[i] = server.EnhancedConnection{
			ID: d.ID, Name: d.Name, Status: d.Status, AvailableQueueInfo: d.AvailableQueueInfo,
			ElasticResourcePools: d.ElasticResourcePools, DestVpcID: d.DestVpcID, DestNetworkID: d.DestNetworkID,
			CreateTime: d.CreateTime, Hosts: d.Hosts, IsPrivis: d.IsPrivis, Ipv6Enable: d.Ipv6Enable, Routes: d.Routes,
		}
	}
	count := int32(min(len(items), math.MaxInt32))
	return server.ListEnhancedConnections200JSONResponse{IsSuccess: ptr(true), Message: ptr(""),
		Connections: items, Count: &count}, nil
}

func (h *handlers) ShowEnhancedConnection(_ context.Context, r server.ShowEnhancedConnectionRequestObject) (server.ShowEnhancedConnectionResponseObject, error) {
	s := h.s
	now := s.cfg.Clock.Now()
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	c := s.store.lookup(r.ProjectID).enhanced[r.ConnectionID]
	if c == nil {
		return server.ShowEnhancedConnection400JSONResponse{EnhancedNotFoundJSONResponse: enhancedNotFound(r.ConnectionID)}, nil
	}
	return server.ShowEnhancedConnection200JSONResponse(s.enhancedDetail(c, now)), nil
}

func (h *handlers) UpdateEnhancedConnection(_ context.Context, r server.UpdateEnhancedConnectionRequestObject) (server.UpdateEnhancedConnectionResponseObject, error) {
	return change(h, r.ProjectID, r.ConnectionID, func(c *enhancedConnection, _ time.Time) (string, *server.ErrorBody) {
		c.hosts = hostsOf(r.Body.Hosts)
		return "", nil
	}, func(ok server.Result, refused server.EnhancedNotFoundJSONResponse, failed bool) server.UpdateEnhancedConnectionResponseObject {
		if failed {
			return server.UpdateEnhancedConnection400JSONResponse{EnhancedNotFoundJSONResponse: refused}
		}
		return server.UpdateEnhancedConnection200JSONResponse(ok)
	}), nil
}

func (h *handlers) DeleteEnhancedConnection(_ context.Context, r server.DeleteEnhancedConnectionRequestObject) (server.DeleteEnhancedConnectionResponseObject, error) {
	// A delete is accepted while bindings are CREATING, as Terraform's
	// provider relies on (see the document's DeleteEnhancedConnection).
	return change(h, r.ProjectID, r.ConnectionID, func(c *enhancedConnection, _ time.Time) (string, *server.ErrorBody) {
		h.s.store.lookup(r.ProjectID).deleteEnhanced(c)
		return "Deleted", nil
	}, func(ok server.Result, refused server.EnhancedNotFoundJSONResponse, failed bool) server.DeleteEnhancedConnectionResponseObject {
		if failed {
			return server.DeleteEnhancedConnection400JSONResponse{EnhancedNotFoundJSONResponse: refused}
		}
		return server.DeleteEnhancedConnection200JSONResponse(ok)
	}), nil
}

func (h *handlers) AssociateQueueToEnhancedConnection(_ context.Context, r server.AssociateQueueToEnhancedConnectionRequestObject) (server.AssociateQueueToEnhancedConnectionResponseObject, error) {
	return change(h, r.ProjectID, r.ConnectionID, func(c *enhancedConnection, now time.Time) (string, *server.ErrorBody) {
		if e := namesNone(r.Body.Queues, r.Body.ElasticResourcePools); e != nil {
			return "", e
		}
		if name, ok := duplicate(r.Body.Queues, r.Body.ElasticResourcePools); ok {
			e := errorBody(apierror.CodeBadParameter, fmt.Sprintf("%s is named more than once in queues and elastic_resource_pools", name))
			return "", &e
		}
		for _, name := range slices.Concat(r.Body.Queues, r.Body.ElasticResourcePools) {
			if _, bound := c.binding(name); bound {
				e := errorBody(apierror.CodeAlreadyExists, fmt.Sprintf("%s is already bound to connection %s", name, c.id))
				return "", &e
			}
		}
		c.queues = h.s.bind(c.queues, r.Body.Queues, now)
		c.pools = h.s.bind(c.pools, r.Body.ElasticResourcePools, now)
		return fmt.Sprintf("associated peer connection for queues: {%s}.", strings.Join(slices.Concat(r.Body.Queues, r.Body.ElasticResourcePools), ",")), nil
	}, func(ok server.Result, refused server.EnhancedNotFoundJSONResponse, failed bool) server.AssociateQueueToEnhancedConnectionResponseObject {
		if failed {
			return server.AssociateQueueToEnhancedConnection400JSONResponse{EnhancedNotFoundJSONResponse: refused}
		}
		return server.AssociateQueueToEnhancedConnection200JSONResponse(ok)
	}), nil
}

func (h *handlers) DisassociateQueueFromEnhancedConnection(_ context.Context, r server.DisassociateQueueFromEnhancedConnectionRequestObject) (server.DisassociateQueueFromEnhancedConnectionResponseObject, error) {
	return change(h, r.ProjectID, r.ConnectionID, func(c *enhancedConnection, now time.Time) (string, *server.ErrorBody) {
		if e := namesNone(r.Body.Queues, r.Body.ElasticResourcePools); e != nil {
			return "", e
		}
		// A queue is unbound from the queues, a pool from the pools: a
		// name bound as the other kind is not bound as this one.
		for i, name := range slices.Concat(r.Body.Queues, r.Body.ElasticResourcePools) {
			b, bound := bindingIn(c.queues, name)
			if i >= len(r.Body.Queues) {
				b, bound = bindingIn(c.pools, name)
			}
			if !bound {
				e := errorBody(apierror.CodeBadParameter, fmt.Sprintf("%s is not bound to connection %s", name, c.id))
				return "", &e
			}
			if b.status(now, h.s.cfg.CreateDelay) == server.BindingFailed {
				e := errorBody(apierror.CodeNotSupported, fmt.Sprintf(
					"%s cannot be unbound: its peering with connection %s failed", name, c.id))
				return "", &e
			}
		}
		c.queues = unbind(c.queues, r.Body.Queues)
		c.pools = unbind(c.pools, r.Body.ElasticResourcePools)
		return fmt.Sprintf("Disassociated peer connection for queues:{%s}.", strings.Join(slices.Concat(r.Body.Queues, r.Body.ElasticResourcePools), ",")), nil
	}, func(ok server.Result, refused server.EnhancedNotFoundJSONResponse, failed bool) server.DisassociateQueueFromEnhancedConnectionResponseObject {
		if failed {
			return server.DisassociateQueueFromEnhancedConnection400JSONResponse{EnhancedNotFoundJSONResponse: refused}
		}
		return server.DisassociateQueueFromEnhancedConnection200JSONResponse(ok)
	}), nil
}

func (h *handlers) ShowEnhancedConnectionPrivilege(_ context.Context, r server.ShowEnhancedConnectionPrivilegeRequestObject) (server.ShowEnhancedConnectionPrivilegeResponseObject, error) {
	s := h.s
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	c := s.store.lookup(r.ProjectID).enhanced[r.ConnectionID]
	if c == nil {
		return server.ShowEnhancedConnectionPrivilege400JSONResponse{EnhancedNotFoundJSONResponse: enhancedNotFound(r.ConnectionID)}, nil
	}
	return server.ShowEnhancedConnectionPrivilege200JSONResponse{IsSuccess: ptr(true), Message: ptr(""),
		ConnectionID: ptr(r.ConnectionID), Privileges: c.privileges()}, nil
}

func (h *handlers) CreateRouteToEnhancedConnection(_ context.Context, r server.CreateRouteToEnhancedConnectionRequestObject) (server.CreateRouteToEnhancedConnectionResponseObject, error) {
	return change(h, r.ProjectID, r.ConnectionID, addRoute(*r.Body), func(ok server.Result, refused server.EnhancedNotFoundJSONResponse, failed bool) server.CreateRouteToEnhancedConnectionResponseObject {
		if failed {
			return server.CreateRouteToEnhancedConnection400JSONResponse{EnhancedNotFoundJSONResponse: refused}
		}
		return server.CreateRouteToEnhancedConnection200JSONResponse(ok)
	}), nil
}

func (h *handlers) DeleteRouteFromEnhancedConnection(_ context.Context, r server.DeleteRouteFromEnhancedConnectionRequestObject) (server.DeleteRouteFromEnhancedConnectionResponseObject, error) {
	return change(h, r.ProjectID, r.ConnectionID, dropRoute(r.Name), func(ok server.Result, refused server.EnhancedNotFoundJSONResponse, failed bool) server.DeleteRouteFromEnhancedConnectionResponseObject {
		if failed {
			return server.DeleteRouteFromEnhancedConnection400JSONResponse{EnhancedNotFoundJSONResponse: refused}
		}
		return server.DeleteRouteFromEnhancedConnection200JSONResponse(ok)
	}), nil
}

// The deprecated v2.0 route paths, which Terraform's provider still uses,
// do exactly what the v3 ones do.

func (h *handlers) CreateEnhancedConnectionRoutes(_ context.Context, r server.CreateEnhancedConnectionRoutesRequestObject) (server.CreateEnhancedConnectionRoutesResponseObject, error) {
	return change(h, r.ProjectID, r.ConnectionID, addRoute(*r.Body), func(ok server.Result, refused server.EnhancedNotFoundJSONResponse, failed bool) server.CreateEnhancedConnectionRoutesResponseObject {
		if failed {
			return server.CreateEnhancedConnectionRoutes400JSONResponse{EnhancedNotFoundJSONResponse: refused}
		}
		return server.CreateEnhancedConnectionRoutes200JSONResponse(ok)
	}), nil
}

func (h *handlers) DeleteEnhancedConnectionRoutes(_ context.Context, r server.DeleteEnhancedConnectionRoutesRequestObject) (server.DeleteEnhancedConnectionRoutesResponseObject, error) {
	return change(h, r.ProjectID, r.ConnectionID, dropRoute(r.Name), func(ok server.Result, refused server.EnhancedNotFoundJSONResponse, failed bool) server.DeleteEnhancedConnectionRoutesResponseObject {
		if failed {
			return server.DeleteEnhancedConnectionRoutes400JSONResponse{EnhancedNotFoundJSONResponse: refused}
		}
		return server.DeleteEnhancedConnectionRoutes200JSONResponse(ok)
	}), nil
}

// addRoute adds a route by name; names are unique per connection.
func addRoute(body server.RouteCreateRequest) func(c *enhancedConnection, now time.Time) (string, *server.ErrorBody) {
	return func(c *enhancedConnection, now time.Time) (string, *server.ErrorBody) {
		if slices.ContainsFunc(c.routes, func(rt route) bool { return rt.name == body.Name }) {
			e := errorBody(apierror.CodeAlreadyExists, fmt.Sprintf("Route %s already exists on connection %s", body.Name, c.id))
			return "", &e
		}
		c.routes = append(c.routes, route{name: body.Name, cidr: body.Cidr, created: now.UnixMilli()})
		return "", nil
	}
}

// dropRoute removes the route of that name.
func dropRoute(name string) func(c *enhancedConnection, now time.Time) (string, *server.ErrorBody) {
	return func(c *enhancedConnection, _ time.Time) (string, *server.ErrorBody) {
		i := slices.IndexFunc(c.routes, func(rt route) bool { return rt.name == name })
		if i < 0 {
			e := errorBody(apierror.CodeBadParameter, fmt.Sprintf("Route %s does not exist on connection %s", name, c.id))
			return "", &e
		}
		c.routes = slices.Delete(c.routes, i, i+1)
		return "Deleted", nil
	}
}

// change runs apply on a connection that exists and is not deleted, under
// the store's lock, and answers through respond: apply's message on
// success, its error (or not found, or deleted) otherwise. A refused
// change must leave the connection as it was, so apply checks everything
// before it changes anything.
func change[R any](h *handlers, project, id string,
	apply func(c *enhancedConnection, now time.Time) (string, *server.ErrorBody),
	respond func(ok server.Result, refused server.EnhancedNotFoundJSONResponse, failed bool) R,
) R {
	s := h.s
	now := s.cfg.Clock.Now()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	c := s.store.lookup(project).enhanced[id]
	switch {
	case c == nil:
		return respond(server.Result{}, enhancedNotFound(id), true)
	case c.deleted:
		return respond(server.Result{}, server.EnhancedNotFoundJSONResponse(errorBody(apierror.CodeBadParameter,
			fmt.Sprintf("Connection %s has been deleted and cannot be changed.", id))), true)
	}
	msg, refused := apply(c, now)
	if refused != nil {
		return respond(server.Result{}, server.EnhancedNotFoundJSONResponse(*refused), true)
	}
	return respond(server.Result{IsSuccess: ptr(true), Message: ptr(msg)}, server.EnhancedNotFoundJSONResponse{}, false)
}

// enhancedNotFound is DLI's documented answer for an unknown connection.
func enhancedNotFound(id string) server.EnhancedNotFoundJSONResponse {
	return server.EnhancedNotFoundJSONResponse(errorBody(apierror.CodeBadParameter, fmt.Sprintf("Connection %s is not exist.", id)))
}

func (c *enhancedConnection) status() server.EnhancedConnectionStatus {
	if c.deleted {
		return server.EnhancedDeleted
	}
	return server.EnhancedActive
}

func (c *enhancedConnection) binding(name string) (binding, bool) {
	return bindingIn(slices.Concat(c.queues, c.pools), name)
}

func bindingIn(bs []binding, name string) (binding, bool) {
	for _, b := range bs {
		if b.name == name {
			return b, true
		}
	}
	return binding{}, false
}

func (s *Server) enhancedDetail(c *enhancedConnection, now time.Time) server.EnhancedConnectionDetail {
	status := c.status()
	d := server.EnhancedConnectionDetail{
		IsSuccess: ptr(true), Message: ptr(""), ID: ptr(c.id), Name: ptr(c.name), Status: &status,
		AvailableQueueInfo:   s.bindings(c.id, c.queues, now),
		ElasticResourcePools: s.bindings(c.id, c.pools, now),
		DestVpcID:            ptr(c.vpc), DestNetworkID: ptr(c.subnet),
		CreateTime: ptr(c.created), IsPrivis: ptr(len(c.grants) == 0), Ipv6Enable: ptr(false),
	}
	for _, h := range c.hosts {
		d.Hosts = append(d.Hosts, server.Host{Name: optional(h.name), IP: optional(h.ip)})
	}
	for _, rt := range c.routes {
		d.Routes = append(d.Routes, server.Route{Name: ptr(rt.name), Cidr: ptr(rt.cidr), CreateTime: ptr(rt.created)})
	}
	return d
}

// bindings answers the bindings of a connection. A peering's id is derived
// from the connection's and the name (a name-based UUID): stable and
// distinct, and nothing to store.
func (s *Server) bindings(connID string, bs []binding, now time.Time) []server.Binding {
	space, _ := uuid.Parse(connID)
	out := make([]server.Binding, len(bs))
	for i, b := range bs {
		status := b.status(now, s.cfg.CreateDelay)
		msg := ""
		switch {
		case b.fixed != "":
			msg = b.fixedMessage
		case status == server.BindingFailed:
			msg = fmt.Sprintf(FailMessage, b.name)
		}
		// A binding was last updated when it started, and again when its
		// peering ended, one create delay later.
		updated := b.started
		if status != server.BindingCreating && b.fixed == "" {
			updated += s.cfg.CreateDelay.Milliseconds()
		}
		out[i] = server.Binding{PeerID: ptr(uuid.NewSHA1(space, []byte(b.name)).String()), Status: &status, Name: ptr(b.name), ErrMsg: &msg, UpdateTime: &updated}
	}
	return out
}

func (s *Server) bind(bs []binding, names []string, now time.Time) []binding {
	for _, n := range names {
		bs = append(bs, binding{name: s.store.intern(n), started: now.UnixMilli()})
	}
	return bs
}

// hostsOf keeps host entries compactly; an absent field is "".
func hostsOf(hs []server.Host) []host {
	if len(hs) == 0 {
		return nil
	}
	out := make([]host, len(hs))
	for i, h := range hs {
		out[i] = host{name: value(h.Name), ip: value(h.IP)}
	}
	return out
}

// optional is nil for "", so that an absent field stays absent.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func unbind(bs []binding, names []string) []binding {
	return slices.DeleteFunc(bs, func(b binding) bool { return slices.Contains(names, b.name) })
}

// namesNone refuses a binding request that names no queue and no pool:
// the document lets both be absent or null one at a time, not together.
func namesNone(queues, pools []string) *server.ErrorBody {
	if len(queues)+len(pools) > 0 {
		return nil
	}
	e := errorBody(apierror.CodeBadParameter, "invalid request: name at least one queue or elastic resource pool")
	return &e
}

// duplicate reports a name given twice across the lists.
func duplicate(lists ...[]string) (string, bool) {
	seen := map[string]bool{}
	for _, name := range slices.Concat(lists...) {
		if seen[name] {
			return name, true
		}
		seen[name] = true
	}
	return "", false
}

// parseTags reads the tags query, k1=v1,k2=v2.
func parseTags(q *string) (map[string]string, error) {
	if q == nil || *q == "" {
		return nil, nil
	}
	out := map[string]string{}
	for _, pair := range strings.Split(*q, ",") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key=value", pair)
		}
		out[k] = v
	}
	return out, nil
}

func hasTags(tags []server.Tag, want map[string]string) bool {
	for k, v := range want {
		if !slices.ContainsFunc(tags, func(t server.Tag) bool { return t.Key == k && t.Value == v }) {
			return false
		}
	}
	return true
}
