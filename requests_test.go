package dligo_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/dli-contract/dli-go/gen/dli"
)

// The request builders come from the forked client template
// (tools/templates/client.tmpl), which appends each operation's path to the
// server string. These cases pin what that must mean: the server's own path
// is kept, with or without its trailing slash, and path parameters are
// escaped as one segment each.
func TestRequestURLs(t *testing.T) {
	const project, conn = "48cc2c48765f481480c7db940d6409d1", "2a620c33-5609-40c9-affd-2b6453071b0f"
	build := map[string]func(server, project, conn string) (*http.Request, error){
		"list": func(s, p, _ string) (*http.Request, error) { return dli.NewListDatasourceConnectionsRequest(s, p, nil) },
		"list-tags": func(s, p, _ string) (*http.Request, error) {
			tags := "team=data-platform,env=prod"
			return dli.NewListDatasourceConnectionsRequest(s, p, &dli.ListDatasourceConnectionsParams{Tags: &tags})
		},
		"create": func(s, p, _ string) (*http.Request, error) {
			return dli.NewCreateDatasourceConnectionRequest(s, p, dli.ConnectionCreateRequest{})
		},
		"show":   dli.NewShowDatasourceConnectionRequest,
		"delete": dli.NewDeleteDatasourceConnectionRequest,
	}
	tests := []struct {
		op, server, project, conn string
		method, url               string
	}{
		{"list", "https://dli.cn-north-4.myhuaweicloud.com", project, "",
			http.MethodGet, "https://dli.cn-north-4.myhuaweicloud.com/v2.0/" + project + "/datasource-connection"},
		{"list-tags", "https://dli.cn-north-4.myhuaweicloud.com", project, "",
			http.MethodGet, "https://dli.cn-north-4.myhuaweicloud.com/v2.0/" + project + "/datasource-connection?tags=team%3Ddata-platform%2Cenv%3Dprod"},
		{"create", "https://dli.cn-north-4.myhuaweicloud.com/", project, "",
			http.MethodPost, "https://dli.cn-north-4.myhuaweicloud.com/v2.0/" + project + "/datasource-connection"},
		{"show", "http://127.0.0.1:8080", project, conn,
			http.MethodGet, "http://127.0.0.1:8080/v2.0/" + project + "/datasource-connection/" + conn},
		{"delete", "https://gw.example.com/dli/", project, conn,
			http.MethodDelete, "https://gw.example.com/dli/v2.0/" + project + "/datasource-connection/" + conn},
		// Without its trailing slash a server path is still a prefix, not a
		// sibling to resolve against.
		{"show", "https://gw.example.com/dli", project, conn,
			http.MethodGet, "https://gw.example.com/dli/v2.0/" + project + "/datasource-connection/" + conn},
		{"delete", "https://gw.example.com", "a/b c", "x?y#z",
			http.MethodDelete, "https://gw.example.com/v2.0/a%2Fb%20c/datasource-connection/x%3Fy%23z"},
	}
	for _, tc := range tests {
		t.Run(tc.op+" "+tc.server, func(t *testing.T) {
			req, err := build[tc.op](tc.server, tc.project, tc.conn)
			if err != nil {
				t.Fatal(err)
			}
			if req.Method != tc.method || req.URL.String() != tc.url {
				t.Errorf("got %s %s\nwant %s %s", req.Method, req.URL, tc.method, tc.url)
			}
		})
	}
}

func TestRequestURLBadServer(t *testing.T) {
	if _, err := dli.NewListDatasourceConnectionsRequest("http://[::1", "p", nil); err == nil {
		t.Fatal("a server that is not a URL built a request")
	}
	c, err := dli.NewClient("://no-scheme")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListDatasourceConnections(context.Background(), "p", nil); err == nil {
		t.Fatal("a client with a server that is not a URL sent a request")
	}
}
