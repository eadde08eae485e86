package mockserver_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/mockserver"
)

func enhancedBody(name string, pools ...string) dli.EnhancedConnectionCreateRequest {
	return dli.EnhancedConnectionCreateRequest{Name: name, DestVpcID: "vpc-1", DestNetworkID: "subnet-1", ElasticResourcePools: pools}
}

// shown is the connection as show answers it; the call must succeed.
func shown(t *testing.T, c *dli.ClientWithResponses, id string) *dli.EnhancedConnectionDetail {
	t.Helper()
	resp, err := c.ShowEnhancedConnectionWithResponse(context.Background(), project, id)
	require.NoError(t, apierror.Check(resp, err))
	return resp.JSON200
}

func bindingStatus(bs []dli.Binding) map[string]dli.BindingStatus {
	out := map[string]dli.BindingStatus{}
	for _, b := range bs {
		out[*b.Name] = *b.Status
	}
	return out
}

// refused checks that a call answered 400 with code and a message
// containing want.
func refused(t *testing.T, resp apierror.Response, err error, code, want string) {
	t.Helper()
	err = apierror.Check(resp, err)
	var e *apierror.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 400, e.StatusCode)
	assert.Equal(t, code, e.Code)
	assert.Contains(t, e.Message, want)
}

func TestEnhancedLifeCycle(t *testing.T) {
	t.Parallel()
	clk := newClock()
	c := setup(t, mockserver.Config{CreateDelay: 10 * time.Second, Clock: clk}, nil)
	ctx := context.Background()

	body := enhancedBody("orders", "pool1")
	body.Queues = []string{"q1"}
	body.Hosts = []dli.Host{{Name: ptr("db1"), IP: ptr("192.168.0.10")}}
	created, err := c.CreateEnhancedConnectionWithResponse(ctx, project, body)
	require.NoError(t, apierror.Check(created, err))
	id := *created.JSON201.ConnectionID

	d := shown(t, c, id)
	assert.Equal(t, dli.EnhancedActive, *d.Status, "a connection is ACTIVE at once")
	assert.Equal(t, map[string]dli.BindingStatus{"pool1": dli.BindingCreating}, bindingStatus(d.ElasticResourcePools))
	assert.Equal(t, map[string]dli.BindingStatus{"q1": dli.BindingCreating}, bindingStatus(d.AvailableQueueInfo))

	clk.Advance(10 * time.Second)
	d = shown(t, c, id)
	assert.Equal(t, map[string]dli.BindingStatus{"pool1": dli.BindingActive}, bindingStatus(d.ElasticResourcePools))

	// Hosts are replaced whole; an empty list clears them.
	hosts := []dli.Host{{Name: ptr("db2"), IP: ptr("10.0.0.2")}, {Name: ptr("db3"), IP: ptr("10.0.0.3")}}
	upd, err := c.UpdateEnhancedConnectionWithResponse(ctx, project, id, dli.EnhancedConnectionHostsRequest{Hosts: hosts})
	require.NoError(t, apierror.Check(upd, err))
	assert.Equal(t, hosts, shown(t, c, id).Hosts)
	upd, err = c.UpdateEnhancedConnectionWithResponse(ctx, project, id, dli.EnhancedConnectionHostsRequest{Hosts: []dli.Host{}})
	require.NoError(t, apierror.Check(upd, err))
	assert.Empty(t, shown(t, c, id).Hosts)

	// Routes, by name.
	route, err := c.CreateRouteToEnhancedConnectionWithResponse(ctx, project, id, dli.RouteCreateRequest{Name: "r1", Cidr: "10.1.0.0/16"})
	require.NoError(t, apierror.Check(route, err))
	route, err = c.CreateRouteToEnhancedConnectionWithResponse(ctx, project, id, dli.RouteCreateRequest{Name: "r1", Cidr: "10.2.0.0/16"})
	refused(t, route, err, apierror.CodeAlreadyExists, "Route r1 already exists")
	routes := shown(t, c, id).Routes
	require.Len(t, routes, 1)
	assert.Equal(t, "10.1.0.0/16", *routes[0].Cidr, "a refused route changes nothing")
	gone, err := c.DeleteRouteFromEnhancedConnectionWithResponse(ctx, project, id, "nope")
	refused(t, gone, err, apierror.CodeBadParameter, "Route nope does not exist")
	gone, err = c.DeleteRouteFromEnhancedConnectionWithResponse(ctx, project, id, "r1")
	require.NoError(t, apierror.Check(gone, err))
	assert.Empty(t, shown(t, c, id).Routes)

	// Bind, then unbind.
	bind, err := c.AssociateQueueToEnhancedConnectionWithResponse(ctx, project, id, dli.EnhancedConnectionBindingRequest{ElasticResourcePools: []string{"pool2"}})
	require.NoError(t, apierror.Check(bind, err))
	assert.Equal(t, dli.BindingCreating, bindingStatus(shown(t, c, id).ElasticResourcePools)["pool2"])
	bind, err = c.AssociateQueueToEnhancedConnectionWithResponse(ctx, project, id, dli.EnhancedConnectionBindingRequest{ElasticResourcePools: []string{"pool3", "pool1"}})
	refused(t, bind, err, apierror.CodeAlreadyExists, "pool1 is already bound")
	assert.NotContains(t, bindingStatus(shown(t, c, id).ElasticResourcePools), "pool3", "a refused bind binds nothing")
	clk.Advance(10 * time.Second)
	unbind, err := c.DisassociateQueueFromEnhancedConnectionWithResponse(ctx, project, id, dli.EnhancedConnectionBindingRequest{ElasticResourcePools: []string{"pool1", "pool2"}, Queues: []string{"q1"}})
	require.NoError(t, apierror.Check(unbind, err))
	d = shown(t, c, id)
	assert.Empty(t, d.ElasticResourcePools)
	assert.Empty(t, d.AvailableQueueInfo)

	// Delete marks DELETED; show and list still return it; nothing changes after.
	del, err := c.DeleteEnhancedConnectionWithResponse(ctx, project, id)
	require.NoError(t, apierror.Check(del, err))
	assert.Equal(t, "Deleted", *del.JSON200.Message)
	assert.Equal(t, dli.EnhancedDeleted, *shown(t, c, id).Status)
	list, err := c.ListEnhancedConnectionsWithResponse(ctx, project, nil)
	require.NoError(t, apierror.Check(list, err))
	require.Len(t, list.JSON200.Connections, 1)
	assert.Equal(t, dli.EnhancedDeleted, *list.JSON200.Connections[0].Status)
	active := "active"
	list, err = c.ListEnhancedConnectionsWithResponse(ctx, project, &dli.ListEnhancedConnectionsParams{Status: &active})
	require.NoError(t, apierror.Check(list, err))
	assert.Empty(t, list.JSON200.Connections, "status filters, in any letter case")

	upd, err = c.UpdateEnhancedConnectionWithResponse(ctx, project, id, dli.EnhancedConnectionHostsRequest{Hosts: hosts})
	refused(t, upd, err, apierror.CodeBadParameter, "has been deleted")
	route, err = c.CreateRouteToEnhancedConnectionWithResponse(ctx, project, id, dli.RouteCreateRequest{Name: "r2", Cidr: "10.1.0.0/16"})
	refused(t, route, err, apierror.CodeBadParameter, "has been deleted")
	del, err = c.DeleteEnhancedConnectionWithResponse(ctx, project, id)
	refused(t, del, err, apierror.CodeBadParameter, "has been deleted")

	// Its name is free again.
	again, err := c.CreateEnhancedConnectionWithResponse(ctx, project, enhancedBody("orders"))
	require.NoError(t, apierror.Check(again, err))
}

func TestEnhancedBindingFailsForTheDocumentedPrefix(t *testing.T) {
	t.Parallel()
	clk := newClock()
	c := setup(t, mockserver.Config{CreateDelay: time.Second, Clock: clk}, nil)
	ctx := context.Background()
	created, err := c.CreateEnhancedConnectionWithResponse(ctx, project, enhancedBody("etl", "ok_pool", mockserver.FailPrefix+"pool"))
	require.NoError(t, apierror.Check(created, err))
	id := *created.JSON201.ConnectionID
	clk.Advance(time.Second)
	d := shown(t, c, id)
	assert.Equal(t, map[string]dli.BindingStatus{"ok_pool": dli.BindingActive, "fail_pool": dli.BindingFailed}, bindingStatus(d.ElasticResourcePools))
	for _, b := range d.ElasticResourcePools {
		if *b.Name == "fail_pool" {
			assert.Equal(t, fmt.Sprintf(mockserver.FailMessage, "fail_pool"), *b.ErrMsg)
		} else {
			assert.Empty(t, *b.ErrMsg)
		}
	}
	unbind, err := c.DisassociateQueueFromEnhancedConnectionWithResponse(ctx, project, id, dli.EnhancedConnectionBindingRequest{ElasticResourcePools: []string{"ok_pool", "fail_pool"}})
	refused(t, unbind, err, apierror.CodeNotSupported, "fail_pool cannot be unbound")
	assert.Len(t, shown(t, c, id).ElasticResourcePools, 2, "a refused unbind unbinds nothing")
}

func TestEnhancedUnknownConnection(t *testing.T) {
	t.Parallel()
	c := setup(t, mockserver.Config{}, nil)
	ctx := context.Background()
	const id = "503fc86a-5e60-4349-92c2-7e399404fa8a"
	want := "Connection " + id + " is not exist."
	calls := map[string]func() (apierror.Response, error){
		"show": func() (apierror.Response, error) { return c.ShowEnhancedConnectionWithResponse(ctx, project, id) },
		"update": func() (apierror.Response, error) {
			return c.UpdateEnhancedConnectionWithResponse(ctx, project, id, dli.EnhancedConnectionHostsRequest{Hosts: []dli.Host{}})
		},
		"delete": func() (apierror.Response, error) { return c.DeleteEnhancedConnectionWithResponse(ctx, project, id) },
		"associate": func() (apierror.Response, error) {
			return c.AssociateQueueToEnhancedConnectionWithResponse(ctx, project, id, dli.EnhancedConnectionBindingRequest{Queues: []string{"q"}})
		},
		"disassociate": func() (apierror.Response, error) {
			return c.DisassociateQueueFromEnhancedConnectionWithResponse(ctx, project, id, dli.EnhancedConnectionBindingRequest{Queues: []string{"q"}})
		},
		"privileges": func() (apierror.Response, error) {
			return c.ShowEnhancedConnectionPrivilegeWithResponse(ctx, project, id)
		},
		"add route": func() (apierror.Response, error) {
			return c.CreateRouteToEnhancedConnectionWithResponse(ctx, project, id, dli.RouteCreateRequest{Name: "r", Cidr: "10.0.0.0/8"})
		},
		"delete route": func() (apierror.Response, error) {
			return c.DeleteRouteFromEnhancedConnectionWithResponse(ctx, project, id, "r")
		},
	}
	for name, call := range calls {
		resp, err := call()
		refused(t, resp, err, apierror.CodeBadParameter, want)
		assert.True(t, apierror.IsNotFound(apierror.Check(resp, err)), name)
	}
}

func TestEnhancedListPagesInCreationOrder(t *testing.T) {
	t.Parallel()
	clk := newClock()
	c := setup(t, mockserver.Config{Clock: clk}, nil)
	ctx := context.Background()
	var names []string
	for i := range 7 {
		name := fmt.Sprintf("c%d", 6-i) // created in an order that is not the names' order
		body := enhancedBody(name)
		if i%2 == 0 {
			body.Tags = []dli.Tag{{Key: "team", Value: "etl"}}
		}
		created, err := c.CreateEnhancedConnectionWithResponse(ctx, project, body)
		require.NoError(t, apierror.Check(created, err))
		names = append(names, name)
		clk.Advance(time.Millisecond)
	}
	page := func(p *dli.ListEnhancedConnectionsParams) []string {
		t.Helper()
		list, err := c.ListEnhancedConnectionsWithResponse(ctx, project, p)
		require.NoError(t, apierror.Check(list, err))
		var got []string
		for _, conn := range list.JSON200.Connections {
			got = append(got, *conn.Name)
		}
		assert.Equal(t, int32(len(got)), *list.JSON200.Count, "count is the number in this page")
		return got
	}
	i32 := func(n int32) *int32 { return &n }
	assert.Equal(t, names, page(nil), "no limit: the default 100")
	assert.Equal(t, names[:3], page(&dli.ListEnhancedConnectionsParams{Limit: i32(3)}))
	assert.Equal(t, names[3:6], page(&dli.ListEnhancedConnectionsParams{Limit: i32(3), Offset: i32(3)}))
	assert.Equal(t, names[6:], page(&dli.ListEnhancedConnectionsParams{Limit: i32(3), Offset: i32(6)}))
	assert.Empty(t, page(&dli.ListEnhancedConnectionsParams{Offset: i32(50)}))
	assert.Equal(t, names[2:], page(&dli.ListEnhancedConnectionsParams{Limit: i32(0), Offset: i32(2)}), "limit 0: all")
	name := "c3"
	assert.Equal(t, []string{"c3"}, page(&dli.ListEnhancedConnectionsParams{Name: &name}))
	tags := "team=etl"
	assert.Equal(t, []string{names[0], names[2], names[4], names[6]}, page(&dli.ListEnhancedConnectionsParams{Tags: &tags}))
}

func TestEnhancedRequestsAreAuthenticatedAndValidated(t *testing.T) {
	t.Parallel()
	cfg := mockserver.Config{AK: testAK, SK: testSK}
	signed := setup(t, cfg, auth.AKSK{AK: testAK, SK: testSK, ProjectID: project})
	ctx := context.Background()
	created, err := signed.CreateEnhancedConnectionWithResponse(ctx, project, enhancedBody("signed"))
	require.NoError(t, apierror.Check(created, err))

	anon := setup(t, cfg, nil)
	resp, err := anon.ShowEnhancedConnectionWithResponse(ctx, project, *created.JSON201.ConnectionID)
	assert.True(t, apierror.IsAuth(apierror.Check(resp, err)))

	withToken := setup(t, mockserver.Config{Token: "tok"}, auth.Token("tok"))
	byToken, err := withToken.CreateEnhancedConnectionWithResponse(ctx, project, enhancedBody("by_token"))
	require.NoError(t, apierror.Check(byToken, err))
	badToken := setup(t, mockserver.Config{Token: "tok"}, auth.Token("nope"))
	resp, err = badToken.ShowEnhancedConnectionWithResponse(ctx, project, *byToken.JSON201.ConnectionID)
	assert.True(t, apierror.IsAuth(apierror.Check(resp, err)))

	// The body limit holds for the new operations too: 20 000 hosts are
	// allowed by the document but weigh over 1 MiB.
	many := make([]dli.Host, 20000)
	for i := range many {
		many[i] = dli.Host{Name: ptr(fmt.Sprintf("host-with-a-long-name-%06d", i)), IP: ptr("192.168.100.200")}
	}
	big, err := signed.UpdateEnhancedConnectionWithResponse(ctx, project, *created.JSON201.ConnectionID, dli.EnhancedConnectionHostsRequest{Hosts: many})
	require.NoError(t, err)
	assert.Equal(t, 413, big.StatusCode())

	// An invalid CIDR and a name with a dash are refused by validation,
	// naming the field and the rule.
	ctx = contract.Deliberate(ctx)
	route, err := signed.CreateRouteToEnhancedConnectionWithResponse(ctx, project, *created.JSON201.ConnectionID,
		dli.RouteCreateRequest{Name: "r", Cidr: "10.0.0.0/33"})
	refused(t, route, err, apierror.CodeBadParameter, "body /cidr: pattern")
	bad, err := signed.CreateEnhancedConnectionWithResponse(ctx, project, enhancedBody("with-dash"))
	refused(t, bad, err, apierror.CodeBadParameter, "body /name: pattern")
	empty, err := signed.AssociateQueueToEnhancedConnectionWithResponse(ctx, project, *created.JSON201.ConnectionID, dli.EnhancedConnectionBindingRequest{})
	refused(t, empty, err, apierror.CodeBadParameter, "minProperties")
}

func ptr[T any](v T) *T { return &v }
