// Command enhanced runs an enhanced datasource connection through its life
// cycle: create it bound to an elastic resource pool, wait until the
// binding is ACTIVE, add a route, and clean up. It is the README's
// migration example; against dli-mock it needs no account:
//
//	go run ./cmd/dli-mock -create-delay 2s &
//	go run ./examples/enhanced
//
// Against DLI, set DLI_ENDPOINT (or DLI_REGION), DLI_PROJECT_ID, DLI_AK,
// DLI_SK, and DLI_VPC_ID, DLI_SUBNET_ID and DLI_POOL for the connection.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/client"
	"github.com/dli-contract/dli-go/gen/dli"
)

func main() {
	endpoint, region := os.Getenv("DLI_ENDPOINT"), os.Getenv("DLI_REGION")
	if endpoint == "" && region == "" {
		endpoint = "http://127.0.0.1:8080" // dli-mock
	}
	var creds auth.Credentials
	if ak := os.Getenv("DLI_AK"); ak != "" {
		creds = auth.AKSK{AK: ak, SK: os.Getenv("DLI_SK"), ProjectID: os.Getenv("DLI_PROJECT_ID")}
	}
	c, err := client.New(client.Options{Endpoint: endpoint, Region: region, Credentials: creds})
	if err != nil {
		fmt.Fprintln(os.Stderr, "enhanced:", err)
		os.Exit(2)
	}
	project := envOr("DLI_PROJECT_ID", "0123456789abcdef0123456789abcdef")
	conn := dli.EnhancedConnectionCreateRequest{
		Name:                 "example_orders",
		DestVpcID:            envOr("DLI_VPC_ID", "22094d8f-c310-4621-913d-4c4d655d8495"),
		DestNetworkID:        envOr("DLI_SUBNET_ID", "78f2562a-36e4-4b39-95b9-f5aab22e1281"),
		ElasticResourcePools: []string{envOr("DLI_POOL", "elastic_pool_dli")},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := run(ctx, c, project, conn, time.Second, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "enhanced:", err)
		os.Exit(1)
	}
}

// run creates conn, waits for its bindings, adds a route and deletes it
// all again, polling every poll.
func run(ctx context.Context, c *dli.ClientWithResponses, project string, conn dli.EnhancedConnectionCreateRequest, poll time.Duration, out io.Writer) (err error) {
	created, err := c.CreateEnhancedConnectionWithResponse(ctx, project, conn)
	if err := apierror.Check(created, err); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	id := *created.JSON201.ConnectionID
	fmt.Fprintln(out, "created", id)
	defer func() {
		// Unbind first: DLI keeps a binding's peering until it is unbound.
		unbound, uerr := c.DisassociateQueueFromEnhancedConnectionWithResponse(context.WithoutCancel(ctx), project, id,
			dli.EnhancedConnectionBindingRequest{ElasticResourcePools: conn.ElasticResourcePools})
		deleted, derr := c.DeleteEnhancedConnectionWithResponse(context.WithoutCancel(ctx), project, id)
		err = errors.Join(err, apierror.Check(unbound, uerr), apierror.Check(deleted, derr))
		if err == nil {
			fmt.Fprintln(out, "deleted", id)
		}
	}()

	// A classic connection was usable once it was ACTIVE; an enhanced one
	// is ACTIVE at once, and what takes time is the peering with each
	// queue or pool: wait until every binding is ACTIVE.
	for {
		shown, err := c.ShowEnhancedConnectionWithResponse(ctx, project, id)
		if err := apierror.Check(shown, err); err != nil {
			return fmt.Errorf("show: %w", err)
		}
		ready := true
		for _, b := range shown.JSON200.ElasticResourcePools {
			switch *b.Status {
			case dli.BindingFailed:
				return fmt.Errorf("binding to %s failed: %s", *b.Name, *b.ErrMsg)
			case dli.BindingCreating:
				ready = false
			}
		}
		if ready {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
	fmt.Fprintln(out, "bindings active")

	route, err := c.CreateRouteToEnhancedConnectionWithResponse(ctx, project, id, dli.RouteCreateRequest{Name: "orders_db", Cidr: "192.168.12.0/24"})
	if err := apierror.Check(route, err); err != nil {
		return fmt.Errorf("add route: %w", err)
	}
	fmt.Fprintln(out, "route added")
	return nil
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
