package validate_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/validate"
)

const (
	server  = "https://dli.cn-north-4.myhuaweicloud.com"
	project = "0123456789abcdef0123456789abcdef"
)

func validBody() dli.ConnectionCreateRequest {
	return dli.ConnectionCreateRequest{
		Name:            "test1",
		Service:         "ct",
		SecurityGroupID: "a07ab107-a4ad-4835-ad09-08a2f2efccdb",
		NetworkID:       "e83ba67d-e812-42d3-908d-6ea0b2cc5ecb",
		URL:             "cloudtable-8636-zk2-ldQklrNa.mycloudtable.com:2181",
	}
}

func newClient(t *testing.T, opts ...validate.TransportOption) (*dli.ClientWithResponses, *httpmock.MockTransport) {
	t.Helper()
	doc, err := validate.Embedded()
	require.NoError(t, err)
	mt := httpmock.NewMockTransport()
	hc := &http.Client{Transport: validate.NewTransport(doc, mt, opts...)}
	c, err := dli.NewClientWithResponses(server, dli.WithHTTPClient(hc))
	require.NoError(t, err)
	return c, mt
}

func TestTransportRefusesBadRequestsBeforeTheWire(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mutate func(*dli.ConnectionCreateRequest)
		field  string
		rule   string
	}{
		{"url of 513 characters", func(b *dli.ConnectionCreateRequest) { b.URL = strings.Repeat("u", 513) }, "/url", "maxLength"},
		{"name of 65 characters", func(b *dli.ConnectionCreateRequest) { b.Name = strings.Repeat("n", 65) }, "/name", "maxLength"},
		{"name with a space", func(b *dli.ConnectionCreateRequest) { b.Name = "my conn" }, "/name", "pattern"},
		{"empty name", func(b *dli.ConnectionCreateRequest) { b.Name = "" }, "/name", "minLength"},
		{"tag without value", func(b *dli.ConnectionCreateRequest) {
			b.Tags = []dli.Tag{{Key: "team", Value: ""}}
		}, "/tags/0/value", "minLength"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newClient(t)
			body := validBody()
			tc.mutate(&body)
			resp, err := c.CreateDatasourceConnectionWithResponse(context.Background(), project, body)
			require.Error(t, err)
			assert.Nil(t, resp)
			var verr *validate.Error
			require.True(t, errors.As(err, &verr), "want *validate.Error, got %T: %v", err, err)
			assert.Equal(t, "CreateDatasourceConnection", verr.Operation)
			assert.True(t, verr.Has(tc.field, tc.rule), "want %s %s in %v", tc.field, tc.rule, verr)
			assert.Contains(t, err.Error(), tc.field)
			assert.Zero(t, mt.GetTotalCallCount(), "an invalid request reached the transport")
		})
	}
}

func TestTransportSendsValidRequestsUnchanged(t *testing.T) {
	t.Parallel()
	c, mt := newClient(t)
	var got string
	mt.RegisterResponder(http.MethodPost, server+"/v2.0/"+project+"/datasource-connection",
		func(req *http.Request) (*http.Response, error) {
			b := new(bytes.Buffer)
			_, _ = b.ReadFrom(req.Body)
			got = b.String()
			return httpmock.NewJsonResponse(201, map[string]any{"is_success": true, "message": "", "connection_id": "68233202-63bf-4f27-a99b-fa5f5a2dbae1"})
		})
	resp, err := c.CreateDatasourceConnectionWithResponse(context.Background(), project, validBody())
	require.NoError(t, err)
	require.NotNil(t, resp.JSON201)
	assert.Equal(t, "68233202-63bf-4f27-a99b-fa5f5a2dbae1", *resp.JSON201.ConnectionID)
	assert.JSONEq(t, `{"name":"test1","service":"ct","security_group_id":"a07ab107-a4ad-4835-ad09-08a2f2efccdb",
		"network_id":"e83ba67d-e812-42d3-908d-6ea0b2cc5ecb","url":"cloudtable-8636-zk2-ldQklrNa.mycloudtable.com:2181"}`, got)
}

func TestTransportChecksResponsesWhenAsked(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		body   string
		field  string
		rule   string
	}{
		{"process as a string", 200, `{"connection_id":"68233202-63bf-4f27-a99b-fa5f5a2dbae1","process":"half"}`, "/process", "type"},
		{"unknown state", 200, `{"state":"BROKEN"}`, "/state", "enum"},
		{"non-uuid id", 200, `{"connection_id":"not-a-uuid"}`, "/connection_id", "format"},
		{"error without code", 400, `{"error_msg":"bad"}`, "/error_code", "required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newClient(t, validate.CheckResponses())
			mt.RegisterResponder(http.MethodGet, "=~/datasource-connection/",
				httpmock.NewStringResponder(tc.status, tc.body).HeaderSet(http.Header{"Content-Type": {"application/json"}}))
			_, err := c.ShowDatasourceConnectionWithResponse(context.Background(), project, "68233202-63bf-4f27-a99b-fa5f5a2dbae1")
			var verr *validate.Error
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tc.status, verr.Status)
			assert.True(t, verr.Has(tc.field, tc.rule), "want %s %s in %v", tc.field, tc.rule, verr)
		})
	}
}

// closeCounter is a request body that counts its Close calls.
type closeCounter struct {
	*strings.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

// A RoundTripper must close the request body on every path, also when the
// request carries GetBody (as every request of the generated client does)
// and the transport sends a copy.
func TestTransportClosesTheRequestBody(t *testing.T) {
	t.Parallel()
	doc, err := validate.Embedded()
	require.NoError(t, err)
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(httpmock.NewStringResponder(201, `{"is_success":true}`))
	tr := validate.NewTransport(doc, mt)
	for name, body := range map[string]string{
		"valid":   `{"name":"test1","service":"RDS","security_group_id":"sg","network_id":"n","url":"u"}`,
		"invalid": `{"name":"bad name"}`,
	} {
		rc := &closeCounter{Reader: strings.NewReader(body)}
		req, err := http.NewRequest(http.MethodPost, server+"/v2.0/"+project+"/datasource-connection", rc)
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
		resp, err := tr.RoundTrip(req)
		if resp != nil {
			_ = resp.Body.Close()
		}
		assert.Equal(t, name == "invalid", err != nil, "%s: %v", name, err)
		assert.Positive(t, rc.closed, "%s request: the body was never closed", name)
	}
}

// What the transport lets through must be what the server's JSON decoder
// reads: a key that matches a property only by letter case is refused,
// in requests and, when checked, in responses.
func TestTransportRefusesKeysThatMatchOnlyByCase(t *testing.T) {
	t.Parallel()
	doc, err := validate.Embedded()
	require.NoError(t, err)
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(httpmock.NewStringResponder(200, `{"is_success":true,"State":"GONE"}`).
		HeaderSet(http.Header{"Content-Type": {"application/json"}}))
	hc := &http.Client{Transport: validate.NewTransport(doc, mt, validate.CheckResponses())}
	c, err := dli.NewClientWithResponses(server, dli.WithHTTPClient(hc))
	require.NoError(t, err)

	_, err = c.CreateDatasourceConnectionWithBodyWithResponse(context.Background(), project, "application/json",
		strings.NewReader(`{"name":"okname","NAME":"bad name","service":"RDS","security_group_id":"sg","network_id":"n","url":"u"}`))
	var verr *validate.Error
	require.ErrorAs(t, err, &verr)
	assert.True(t, verr.Has("/NAME", "case"), "%v", verr)
	assert.Zero(t, mt.GetTotalCallCount(), "the request must not reach the wire")

	_, err = c.ShowDatasourceConnectionWithResponse(context.Background(), project, "68233202-63bf-4f27-a99b-fa5f5a2dbae1")
	require.ErrorAs(t, err, &verr)
	assert.True(t, verr.Has("/State", "case"), "%v", verr)
	assert.Contains(t, verr.Error(), `key "State" matches property "state" only by letter case`)
}
