package mockserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/mockserver"
)

// The secrets of the tests below: none of them may ever come back.
var secrets = []string{"pw-one-secret", "trust-two-secret", "store-three-secret", "key-four-secret"}

func kafkaAuth(name string) dli.AuthInfoCreateRequest {
	return dli.AuthInfoCreateRequest{AuthInfoName: name, DatasourceType: dli.AuthTypeKafkaSSL,
		TruststoreLocation: ptr("obs://b/trust.jks"), TruststorePassword: ptr(secrets[1]),
		KeystoreLocation: ptr("obs://b/key.jks"), KeystorePassword: ptr(secrets[2]), KeyPassword: ptr(secrets[3])}
}

func listAuth(t *testing.T, c *dli.ClientWithResponses, p dli.ListJobAuthInfosParams) []dli.AuthInfo {
	t.Helper()
	resp, err := c.ListJobAuthInfosWithResponse(context.Background(), project, &p)
	require.NoError(t, apierror.Check(resp, err))
	assert.NotContains(t, string(resp.Body), "password", "a list never answers a password of any kind")
	return resp.JSON200.AuthInfos
}

func names(items []dli.AuthInfo) []string {
	out := []string{}
	for _, a := range items {
		out = append(out, *a.AuthInfoName)
	}
	return out
}

// An auth info's life: created (201), listed without its passwords, by
// exact name, paged in creation order, updated (the fields present, and
// update_time moves), deleted and its name free again at once; v2.0 and
// v3 share one store, v2.0 naming the user username.
func TestAuthInfoLifeCycle(t *testing.T) {
	t.Parallel()
	clk := newClock()
	c := setup(t, mockserver.Config{Clock: clk}, nil)
	ctx := context.Background()

	created, err := c.CreateJobAuthInfoWithResponse(ctx, project, kafkaAuth("kafka_a"))
	require.NoError(t, apierror.Check(created, err))
	assert.Equal(t, http.StatusCreated, created.StatusCode(), "DLI answers 201, as Terraform's provider requires")
	pw := dli.AuthInfoCreateRequest{AuthInfoName: "pw_b", DatasourceType: dli.AuthTypePasswd, UserName: ptr("alice"), Password: ptr(secrets[0])}
	v2, err := c.CreateAuthInfoWithResponse(ctx, project, pw)
	require.NoError(t, apierror.Check(v2, err))
	assert.Equal(t, http.StatusCreated, v2.StatusCode())
	for _, n := range []string{"c3", "c4", "c5"} {
		resp, err := c.CreateJobAuthInfoWithResponse(ctx, project, dli.AuthInfoCreateRequest{AuthInfoName: n, DatasourceType: dli.AuthTypeCSS,
			CertificateLocation: ptr("obs://b/c.cer")})
		require.NoError(t, apierror.Check(resp, err))
	}

	all := listAuth(t, c, dli.ListJobAuthInfosParams{})
	assert.Equal(t, []string{"kafka_a", "pw_b", "c3", "c4", "c5"}, names(all), "creation order")
	k := all[0]
	assert.Equal(t, "Kafka_SSL", *k.DatasourceType)
	assert.Equal(t, "obs://b/trust.jks", *k.TruststoreLocation)
	assert.Nil(t, k.UserName, "an item carries only what its type uses")
	assert.Equal(t, mockserver.Owner, *k.Owner)
	assert.Equal(t, clk.Now().UnixMilli(), *k.CreateTime)
	assert.Equal(t, *k.CreateTime, *k.UpdateTime, "set at creation")
	assert.Equal(t, "alice", *all[1].UserName)

	for _, tc := range []struct {
		name   string
		params dli.ListJobAuthInfosParams
		want   []string
	}{
		{"exact name", dli.ListJobAuthInfosParams{AuthInfoName: ptr("pw_b")}, []string{"pw_b"}},
		{"no fuzzy match", dli.ListJobAuthInfosParams{AuthInfoName: ptr("pw")}, []string{}},
		{"a page", dli.ListJobAuthInfosParams{Offset: ptr(int32(1)), Limit: ptr(int32(2))}, []string{"pw_b", "c3"}},
		{"the last page", dli.ListJobAuthInfosParams{Offset: ptr(int32(4)), Limit: ptr(int32(2))}, []string{"c5"}},
		{"past the end", dli.ListJobAuthInfosParams{Offset: ptr(int32(9))}, []string{}},
		{"limit 0 is the default", dli.ListJobAuthInfosParams{Limit: ptr(int32(0))}, []string{"kafka_a", "pw_b", "c3", "c4", "c5"}},
		{"a name and an offset", dli.ListJobAuthInfosParams{AuthInfoName: ptr("c3"), Offset: ptr(int32(1))}, []string{}},
	} {
		assert.Equal(t, tc.want, names(listAuth(t, c, tc.params)), tc.name)
	}
	old, err := c.ListAuthInfoWithResponse(ctx, project, &dli.ListAuthInfoParams{AuthInfoName: ptr("pw_b")})
	require.NoError(t, apierror.Check(old, err))
	require.Len(t, old.JSON200.AuthInfos, 1)
	assert.Equal(t, "alice", *old.JSON200.AuthInfos[0].Username, "v2.0 names the user username")
	assert.Nil(t, old.JSON200.AuthInfos[0].UserName)

	clk.Advance(time.Second)
	up, err := c.UpdateJobAuthInfoWithResponse(ctx, project, dli.AuthInfoUpdateRequest{AuthInfoName: "pw_b", UserName: ptr("bob")})
	require.NoError(t, apierror.Check(up, err))
	got := listAuth(t, c, dli.ListJobAuthInfosParams{AuthInfoName: ptr("pw_b")})[0]
	assert.Equal(t, "bob", *got.UserName, "a field present overwrites")
	assert.Equal(t, "passwd", *got.DatasourceType, "a field absent stays")
	assert.Equal(t, clk.Now().UnixMilli(), *got.UpdateTime, "update_time moves")
	assert.Less(t, *got.CreateTime, *got.UpdateTime)
	up2, err := c.UpdateAuthInfoWithResponse(ctx, project, dli.AuthInfoUpdateRequest{AuthInfoName: "pw_b", Krb5Conf: ptr("obs://b/krb5.conf")})
	require.NoError(t, apierror.Check(up2, err))
	assert.Equal(t, "obs://b/krb5.conf", *listAuth(t, c, dli.ListJobAuthInfosParams{AuthInfoName: ptr("pw_b")})[0].Krb5Conf, "v2.0 updates the same record")

	del, err := c.DeleteJobAuthInfoWithResponse(ctx, project, "kafka_a")
	require.NoError(t, apierror.Check(del, err))
	assert.Empty(t, listAuth(t, c, dli.ListJobAuthInfosParams{AuthInfoName: ptr("kafka_a")}), "deleted: the filtered list is empty")
	again, err := c.CreateJobAuthInfoWithResponse(ctx, project, kafkaAuth("kafka_a"))
	require.NoError(t, apierror.Check(again, err), "the name is free again at once")
	assert.Equal(t, []string{"pw_b", "c3", "c4", "c5", "kafka_a"}, names(listAuth(t, c, dli.ListJobAuthInfosParams{})))
	old2, err := c.CreateAuthInfoWithResponse(ctx, project, dli.AuthInfoCreateRequest{AuthInfoName: "old_spelling", DatasourceType: dli.AuthTypePasswd,
		Username: ptr("carol")})
	require.NoError(t, apierror.Check(old2, err))
	assert.Equal(t, "carol", *listAuth(t, c, dli.ListJobAuthInfosParams{AuthInfoName: ptr("old_spelling")})[0].UserName, "username, as DLI took it before 2024")
	up3, err := c.UpdateJobAuthInfoWithResponse(ctx, project, dli.AuthInfoUpdateRequest{AuthInfoName: "old_spelling", Username: ptr("dave")})
	require.NoError(t, apierror.Check(up3, err))
	assert.Equal(t, "dave", *listAuth(t, c, dli.ListJobAuthInfosParams{AuthInfoName: ptr("old_spelling")})[0].UserName)
	delOld, err := c.DeleteJobAuthInfoWithResponse(ctx, project, "old_spelling")
	require.NoError(t, apierror.Check(delOld, err))
	delV2, err := c.DeleteAuthInfoWithResponse(ctx, project, "c4")
	require.NoError(t, apierror.Check(delV2, err))
	assert.Equal(t, []string{"pw_b", "c3", "c5", "kafka_a"}, names(listAuth(t, c, dli.ListJobAuthInfosParams{})), "v2.0 deletes from the same store")
}

// The refusals, DLI-shaped, with the codes docs/mock.md picks.
func TestAuthInfoRefusals(t *testing.T) {
	t.Parallel()
	c := setup(t, mockserver.Config{}, nil)
	ctx := context.Background()
	resp, err := c.CreateJobAuthInfoWithResponse(ctx, project, kafkaAuth("dup"))
	require.NoError(t, apierror.Check(resp, err))

	dup, err := c.CreateJobAuthInfoWithResponse(ctx, project, kafkaAuth("dup"))
	refused(t, dup, err, apierror.CodeAlreadyExists, "The datasource authentication dup already exists")
	dupV2, err := c.CreateAuthInfoWithResponse(ctx, project, kafkaAuth("dup"))
	refused(t, dupV2, err, apierror.CodeAlreadyExists, "already exists")
	up, err := c.UpdateJobAuthInfoWithResponse(ctx, project, dli.AuthInfoUpdateRequest{AuthInfoName: "nope", UserName: ptr("x")})
	refused(t, up, err, apierror.CodeNotExist, "The datasource authentication nope does not exist")
	upV2, err := c.UpdateAuthInfoWithResponse(ctx, project, dli.AuthInfoUpdateRequest{AuthInfoName: "nope"})
	refused(t, upV2, err, apierror.CodeNotExist, "does not exist")
	del, err := c.DeleteJobAuthInfoWithResponse(ctx, project, "nope")
	refused(t, del, err, apierror.CodeNotExist, "The datasource authentication nope does not exist")
	delV2, err := c.DeleteAuthInfoWithResponse(ctx, project, "nope")
	refused(t, delV2, err, apierror.CodeNotExist, "does not exist")
	assert.Equal(t, []string{"dup"}, names(listAuth(t, c, dli.ListJobAuthInfosParams{})), "a refusal changes nothing")
}

// A type DLI does not spell so, and a body without a type: the document
// refuses them before any handler runs (sent past the test's validating
// recorder, which would stop them first).
func TestAuthInfoBadTypes(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	srv := httptest.NewServer(m)
	defer srv.Close()
	c, err := dli.NewClientWithResponses(srv.URL)
	require.NoError(t, err)
	for _, body := range []string{`{"auth_info_name":"x","datasource_type":"kafka_ssl"}`, `{"auth_info_name":"x","datasource_type":"Kerberos"}`, `{"auth_info_name":"x"}`} {
		raw, err := c.CreateJobAuthInfoWithBodyWithResponse(context.Background(), project, "application/json", strings.NewReader(body))
		refused(t, raw, err, apierror.CodeBadParameter, "datasource_type")
	}
	assert.Empty(t, m.State().Projects, "a refusal changes nothing")
}

// Projects are apart.
func TestAuthInfosArePerProject(t *testing.T) {
	t.Parallel()
	c := setup(t, mockserver.Config{}, nil)
	ctx := context.Background()
	resp, err := c.CreateJobAuthInfoWithResponse(ctx, project, kafkaAuth("mine"))
	require.NoError(t, apierror.Check(resp, err))
	other, err := c.ListJobAuthInfosWithResponse(ctx, "fedcba9876543210fedcba9876543210", &dli.ListJobAuthInfosParams{})
	require.NoError(t, apierror.Check(other, err))
	assert.Empty(t, other.JSON200.AuthInfos)
}

// Users' privileges on a datasource authentication: granted, updated and
// revoked by RunAuthorizationAction with user_name, listed by
// ListAuthorizationPrivileges; what the mock does not model, and an
// unknown authentication, are refused.
func TestAuthInfoPrivileges(t *testing.T) {
	t.Parallel()
	c := setup(t, mockserver.Config{}, nil)
	ctx := context.Background()
	resp, err := c.CreateJobAuthInfoWithResponse(ctx, project, kafkaAuth("shared"))
	require.NoError(t, apierror.Check(resp, err))
	act := func(action dli.AuthorizationRequestAction, user string, object string, privileges ...string) (*dli.RunAuthorizationActionResponse, error) {
		body := dli.AuthorizationRequest{Action: action, Privileges: []dli.AuthorizationPrivilege{{Object: object, Privileges: privileges}}}
		if user != "" {
			body.UserName = &user
		}
		return c.RunAuthorizationActionWithResponse(ctx, project, body)
	}
	listed := func(object string) map[string][]string {
		t.Helper()
		resp, err := c.ListAuthorizationPrivilegesWithResponse(ctx, project, &dli.ListAuthorizationPrivilegesParams{Object: object})
		require.NoError(t, apierror.Check(resp, err))
		assert.Equal(t, "datasourceauth", *resp.JSON200.ObjectType)
		assert.Equal(t, "shared", *resp.JSON200.ObjectName)
		assert.Equal(t, int32(len(resp.JSON200.Privileges)), *resp.JSON200.Count)
		out := map[string][]string{}
		for _, p := range resp.JSON200.Privileges {
			assert.Equal(t, object, *p.Object)
			out[*p.UserName] = p.Privileges
		}
		return out
	}
	const obj = "datasourceauth.shared"
	assert.Empty(t, listed(obj))
	for _, step := range []struct {
		action     dli.AuthorizationRequestAction
		user       string
		privileges []string
		want       map[string][]string
	}{
		{"grant", "u1", []string{"USE_AUTH"}, map[string][]string{"u1": {"USE_AUTH"}}},
		{"grant", "u1", []string{"USE_AUTH", "UPDATE_AUTH"}, map[string][]string{"u1": {"USE_AUTH", "UPDATE_AUTH"}}},
		{"grant", "u2", []string{"DROP_AUTH"}, map[string][]string{"u1": {"USE_AUTH", "UPDATE_AUTH"}, "u2": {"DROP_AUTH"}}},
		{"update", "u1", []string{"SHOW_PRIVILEGES"}, map[string][]string{"u1": {"SHOW_PRIVILEGES"}, "u2": {"DROP_AUTH"}}},
		{"revoke", "u2", []string{"DROP_AUTH"}, map[string][]string{"u1": {"SHOW_PRIVILEGES"}}},
		{"update", "u1", nil, map[string][]string{}},
	} {
		resp, err := act(step.action, step.user, obj, step.privileges...)
		require.NoError(t, apierror.Check(resp, err), "%s %s", step.action, step.user)
		assert.Equal(t, step.want, listed(obj), "after %s %v to %s", step.action, step.privileges, step.user)
	}

	for _, tc := range []struct {
		name, user, object string
		privileges         []string
		code, want         string
	}{
		{"no user", "", obj, []string{"USE_AUTH"}, apierror.CodeBadParameter, "user_name is required"},
		{"no privilege", "u1", obj, nil, apierror.CodeBadParameter, "names no privilege"},
		{"a privilege of something else", "u1", obj, []string{"BIND_QUEUE"}, apierror.CodeBadParameter, "the privileges of a datasource authentication are"},
		{"an unknown authentication", "u1", "datasourceauth.nope", []string{"USE_AUTH"}, apierror.CodeNotExist, "There is no datasource authentication named nope"},
		{"an object not modelled", "u1", "queues.q1", []string{"SUBMIT_JOB"}, apierror.CodeNotSupported, "datasource authentications (objects datasourceauth.<name>)"},
	} {
		resp, err := act("grant", tc.user, tc.object, tc.privileges...)
		refused(t, resp, err, tc.code, tc.want)
	}
	assert.Empty(t, listed(obj), "a refused grant changes nothing")

	for _, tc := range []struct{ object, code, want string }{
		{"datasourceauth.nope", apierror.CodeNotExist, "There is no datasource authentication named nope"},
		{"jobs.flink.9561", apierror.CodeBadParameter, "is not modelled"},
		{"edsconnections.503fc86a-5e60-4349-92c2-7e399404fa8a", apierror.CodeBadParameter, "lists the privileges of datasource authentications"},
	} {
		resp, err := c.ListAuthorizationPrivilegesWithResponse(ctx, project, &dli.ListAuthorizationPrivilegesParams{Object: tc.object})
		refused(t, resp, err, tc.code, tc.want)
	}
	// Deleted, its privileges go with it.
	_, err = act("grant", "u3", obj, "USE_AUTH")
	require.NoError(t, err)
	del, err := c.DeleteJobAuthInfoWithResponse(ctx, project, "shared")
	require.NoError(t, apierror.Check(del, err))
	recreated, err := c.CreateJobAuthInfoWithResponse(ctx, project, kafkaAuth("shared"))
	require.NoError(t, apierror.Check(recreated, err))
	assert.Empty(t, listed(obj), "a new record of the name holds no old privilege")
}

// Connectivity tests follow the rule of docs/mock.md: REACHABLE when the address
// has a port and the queue (or the pool it names) is bound, ACTIVE, to a
// connection not deleted; ids count from 1 per project; a test is read
// under its own queue only.
func TestConnectivity(t *testing.T) {
	t.Parallel()
	clk := newClock()
	c := setup(t, mockserver.Config{Clock: clk, CreateDelay: 10 * time.Second}, nil)
	ctx := context.Background()
	test := func(queue, address string) (int64, string) {
		t.Helper()
		created, err := c.CreateConnectivityTaskWithResponse(ctx, project, queue, dli.ConnectivityTaskRequest{Address: address})
		require.NoError(t, apierror.Check(created, err))
		id := created.JSON200.TaskID
		shown, err := c.ShowConnectivityTaskWithResponse(ctx, project, queue, id)
		require.NoError(t, apierror.Check(shown, err))
		return id, *shown.JSON200.Connectivity
	}
	id, got := test("q1", "10.0.0.1:3306")
	assert.Equal(t, int64(1), id)
	assert.Equal(t, mockserver.Unreachable, got, "q1 is bound to nothing")

	body := enhancedBody("conn", "pool1")
	body.Queues = []string{"q1"}
	created, err := c.CreateEnhancedConnectionWithResponse(ctx, project, body)
	require.NoError(t, apierror.Check(created, err))
	id, got = test("q1", "10.0.0.1:3306")
	assert.Equal(t, int64(2), id)
	assert.Equal(t, mockserver.Unreachable, got, "the binding is still CREATING")

	clk.Advance(11 * time.Second)
	for _, tc := range []struct{ queue, address, want string }{
		{"q1", "10.0.0.1:3306", mockserver.Reachable},
		{"pool1", "db.example.com:5432", mockserver.Reachable},
		{"q1", "[fd00::10]:3306", mockserver.Reachable},
		{"q1", "10.0.0.1", mockserver.Unreachable},
		{"q1", "fd00::10", mockserver.Unreachable},
		{"q1", "10.0.0.1:0", mockserver.Unreachable},
		{"q1", "10.0.0.1:70000", mockserver.Unreachable},
		{"q1", "10.0.0.1:65535", mockserver.Reachable},
		{"q1", "10.0.0.1:65536", mockserver.Unreachable},
		{"q1", "10.0.0.1:0080", mockserver.Unreachable},
		{"q1", "10.0.0.1:+80", mockserver.Unreachable},
		{"q1", "[]:80", mockserver.Unreachable},
		{"q1", "a:b:80", mockserver.Unreachable},
		{"q1", ":3306", mockserver.Unreachable},
		{"q2", "10.0.0.1:3306", mockserver.Unreachable},
	} {
		_, got := test(tc.queue, tc.address)
		assert.Equal(t, tc.want, got, "%s to %s", tc.queue, tc.address)
	}
	del, err := c.DeleteEnhancedConnectionWithResponse(ctx, project, *created.JSON201.ConnectionID)
	require.NoError(t, apierror.Check(del, err))
	_, got = test("q1", "10.0.0.1:3306")
	assert.Equal(t, mockserver.Unreachable, got, "a deleted connection reaches nothing")

	for _, tc := range []struct {
		queue string
		id    int64
	}{{"q1", 999}, {"q2", 1}, {"q1", -1}} {
		resp, err := c.ShowConnectivityTaskWithResponse(ctx, project, tc.queue, tc.id)
		refused(t, resp, err, apierror.CodeNotExist, "does not exist")
	}
	// A path that is no task's id is refused 400 too, as the document
	// declares its parameter an integer.
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	code, _, raw := send(t, m, http.MethodGet, "/v1.0/"+project+"/queues/q1/connection-test/one", "")
	assert.Equal(t, http.StatusBadRequest, code, raw)
	other, err := c.CreateConnectivityTaskWithResponse(ctx, "fedcba9876543210fedcba9876543210", "q1", dli.ConnectivityTaskRequest{Address: "10.0.0.1:1"})
	require.NoError(t, apierror.Check(other, err))
	assert.Equal(t, int64(1), other.JSON200.TaskID, "ids count per project")
}

// A project keeps its latest thousand tests: the oldest are forgotten.
func TestConnectivityIsBounded(t *testing.T) {
	t.Parallel()
	c := setup(t, mockserver.Config{}, nil)
	ctx := context.Background()
	for range 1001 {
		resp, err := c.CreateConnectivityTaskWithResponse(ctx, project, "q", dli.ConnectivityTaskRequest{Address: "a:1"})
		require.NoError(t, apierror.Check(resp, err))
	}
	first, err := c.ShowConnectivityTaskWithResponse(ctx, project, "q", 1)
	refused(t, first, err, apierror.CodeNotExist, "does not exist")
	for _, id := range []int64{2, 1001} {
		kept, err := c.ShowConnectivityTaskWithResponse(ctx, project, "q", id)
		require.NoError(t, apierror.Check(kept, err), id)
	}
}

// Fixtures load auth infos (passwords too), their users and connectivity
// tests; State dumps them again, never a password; bad entries are named
// and load nothing; Reset forgets them.
func TestAuthInfoFixtures(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	f := mockserver.Fixtures{Projects: map[string]mockserver.ProjectFixture{project: {
		AuthInfos: []mockserver.AuthInfoFixture{{Name: "fx", Type: "passwd", UserName: "alice", Password: secrets[0],
			CreateTime: 1000, Users: []mockserver.UserPrivilegeFixture{{UserName: "u1", Privileges: []string{"USE_AUTH"}}}},
			{Name: "fk", Type: "Kafka_SSL", TruststorePassword: secrets[1], KeystorePassword: secrets[2], KeyPassword: secrets[3]}},
		Tests: []mockserver.ConnectivityFixture{{TaskID: 7, Queue: "q", Address: "a:1", Result: mockserver.Reachable}},
	}}}
	require.NoError(t, m.Load(f))
	state := m.State()
	dump, err := json.Marshal(state)
	require.NoError(t, err)
	for _, s := range secrets {
		assert.NotContains(t, string(dump), s, "State never shows a password")
	}
	got := state.Projects[project]
	require.Len(t, got.AuthInfos, 2)
	assert.Equal(t, "alice", got.AuthInfos[0].UserName)
	assert.Equal(t, int64(1000), got.AuthInfos[0].CreateTime)
	assert.Equal(t, int64(1000), got.AuthInfos[0].UpdateTime, "updated when created, unless said")
	assert.Equal(t, []mockserver.UserPrivilegeFixture{{UserName: "u1", Privileges: []string{"USE_AUTH"}}}, got.AuthInfos[0].Users)
	assert.Equal(t, f.Projects[project].Tests, got.Tests)

	srv := httptest.NewServer(m)
	defer srv.Close()
	c, err := dli.NewClientWithResponses(srv.URL)
	require.NoError(t, err)
	next, err := c.CreateConnectivityTaskWithResponse(context.Background(), project, "q", dli.ConnectivityTaskRequest{Address: "a:1"})
	require.NoError(t, apierror.Check(next, err))
	assert.Equal(t, int64(8), next.JSON200.TaskID, "new tests count on from the fixtures'")
	priv, err := c.ListAuthorizationPrivilegesWithResponse(context.Background(), project, &dli.ListAuthorizationPrivilegesParams{Object: "datasourceauth.fx"})
	require.NoError(t, apierror.Check(priv, err))
	assert.Len(t, priv.JSON200.Privileges, 1)

	for _, tc := range []struct {
		name string
		p    mockserver.ProjectFixture
		want string
	}{
		{"a type DLI does not spell so", mockserver.ProjectFixture{AuthInfos: []mockserver.AuthInfoFixture{{Name: "x", Type: "kafka"}}}, "auth_infos[0] (\"x\"): datasource_type"},
		{"a name in use", mockserver.ProjectFixture{AuthInfos: []mockserver.AuthInfoFixture{{Name: "fx", Type: "CSS"}}}, "exists already"},
		{"a name twice", mockserver.ProjectFixture{AuthInfos: []mockserver.AuthInfoFixture{{Name: "y", Type: "CSS"}, {Name: "y", Type: "CSS"}}}, "auth_infos[1]"},
		{"a privilege of something else", mockserver.ProjectFixture{AuthInfos: []mockserver.AuthInfoFixture{{Name: "z", Type: "CSS",
			Users: []mockserver.UserPrivilegeFixture{{UserName: "u", Privileges: []string{"BIND_QUEUE"}}}}}}, "users[0].privileges"},
		{"a user without privileges", mockserver.ProjectFixture{AuthInfos: []mockserver.AuthInfoFixture{{Name: "z", Type: "CSS",
			Users: []mockserver.UserPrivilegeFixture{{UserName: "u"}}}}}, "users[0].privileges: none"},
		{"a task id taken", mockserver.ProjectFixture{Tests: []mockserver.ConnectivityFixture{{TaskID: 7, Queue: "q", Address: "a:1", Result: mockserver.Reachable}}}, "task_id: 7 is taken"},
		{"a result not the mock's", mockserver.ProjectFixture{Tests: []mockserver.ConnectivityFixture{{TaskID: 9, Queue: "q", Address: "a:1", Result: "CHECKING"}}}, "connectivity: \"CHECKING\""},
		{"no task id", mockserver.ProjectFixture{Tests: []mockserver.ConnectivityFixture{{Queue: "q", Address: "a:1", Result: mockserver.Reachable}}}, "task_id: a positive integer"},
	} {
		err := m.Load(mockserver.Fixtures{Projects: map[string]mockserver.ProjectFixture{project: tc.p}})
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
	}
	assert.Len(t, m.State().Projects[project].AuthInfos, 2, "a bad fixture loads nothing")

	m.Reset()
	assert.Empty(t, m.State().Projects)
}

// Faults name the new operations as any other: a throttle armed on the
// auth-info list answers it, once, and nothing else.
func TestFaultsCoverTheNewOperations(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	for _, op := range []string{"ListJobAuthInfos", "CreateConnectivityTask", "ListAuthorizationPrivileges"} {
		_, err := m.AddFault(mockserver.Fault{Kind: mockserver.FaultThrottle, Operation: op, Times: 1})
		require.NoError(t, err, op)
	}
	srv := httptest.NewServer(m)
	defer srv.Close()
	c, err := dli.NewClientWithResponses(srv.URL)
	require.NoError(t, err)
	ctx := context.Background()
	first, err := c.ListJobAuthInfosWithResponse(ctx, project, &dli.ListJobAuthInfosParams{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusTooManyRequests, first.StatusCode())
	second, err := c.ListJobAuthInfosWithResponse(ctx, project, &dli.ListJobAuthInfosParams{})
	require.NoError(t, apierror.Check(second, err), "the fault was spent")
	task, err := c.CreateConnectivityTaskWithResponse(ctx, project, "q", dli.ConnectivityTaskRequest{Address: "a:1"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusTooManyRequests, task.StatusCode())
}
