package mockserver_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/mockserver"
)

// Regression tests for what a hostile client got past the mock. Each sends
// raw requests, as an attacker would, and checks that nothing was stored.

const collection = "/v2.0/" + project + "/datasource-connection"

const validCreate = `{"name":"okname","service":"RDS","security_group_id":"sg","network_id":"net","url":"10.0.0.1:3306"}`

// do sends one request to h and decodes a DLI error body, if any.
func do(t *testing.T, h http.Handler, req *http.Request) (*httptest.ResponseRecorder, dli400) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var e dli400
	if rec.Code >= 400 {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), "error body: %s", rec.Body)
	}
	return rec, e
}

type dli400 struct {
	Code string `json:"error_code"`
	Msg  string `json:"error_msg"`
}

// stored lists the names of the connections of project.
func stored(t *testing.T, h http.Handler, header http.Header) []string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, collection, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec, _ := do(t, h, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var list struct {
		Connections []struct {
			Name string `json:"name"`
		} `json:"connections"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &list))
	var names []string
	for _, c := range list.Connections {
		names = append(names, c.Name)
	}
	return names
}

func TestSignedBodyCannotBeSwapped(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{AK: testAK, SK: testSK})
	require.NoError(t, err)
	signer := auth.NewSigner(testAK, testSK)
	bodyA := []byte(validCreate)
	bodyB := []byte(strings.Replace(validCreate, "okname", "swapped", 1))

	req := httptest.NewRequest(http.MethodPost, collection, bytes.NewReader(bodyA))
	req.Header.Set("Content-Type", "application/json")
	require.NoError(t, signer.Sign(req, time.Now()))
	require.Contains(t, req.Header.Get("Authorization"), "SignedHeaders=content-type;host;x-sdk-date,")
	sum := sha256.Sum256(bodyA)
	swapped := httptest.NewRequest(http.MethodPost, collection, bytes.NewReader(bodyB))
	swapped.Header = req.Header.Clone()
	swapped.Header.Set(auth.HeaderContentSHA256, hex.EncodeToString(sum[:]))

	rec, e := do(t, m, swapped)
	assert.Equal(t, http.StatusUnauthorized, rec.Code, rec.Body.String())
	assert.Equal(t, apierror.CodeGatewayAuth, e.Code)
	assert.Contains(t, e.Msg, "X-Sdk-Content-Sha256 is sent but not signed")

	// The untouched request still goes through, so the refusal above is
	// for the swap and nothing else.
	orig := httptest.NewRequest(http.MethodPost, collection, bytes.NewReader(bodyA))
	orig.Header = req.Header.Clone()
	rec, _ = do(t, m, orig)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())

	listReq := http.Header{}
	list := httptest.NewRequest(http.MethodGet, collection, nil)
	require.NoError(t, signer.Sign(list, time.Now()))
	for k, v := range list.Header {
		listReq[k] = v
	}
	assert.Equal(t, []string{"okname"}, stored(t, m, listReq))
}

func TestKeysInAnotherLetterCaseAreRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, key string
	}{
		{"a second name", `{"name":"okname","Name":"bad name/../<x>","service":"RDS","security_group_id":"sg","network_id":"net","url":"u"}`, "/Name"},
		{"an oversized URL", `{"name":"okname","service":"RDS","security_group_id":"sg","network_id":"net","URL":"` + strings.Repeat("u", 5000) + `"}`, "/URL"},
		{"an empty name", `{"nAmE":"","service":"RDS","security_group_id":"sg","network_id":"net","url":"u"}`, "/nAmE"},
		{"inside a tag", `{"name":"okname","service":"RDS","security_group_id":"sg","network_id":"net","url":"u","tags":[{"key":"k","value":"v","Value":" x "}]}`, "/tags/0/Value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := mockserver.New(mockserver.Config{})
			require.NoError(t, err)
			req := httptest.NewRequest(http.MethodPost, collection, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			rec, e := do(t, m, req)
			assert.Equal(t, http.StatusBadRequest, rec.Code)
			assert.Equal(t, apierror.CodeBadParameter, e.Code)
			assert.Contains(t, e.Msg, "body "+tc.key+": case: key ")
			assert.Empty(t, stored(t, m, nil), "a refused create must store nothing")
		})
	}
}

func TestStringsAreStoredExactlyOrRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, want string
	}{
		{"invalid UTF-8 in the url", strings.Replace(validCreate, "10.0.0.1:3306", "10.0.0.1:\xff\xfe", 1), "not valid UTF-8"},
		{"invalid UTF-8 in the name", strings.Replace(validCreate, "okname", "ok\xc3", 1), "not valid UTF-8"},
		{"a NUL in the url", strings.Replace(validCreate, "10.0.0.1:3306", `10.0.0.1:3306\u0000`, 1), "/url: pattern"},
		{"a line break in the service", strings.Replace(validCreate, `"RDS"`, `"RDS\n"`, 1), "/service: pattern"},
		{"DEL in the network id", strings.Replace(validCreate, `"net"`, `"net\u007f"`, 1), "/network_id: pattern"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := mockserver.New(mockserver.Config{})
			require.NoError(t, err)
			req := httptest.NewRequest(http.MethodPost, collection, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			rec, e := do(t, m, req)
			assert.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			assert.Equal(t, apierror.CodeBadParameter, e.Code)
			assert.Contains(t, e.Msg, tc.want)
			assert.Empty(t, stored(t, m, nil))
		})
	}
	// Characters beyond ASCII are stored exactly as received.
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	body := strings.Replace(validCreate, "10.0.0.1:3306", "数据库.example:3306", 1)
	req := httptest.NewRequest(http.MethodPost, collection, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec, _ := do(t, m, req)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	var created struct {
		ID string `json:"connection_id"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &created))
	rec, _ = do(t, m, httptest.NewRequest(http.MethodGet, collection+"/"+created.ID, nil))
	assert.Contains(t, rec.Body.String(), `"destination":"数据库.example:3306"`)
}

func TestUnknownRoutesAnswerAsTheGatewayDoes(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	id := "68233202-63bf-4f27-a99b-fa5f5a2dbae1"
	for _, tc := range []struct{ method, path string }{
		{http.MethodDelete, collection},
		{http.MethodDelete, collection + "/"},
		{http.MethodGet, collection + "/"},
		{http.MethodPatch, collection},
		{http.MethodPost, collection + "/" + id},
		{http.MethodPut, collection + "/" + id},
		{http.MethodGet, collection + "/" + id + "/"},
		{http.MethodGet, "/v2.0//datasource-connection"},
	} {
		rec, e := do(t, m, httptest.NewRequest(tc.method, tc.path, nil))
		assert.Equal(t, http.StatusNotFound, rec.Code, "%s %s: %s", tc.method, tc.path, rec.Body)
		assert.Equal(t, apierror.CodeGatewayNoAPI, e.Code, "%s %s", tc.method, tc.path)
		assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	}
}

// X-Project-Id scopes the credentials to one project; the mock refuses a
// call for another project in the path, with or without credentials.
func TestProjectHeaderMustMatchThePath(t *testing.T) {
	t.Parallel()
	for _, cfg := range []mockserver.Config{{}, {AK: testAK, SK: testSK}} {
		m, err := mockserver.New(cfg)
		require.NoError(t, err)
		sign := func(req *http.Request) *http.Request {
			if cfg.AK != "" {
				require.NoError(t, auth.AKSK{AK: testAK, SK: testSK, ProjectID: project2}.Authenticate(req, time.Now()))
			} else {
				req.Header.Set(auth.HeaderProjectID, project2)
			}
			return req
		}
		create := httptest.NewRequest(http.MethodPost, collection, strings.NewReader(validCreate))
		create.Header.Set("Content-Type", "application/json")
		rec, e := do(t, m, sign(create))
		assert.Equal(t, http.StatusUnauthorized, rec.Code, rec.Body.String())
		assert.Equal(t, apierror.CodeGatewayAuth, e.Code)
		assert.Contains(t, e.Msg, "X-Project-Id does not match the project in the path")

		// The same header with its own project is served.
		own := httptest.NewRequest(http.MethodGet, "/v2.0/"+project2+"/datasource-connection", nil)
		rec, _ = do(t, m, sign(own))
		assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	}
}
