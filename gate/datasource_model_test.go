package gate_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The model's reading of the datasource family's declarations, against a
// server broken on purpose in one respect each, as TestModelCatchesBrokenServers
// does for connections: a dli-mock's connectivity rule (mock.decides), a
// user's privileges on a datasource authentication, and a read or list of
// one that is not there. The document is without the tag operations,
// whose draws would thin out this family's. Budgets measured on -seed 7
// as there (draws
// twice the run that first fails; shrinks one rung above the smallest that
// shrinks the failure to 10 steps, the rungs going on to 300 and 400).
func TestModelCatchesBrokenDatasourceServers(t *testing.T) {
	if testing.Short() {
		t.Skip("shrinking a sequence for each broken server takes a while; make test runs it")
	}
	t.Parallel()
	doc := withoutTagOperations(t)
	cases := brokenDatasourceServers
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Ten steps, not eight: meeting the connectivity rule takes
			// steps of its own (a connection, a binding, the wait for it).
			caught(t, doc, tc, 7, 10)
		})
	}
}

// brokenDatasourceServers is the table of
// TestModelCatchesBrokenDatasourceServers.
var brokenDatasourceServers = []brokenCase{
	// REACHABLE is sure of a queue the run bound, UNREACHABLE of an
	// address without a port: each breaker is caught by the other.
	{"every test reachable", setConnectivity("REACHABLE"), "connectivity is \"REACHABLE\", want UNREACHABLE", 10, 25},
	{"no test reachable", setConnectivity("UNREACHABLE"), "connectivity is \"UNREACHABLE\", want REACHABLE", 10, 25},
	{"an unknown test answered", answerRefused(`/connection-test/[^/]+$`, `{"is_success":true,"message":"","connectivity":"UNREACHABLE"}`),
		"ShowConnectivityTask should be refused", 36, 100},
	{"a user's grant ignored", onlyWith("datasourceauth.", ignore(http.MethodPut, `/authorization$`)), "the users' privileges are", 30, 75},
	{"the privileges of an unknown authentication listed", answerRefused(`/authorization/privileges$`, `{"is_success":true,"message":"","count":0,"privileges":[]}`),
		"ListAuthorizationPrivileges should be refused", 60, 300},
}

// setConnectivity answers every connectivity test read with result.
func setConnectivity(result string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !matches(r, http.MethodGet, `/connection-test/[^/]+$`) {
				next.ServeHTTP(w, r)
				return
			}
			answer(next, w, r, func(status int, b map[string]any) {
				if status == http.StatusOK {
					b["connectivity"] = result
				}
			})
		})
	}
}

// answerRefused answers the GETs of the matching path that the server
// refuses with ok, a 200.
func answerRefused(pathRE, ok string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !matches(r, http.MethodGet, pathRE) {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			out := rec.Body.Bytes()
			if rec.Code == http.StatusBadRequest {
				rec.Code, out = http.StatusOK, []byte(ok)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(out)
		})
	}
}

// onlyWith sends to broken the requests whose body holds text, the
// others to the server itself.
func onlyWith(text string, broken func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		b := broken(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(raw))
			if strings.Contains(string(raw), text) {
				b.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
