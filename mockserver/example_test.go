package mockserver_test

import (
	"context"
	"fmt"
	"log"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/client"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/mockserver"
)

// The mock in a Go test, without a socket: the client's transport is the
// mock's, and the .invalid host never resolves. (The README shows the
// first lines.)
func ExampleNewMockTransport() {
	m, _ := mockserver.New(mockserver.Config{})
	c, _ := client.New(client.Options{Endpoint: "https://dli.mock.invalid", ProjectID: "0123456789abcdef0123456789abcdef",
		Credentials: auth.Anonymous, Transport: mockserver.NewMockTransport(m)})

	ctx := context.Background()
	created, err := c.CreateEnhancedConnection(ctx, dli.EnhancedConnectionCreateRequest{Name: "orders",
		DestVpcID: "vpc-1", DestNetworkID: "subnet-1", ElasticResourcePools: []string{"pool_1"}})
	if err != nil {
		log.Fatal(err)
	}
	conn, err := c.ShowEnhancedConnection(ctx, *created.ConnectionID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*conn.Name, *conn.Status, *conn.ElasticResourcePools[0].Status)
	// Output: orders ACTIVE ACTIVE
}
