package mockserver_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/mockserver"
)

// A dli-mock says what it is and which credentials it checks, which is how
// dli-contract -mock knows there is nothing to refuse.
func TestInfoSaysWhichCredentialsTheMockChecks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  mockserver.Config
		want []string
	}{
		{"anonymous", mockserver.Config{}, []string{}},
		{"AK/SK", mockserver.Config{AK: testAK, SK: testSK}, []string{"AK/SK"}},
		{"token", mockserver.Config{Token: "tok"}, []string{"token"}},
		{"both", mockserver.Config{AK: testAK, SK: testSK, Token: "tok"}, []string{"AK/SK", "token"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := mockserver.New(tc.cfg)
			require.NoError(t, err)
			req := httptest.NewRequest(http.MethodGet, "/_mock/info", nil)
			req.SetBasicAuth(testAK, testSK)
			if tc.cfg.AK == "" {
				req.SetBasicAuth("anyone", "tok")
			}
			rec := httptest.NewRecorder()
			m.ServeHTTP(rec, req)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			var info mockserver.Info
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &info))
			assert.Equal(t, "dli-mock", info.Server)
			assert.Equal(t, tc.want, info.Credentials)
			assert.NotEmpty(t, info.Version)
			assert.Contains(t, info.Operations, "CreateEnhancedConnection")
			assert.NotContains(t, rec.Body.String(), testSK, "never a secret")
		})
	}
}

// The control surface takes HTTP Basic credentials, which a browser and
// curl -u can send: the AK and SK, or any user and the token. A browser
// refused gets a page that says how to get in and shows nothing the mock
// holds; a program refused gets the gateway's JSON refusal, as before.
func TestTheControlSurfaceTakesBasicCredentials(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{AK: testAK, SK: testSK, Token: "the-token"})
	require.NoError(t, err)
	const secretName = "held_by_the_mock"
	require.NoError(t, m.Load(mockserver.Fixtures{Projects: map[string]mockserver.ProjectFixture{project: {
		Enhanced: []mockserver.EnhancedFixture{{Name: secretName, DestVpcID: "vpc", DestNetworkID: "net"}}}}}))
	cases := []struct {
		name       string
		user, pass string
		html       bool
		status     int
		contains   string
	}{
		{"AK and SK", testAK, testSK, true, 200, secretName},
		{"any user and the token", "me", "the-token", true, 200, secretName},
		{"a browser without credentials", "", "", true, 401, "access key"},
		{"a browser with a wrong password", testAK, "wrong", true, 401, "secret key"},
		{"the SK with another user", "someone", testSK, true, 401, "sign in"},
		{"a program without credentials", "", "", false, 401, `"error_code":"APIGW.0301"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodGet, mockserver.ControlPrefix, nil)
			if tc.user != "" {
				req.SetBasicAuth(tc.user, tc.pass)
			}
			if tc.html {
				req.Header.Set("Accept", "text/html,application/xhtml+xml")
			}
			rec := httptest.NewRecorder()
			m.ServeHTTP(rec, req)
			assert.Equal(t, tc.status, rec.Code)
			assert.Contains(t, rec.Body.String(), tc.contains)
			if tc.status == http.StatusUnauthorized {
				assert.NotContains(t, rec.Body.String(), secretName, "nothing the mock holds without credentials")
				assert.NotContains(t, rec.Body.String(), testSK)
				assert.NotContains(t, rec.Body.String(), "the-token")
			}
			if tc.status == http.StatusUnauthorized && tc.html {
				assert.Equal(t, `Basic realm="dli-mock", charset="UTF-8"`, rec.Header().Get("WWW-Authenticate"), "the browser asks")
			}
		})
	}
	// Basic credentials open the control surface only, never DLI's API,
	// which API Gateway signs.
	req := httptest.NewRequest(http.MethodGet, enhanced, nil)
	req.SetBasicAuth(testAK, testSK)
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
}
