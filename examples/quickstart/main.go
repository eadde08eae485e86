// Command quickstart lists the classic datasource connections of a project.
// It is the README's usage sample; a test keeps the two identical.
//
//	DLI_REGION=cn-north-4 DLI_PROJECT_ID=... DLI_AK=... DLI_SK=... go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/client"
)

func main() {
	project := os.Getenv("DLI_PROJECT_ID")
	c, err := client.New(client.Options{
		Region:   os.Getenv("DLI_REGION"),   // e.g. cn-north-4
		Endpoint: os.Getenv("DLI_ENDPOINT"), // optional: wins over Region, e.g. http://127.0.0.1:8080 for dli-mock
		Credentials: auth.AKSK{ // or auth.Token(os.Getenv("DLI_TOKEN"))
			AK:        os.Getenv("DLI_AK"),
			SK:        os.Getenv("DLI_SK"),
			ProjectID: project,
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(2)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := c.ListDatasourceConnectionsWithResponse(ctx, project, nil)
	err = apierror.Check(resp, err)
	switch {
	case apierror.IsAuth(err):
		fmt.Fprintln(os.Stderr, "quickstart: check DLI_AK, DLI_SK and DLI_PROJECT_ID:", err)
		os.Exit(1)
	case err != nil:
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
	for _, conn := range resp.JSON200.Connections {
		fmt.Println(value(conn.ConnectionID), value(conn.Name), value(conn.State))
	}
}

// value reads an optional field: DLI documents every success field as
// optional, so the client decodes them as pointers.
func value[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
