package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

const document = "../../openapi/dli.yaml"

func load(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(document)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// An operation added to the document gets its typed method on
// regeneration, with its path parameters, query parameters, body, success
// type and summary, and no code written for it.
func TestAnAddedOperationGetsItsMethod(t *testing.T) {
	doc := load(t)
	show := doc.Paths.Value("/v2.0/{project_id}/datasource/enhanced-connections/{connection_id}").Get
	added := *show
	added.OperationID = "ListEnhancedConnectionPeers"
	added.Summary = "List the peers of an enhanced datasource connection"
	added.Parameters = openapi3.Parameters{
		{Value: openapi3.NewPathParameter("peer_group").WithSchema(openapi3.NewStringSchema())},
		{Value: openapi3.NewQueryParameter("limit").WithSchema(openapi3.NewIntegerSchema())},
	}
	added.RequestBody = doc.Paths.Value("/v2.0/{project_id}/datasource/enhanced-connections/{connection_id}").Put.RequestBody
	item := &openapi3.PathItem{
		Parameters: doc.Paths.Value("/v2.0/{project_id}/datasource/enhanced-connections/{connection_id}").Parameters,
		Post:       &added,
	}
	doc.Paths.Set("/v2.0/{project_id}/datasource/enhanced-connections/{connection_id}/peers/{peer_group}", item)

	code, err := Generate(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"// ListEnhancedConnectionPeers lists the peers of an enhanced datasource connection.\n",
		"func (c *Client) ListEnhancedConnectionPeers(ctx context.Context, connectionID string, peerGroup string, " +
			"params *dli.ListEnhancedConnectionPeersParams, body dli.ListEnhancedConnectionPeersJSONRequestBody) (*dli.EnhancedConnectionDetail, error) {",
		"c.raw.ListEnhancedConnectionPeersWithResponse(c.operation(ctx, \"ListEnhancedConnectionPeers\"), c.projectID, connectionID, peerGroup, params, body)",
		`check("ListEnhancedConnectionPeers", resp, err)`,
	} {
		if !strings.Contains(string(code), want) {
			t.Errorf("the generated code lacks\n%s\nin:\n%s", want, code)
		}
	}
}

// The committed file is what the generator makes of the document (make
// check-generated checks the same from the outside).
func TestTheCommittedMethodsAreCurrent(t *testing.T) {
	code, err := Generate(load(t))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join("..", "..", "client", "operations.gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(code, committed) {
		t.Error("client/operations.gen.go is stale: run make generate")
	}
}

func TestWhatTheGeneratorRefuses(t *testing.T) {
	cases := []struct {
		name     string
		breakDoc func(*openapi3.T)
		want     string
	}{
		{"no summary", func(d *openapi3.T) {
			d.Paths.Value("/v2.0/{project_id}/datasource/enhanced-connections").Get.Summary = ""
		}, "ListEnhancedConnections has no summary"},
		{"an inline success schema", func(d *openapi3.T) {
			r := d.Paths.Value("/v2.0/{project_id}/datasource/enhanced-connections").Get.Responses.Value("200").Value
			r.Content.Get("application/json").Schema = openapi3.NewObjectSchema().NewRef()
		}, "ListEnhancedConnections: the 200 response's schema must be a $ref"},
		{"no operationId", func(d *openapi3.T) {
			d.Paths.Value("/v2.0/{project_id}/datasource/enhanced-connections").Get.OperationID = ""
		}, "GET /v2.0/{project_id}/datasource/enhanced-connections has no operationId"},
		{"a deprecated operation without a successor", func(d *openapi3.T) {
			delete(d.Paths.Value("/v2.0/{project_id}/datasource/auth-infos").Post.Extensions, "x-dli-successor")
		}, "CreateAuthInfo is deprecated and names no x-dli-successor"},
		{"a successor that is no operation", func(d *openapi3.T) {
			d.Paths.Value("/v2.0/{project_id}/datasource/auth-infos").Post.Extensions["x-dli-successor"] = "CreateAuthInfoV3"
		}, "CreateAuthInfo: x-dli-successor CreateAuthInfoV3 is no operationId of the document"},
		{"a deprecated successor", func(d *openapi3.T) {
			d.Paths.Value("/v2.0/{project_id}/datasource/auth-infos").Post.Extensions["x-dli-successor"] = "ListAuthInfo"
		}, "CreateAuthInfo: x-dli-successor ListAuthInfo is deprecated too"},
	}
	for _, tc := range cases {
		doc := load(t)
		tc.breakDoc(doc)
		_, err := Generate(doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestLowerCamelAndComment(t *testing.T) {
	for in, want := range map[string]string{"connection_id": "connectionID", "name": "name", "peer_group": "peerGroup", "id": "id"} {
		if got := lowerCamel(in); got != want {
			t.Errorf("lowerCamel(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"Show a thing": "shows a thing", "Bind x": "binds x", "Replace y": "replaces y", "Query z": "queries z", "Push w": "pushes w"} {
		if got := comment(in); got != want {
			t.Errorf("comment(%q) = %q, want %q", in, got, want)
		}
	}
}

// A deprecated call names its successor in the first line of its doc
// comment, which is what go doc and an editor's hover show.
func TestADeprecatedCallNamesItsSuccessorFirst(t *testing.T) {
	doc := load(t)
	ops, err := Operations(doc)
	if err != nil {
		t.Fatal(err)
	}
	code, err := Generate(doc)
	if err != nil {
		t.Fatal(err)
	}
	deprecated := 0
	for _, o := range ops {
		if o.Deprecated == "" {
			continue
		}
		deprecated++
		first := "// " + o.ID + " is deprecated: use " + o.Successor + ". It "
		if !strings.Contains(string(code), "\n"+first) {
			t.Errorf("%s: the doc comment does not begin %q", o.ID, first)
		}
	}
	if deprecated < 10 {
		t.Errorf("%d deprecated calls; the document has ten", deprecated)
	}
}

// A path parameter takes the Go type of its schema: a connectivity
// test's id is the int64 its create answers.
func TestPathParametersTakeTheirSchemasType(t *testing.T) {
	code, err := Generate(load(t))
	if err != nil {
		t.Fatal(err)
	}
	want := "func (c *Client) ShowConnectivityTask(ctx context.Context, queueName string, taskID int64) (*dli.ConnectivityTask, error) {"
	if !strings.Contains(string(code), want) {
		t.Errorf("the generated code lacks\n%s", want)
	}
}
