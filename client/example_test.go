package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/client"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/mockserver"
)

const exampleProject = "0123456789abcdef0123456789abcdef"

// standIn answers every call with status and body, and reports the
// credentials it received.
func standIn(status int, body string, verify func(*http.Request, []byte)) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		verify(r, b)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "7d2c0b7e")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
}

// mock starts the mock server, as a stand-in for DLI.
func mock(delay time.Duration) *httptest.Server {
	m, err := mockserver.New(mockserver.Config{CreateDelay: delay})
	if err != nil {
		log.Fatal(err)
	}
	return httptest.NewServer(m)
}

// A typed call: one method per operation, the project bound once, the
// success body as the generated type, every failure an error.
func Example() {
	srv := mock(0)
	defer srv.Close()
	c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: exampleProject, Credentials: auth.Anonymous})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	created, err := c.CreateEnhancedConnection(ctx, dli.EnhancedConnectionCreateRequest{
		Name: "orders", DestVpcID: "vpc-1", DestNetworkID: "subnet-1",
	})
	if err != nil {
		log.Fatal(err)
	}
	conn, err := c.ShowEnhancedConnection(ctx, *created.ConnectionID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*conn.Name, *conn.Status)
	// Output: orders ACTIVE
}

// Handle errors: every failure of a typed call is an *apierror.Error with
// the operation, the status, DLI's code and message and the request id;
// predicates cover the common cases.
func Example_errorHandling() {
	srv := standIn(400, `{"error_code":"DLI.0001","error_msg":"Connection 503fc86a-5e60-4349-92c2-7e399404fa8a is not exist."}`,
		func(*http.Request, []byte) {})
	defer srv.Close()

	c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: exampleProject, Credentials: auth.Anonymous})
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.ShowEnhancedConnection(context.Background(), "503fc86a-5e60-4349-92c2-7e399404fa8a")
	var e *apierror.Error
	if errors.As(err, &e) {
		fmt.Println(e.Operation, e.StatusCode, e.Code, e.RequestID)
	}
	fmt.Println("not found:", apierror.IsNotFound(err))
	fmt.Println(err)
	// Output:
	// ShowEnhancedConnection 400 DLI.0001 7d2c0b7e
	// not found: true
	// ShowEnhancedConnection: 400 DLI.0001: Connection 503fc86a-5e60-4349-92c2-7e399404fa8a is not exist. (request id 7d2c0b7e)
}

// Wait until an enhanced connection can be used: every binding to a queue
// or elastic resource pool is ACTIVE. The schedule is Options.Wait; only a
// loopback endpoint such as this mock may be polled faster than once a
// second.
func ExampleClient_WaitEnhancedConnectionReady() {
	srv := mock(30 * time.Millisecond)
	defer srv.Close()
	c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: exampleProject, Credentials: auth.Anonymous,
		Wait: client.WaitPolicy{MinDelay: 10 * time.Millisecond}})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	created, err := c.CreateEnhancedConnection(ctx, dli.EnhancedConnectionCreateRequest{
		Name: "orders", DestVpcID: "vpc-1", DestNetworkID: "subnet-1", ElasticResourcePools: []string{"pool1"},
	})
	if err != nil {
		log.Fatal(err)
	}
	conn, err := c.WaitEnhancedConnectionReady(ctx, *created.ConnectionID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*conn.ElasticResourcePools[0].Name, *conn.ElasticResourcePools[0].Status)
	// Output: pool1 ACTIVE
}

// Range over every enhanced connection, across pages.
func ExampleClient_EnhancedConnections() {
	srv := mock(0)
	defer srv.Close()
	c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: exampleProject, Credentials: auth.Anonymous})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for _, name := range []string{"a", "b", "c"} {
		if _, err := c.CreateEnhancedConnection(ctx, dli.EnhancedConnectionCreateRequest{Name: name, DestVpcID: "v", DestNetworkID: "s"}); err != nil {
			log.Fatal(err)
		}
	}
	pageSize := int32(2)
	for conn, err := range c.EnhancedConnections(ctx, &dli.ListEnhancedConnectionsParams{Limit: &pageSize}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(*conn.Name)
	}
	// Output:
	// a
	// b
	// c
}

// Authenticate with an IAM token: every request carries X-Auth-Token.
func Example_tokenAuth() {
	srv := standIn(200, `{"is_success":true,"message":"","connections":[],"count":0}`, func(r *http.Request, _ []byte) {
		fmt.Println("server got X-Auth-Token:", r.Header.Get("X-Auth-Token"))
	})
	defer srv.Close()

	c, err := client.New(client.Options{
		Endpoint:    srv.URL, // or Region: "cn-north-4"
		ProjectID:   exampleProject,
		Credentials: auth.Token("MIIE-example-token"),
	})
	if err != nil {
		log.Fatal(err)
	}
	list, err := c.ListEnhancedConnections(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("connections:", *list.Count)
	// Output:
	// server got X-Auth-Token: MIIE-example-token
	// connections: 0
}

// Authenticate with an access key pair: every attempt is signed
// (SDK-HMAC-SHA256) with a fresh X-Sdk-Date, and X-Project-Id is sent.
func Example_akskAuth() {
	verifier := &auth.Verifier{SecretKey: func(ak string) (string, bool) {
		return "SKtestexampleSecretKey0000000000000000000", ak == "AKTESTEXAMPLE0000000"
	}}
	srv := standIn(201, `{"is_success":true,"message":"","connection_id":"68233202-63bf-4f27-a99b-fa5f5a2dbae1"}`,
		func(r *http.Request, body []byte) {
			fmt.Println("signature valid:", verifier.Verify(r, body) == nil, "project:", r.Header.Get("X-Project-Id"))
		})
	defer srv.Close()

	creds := auth.AKSK{AK: "AKTESTEXAMPLE0000000", SK: "SKtestexampleSecretKey0000000000000000000"}
	fmt.Println(creds) // secrets never print
	c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: exampleProject, Credentials: creds})
	if err != nil {
		log.Fatal(err)
	}
	created, err := c.CreateEnhancedConnection(context.Background(), dli.EnhancedConnectionCreateRequest{
		Name: "rds_orders", DestVpcID: "22094d8f-c310-4621-913d-4c4d655d8495", DestNetworkID: "78f2562a-36e4-4b39-95b9-f5aab22e1281",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created:", *created.ConnectionID)
	// Output:
	// auth.AKSK{AK: AKTE****, SK: [redacted]}
	// signature valid: true project: 0123456789abcdef0123456789abcdef
	// created: 68233202-63bf-4f27-a99b-fa5f5a2dbae1
}

// Tag a connection, read its tags back across pages, find it by them and
// delete them by key.
func ExampleClient_TagConnection() {
	srv := mock(0)
	defer srv.Close()
	c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: exampleProject, Credentials: auth.Anonymous})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	created, err := c.CreateEnhancedConnection(ctx, dli.EnhancedConnectionCreateRequest{
		Name: "orders", DestVpcID: "vpc-1", DestNetworkID: "subnet-1",
		Tags: []dli.Tag{{Key: "team", Value: "data"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	id := *created.ConnectionID
	if err := c.TagConnection(ctx, id, map[string]string{"env": "prod", "team": "platform"}); err != nil {
		log.Fatal(err)
	}
	for tag, err := range c.ResourceTags(ctx, id, &dli.ShowResourceTagsParams{Limit: ptr(int32(1))}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s=%s\n", tag.Key, tag.Value)
	}
	n, err := c.CountResourcesByTags(ctx, dli.ResourceFilterRequest{Tags: []dli.TagSelector{{Key: "env", Values: []string{"prod"}}}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("tagged env=prod:", n.TotalCount)
	if err := c.UntagConnection(ctx, id, "env", "team"); err != nil {
		log.Fatal(err)
	}
	tags, err := c.ShowResourceTags(ctx, id, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("tags left:", len(tags.Tags))
	// Output:
	// team=platform
	// env=prod
	// tagged env=prod: 1
	// tags left: 0
}
