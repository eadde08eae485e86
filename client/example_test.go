package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/client"
	"github.com/dli-contract/dli-go/gen/dli"
)

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

// Authenticate with an IAM token: every request carries X-Auth-Token.
func Example_tokenAuth() {
	srv := standIn(200, `{"is_success":true,"message":"","connections":[],"count":0}`, func(r *http.Request, _ []byte) {
		fmt.Println("server got X-Auth-Token:", r.Header.Get("X-Auth-Token"))
	})
	defer srv.Close()

	c, err := client.New(client.Options{
		Endpoint:    srv.URL, // or Region: "cn-north-4"
		Credentials: auth.Token("MIIE-example-token"),
	})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := c.ListDatasourceConnectionsWithResponse(context.Background(), "0123456789abcdef0123456789abcdef", nil)
	if err := apierror.Check(resp, err); err != nil {
		log.Fatal(err)
	}
	fmt.Println("connections:", *resp.JSON200.Count)
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

	creds := auth.AKSK{
		AK:        "AKTESTEXAMPLE0000000",
		SK:        "SKtestexampleSecretKey0000000000000000000",
		ProjectID: "0123456789abcdef0123456789abcdef",
	}
	fmt.Println(creds) // secrets never print
	c, err := client.New(client.Options{Endpoint: srv.URL, Credentials: creds})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := c.CreateDatasourceConnectionWithResponse(context.Background(), creds.ProjectID, dli.ConnectionCreateRequest{
		Name: "rds_orders", Service: "RDS", URL: "192.168.12.148:3306",
		SecurityGroupID: "a07ab107-a4ad-4835-ad09-08a2f2efccdb", NetworkID: "e83ba67d-e812-42d3-908d-6ea0b2cc5ecb",
	})
	if err := apierror.Check(resp, err); err != nil {
		log.Fatal(err)
	}
	fmt.Println("created:", *resp.JSON201.ConnectionID)
	// Output:
	// auth.AKSK{AK: AKTE****, SK: [redacted], ProjectID: 0123456789abcdef0123456789abcdef}
	// signature valid: true project: 0123456789abcdef0123456789abcdef
	// created: 68233202-63bf-4f27-a99b-fa5f5a2dbae1
}

// Handle errors: every failure is an *apierror.Error with the status, the
// DLI code and message and the request id; predicates cover the common
// cases.
func Example_errorHandling() {
	srv := standIn(400, `{"error_code":"DLI.0002","error_msg":"The connection 4d9b0d6e-2f1c-4c1a-9e5e-3b1f0a9c7d21 does not exist"}`,
		func(*http.Request, []byte) {})
	defer srv.Close()

	c, err := client.New(client.Options{Endpoint: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := c.ShowDatasourceConnectionWithResponse(context.Background(),
		"0123456789abcdef0123456789abcdef", "4d9b0d6e-2f1c-4c1a-9e5e-3b1f0a9c7d21")
	err = apierror.Check(resp, err)
	var e *apierror.Error
	switch {
	case apierror.IsNotFound(err):
		fmt.Println("not found:", err)
		if errors.As(err, &e) {
			fmt.Println("status", e.StatusCode, "code", e.Code, "request", e.RequestID)
		}
	case apierror.IsThrottled(err):
		fmt.Println("slow down and try later")
	case err != nil:
		fmt.Println("failed:", err)
	}
	// Output:
	// not found: dli: HTTP 400 Bad Request: DLI.0002: The connection 4d9b0d6e-2f1c-4c1a-9e5e-3b1f0a9c7d21 does not exist (request id 7d2c0b7e)
	// status 400 code DLI.0002 request 7d2c0b7e
}
