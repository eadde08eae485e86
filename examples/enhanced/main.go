// Command enhanced runs an enhanced datasource connection through its life
// cycle: create it bound to an elastic resource pool, wait until the
// binding is ACTIVE, add a route, and clean up. It is docs/client.md's
// migration example; against dli-mock it needs no account:
//
//	go run ./cmd/dli-mock -create-delay 1s &
//	go run ./examples/enhanced
//
// Against DLI, set DLI_REGION (or DLI_ENDPOINT), the credentials and the
// project where the official SDK reads them (HUAWEICLOUD_SDK_AK,
// HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID), and DLI_VPC_ID,
// DLI_SUBNET_ID and DLI_POOL for the connection.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dli-contract/dli-go/client"
	"github.com/dli-contract/dli-go/credenv"
	"github.com/dli-contract/dli-go/examples/internal/local"
	"github.com/dli-contract/dli-go/gen/dli"
)

func main() {
	// The SDK's names, and the old DLI_AK ... for a release, with a line each.
	getenv := credenv.Environ(os.Getenv, os.Stderr, "enhanced")
	c, err := local.Client(getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "enhanced:", err)
		os.Exit(2)
	}
	conn := dli.EnhancedConnectionCreateRequest{
		Name:                 "example_orders",
		DestVpcID:            local.Or(getenv, "DLI_VPC_ID", "22094d8f-c310-4621-913d-4c4d655d8495"),
		DestNetworkID:        local.Or(getenv, "DLI_SUBNET_ID", "78f2562a-36e4-4b39-95b9-f5aab22e1281"),
		ElasticResourcePools: []string{local.Or(getenv, "DLI_POOL", "elastic_pool_dli")},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := run(ctx, c, conn, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "enhanced:", err)
		os.Exit(1)
	}
}

// run creates conn, waits for its bindings, adds a route and deletes it
// all again.
func run(ctx context.Context, c *client.Client, conn dli.EnhancedConnectionCreateRequest, out io.Writer) (err error) {
	created, err := c.CreateEnhancedConnection(ctx, conn)
	if err != nil {
		return err
	}
	id := *created.ConnectionID
	fmt.Fprintln(out, "created", id)
	defer func() {
		// Unbind first: DLI keeps a binding's peering until it is unbound.
		cleanup := context.WithoutCancel(ctx)
		_, uerr := c.DisassociateQueueFromEnhancedConnection(cleanup, id,
			dli.EnhancedConnectionBindingRequest{ElasticResourcePools: conn.ElasticResourcePools})
		_, derr := c.DeleteEnhancedConnection(cleanup, id)
		if err = errors.Join(err, uerr, derr); err == nil {
			fmt.Fprintln(out, "deleted", id)
		}
	}()

	// A classic connection was usable once it was ACTIVE; an enhanced one
	// is ACTIVE at once, and what takes time is the peering with each
	// queue or pool: wait until every binding is ACTIVE (a FAILED one is
	// an error carrying DLI's err_msg).
	if _, err := c.WaitEnhancedConnectionReady(ctx, id); err != nil {
		return err
	}
	fmt.Fprintln(out, "bindings active")

	if _, err := c.CreateRouteToEnhancedConnection(ctx, id, dli.RouteCreateRequest{Name: "orders_db", Cidr: "192.168.12.0/24"}); err != nil {
		return err
	}
	fmt.Fprintln(out, "route added")
	return nil
}
