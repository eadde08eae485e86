package semantics_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/semantics"
)

func load(t *testing.T, edit func(string) string) (*semantics.Semantics, error) {
	t.Helper()
	raw, err := os.ReadFile("../openapi/dli.yaml")
	require.NoError(t, err)
	text := string(raw)
	if edit != nil {
		text = edit(text)
	}
	doc, err := openapi3.NewLoader().LoadFromData([]byte(text))
	require.NoError(t, err)
	return semantics.Load(doc)
}

func TestTheDocumentPlacesEveryOperation(t *testing.T) {
	t.Parallel()
	s, err := load(t, nil)
	require.NoError(t, err)
	assert.Len(t, s.Operations, 34)
	for _, id := range s.Order {
		assert.NotEmpty(t, s.Of(id).Role, id)
	}

	enhanced := s.Resources["enhanced_connection"]
	require.NotNil(t, enhanced)
	assert.Equal(t, "CreateEnhancedConnection", enhanced.Op(semantics.Create).ID)
	assert.Equal(t, "ShowEnhancedConnection", enhanced.Op(semantics.Read).ID)
	assert.Equal(t, "DELETED", enhanced.Deleted.State)
	assert.Equal(t, semantics.Answer{Status: 400, Code: "DLI.0001"}, enhanced.Unknown)
	list := enhanced.Op(semantics.List)
	assert.Equal(t, semantics.Filter{Field: "status", Match: "fold"}, list.Filters["status"])
	all := 0
	assert.Equal(t, &semantics.Paging{Offset: "offset", Limit: "limit", All: &all}, list.Paging, "limit=0 lists every connection")

	classic := s.Resources["classic_connection"]
	assert.Equal(t, []string{"CREATING"}, classic.State.Settling)
	assert.Equal(t, &semantics.Answer{Status: 400, Code: "DLI.0006"}, classic.Unique, "dli_02_0187: a classic name is unique")
	assert.Equal(t, []semantics.Refusal{{Operation: "DeleteDatasourceConnection", Status: 400}}, classic.State.Refuses["CREATING"])
	assert.Equal(t, []string{"DLI.0001", "DLI.0006"}, s.Of("CreateDatasourceConnection").Codes[400])
	assert.Equal(t, []string{"DLI.0001"}, s.Of("ShowEnhancedConnection").Codes[400], "a component response's codes")

	// The v3 route add, not the deprecated v2.0 one.
	assert.Equal(t, "CreateRouteToEnhancedConnection", s.Resources["route"].Op(semantics.Create).ID)
	assert.Equal(t, "$request.path.connection_id", s.Of("DeleteRouteFromEnhancedConnection").ParentExpr.String())

	var creates []string
	for _, r := range s.Creates() {
		creates = append(creates, r.Kind)
	}
	assert.Equal(t, []string{"auth_info", "classic_connection", "connectivity_task", "enhanced_connection", "route", "tag"}, creates)

	// A connection's tags: a child keyed by its key, added and deleted in
	// batches, found and counted by what the connections carry.
	tag := s.Resources["tag"]
	assert.Equal(t, "enhanced_connection", tag.Parent)
	assert.True(t, tag.Idempotent, "dli_02_0397: deleting a tag that is not there is no error")
	add := tag.Op(semantics.Create)
	assert.Equal(t, "BatchCreateResourceTags", add.ID)
	assert.True(t, add.KeyExpr.Many(), "one create adds every tag of its body")
	assert.Equal(t, map[string]string{"resource_type": "dli_enhanced_datasource"}, add.Fixed)
	assert.Equal(t, "ShowResourceTags", s.Of("ShowResourceTags").ID)
	assert.Equal(t, "values", s.Of("ListResourcesTags").Values)
	filter := s.Of("ListResourcesByTags")
	assert.Equal(t, semantics.List, filter.Role)
	assert.Equal(t, "resource_id", filter.ItemKey)
	assert.Equal(t, "/total_count", filter.Total, "the number of all it selects, whatever the page")
	assert.Equal(t, &semantics.ByTags{Kind: "tag", Tags: "tags", Without: "without_any_tag", Names: "matches", NameKey: "resource_name"}, filter.ByTags)
	count := s.Of("CountResourcesByTags")
	assert.Equal(t, semantics.Count, count.Role)
	assert.Equal(t, "/total_count", count.Total)
	assert.Equal(t, filter.ByTags, count.ByTags)
	assert.Contains(t, s.CloudInputs, semantics.CloudInput{Operation: "CreateEnhancedConnection", Pointer: "/dest_vpc_id", Input: "vpc-id"})
	assert.Contains(t, s.CloudInputs, semantics.CloudInput{Operation: "AssociateQueueToEnhancedConnection", Pointer: "/queues", Input: "queue"})
	assert.Equal(t, "queue", s.InputAt("AssociateQueueToEnhancedConnection", "/queues/*").Name, "an item takes its array's input")
	assert.Nil(t, s.InputAt("AssociateQueueToEnhancedConnection", "/queue"))
	grantee := s.Input("grantee-project-id")
	require.NotNil(t, grantee)
	assert.Equal(t, "DLI_CONTRACT_GRANTEE_PROJECT_ID", grantee.Env())
	assert.Equal(t, "grantee_project_id", grantee.Placeholder())
	assert.Equal(t, semantics.NeedOptional, grantee.Need)
	assert.Equal(t, "RDS", s.Input("service").Default)
	assert.Equal(t, []string{"USE_AUTH", "UPDATE_AUTH", "DROP_AUTH", "GRANT_PRIVILEGE", "REVOKE_PRIVILEGE", "SHOW_PRIVILEGES"}, s.Resources["auth_info"].Privileges)
	rule := s.Resources["connectivity_task"].Mock.Decides
	require.NotNil(t, rule)
	assert.Equal(t, semantics.Decides{Field: "connectivity", Value: "REACHABLE", Otherwise: "UNREACHABLE",
		When: semantics.When{Match: map[string]string{"address": rule.When.Match["address"]}, Bound: "enhanced_connection"}}, *rule)
}

// A declaration the gate could not act on fails the document, naming the
// operation or resource and what is missing.
func TestDeclarationsAreCheckedLikeCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"an unknown key", "role: list\n        items: /connections\n        filters:\n          tags", "role: list\n        itemz: /connections\n        filters:\n          tags",
			`operation ListDatasourceConnections (GET /v2.0/{project_id}/datasource-connection): x-dli-operation: json: unknown field "itemz"`},
		{"no declaration", "      operationId: ShowEnhancedConnectionPrivilege\n      x-dli-operation:", "      operationId: ShowEnhancedConnectionPrivilege\n      x-dli-not-it:",
			"operation ShowEnhancedConnectionPrivilege (GET /v2.0/{project_id}/datasource/enhanced-connections/{connection_id}/privileges): no x-dli-operation: the gate cannot place it"},
		{"no role", "      resource: enhanced_connection\n        role: update", "      resource: enhanced_connection\n        role: patch",
			`operation UpdateEnhancedConnection (PUT /v2.0/{project_id}/datasource/enhanced-connections/{connection_id}): role "patch"`},
		{"an undeclared resource", "resource: privilege\n", "resource: grants\n", `resource "grants" is not declared in x-dli-resources`},
		{"a key in no answer", "resource: enhanced_connection\n        role: create\n        key: $response.body#/connection_id", "resource: enhanced_connection\n        role: create\n        key: $response.body#/id",
			"operation CreateEnhancedConnection (POST /v2.0/{project_id}/datasource/enhanced-connections): key $response.body#/id: its 201 answer: the schema has no /id"},
		{"a path parameter it cannot fill", "  role: delete\n        key: $request.path.name\n        parent: $request.path.connection_id", "  role: delete\n        key: $request.body#/name\n        parent: $request.path.connection_id",
			"operation DeleteRouteFromEnhancedConnection (DELETE /v3/{project_id}/datasource/enhanced-connections/{connection_id}/routes/{name}): key $request.body#/name: the operation has no JSON request body"},
		{"a filter the items lack", "name: {field: name}", "name: {field: title}", `operation ListEnhancedConnections (GET /v2.0/{project_id}/datasource/enhanced-connections): filter name matches "title", which an item lacks`},
		{"a filter that is no parameter", "status: {field: status, match: fold}", "state: {field: status, match: fold}", `filter "state" is not a query parameter of the operation`},
		{"a link it cannot follow", "        connection_id: $request.path.connection_id\n        name: $request.body#/name\n    DeleteEnhancedConnectionRoutes", "        connection_id: $request.path.connection_id\n        name: $request.body#/route_name\n    DeleteEnhancedConnectionRoutes",
			"operation CreateRouteToEnhancedConnection: response 200: link DeleteRouteFromEnhancedConnection: parameter name: $request.body#/route_name: the schema has no /route_name"},
		{"a state outside the enum", "        CREATING: [ACTIVE, FAILED]", "        CREATING: [ACTIVE, GONE]", `resource classic_connection: state "GONE" is not a value of state`},
		{"a refusal of another resource", "          - {operation: DeleteDatasourceConnection, status: 400}", "          - {operation: DeleteEnhancedConnection, status: 400}",
			"resource classic_connection: state CREATING refuses DeleteEnhancedConnection, which acts on enhanced_connection"},
		{"a create nothing deletes", "      operationId: DeleteDatasourceConnection\n      x-dli-operation:\n        resource: classic_connection\n        role: delete", "      operationId: DeleteDatasourceConnection\n      x-dli-operation:\n        resource: classic_connection\n        role: action",
			"resource classic_connection: operations create it (CreateDatasourceConnection) but none deletes it: a run could not clean up"},
		{"a uniqueness code the create does not declare", "unique: {status: 400, code: DLI.0006}", "unique: {status: 400, code: DLI.0008}",
			"resource classic_connection: unique: CreateDatasourceConnection's 400 does not declare DLI.0008 (x-dli-codes)"},
		{"a uniqueness that is no refusal", "unique: {status: 400, code: DLI.0006}", "unique: {status: 200}", "resource classic_connection: unique: a refusal is a 4xx status"},
		{"a code that is no code", "x-dli-codes: [DLI.0002]", "x-dli-codes: [not-found]", `x-dli-codes: "not-found" is not an error code`},
		{"a property taking no declared input", "x-dli-cloud-input: vpc-id", "x-dli-cloud-input: vpc", "x-dli-cloud-input at /dest_vpc_id: vpc is not a declared input; want one of x-dli-cloud-inputs's [vpc-id"},
		{"a mock refusal that is no refusal", "      unique: {status: 400, code: DLI.0006}\n      unknown: {status: 400, code: DLI.0002}", "      unique: {status: 200, code: DLI.0006}\n      unknown: {status: 400, code: DLI.0002}",
			"resource auth_info: mock unique: a refusal is a 4xx status"},
		{"privileges named twice", "    privileges: [USE_AUTH, UPDATE_AUTH,", "    privileges: [USE_AUTH, USE_AUTH,",
			"resource auth_info: privileges: [USE_AUTH USE_AUTH DROP_AUTH GRANT_PRIVILEGE REVOKE_PRIVILEGE SHOW_PRIVILEGES] names one twice"},
		{"privileges on no object", "    object: datasourceauth.\n", "",
			"resource auth_info: privileges: only a kind named as an object (say object) has privileges on it"},
		{"a decided field the read lacks", "        field: connectivity\n", "        field: reachable\n",
			`resource connectivity_task: mock decides: field "reachable" is not a property of what ShowConnectivityTask answers`},
		{"a rule on a property the create lacks", "            address: '^(", "            addr: '^(",
			"resource connectivity_task: mock decides: match addr: not a property of CreateConnectivityTask's body"},
		{"a rule Go cannot read", "            address: '^(", "            address: '^((",
			"resource connectivity_task: mock decides: match address: error parsing regexp"},
		{"a rule bound to no kind", "          bound: enhanced_connection", "          bound: enhanced_connections",
			`resource connectivity_task: mock decides: bound: kind "enhanced_connections" is not declared`},
		{"a rule deciding nothing", "        otherwise: UNREACHABLE", "        otherwise: REACHABLE",
			"resource connectivity_task: mock decides: say the field, the value when the rule holds and another otherwise"},
		{"a negative budget", "    budget: 3\n", "    budget: -1\n", "resource enhanced_connection: budget -1: a run makes none (0 says no bound); give 1 or more"},
		{"a budget of a kind nothing creates", "  privilege:\n    title: privilege\n", "  privilege:\n    title: privilege\n    budget: 2\n",
			"resource privilege: budget 2, but no operation creates it"},
		{"an input of no kind", "    kind: vpc\n    need: required", "    kind: network\n    need: required", `x-dli-cloud-inputs: input 1 (vpc-id): kind "network": want one of`},
		{"an input of no need", "    kind: queue\n    need: optional", "    kind: queue\n    need: sometimes", `x-dli-cloud-inputs: input 4 (queue): need "sometimes": want one of`},
		{"an input no flag could be", "  - name: pool\n", "  - name: Pool_1\n", `x-dli-cloud-inputs: input 3 (Pool_1): name "Pool_1": want lower-case words joined by dashes`},
		{"an input without a usage", "    usage: the elastic resource pool to bind it to\n", "", "x-dli-cloud-inputs: input 3 (pool): want a usage"},
		{"a fixed value outside the parameter's enum", "role: create\n        key: $request.body#/tags/*/key\n        parent: $request.path.resource_id\n        fixed: {resource_type: dli_enhanced_datasource}",
			"role: create\n        key: $request.body#/tags/*/key\n        parent: $request.path.resource_id\n        fixed: {resource_type: dli_connection}",
			`operation BatchCreateResourceTags (POST /v3/{project_id}/{resource_type}/{resource_id}/tags/create): fixed resource_type "dli_connection" is not a value of the parameter`},
		{"a path parameter neither keyed nor fixed", "        parent: $request.path.resource_id\n        fixed: {resource_type: dli_enhanced_datasource}\n      tags: [resource-tags]\n      summary: Delete",
			"        parent: $request.path.resource_id\n      tags: [resource-tags]\n      summary: Delete",
			"path parameter {resource_type} is neither its key nor its parent's, nor fixed"},
		{"a count with no number", "        role: count\n        total: /total_count", "        role: count\n        total: /count",
			`operation CountResourcesByTags (POST /v3/{project_id}/{resource_type}/resource-instances/count): total "/count" is not an integer of its 200 answer`},
		{"a list whose total is no number", "        total: /total_count\n        fixed: {resource_type: dli_enhanced_datasource}\n        by_tags",
			"        total: /resources\n        fixed: {resource_type: dli_enhanced_datasource}\n        by_tags",
			`operation ListResourcesByTags (POST /v3/{project_id}/{resource_type}/resource-instances/filter): total "/resources" is not an integer of its 200 answer`},
		{"a selection by a body property that is not there", "        by_tags: {kind: tag, tags: tags, without: without_any_tag, names: matches}\n      tags: [resource-tags]\n      summary: Find",
			"        by_tags: {kind: tag, tags: tag_filter, without: without_any_tag, names: matches}\n      tags: [resource-tags]\n      summary: Find",
			`by_tags: tags "tag_filter": the body has no /tag_filter/*/values`},
		{"a selection by a kind that is no child", "        by_tags: {kind: tag, tags: tags, without: without_any_tag, names: matches}\n      tags: [resource-tags]\n      summary: Count",
			"        by_tags: {kind: auth_info, tags: tags, without: without_any_tag, names: matches}\n      tags: [resource-tags]\n      summary: Count",
			"by_tags: kind auth_info is not a child of enhanced_connection"},
		{"an item key the items lack", "        item_key: resource_id", "        item_key: id", `item_key "id" is not a property of an item`},
		{"an input nothing takes", "          x-dli-cloud-input: url\n", "", "x-dli-cloud-inputs: input url is taken by no request property"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, func(s string) string {
				require.True(t, strings.Contains(s, tc.old), "the case edits text the document no longer has: %q", tc.old)
				return strings.Replace(s, tc.old, tc.new, 1)
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestRuntimeExpressions(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("https://dli.example.com/v2.0/p/datasource/enhanced-connections?limit=5")
	call := semantics.Call{
		Method: http.MethodPost, URL: u, PathParams: map[string]string{"connection_id": "c1"},
		Header: http.Header{"X-Project-Id": {"p"}}, Body: []byte(`{"name":"r1","hosts":[{"ip":"10.0.0.1"}],"n":3}`),
		Status: 201, AnswerHeader: http.Header{"X-Request-Id": {"rq"}}, AnswerBody: []byte(`{"connection_id":"c2","a/b":{"~x":true}}`),
	}
	for expr, want := range map[string]string{
		"$request.path.connection_id":   "c1",
		"$request.query.limit":          "5",
		"$request.header.X-Project-Id":  "p",
		"$request.body#/name":           "r1",
		"$request.body#/hosts/0/ip":     "10.0.0.1",
		"$request.body#/n":              "3",
		"$response.body#/connection_id": "c2",
		"$response.body#/a~1b/~0x":      "true",
		"$response.header.X-Request-Id": "rq",
		"$statusCode":                   "201",
		"$method":                       "POST",
	} {
		e, err := semantics.ParseExpr(expr)
		require.NoError(t, err, expr)
		got, ok := e.Eval(call)
		assert.True(t, ok, expr)
		assert.Equal(t, want, got, expr)
	}
	for _, expr := range []string{"$request.path.name", "$request.query.offset", "$response.body#/id", "$request.body#/hosts/3/ip"} {
		e, err := semantics.ParseExpr(expr)
		require.NoError(t, err)
		_, ok := e.Eval(call)
		assert.False(t, ok, "%s names nothing in the call", expr)
	}
	for expr, want := range map[string]string{
		"connection_id":          "not a runtime expression",
		"$response.path.id":      `a response has no "path" part`,
		"$request.body/name":     "want $request.path.NAME",
		"$request.body#name":     "a body's JSON pointer starts with /",
		"$request.query.":        "want $request.path.NAME",
		"$response.cookie.token": `a response has no "cookie" part`,
	} {
		_, err := semantics.ParseExpr(expr)
		require.Error(t, err, expr)
		assert.Contains(t, err.Error(), want, expr)
	}
	batch, err := semantics.ParseExpr("$request.body#/hosts/*/ip")
	require.NoError(t, err)
	assert.True(t, batch.Many())
	assert.Equal(t, []string{"10.0.0.1"}, batch.EvalAll(call))
	two := call
	two.Body = []byte(`{"tags":[{"key":"a"},{"key":"b"},{"value":"c"}]}`)
	keys, _ := semantics.ParseExpr("$request.body#/tags/*/key")
	assert.Equal(t, []string{"a", "b"}, keys.EvalAll(two), "every item's key, those without one left out")
	first, ok := keys.Eval(two)
	assert.True(t, ok)
	assert.Equal(t, "a", first, "Eval of a batch is its first")
	name, _ := semantics.ParseExpr("$request.body#/name")
	assert.False(t, name.Many())
	assert.Equal(t, []string{"r1"}, name.EvalAll(call))

	got, ok, err := semantics.Template("edsconnections.{$response.body#/connection_id}", call)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "edsconnections.c2", got)
	_, ok, err = semantics.Template("x.{$response.body#/missing}", call)
	require.NoError(t, err)
	assert.False(t, ok)
	_, _, err = semantics.Template("x.{$response.body#/connection_id", call)
	assert.ErrorContains(t, err, "not closed")
}

// The kind a connection's tags are: the one the selections by tags read,
// or, in a document without them, the one its create carries.
func TestTagKind(t *testing.T) {
	t.Parallel()
	s, err := load(t, nil)
	require.NoError(t, err)
	assert.Equal(t, "tag", s.TagKind("enhanced_connection"))
	assert.Empty(t, s.TagKind("classic_connection"), "a classic connection has no tags")

	for _, id := range []string{"ListResourcesByTags", "CountResourcesByTags"} {
		s.Of(id).ByTags = nil
	}
	assert.Equal(t, "tag", s.TagKind("enhanced_connection"), "the create's children")
	s.Of("CreateEnhancedConnection").Children = nil
	assert.Empty(t, s.TagKind("enhanced_connection"))
}
