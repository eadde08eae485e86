package gate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/mockserver"
	"github.com/dli-contract/dli-go/validate"
)

const (
	server    = "https://dli.cn-north-4.myhuaweicloud.com"
	projectID = "0123456789abcdef0123456789abcdef"
	mockAK    = "AKTESTEXAMPLE0000000"
	mockSK    = "SKtestexampleSecretKey0000000000000000000"
)

func joinLines(lines []string) string { return strings.Join(lines, "\n") }

// violationLines are rep's violations, each as its report line.
func violationLines(rep gate.Report) []string {
	var all []string
	for _, v := range rep.Violations {
		all = append(all, v.String())
	}
	return all
}

// gateOn runs the gate against h in-process, mutating, signed, on clk
// (the clock of the mock behind h).
func gateOn(t *testing.T, h http.Handler, clk clock.Clock) gate.Report {
	t.Helper()
	var log bytes.Buffer
	rep := gate.Run(context.Background(), gate.Config{
		Target: gate.Target{Endpoint: server, ProjectID: projectID, Mutate: true, Mock: true, Poll: 5 * time.Millisecond, Settle: 2 * time.Second,
			Credentials: auth.AKSK{AK: mockAK, SK: mockSK, ProjectID: projectID}},
		Network:     mockserver.NewMockTransport(h),
		Clock:       clk,
		Seed:        42,
		MaxExamples: 5,
		Log:         &log,
	})
	t.Log(log.String())
	return rep
}

func TestTheMockPassesEveryCheck(t *testing.T) {
	t.Parallel()
	// The mock and the gate on one fake clock: the gate's polls move it,
	// so the create delay is waited out in virtual time.
	clk := clock.NewFake(time.Now())
	m, err := mockserver.New(mockserver.Config{AK: mockAK, SK: mockSK, CreateDelay: 20 * time.Millisecond, Clock: clk})
	require.NoError(t, err)
	rep := gateOn(t, m, clk)
	for _, v := range rep.Violations {
		t.Errorf("the mock breaks the contract: %s", v)
	}
	assert.Empty(t, rep.Problem)
	for _, check := range gate.AllChecks {
		assert.Positive(t, rep.Checks[check].Passed, "check %s never ran", check)
	}
	assert.Positive(t, rep.Requests)
	assert.Equal(t, uint64(42), rep.Seed)
}

// Proofs for a server: a conforming one passes, one that answers with
// wrong types or statuses fails naming the check, operation, status and
// JSON pointer; and whatever the run created, it deleted.
func TestGateJudgesServers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		corrupt func(path string, status int, body map[string]any)
		want    []string
	}{
		{"conforming", nil, nil},
		{"process as a string", func(_ string, status int, b map[string]any) {
			if status == 200 {
				if _, ok := b["process"]; ok {
					b["process"] = "100%"
				}
			}
		}, []string{"response_schema_conformance: ShowDatasourceConnection 200 /process", "/process: type"}},
		{"count as a string", func(_ string, _ int, b map[string]any) {
			if _, ok := b["count"]; ok {
				b["count"] = strconv.Itoa(int(b["count"].(float64)))
			}
		}, []string{"ListDatasourceConnections 200 /count", "/count: type"}},
		{"unknown state in the list", func(_ string, _ int, b map[string]any) {
			if cs, ok := b["connections"].([]any); ok && len(cs) > 0 {
				if _, classic := cs[0].(map[string]any)["state"]; classic {
					cs[0].(map[string]any)["state"] = "RUNNING"
				}
			}
		}, []string{"ListDatasourceConnections 200 /connections/0/state", `enum: value is not one of the allowed values`, `got "RUNNING"`}},
		{"error without error_code", func(_ string, status int, b map[string]any) {
			if status == 400 {
				delete(b, "error_code")
			}
		}, []string{"ShowDatasourceConnection 400 /error_code", "/error_code: required"}},
		{"create answers 200", nil, []string{"status_code_conformance: CreateDatasourceConnection 200: success status 200 is not declared for CreateDatasourceConnection"}},
		{"hosts not replaced", func(path string, status int, b map[string]any) {
			if status == 200 && strings.Contains(path, "enhanced-connections/") && b["hosts"] != nil {
				b["hosts"] = []any{}
			}
		}, []string{"ensure_resource_availability: ShowEnhancedConnection 200 /hosts", "the enhanced connection reads []"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := mockserver.New(mockserver.Config{AK: mockAK, SK: mockSK})
			require.NoError(t, err)
			var h http.Handler = m
			if tc.corrupt != nil {
				h = corrupting(m, tc.corrupt)
			}
			if tc.name == "create answers 200" {
				h = statusSwap(m, http.StatusCreated, http.StatusOK)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			doc, err := validate.Embedded()
			require.NoError(t, err)
			rep := gate.Run(context.Background(), gate.Config{
				Target: gate.Target{Endpoint: srv.URL, ProjectID: projectID, Mutate: true,
					Credentials: auth.AKSK{AK: mockAK, SK: mockSK}, Doc: doc, Poll: time.Millisecond, Settle: time.Second},
				MaxExamples: 2,
				// What these servers break shows in the answers to valid
				// calls; the invalid ones (most of a run's time) are left
				// to TestTheMockPassesEveryCheck.
				ExcludeChecks: []string{gate.CheckNegative, gate.CheckUnchanged},
			})
			all := violationLines(rep)
			// Whatever the run created, it deleted, whatever it found.
			rec := httptest.NewRecorder()
			leftReq := httptest.NewRequest(http.MethodGet, "/v2.0/"+projectID+"/datasource/enhanced-connections", nil)
			require.NoError(t, auth.NewSigner(mockAK, mockSK).Sign(leftReq, time.Now()))
			m.ServeHTTP(rec, leftReq)
			var left struct {
				Connections []struct {
					Status string `json:"status"`
				} `json:"connections"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &left))
			require.NotEmpty(t, left.Connections, "the run created enhanced connections")
			for _, c := range left.Connections {
				assert.Equal(t, "DELETED", c.Status, "the run left an enhanced connection behind")
			}
			rec = httptest.NewRecorder()
			leftReq = httptest.NewRequest(http.MethodGet, "/v2.0/"+projectID+"/datasource-connection", nil)
			require.NoError(t, auth.NewSigner(mockAK, mockSK).Sign(leftReq, time.Now()))
			m.ServeHTTP(rec, leftReq)
			assert.Contains(t, rec.Body.String(), `"count":0`, "the run left a classic connection behind")
			if tc.want == nil {
				assert.Empty(t, all)
				return
			}
			require.NotEmpty(t, all, "the gate let a wrong server pass")
			for _, w := range tc.want {
				assert.Contains(t, joinLines(all), w)
			}
		})
	}
}

func TestTargetFromEnv(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		env    map[string]string
		live   bool
		mutate bool
		err    string
	}{
		{"not set", map[string]string{}, false, false, ""},
		{"aksk", map[string]string{"DLI_ENDPOINT": "https://dli.cn-north-4.myhuaweicloud.com", "HUAWEICLOUD_SDK_PROJECT_ID": "p", "HUAWEICLOUD_SDK_AK": "a", "HUAWEICLOUD_SDK_SK": "s"}, true, false, ""},
		{"token and mutate", map[string]string{"DLI_ENDPOINT": "http://127.0.0.1:8080", "HUAWEICLOUD_SDK_PROJECT_ID": "p", "DLI_TOKEN": "t", "DLI_CONTRACT_MUTATE": "1",
			"DLI_CONTRACT_VPC_ID": "vpc", "DLI_CONTRACT_SUBNET_ID": "subnet", "DLI_CONTRACT_POOL": "pool",
			"DLI_CONTRACT_URL": "10.0.0.5:3306", "DLI_CONTRACT_SECURITY_GROUP_ID": "sg", "DLI_CONTRACT_NETWORK_ID": "net"}, true, true, ""},
		{"mutate, enhanced only", map[string]string{"DLI_ENDPOINT": "http://127.0.0.1:8080", "HUAWEICLOUD_SDK_PROJECT_ID": "p", "DLI_TOKEN": "t", "DLI_CONTRACT_MUTATE": "1",
			"DLI_CONTRACT_VPC_ID": "vpc", "DLI_CONTRACT_SUBNET_ID": "subnet", "DLI_CONTRACT_POOL": "pool"}, true, true, ""},
		{"a dli-mock needs none", map[string]string{"DLI_ENDPOINT": "http://127.0.0.1:8080", "HUAWEICLOUD_SDK_PROJECT_ID": "p", "DLI_TOKEN": "t", "DLI_CONTRACT_MUTATE": "1",
			"DLI_CONTRACT_MOCK": "1"}, true, true, ""},
		{"a dli-mock needs no project and no credentials", map[string]string{"DLI_ENDPOINT": "http://127.0.0.1:8080", "DLI_CONTRACT_MUTATE": "1",
			"DLI_CONTRACT_MOCK": "1"}, true, true, ""},
		{"mutate without what to create", map[string]string{"DLI_ENDPOINT": "https://dli.example.com", "HUAWEICLOUD_SDK_PROJECT_ID": "p", "DLI_TOKEN": "t", "DLI_CONTRACT_MUTATE": "1",
			"DLI_CONTRACT_URL": "10.0.0.5:3306"}, true, false,
			"needs DLI_CONTRACT_NETWORK_ID (with DLI_CONTRACT_URL), DLI_CONTRACT_POOL, DLI_CONTRACT_SECURITY_GROUP_ID (with DLI_CONTRACT_URL), DLI_CONTRACT_SUBNET_ID, DLI_CONTRACT_VPC_ID"},
		{"mutate on loopback without what to create", map[string]string{"DLI_ENDPOINT": "http://localhost:8080", "HUAWEICLOUD_SDK_PROJECT_ID": "p", "DLI_TOKEN": "t", "DLI_CONTRACT_MUTATE": "1"}, true, false,
			"needs DLI_CONTRACT_POOL, DLI_CONTRACT_SUBNET_ID, DLI_CONTRACT_VPC_ID; or, if the server is a dli-mock, which takes any, set DLI_CONTRACT_MOCK=1"},
		{"no project", map[string]string{"DLI_ENDPOINT": "https://x", "DLI_TOKEN": "t"}, true, false, "a run against https://x needs HUAWEICLOUD_SDK_PROJECT_ID"},
		{"no credentials", map[string]string{"DLI_ENDPOINT": "https://x", "HUAWEICLOUD_SDK_PROJECT_ID": "p"}, true, false, "HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or DLI_TOKEN"},
		{"half a key pair", map[string]string{"DLI_ENDPOINT": "https://x", "HUAWEICLOUD_SDK_PROJECT_ID": "p", "HUAWEICLOUD_SDK_AK": "a"}, true, false, "both HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK"},
		{"bad endpoint", map[string]string{"DLI_ENDPOINT": "dli.example", "HUAWEICLOUD_SDK_PROJECT_ID": "p", "DLI_TOKEN": "t"}, true, false, "DLI_ENDPOINT: endpoint: \"dli.example\" has no scheme"},
		{"bad mutate", map[string]string{"DLI_ENDPOINT": "https://x", "HUAWEICLOUD_SDK_PROJECT_ID": "p", "DLI_TOKEN": "t", "DLI_CONTRACT_MUTATE": "yes"}, true, false, "DLI_CONTRACT_MUTATE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			target, live, err := gate.TargetFromEnv(func(k string) string { return tc.env[k] })
			assert.Equal(t, tc.live, live)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				assert.NotContains(t, err.Error(), `"s"`)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.mutate, target.Mutate)
			if tc.env["DLI_CONTRACT_MOCK"] == "1" && tc.env["DLI_TOKEN"] == "" {
				assert.Equal(t, gate.MockProject, target.ProjectID)
				assert.Equal(t, auth.Anonymous, target.Credentials)
			}
			if tc.mutate {
				want := map[string]string{}
				for k, v := range tc.env {
					if name, ok := strings.CutPrefix(k, "DLI_CONTRACT_"); ok && k != "DLI_CONTRACT_MUTATE" && k != "DLI_CONTRACT_MOCK" {
						want[strings.ToLower(strings.ReplaceAll(name, "_", "-"))] = v
					}
				}
				assert.Equal(t, want, target.Inputs, "each declared input from its variable, and nothing else")
			}
		})
	}
}

// corrupting rewrites the JSON bodies the mock answers with.
func corrupting(next http.Handler, corrupt func(path string, status int, body map[string]any)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		out := rec.Body.Bytes()
		if json.Unmarshal(out, &body) == nil {
			corrupt(r.URL.Path, rec.Code, body)
			out, _ = json.Marshal(body)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
		w.WriteHeader(rec.Code)
		_, _ = io.Copy(w, bytes.NewReader(out))
	})
}

// statusSwap answers with to wherever the mock answered from.
func statusSwap(next http.Handler, from, to int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		code := rec.Code
		if code == from {
			code = to
		}
		w.WriteHeader(code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// The gateway's refusals docs/mock.md promises, held with -mock: a
// route the document does not declare is 404 APIGW.0101, and a payload
// hash header counts only when signed.
func TestTheGatewayRefusalsOfAMock(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, want string
		front      func(next http.Handler) http.Handler
	}{
		{"an unknown route answered 400", "a dli-mock answers an unknown route 404 APIGW.0101", func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPatch || strings.Contains(r.URL.Path, "no-such-resource") {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusBadRequest)
					_, _ = io.WriteString(w, `{"error_code":"DLI.0001","error_msg":"no such route"}`)
					return
				}
				next.ServeHTTP(w, r)
			})
		}},
		{"an unsigned payload hash taken", "an X-Sdk-Content-Sha256 sent but not signed was answered 200, want 401", func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// A verifier that ignores the header, so never refuses it.
				r.Header.Del("X-Sdk-Content-Sha256")
				if r.Method == http.MethodPost && r.Header.Get("Authorization") != "" {
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, `{"is_success":true,"message":""}`)
					return
				}
				next.ServeHTTP(w, r)
			})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := mockserver.New(mockserver.Config{AK: mockAK, SK: mockSK})
			require.NoError(t, err)
			rep := gate.Run(context.Background(), gate.Config{
				Target: gate.Target{Endpoint: server, ProjectID: projectID, Mock: true,
					Credentials: auth.AKSK{AK: mockAK, SK: mockSK, ProjectID: projectID}},
				Network: mockserver.NewMockTransport(tc.front(m)),
				Checks:  []string{gate.CheckUnsupported, gate.CheckIgnoredAuth},
				Log:     io.Discard,
			})
			all := violationLines(rep)
			assert.Contains(t, joinLines(all), tc.want)
		})
	}
}

// A state that refuses an operation, as the document declares it (a
// classic connection being created cannot be deleted), is held: a server
// that deletes one anyway fails state_transitions.
func TestDeclaredStateRefusalsAreHeld(t *testing.T) {
	t.Parallel()
	for _, broken := range []bool{false, true} {
		clk := clock.NewFake(time.Now())
		m, err := mockserver.New(mockserver.Config{AK: mockAK, SK: mockSK, CreateDelay: time.Minute, Clock: clk})
		require.NoError(t, err)
		var h http.Handler = m
		if broken {
			h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/datasource-connection/") {
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, `{"is_success":true,"message":"Deleted"}`)
					return
				}
				m.ServeHTTP(w, r)
			})
		}
		rep := gate.Run(context.Background(), gate.Config{
			Target: gate.Target{Endpoint: server, ProjectID: projectID, Mutate: true, Mock: true, Poll: 5 * time.Second, Settle: 2 * time.Minute,
				Credentials: auth.AKSK{AK: mockAK, SK: mockSK, ProjectID: projectID}},
			Network: mockserver.NewMockTransport(h), Clock: clk,
			Checks: []string{gate.CheckTransitions}, Operations: []string{"DeleteDatasourceConnection"},
			Log: io.Discard,
		})
		all := violationLines(rep)
		if !broken {
			assert.Empty(t, all)
			assert.Positive(t, rep.Checks[gate.CheckTransitions].Passed)
			continue
		}
		assert.Contains(t, joinLines(all), "state_transitions: DeleteDatasourceConnection 200: a classic connection CREATING refuses DeleteDatasourceConnection (the document) was answered 200, want a 4xx refusal")
	}
}

// What a life cycle checks beyond the declared kinds: a second create
// of a name in use is refused as the kind declares (unique), and a grant
// to a user on an object a kind is named as (a datasource authentication)
// shows in the object's privilege list and a revoke takes it away. The
// mock passes; the mock behind a front that breaks one fails its check.
func TestLifeCyclesHoldWhatTheyCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		corrupt    func(path string, status int, b map[string]any)
		front      func(http.Handler) http.Handler // instead of corrupt
		checks     []string
		operations []string
		want       []string
	}{
		{"a name in use refused with another code", func(path string, status int, b map[string]any) {
			if status == http.StatusBadRequest && strings.HasSuffix(path, "/datasource-connection") && b["error_code"] == "DLI.0006" {
				b["error_code"] = "DLI.0007"
			}
		}, nil, []string{gate.CheckNegative}, []string{"CreateDatasourceConnection"}, []string{
			"negative_data_rejection: CreateDatasourceConnection 400 /name: a second create of the classic connection name",
			"was refused 400 DLI.0007, want 400 DLI.0006",
		}},
		{"a privilege list that forgets grants", func(path string, status int, b map[string]any) {
			if status == http.StatusOK && strings.HasSuffix(path, "/authorization/privileges") {
				b["privileges"] = []any{}
			}
		}, nil, []string{gate.CheckAvailability}, nil, []string{
			"ensure_resource_availability: ListAuthorizationPrivileges 200: after a grant of USE_AUTH, contract_user_a holds [] on datasourceauth.",
		}},
		// A connection's tags are filled to their most, 20, in one batch
		// (docs/mock.md), one more is refused, and one it has added again
		// is still 20.
		{"a tag past a connection's most accepted", nil, overMostAccepted, []string{gate.CheckNegative}, nil, []string{
			"negative_data_rejection: BatchCreateResourceTags 204: one tag more than the enhanced connection's most, 20 (docs/mock.md)",
		}},
		{"a tag added again at the most listed twice", func(path string, status int, b map[string]any) {
			if tags, ok := b["tags"].([]any); ok && status == http.StatusOK && regexp.MustCompile(`/dli_enhanced_datasource/[^/]+/tags$`).MatchString(path) && len(tags) == 20 {
				b["tags"] = append(tags, tags[0])
			}
		}, nil, []string{gate.CheckAvailability}, nil, []string{
			"ensure_resource_availability: ShowResourceTags 200: the tags of the enhanced connection, after one was added again at its most: 21 listed, of 20 keys, want 20",
		}},
		// Four connections made to be selected by tags (docs/mock.md):
		// by a name's prefix, a page of them, their number.
		{"a filter that ignores names", nil, rewriteFilter(func(b map[string]any) { delete(b, "matches") }), []string{gate.CheckAvailability}, nil, []string{
			"ensure_resource_availability: ListResourcesByTags 200: ListResourcesByTags of {\"matches\":[{\"key\":\"resource_name\",\"value\":",
			"counts 3, want 1",
		}},
		{"a filter that ignores its page", nil, dropQuery(http.MethodPost, tagFilter, "offset", "limit"), []string{gate.CheckAvailability}, nil, []string{
			"?limit=1&offset=1 finds [",
		}},
		{"a value no connection carries listed", func(path string, status int, b map[string]any) {
			if items, ok := b["tags"].([]any); ok && status == http.StatusOK && strings.HasSuffix(path, "/dli_enhanced_datasource/tags") {
				for _, it := range items {
					if m, ok := it.(map[string]any); ok {
						m["values"] = append(m["values"].([]any), "stale")
					}
				}
			}
		}, nil, []string{gate.CheckAvailability}, nil, []string{
			"after the one of another was overwritten are [1 stale], want [1]",
		}},
		{"a count one more", nil, addToTotal(tagCount), []string{gate.CheckAvailability}, nil, []string{
			"ensure_resource_availability: CountResourcesByTags 200: CountResourcesByTags of {\"tags\":[{\"key\":",
			"counts 4, want 3",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, broken := range []bool{false, true} {
				cfg := mockserver.Config{AK: mockAK, SK: mockSK}
				if tc.front != nil {
					cfg = mockserver.Config{} // a front that rewrites a request breaks its signature
				}
				m, err := mockserver.New(cfg)
				require.NoError(t, err)
				var h http.Handler = m
				switch {
				case broken && tc.front != nil:
					h = tc.front(m)
				case broken:
					h = corrupting(m, tc.corrupt)
				}
				rep := gate.Run(context.Background(), gate.Config{
					Target: gate.Target{Endpoint: server, ProjectID: projectID, Mutate: true, Mock: true, Poll: time.Millisecond, Settle: time.Second,
						Credentials: auth.AKSK{AK: mockAK, SK: mockSK, ProjectID: projectID}},
					Network: mockserver.NewMockTransport(h), Clock: clock.NewFake(time.Now()),
					Checks: tc.checks, Operations: tc.operations, Log: io.Discard,
				})
				all := violationLines(rep)
				if !broken {
					assert.Empty(t, all)
					continue
				}
				for _, w := range tc.want {
					assert.Contains(t, joinLines(all), w)
				}
			}
		})
	}
}

// overMostAccepted answers a tag create the mock refuses as past a
// connection's most (DLI.0009) with 204, as if it took it.
func overMostAccepted(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if strings.HasSuffix(r.URL.Path, "/tags/create") && strings.Contains(rec.Body.String(), `"DLI.0009"`) {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}
