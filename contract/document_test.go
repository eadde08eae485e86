package contract_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/gen/spec"
	"github.com/dli-contract/dli-go/validate"
)

const documentPath = "../openapi/dli.yaml"

func loadFile(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromFile(documentPath)
	require.NoError(t, err)
	return doc
}

func TestDocumentHoldsItsRules(t *testing.T) {
	t.Parallel()
	caseRun()
	for _, f := range contract.CheckDocument(loadFile(t)) {
		t.Errorf("openapi/dli.yaml %s", f)
	}
}

func TestEmbeddedDocumentIsTheFile(t *testing.T) {
	t.Parallel()
	caseRun()
	embedded, err := spec.GetSpec()
	require.NoError(t, err)
	want, err := json.Marshal(loadFile(t))
	require.NoError(t, err)
	got, err := json.Marshal(embedded)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got), "gen/spec is stale: run `make generate`")
}

func TestOperationsAreTheDocumentedOnes(t *testing.T) {
	t.Parallel()
	caseRun()
	doc := loadFile(t)
	got := map[string]string{}
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			got[op.OperationID] = method + " " + path
		}
	}
	assert.Equal(t, map[string]string{
		"CreateDatasourceConnection": "POST /v2.0/{project_id}/datasource-connection",
		"ListDatasourceConnections":  "GET /v2.0/{project_id}/datasource-connection",
		"ShowDatasourceConnection":   "GET /v2.0/{project_id}/datasource-connection/{connection_id}",
		"DeleteDatasourceConnection": "DELETE /v2.0/{project_id}/datasource-connection/{connection_id}",

		"CreateEnhancedConnection":                "POST /v2.0/{project_id}/datasource/enhanced-connections",
		"ListEnhancedConnections":                 "GET /v2.0/{project_id}/datasource/enhanced-connections",
		"ShowEnhancedConnection":                  "GET /v2.0/{project_id}/datasource/enhanced-connections/{connection_id}",
		"UpdateEnhancedConnection":                "PUT /v2.0/{project_id}/datasource/enhanced-connections/{connection_id}",
		"DeleteEnhancedConnection":                "DELETE /v2.0/{project_id}/datasource/enhanced-connections/{connection_id}",
		"AssociateQueueToEnhancedConnection":      "POST /v2.0/{project_id}/datasource/enhanced-connections/{connection_id}/associate-queue",
		"DisassociateQueueFromEnhancedConnection": "POST /v2.0/{project_id}/datasource/enhanced-connections/{connection_id}/disassociate-queue",
		"ShowEnhancedConnectionPrivilege":         "GET /v2.0/{project_id}/datasource/enhanced-connections/{connection_id}/privileges",
		"CreateRouteToEnhancedConnection":         "POST /v3/{project_id}/datasource/enhanced-connections/{connection_id}/routes",
		"DeleteRouteFromEnhancedConnection":       "DELETE /v3/{project_id}/datasource/enhanced-connections/{connection_id}/routes/{name}",
		// Deprecated, but what Terraform's provider calls.
		"CreateEnhancedConnectionRoutes": "POST /v2.0/{project_id}/datasource/enhanced-connections/{connection_id}/routes",
		"DeleteEnhancedConnectionRoutes": "DELETE /v2.0/{project_id}/datasource/enhanced-connections/{connection_id}/routes/{name}",

		"BatchCreateResourceTags": "POST /v3/{project_id}/{resource_type}/{resource_id}/tags/create",
		"BatchDeleteResourceTags": "POST /v3/{project_id}/{resource_type}/{resource_id}/tags/delete",
		"ShowResourceTags":        "GET /v3/{project_id}/{resource_type}/{resource_id}/tags",
		"ListResourcesTags":       "GET /v3/{project_id}/{resource_type}/tags",
		"ListResourcesByTags":     "POST /v3/{project_id}/{resource_type}/resource-instances/filter",
		"CountResourcesByTags":    "POST /v3/{project_id}/{resource_type}/resource-instances/count",

		"RunAuthorizationAction":      "PUT /v1.0/{project_id}/authorization",
		"ListAuthorizationPrivileges": "GET /v1.0/{project_id}/authorization/privileges",

		"CreateJobAuthInfo": "POST /v3/{project_id}/datasource/auth-infos",
		"ListJobAuthInfos":  "GET /v3/{project_id}/datasource/auth-infos",
		"UpdateJobAuthInfo": "PUT /v3/{project_id}/datasource/auth-infos",
		"DeleteJobAuthInfo": "DELETE /v3/{project_id}/datasource/auth-infos/{auth_info_name}",
		// Deprecated, one store with v3.
		"CreateAuthInfo": "POST /v2.0/{project_id}/datasource/auth-infos",
		"ListAuthInfo":   "GET /v2.0/{project_id}/datasource/auth-infos",
		"UpdateAuthInfo": "PUT /v2.0/{project_id}/datasource/auth-infos",
		"DeleteAuthInfo": "DELETE /v2.0/{project_id}/datasource/auth-infos/{auth_info_name}",

		"CreateConnectivityTask": "POST /v1.0/{project_id}/queues/{queue_name}/connection-test",
		"ShowConnectivityTask":   "GET /v1.0/{project_id}/queues/{queue_name}/connection-test/{task_id}",
	}, got)
}

// The seed page's examples are the ground truth the document started from:
// they must validate, and the document must carry them verbatim.
func TestSeedExamples(t *testing.T) {
	t.Parallel()
	doc := loadFile(t)
	cases := []struct {
		file    string
		schema  string
		example string
	}{
		{"testdata/seed-create-request.json", "ConnectionCreateRequest", "CreateRequestSeed"},
		{"testdata/seed-create-response.json", "ConnectionCreated", "CreateResponseSeed"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			caseRun()
			raw, err := os.ReadFile(tc.file)
			require.NoError(t, err)
			var v any
			require.NoError(t, json.Unmarshal(raw, &v))
			schema := doc.Components.Schemas[tc.schema].Value
			assert.NoError(t, schema.VisitJSON(v, validate.SchemaOptions()...))
			ex := doc.Components.Examples[tc.example].Value.Value
			assert.JSONEq(t, string(raw), string(mustJSON(t, ex)), "example %s differs from the seed", tc.example)
		})
	}
}

// Proofs that the document check fails, and says where, when the document
// or a fixture in it is wrong.
func TestPortablePattern(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern string
		want    string // "" when portable, else a word of the reason
	}{
		{`^[0-9A-Za-z_-]+$`, ""},
		{`^[^\x00-\x2a\x2c]([^\x00-\x1f]*[^\x00-\x2a])?$`, ""},
		{`^a{1,3}b{2}c{4,}\.\-\/$`, ""},
		{`^(ab|cd)?$`, ""},
		{`^[\p{L}]+$`, "literal p"},
		{`^\d+$`, "Unicode"},
		{`^\w+$`, "Unicode"},
		{`^\s$`, "Unicode"},
		{`^\u00e9$`, "RE2"},
		{`^é$`, "non-ASCII"},
		{`^(?i)abc$`, "(? group"},
		{`^(?P<x>a)$`, "(? group"},
		{`^[]a]$`, "empty class"},
		{`^[a[b]$`, "nested"},
		{`^a{,3}$`, "quantifier"},
		{`^{$`, "quantifier"},
		{`^(a$`, "RE2 cannot compile"},
	}
	for _, tc := range cases {
		err := contract.PortablePattern(tc.pattern)
		if tc.want == "" {
			assert.NoError(t, err, tc.pattern)
			continue
		}
		if assert.Error(t, err, tc.pattern) {
			assert.Contains(t, err.Error(), tc.want, tc.pattern)
		}
	}
}

func TestDocumentCheckCatches(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		breakDoc func(*openapi3.T)
		where    string
	}{
		{"a fixture with a wrong type", func(d *openapi3.T) {
			d.Components.Examples["CreateResponseSeed"].Value.Value = map[string]any{"is_success": "yes"}
		}, "#/paths/~1v2.0~1{project_id}~1datasource-connection/post/responses/201/content/application~1json/examples/seed"},
		{"a fixture with a non-uuid id", func(d *openapi3.T) {
			d.Components.Examples["CreateResponseSeed"].Value.Value = map[string]any{"connection_id": "abc"}
		}, "#/paths/~1v2.0~1{project_id}~1datasource-connection/post/responses/201/content/application~1json/examples/seed"},
		{"a wrong type in the document", func(d *openapi3.T) {
			d.Components.Schemas["Connection"].Value.Properties["create_time"].Value.Type = &openapi3.Types{"string"}
		}, "#/paths/~1v2.0~1{project_id}~1datasource-connection/get/responses/200/content/application~1json/examples/twoConnections"},
		{"an operation without operationId", func(d *openapi3.T) {
			d.Paths.Value("/v2.0/{project_id}/datasource-connection").Get.OperationID = ""
		}, "#/paths/~1v2.0~1{project_id}~1datasource-connection/get"},
		{"a response without content", func(d *openapi3.T) {
			op := d.Paths.Value("/v2.0/{project_id}/datasource-connection/{connection_id}").Delete
			op.Responses.Set("202", &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("gone")})
		}, "#/paths/~1v2.0~1{project_id}~1datasource-connection~1{connection_id}/delete/responses/202"},
		{"a pattern in a dialect of its own", func(d *openapi3.T) {
			d.Components.Schemas["Tag"].Value.Properties["key"].Value.Pattern = `^[\p{L}\p{N}_.:=+@-]+$`
		}, "#/components/schemas/Tag/properties/key/pattern"},
		{"a non-portable pattern of a parameter", func(d *openapi3.T) {
			d.Components.Parameters["ProjectID"].Value.Schema.Value.Pattern = `^\w+$`
		}, "#/components/parameters/ProjectID/schema/pattern"},
		{"a link to no operation", func(d *openapi3.T) {
			d.Components.Links["DeleteClassic"].Value.OperationID = "RemoveDatasourceConnection"
		}, "#/paths/~1v2.0~1{project_id}~1datasource-connection/post/responses/201/links/DeleteDatasourceConnection"},
		{"a link parameter the target lacks", func(d *openapi3.T) {
			d.Components.Links["ShowEnhancedConnection"].Value.Parameters["id"] = "$response.body#/connection_id"
		}, "#/paths/~1v2.0~1{project_id}~1datasource~1enhanced-connections/post/responses/201/links/ShowEnhancedConnection"},
		{"a link expression the gate cannot follow", func(d *openapi3.T) {
			d.Components.Links["ShowEnhancedConnection"].Value.Parameters["connection_id"] = "$response.header.Location"
		}, "#/paths/~1v2.0~1{project_id}~1datasource~1enhanced-connections/post/responses/201/links/ShowEnhancedConnection"},
		{"an operation the gate cannot place", func(d *openapi3.T) {
			delete(d.Paths.Value("/v2.0/{project_id}/datasource/enhanced-connections/{connection_id}/privileges").Get.Extensions, "x-dli-operation")
		}, "x-dli declarations"},
		{"a charset in the content type", func(d *openapi3.T) {
			op := d.Paths.Value("/v2.0/{project_id}/datasource-connection").Post
			c := op.RequestBody.Value.Content
			c["application/json;charset=UTF-8"] = c["application/json"]
		}, "#/paths/~1v2.0~1{project_id}~1datasource-connection/post/requestBody/content/application~1json;charset=UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			caseRun()
			doc := loadFile(t)
			tc.breakDoc(doc)
			findings := contract.CheckDocument(doc)
			require.NotEmpty(t, findings, "the check let %s through", tc.name)
			var wheres []string
			for _, f := range findings {
				wheres = append(wheres, f.Where)
			}
			assert.Contains(t, wheres, tc.where, "findings: %v", findings)
		})
	}
	// And the untouched document passes, so the cases above fail for their
	// own reason.
	require.Empty(t, contract.CheckDocument(loadFile(t)))
}
