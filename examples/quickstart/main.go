// Command quickstart lists the classic datasource connections of a project
// with the generated client. It is the README's usage sample; a test keeps
// the two identical.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/dli-contract/dli-go/gen/dli"
)

func main() {
	endpoint := os.Getenv("DLI_ENDPOINT") // e.g. https://dli.cn-north-4.myhuaweicloud.com
	project := os.Getenv("DLI_PROJECT_ID")
	token := os.Getenv("DLI_TOKEN") // a project-scoped IAM token

	client, err := dli.NewClientWithResponses(endpoint,
		dli.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}),
		dli.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("X-Auth-Token", token)
			return nil
		}))
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.ListDatasourceConnectionsWithResponse(context.Background(), project)
	if err != nil {
		log.Fatal(err)
	}
	if resp.JSON200 == nil {
		fmt.Fprintf(os.Stderr, "list failed: %s: %q\n", resp.Status(), resp.Body)
		os.Exit(1)
	}
	for _, c := range resp.JSON200.Connections {
		fmt.Println(value(c.ConnectionID), value(c.Name), value(c.State))
	}
}

// value reads an optional field: every success field is optional in DLI's
// documentation, so the client decodes them as pointers.
func value[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
