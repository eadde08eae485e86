// Command connectivity sets up what a Kafka job needs to reach a Kafka
// cluster in another VPC, and checks that it can: a Kafka_SSL datasource
// authentication (the stores and their passwords the job names), an
// enhanced connection to the cluster's VPC bound to the job's queue, and a
// connectivity test from that queue to the broker's address. Then it
// cleans up. Against dli-mock it needs no account:
//
//	go run ./cmd/dli-mock -create-delay 1s &
//	go run ./examples/connectivity
//
// Against DLI, set DLI_REGION (or DLI_ENDPOINT), the credentials and the
// project where the official SDK reads them (HUAWEICLOUD_SDK_AK,
// HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID), DLI_VPC_ID,
// DLI_SUBNET_ID, DLI_QUEUE, DLI_KAFKA_ADDRESS and the
// OBS paths DLI_TRUSTSTORE and DLI_KEYSTORE; the passwords come from
// DLI_TRUSTSTORE_PASSWORD, DLI_KEYSTORE_PASSWORD and DLI_KEY_PASSWORD.
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

// setup is what the example creates.
type setup struct {
	Auth    dli.AuthInfoCreateRequest
	Conn    dli.EnhancedConnectionCreateRequest
	Queue   string
	Address string // the broker, host:port
}

func main() {
	// The SDK's names, and the old DLI_AK ... for a release, with a line each.
	getenv := credenv.Environ(os.Getenv, os.Stderr, "connectivity")
	c, err := local.Client(getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "connectivity:", err)
		os.Exit(2)
	}
	queue := local.Or(getenv, "DLI_QUEUE", "kafka_queue")
	s := setup{
		Auth: dli.AuthInfoCreateRequest{
			AuthInfoName: "example_kafka", DatasourceType: dli.AuthTypeKafkaSSL,
			TruststoreLocation: ptr(local.Or(getenv, "DLI_TRUSTSTORE", "obs://example/kafka/client.jks")),
			TruststorePassword: ptr(local.Or(getenv, "DLI_TRUSTSTORE_PASSWORD", "example-trust-secret")),
			KeystoreLocation:   ptr(local.Or(getenv, "DLI_KEYSTORE", "obs://example/kafka/client.keystore.jks")),
			KeystorePassword:   ptr(local.Or(getenv, "DLI_KEYSTORE_PASSWORD", "example-store-secret")),
			KeyPassword:        ptr(local.Or(getenv, "DLI_KEY_PASSWORD", "example-key-secret")),
		},
		Conn: dli.EnhancedConnectionCreateRequest{
			Name:          "example_kafka",
			DestVpcID:     local.Or(getenv, "DLI_VPC_ID", "22094d8f-c310-4621-913d-4c4d655d8495"),
			DestNetworkID: local.Or(getenv, "DLI_SUBNET_ID", "78f2562a-36e4-4b39-95b9-f5aab22e1281"),
			Queues:        []string{queue},
		},
		Queue:   queue,
		Address: local.Or(getenv, "DLI_KAFKA_ADDRESS", "192.168.0.20:9093"),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := run(ctx, c, s, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "connectivity:", err)
		os.Exit(1)
	}
}

// run creates the authentication and the connection, waits until the
// queue's binding is ACTIVE, tests the address from the queue, and deletes
// what it created, whatever happened.
func run(ctx context.Context, c *client.Client, s setup, out io.Writer) (err error) {
	cleanup := context.WithoutCancel(ctx)
	if _, err := c.CreateJobAuthInfo(ctx, s.Auth); err != nil {
		return err
	}
	fmt.Fprintln(out, "datasource authentication", s.Auth.AuthInfoName, "created")
	defer func() {
		_, derr := c.DeleteJobAuthInfo(cleanup, s.Auth.AuthInfoName)
		if err = errors.Join(err, derr); derr == nil {
			fmt.Fprintln(out, "datasource authentication deleted")
		}
	}()
	// The record lists without any of its passwords.
	for a, err := range c.JobAuthInfos(ctx, &dli.ListJobAuthInfosParams{AuthInfoName: &s.Auth.AuthInfoName}) {
		if err != nil {
			return err
		}
		fmt.Fprintln(out, "listed", deref(a.AuthInfoName), deref(a.DatasourceType), "owned by", deref(a.Owner))
	}

	created, err := c.CreateEnhancedConnection(ctx, s.Conn)
	if err != nil {
		return err
	}
	id := *created.ConnectionID
	fmt.Fprintln(out, "connection created")
	defer func() {
		_, uerr := c.DisassociateQueueFromEnhancedConnection(cleanup, id, dli.EnhancedConnectionBindingRequest{Queues: s.Conn.Queues})
		_, derr := c.DeleteEnhancedConnection(cleanup, id)
		if err = errors.Join(err, uerr, derr); uerr == nil && derr == nil {
			fmt.Fprintln(out, "connection deleted")
		}
	}()
	if _, err := c.WaitEnhancedConnectionReady(ctx, id); err != nil {
		return err
	}
	fmt.Fprintln(out, "queue", s.Queue, "bound")

	task, err := c.CreateConnectivityTask(ctx, s.Queue, dli.ConnectivityTaskRequest{Address: s.Address})
	if err != nil {
		return err
	}
	// DLI documents no value for a test still running, so the result is
	// read once (the mock decides at once).
	result, err := c.ShowConnectivityTask(ctx, s.Queue, task.TaskID)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "queue", s.Queue, "to", s.Address+":", deref(result.Connectivity))
	if deref(result.Connectivity) != "REACHABLE" {
		return fmt.Errorf("queue %s does not reach %s: %s", s.Queue, s.Address, deref(result.Connectivity))
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
