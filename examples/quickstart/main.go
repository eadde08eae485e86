// Command quickstart creates an enhanced datasource connection, waits until
// its elastic resource pool can use it, shows it and deletes it. It is the
// README's usage sample; a test keeps the two identical and runs it
// against the mock.
//
//	HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=... HUAWEICLOUD_SDK_PROJECT_ID=... \
//	DLI_REGION=cn-north-4 DLI_VPC_ID=... DLI_SUBNET_ID=... DLI_POOL=... go run ./examples/quickstart
//
// The credentials come from where the official SDK looks: those
// variables, or ~/.huaweicloud/credentials. Against dli-mock, start it in
// the same environment (it checks the key pair those variables hold) and
// set DLI_ENDPOINT=http://127.0.0.1:8080 instead of DLI_REGION.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/dli-contract/dli-go/client"
	"github.com/dli-contract/dli-go/gen/dli"
)

func main() {
	if err := run(os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(env func(string) string) error {
	c, err := client.New(client.Options{
		Region:   env("DLI_REGION"),   // e.g. cn-north-4
		Endpoint: env("DLI_ENDPOINT"), // optional: wins over Region, e.g. http://127.0.0.1:8080 for dli-mock
		// No Credentials: the default chain finds them (HUAWEICLOUD_SDK_AK
		// and _SK, then ~/.huaweicloud/credentials) and the project
		// (HUAWEICLOUD_SDK_PROJECT_ID). Or set Credentials: auth.AKSK{...}.
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	created, err := c.CreateEnhancedConnection(ctx, dli.EnhancedConnectionCreateRequest{
		Name: "quickstart", DestVpcID: env("DLI_VPC_ID"), DestNetworkID: env("DLI_SUBNET_ID"),
		ElasticResourcePools: []string{env("DLI_POOL")},
		// Optional fields are pointers: Go 1.26's new(v) points at a copy of v.
		Hosts: []dli.Host{{Name: new("orders-db"), IP: new("192.168.0.10")}},
	})
	if err != nil {
		return err // an *apierror.Error: status, DLI's code and message, request id
	}
	id := *created.ConnectionID
	defer func() { _, _ = c.DeleteEnhancedConnection(context.WithoutCancel(ctx), id) }()

	conn, err := c.WaitEnhancedConnectionReady(ctx, id) // until the pool's binding is ACTIVE
	if err != nil {
		return err
	}
	fmt.Println(id, *conn.Name, *conn.Status, len(conn.ElasticResourcePools), "binding(s) active")
	return nil
}
