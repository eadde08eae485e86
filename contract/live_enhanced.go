package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/dli"
)

// mockEnhanced is what a run creates when Target.Enhanced is not set.
var mockEnhanced = dli.EnhancedConnectionCreateRequest{
	DestVpcID: "22094d8f-c310-4621-913d-4c4d655d8495", DestNetworkID: "78f2562a-36e4-4b39-95b9-f5aab22e1281",
	ElasticResourcePools: []string{"contract_pool"},
}

func (s *scenario) readOnlyEnhanced(ctx context.Context) {
	s.step("list enhanced connections")
	list, err := s.c.ListEnhancedConnectionsWithResponse(ctx, s.t.ProjectID, nil)
	if s.expect("ListEnhancedConnections", err, list, http.StatusOK) && list.JSON200 != nil {
		for _, conn := range list.JSON200.Connections {
			if conn.ID != nil {
				s.step("show a listed enhanced connection")
				shown, err := s.c.ShowEnhancedConnectionWithResponse(ctx, s.t.ProjectID, *conn.ID)
				s.expect("ShowEnhancedConnection", err, shown, http.StatusOK)
				break
			}
		}
	}
	s.step("show an unknown enhanced connection")
	shown, err := s.c.ShowEnhancedConnectionWithResponse(ctx, s.t.ProjectID, uuid.NewString())
	s.expectError("ShowEnhancedConnection", err, shown)
}

// mutatingEnhanced runs an enhanced life cycle: create, show until every
// binding is ACTIVE, replace the hosts, add and delete a route, unbind,
// delete, show DELETED. Whatever it created it deletes, even when a check
// fails.
func (s *scenario) mutatingEnhanced(ctx context.Context) {
	body := s.t.Enhanced
	if body.DestVpcID == "" {
		body = mockEnhanced
	}
	body.Name = "contract_" + randomHex(4)
	s.step("create enhanced connection " + body.Name)
	created, err := s.c.CreateEnhancedConnectionWithResponse(ctx, s.t.ProjectID, body)
	if !s.expect("CreateEnhancedConnection", err, created, http.StatusCreated) {
		// A server that answers a wrong success status may still have
		// created the connection.
		if id := createdID(err, created); id != "" {
			s.cleanupEnhanced(ctx, id)
		}
		return
	}
	if created.JSON201 == nil || created.JSON201.ConnectionID == nil || *created.JSON201.ConnectionID == "" {
		s.fail("CreateEnhancedConnection 201", "no connection_id in %s", apierror.Snippet(created.Body))
		return
	}
	id := *created.JSON201.ConnectionID
	deleted := false
	defer func() {
		if !deleted {
			s.cleanupEnhanced(ctx, id)
		}
	}()

	s.step("show the enhanced connection until its bindings are ACTIVE")
	detail := s.waitBindings(ctx, id)
	if detail == nil {
		return
	}
	if detail.Name == nil || *detail.Name != body.Name {
		s.fail("ShowEnhancedConnection 200", "/name is %v, want %q as created", deref(detail.Name), body.Name)
	}

	s.step("replace the hosts")
	hosts := []dli.Host{{Name: ptr("contract-host"), IP: ptr("192.168.0.1")}}
	updated, err := s.c.UpdateEnhancedConnectionWithResponse(ctx, s.t.ProjectID, id, dli.EnhancedConnectionHostsRequest{Hosts: hosts})
	if s.expectSuccess("UpdateEnhancedConnection", err, updated) {
		if got := s.showEnhanced(ctx, id); got != nil && !slices.EqualFunc(got.Hosts, hosts, sameHost) {
			s.fail("ShowEnhancedConnection 200", "/hosts is %s after replacing them with one entry", apierror.Snippet(marshal(got.Hosts)))
		}
	}

	s.step("add a route")
	route := dli.RouteCreateRequest{Name: "contract_route", Cidr: "192.168.100.0/24"}
	added, err := s.c.CreateRouteToEnhancedConnectionWithResponse(ctx, s.t.ProjectID, id, route)
	if s.expectSuccess("CreateRouteToEnhancedConnection", err, added) {
		s.step("delete the route")
		dropped, err := s.c.DeleteRouteFromEnhancedConnectionWithResponse(ctx, s.t.ProjectID, id, route.Name)
		s.expectSuccess("DeleteRouteFromEnhancedConnection", err, dropped)
	}

	if len(body.ElasticResourcePools)+len(body.Queues) > 0 {
		s.step("unbind the queues and pools")
		unbound, err := s.c.DisassociateQueueFromEnhancedConnectionWithResponse(ctx, s.t.ProjectID, id,
			dli.EnhancedConnectionBindingRequest{Queues: body.Queues, ElasticResourcePools: body.ElasticResourcePools})
		s.expectSuccess("DisassociateQueueFromEnhancedConnection", err, unbound)
	}

	s.step("delete the enhanced connection")
	resp, err := s.c.DeleteEnhancedConnectionWithResponse(ctx, s.t.ProjectID, id)
	if !s.expectSuccess("DeleteEnhancedConnection", err, resp) {
		return
	}
	deleted = true
	s.step("the deleted enhanced connection shows DELETED")
	if got := s.showEnhanced(ctx, id); got != nil && (got.Status == nil || *got.Status != dli.EnhancedDeleted) {
		s.fail("ShowEnhancedConnection 200", "/status is %v after delete, want DELETED", deref(got.Status))
	}
}

// waitBindings shows the connection until no binding is CREATING; a FAILED
// binding is a finding, since the run cannot go on with it.
func (s *scenario) waitBindings(ctx context.Context, id string) *dli.EnhancedConnectionDetail {
	deadline := time.Now().Add(s.t.Settle)
	for {
		d := s.showEnhanced(ctx, id)
		if d == nil {
			return nil
		}
		creating := false
		for _, b := range slices.Concat(d.AvailableQueueInfo, d.ElasticResourcePools) {
			switch {
			case b.Status == nil:
				s.fail("ShowEnhancedConnection 200", "a binding has no status")
				return nil
			case *b.Status == dli.BindingFailed:
				s.fail("ShowEnhancedConnection 200", "the binding to %v FAILED: %v", deref(b.Name), deref(b.ErrMsg))
				return nil
			case *b.Status == dli.BindingCreating:
				creating = true
			}
		}
		if !creating {
			return d
		}
		if time.Now().After(deadline) {
			s.fail("ShowEnhancedConnection 200", "bindings of %s still CREATING after %s", id, s.t.Settle)
			return nil
		}
		select {
		case <-ctx.Done():
			s.fail("ShowEnhancedConnection", "gave up waiting for the bindings of %s: %v", id, ctx.Err())
			return nil
		case <-time.After(s.t.Poll):
		}
	}
}

func (s *scenario) showEnhanced(ctx context.Context, id string) *dli.EnhancedConnectionDetail {
	shown, err := s.c.ShowEnhancedConnectionWithResponse(ctx, s.t.ProjectID, id)
	if !s.expect("ShowEnhancedConnection", err, shown, http.StatusOK) {
		return nil
	}
	return shown.JSON200
}

// expectSuccess wants 200 with is_success true.
func (s *scenario) expectSuccess(op string, err error, r apierror.Response) bool {
	if !s.expect(op, err, r, http.StatusOK) {
		return false
	}
	if err := apierror.Check(r, nil); err != nil {
		s.fail(op+" 200", "%v", err)
		return false
	}
	return true
}

// cleanupEnhanced deletes what the life cycle created after a failed
// check, waiting while bindings are CREATING, on a context of its own.
func (s *scenario) cleanupEnhanced(ctx context.Context, id string) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.t.Settle+time.Minute)
	defer cancel()
	deadline := time.Now().Add(s.t.Settle)
	for {
		resp, err := s.c.DeleteEnhancedConnectionWithResponse(cctx, s.t.ProjectID, id)
		if err == nil && resp.StatusCode() == http.StatusOK {
			return
		}
		if err != nil || time.Now().After(deadline) {
			s.fail("cleanup", "could not delete enhanced connection %s in project %s; delete it by hand", id, s.t.ProjectID)
			return
		}
		select {
		case <-cctx.Done():
			s.fail("cleanup", "could not delete enhanced connection %s: %v", id, cctx.Err())
			return
		case <-time.After(s.t.Poll):
		}
	}
}

// createdID reads connection_id from any 2xx answer to a create.
func createdID(err error, r apierror.Response) string {
	if err != nil || r.StatusCode() < 200 || r.StatusCode() > 299 {
		return ""
	}
	var body struct {
		ID string `json:"connection_id"`
	}
	_ = json.Unmarshal(r.GetBody(), &body)
	return body.ID
}

func sameHost(a, b dli.Host) bool {
	return fmt.Sprint(deref(a.Name), deref(a.IP)) == fmt.Sprint(deref(b.Name), deref(b.IP))
}

func ptr[T any](v T) *T { return &v }

func marshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
