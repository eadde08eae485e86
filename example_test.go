package dligo_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/dli-contract/dli-go/gen/dli"
)

// Create a connection with the generated client. A local stand-in server
// shows the request the client sent and answers as DLI does.
func Example_createConnection() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("server got %s %s %s\n%s\n", r.Method, r.URL.Path, r.Header.Get("Content-Type"), body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"is_success":true,"message":"","connection_id":"68233202-63bf-4f27-a99b-fa5f5a2dbae1"}`)
	}))
	defer srv.Close()

	client, err := dli.NewClientWithResponses(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.CreateDatasourceConnectionWithResponse(context.Background(), "0123456789abcdef0123456789abcdef",
		dli.ConnectionCreateRequest{
			Name:            "rds_orders",
			Service:         "RDS",
			SecurityGroupID: "a07ab107-a4ad-4835-ad09-08a2f2efccdb",
			NetworkID:       "e83ba67d-e812-42d3-908d-6ea0b2cc5ecb",
			URL:             "192.168.12.148:3306",
		})
	if err != nil {
		log.Fatal(err)
	}
	if resp.JSON201 == nil {
		log.Fatalf("create failed: %s %s", resp.Status(), resp.Body)
	}
	fmt.Println(resp.StatusCode(), *resp.JSON201.ConnectionID)
	// Output:
	// server got POST /v2.0/0123456789abcdef0123456789abcdef/datasource-connection application/json
	// {"name":"rds_orders","network_id":"e83ba67d-e812-42d3-908d-6ea0b2cc5ecb","security_group_id":"a07ab107-a4ad-4835-ad09-08a2f2efccdb","service":"RDS","url":"192.168.12.148:3306"}
	// 201 68233202-63bf-4f27-a99b-fa5f5a2dbae1
}
