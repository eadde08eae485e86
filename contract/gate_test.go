package contract_test

import (
	"context"
	"net/http"
	"slices"
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
