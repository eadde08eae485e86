package contract_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/validate"
)

// Proofs that the gate turns red: each case breaks one thing and checks the
// gate's own machinery reports it, saying what and where.

func TestGateReportsAnUnexercisedPair(t *testing.T) {
	t.Parallel()
	caseRun()
	doc := loadFile(t)
	cov := hitAllBut(t, doc, contract.Pair{Operation: "ShowDatasourceConnection", Status: "500"})
	assert.Equal(t, []contract.Pair{{Operation: "ShowDatasourceConnection", Status: "500"}}, cov.Missing())
	s := contract.Summary{Declared: contract.Declared(doc), Hits: cov.Hits(), Missing: cov.Missing()}
	assert.Contains(t, s.String(), "FAIL not exercised: ShowDatasourceConnection 500")
	assert.Contains(t, s.String(), "result: FAIL")
}

func TestGateReportsAnOperationAddedWithoutCases(t *testing.T) {
	t.Parallel()
	caseRun()
	doc := loadFile(t)
	cov := hitAllBut(t, doc)
	require.Empty(t, cov.Missing())

	added := openapi3.NewOperation()
	added.OperationID = "UpdateDatasourceConnection"
	added.Responses = openapi3.NewResponses(openapi3.WithStatus(200, &openapi3.ResponseRef{
		Value: openapi3.NewResponse().WithDescription("ok").WithJSONSchema(openapi3.NewObjectSchema()),
	}))
	doc.Paths.Value("/v2.0/{project_id}/datasource-connection/{connection_id}").Put = added
	assert.Contains(t, cov.Missing(), contract.Pair{Operation: "UpdateDatasourceConnection", Status: "200"})
}

func TestGateReportsServerMismatches(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"an undeclared success status", 200, `{"is_success":true,"message":"","connection_id":"` + connectionID + `"}`,
			"CreateDatasourceConnection 200: success status 200 is not declared for CreateDatasourceConnection"},
		{"a wrong type", 201, `{"is_success":"yes","connection_id":"` + connectionID + `"}`,
			"CreateDatasourceConnection 201: CreateDatasourceConnection response 201 does not match openapi/dli.yaml: response body /is_success: type"},
		{"an error without its code", 400, `{"error_msg":"bad"}`,
			"response body /error_code: required"},
		{"an HTML error page", 502, `<html>Bad Gateway</html>`,
			"CreateDatasourceConnection 502"},
		// The client's decoder ignores case, the schema does not: a key
		// that matches only by case is read by one and not the other.
		{"a key that matches a property only by case", 201, `{"is_success":true,"Connection_ID":"not-a-uuid"}`,
			`response body /Connection_ID: case: key "Connection_ID" matches property "connection_id" only by letter case`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			caseRun()
			doc, err := validate.Embedded()
			require.NoError(t, err)
			mock := httpmock.NewMockTransport()
			ct := "application/json"
			if tc.body[0] == '<' {
				ct = "text/html"
			}
			mock.RegisterRegexpResponder(http.MethodPost, routeRegexp("/v2.0/{project_id}/datasource-connection"),
				httpmock.NewStringResponder(tc.status, tc.body).HeaderSet(http.Header{"Content-Type": {ct}}))
			rec := contract.NewRecorder(doc, mock, contract.NewCoverage(doc.OpenAPI()))
			c, err := dli.NewClientWithResponses(server, dli.WithHTTPClient(&http.Client{Transport: rec}))
			require.NoError(t, err)
			_, _ = c.CreateDatasourceConnectionWithResponse(context.Background(), projectID, dli.ConnectionCreateRequest{
				Name: "test1", Service: "RDS", SecurityGroupID: "sg", NetworkID: "net", URL: "10.0.0.1:3306",
			})
			findings := rec.Findings()
			require.NotEmpty(t, findings, "the recorder let %s through", tc.name)
			var all []string
			for _, f := range findings {
				all = append(all, f.String())
			}
			assert.Contains(t, joinLines(all), tc.want)
		})
	}
}

// hitAllBut records a hit for every declared pair of doc except skip.
func hitAllBut(t *testing.T, doc *openapi3.T, skip ...contract.Pair) *contract.Coverage {
	t.Helper()
	cov := contract.NewCoverage(doc)
	for _, p := range contract.Declared(doc) {
		if slices.Contains(skip, p) {
			continue
		}
		_, err := cov.Hit(p.Operation, statusFor(t, p.Status))
		require.NoError(t, err)
	}
	return cov
}

// The document keeps states a closed enum, so that a state DLI has not
// documented is reported as drift; the generated client must still decode
// it, and the report must say where and what it was.
func TestUnknownStateDecodesAndIsReportedWithFieldAndValue(t *testing.T) {
	t.Parallel()
	caseRun()
	doc, err := validate.Embedded()
	require.NoError(t, err)
	mock := httpmock.NewMockTransport()
	body := `{"is_success":true,"connection_id":"` + connectionID + `","state":"DELETING",` +
		`"available_queue_info":[{"name":"q1","status":"SUSPENDED"}]}`
	mock.RegisterRegexpResponder(http.MethodGet, routeRegexp("/v2.0/{project_id}/datasource-connection/{connection_id}"),
		jsonResponder(http.StatusOK, []byte(body)))
	rec := contract.NewRecorder(doc, mock, contract.NewCoverage(doc.OpenAPI()))
	c, err := dli.NewClientWithResponses(server, dli.WithHTTPClient(&http.Client{Transport: rec}))
	require.NoError(t, err)

	resp, err := c.ShowDatasourceConnectionWithResponse(context.Background(), projectID, connectionID)
	require.NoError(t, err, "an unknown state must not break decoding")
	require.NotNil(t, resp.JSON200)
	require.NotNil(t, resp.JSON200.State)
	assert.Equal(t, dli.ConnectionState("DELETING"), *resp.JSON200.State)
	assert.False(t, resp.JSON200.State.Valid())
	assert.Equal(t, dli.ConnectionState("SUSPENDED"), *resp.JSON200.AvailableQueueInfo[0].Status)

	var all []string
	for _, f := range rec.Findings() {
		all = append(all, f.String())
	}
	report := joinLines(all)
	assert.Contains(t, report, `response body /state: enum: value is not one of the allowed values`)
	assert.Contains(t, report, `got "DELETING"`)
	assert.Contains(t, report, `response body /available_queue_info/0/status: enum`)
	assert.Contains(t, report, `got "SUSPENDED"`)
}

// The official SDK reads every response field as optional and DLI's other
// APIs send null for absent values: null in an optional response property
// is no breach of the contract, and decodes as a missing value.
func TestNullInOptionalResponsePropertiesIsAccepted(t *testing.T) {
	t.Parallel()
	caseRun()
	doc, err := validate.Embedded()
	require.NoError(t, err)
	cases := []struct {
		method, path string
		status       int
		body         string
	}{
		{http.MethodPost, "/v2.0/{project_id}/datasource-connection", 201,
			`{"is_success":null,"message":null,"connection_id":null}`},
		{http.MethodGet, "/v2.0/{project_id}/datasource-connection", 200,
			`{"is_success":true,"message":null,"count":null,"connections":[{"connection_id":null,"destination":null,"state":null,` +
				`"process":null,"name":null,"connection_url":null,"cluster_name":null,"service":null,"create_time":null,"queue_list":null,"is_success":null,"message":null}]}`},
		{http.MethodGet, "/v2.0/{project_id}/datasource-connection/{connection_id}", 200,
			`{"state":null,"cluster_name":null,"available_queue_info":[{"uuid":null,"status":null,"name":null,"err_msg":null,"update_time":null}]}`},
		{http.MethodDelete, "/v2.0/{project_id}/datasource-connection/{connection_id}", 200,
			`{"is_success":true,"message":null}`},
		{http.MethodGet, "/v2.0/{project_id}/datasource-connection/{connection_id}", 400,
			`{"error_code":"DLI.0002","error_msg":"gone","request_id":null}`},
	}
	for _, tc := range cases {
		path := strings.NewReplacer("{project_id}", projectID, "{connection_id}", connectionID).Replace(tc.path)
		req := httptest.NewRequest(tc.method, server+path, nil)
		op, err := doc.Find(req)
		require.NoError(t, err)
		err = doc.Response(req, op, tc.status, http.Header{"Content-Type": {"application/json"}}, []byte(tc.body))
		assert.NoError(t, err, "%s %d with nulls", op.ID, tc.status)
	}
	// Required fields stay required and not null.
	req := httptest.NewRequest(http.MethodGet, server+"/v2.0/"+projectID+"/datasource-connection", nil)
	op, err := doc.Find(req)
	require.NoError(t, err)
	err = doc.Response(req, op, 400, http.Header{"Content-Type": {"application/json"}}, []byte(`{"error_code":null,"error_msg":"x"}`))
	assert.ErrorContains(t, err, "/error_code")
}
