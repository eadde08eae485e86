package mockserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/mockserver"
)

// Each check docs/mock.md promises, held by a test that fails when the
// check is taken out.

func TestNamesAreUniqueWhereDLISaysSo(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	id := createRaw(t, m, `{"name":"dup","dest_vpc_id":"vpc","dest_network_id":"net"}`)
	cases := []struct {
		name, method, path, body, code, want string
	}{
		{"a second live connection of a name", http.MethodPost, enhanced, `{"name":"dup","dest_vpc_id":"v2","dest_network_id":"n2"}`,
			apierror.CodeAlreadyExists, "Connection name dup already exists"},
		{"a queue named twice in a create", http.MethodPost, enhanced, `{"name":"other","dest_vpc_id":"v","dest_network_id":"n","queues":["q1","q1"]}`,
			apierror.CodeBadParameter, "q1 is named more than once"},
		{"a name in queues and in pools", http.MethodPost, enhanced, `{"name":"other","dest_vpc_id":"v","dest_network_id":"n","queues":["p1"],"elastic_resource_pools":["p1"]}`,
			apierror.CodeBadParameter, "p1 is named more than once"},
		{"a pool named twice in an associate", http.MethodPost, enhanced + "/" + id + "/associate-queue", `{"elastic_resource_pools":["p2","p2"]}`,
			apierror.CodeBadParameter, "p2 is named more than once"},
	}
	for _, tc := range cases {
		code, out, _ := send(t, m, tc.method, tc.path, tc.body)
		assert.Equal(t, http.StatusBadRequest, code, tc.name)
		assert.Equal(t, tc.code, out["error_code"], tc.name)
		assert.Contains(t, out["error_msg"], tc.want, tc.name)
	}
	state := m.State().Projects[project].Enhanced
	require.Len(t, state, 1, "refused creates create nothing")
	assert.Empty(t, state[0].ElasticResourcePools, "a refused associate binds nothing")
	// Deleted, the name is free again.
	code, _, _ := send(t, m, http.MethodDelete, enhanced+"/"+id, "")
	require.Equal(t, http.StatusOK, code)
	createRaw(t, m, `{"name":"dup","dest_vpc_id":"vpc","dest_network_id":"net"}`)
}

func TestTagsQueryAndFilter(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	createRaw(t, m, `{"name":"both","dest_vpc_id":"v","dest_network_id":"n","tags":[{"key":"team","value":"data"},{"key":"env","value":"prod"}]}`)
	createRaw(t, m, `{"name":"keyonly","dest_vpc_id":"v","dest_network_id":"n","tags":[{"key":"team","value":"web"}]}`)
	createRaw(t, m, `{"name":"valueonly","dest_vpc_id":"v","dest_network_id":"n","tags":[{"key":"owner","value":"data"}]}`)
	names := func(query string) []string {
		code, out, raw := send(t, m, http.MethodGet, enhanced+"?tags="+query, "")
		require.Equal(t, http.StatusOK, code, raw)
		var got []string
		for _, c := range out["connections"].([]any) {
			got = append(got, c.(map[string]any)["name"].(string))
		}
		return got
	}
	assert.Equal(t, []string{"both"}, names("team=data"), "key and value must both match")
	assert.Equal(t, []string{"both"}, names("team=data,env=prod"), "every pair must match")
	assert.Empty(t, names("team=data,env=dev"))
	for _, bad := range []string{"team", "=data", "team=data,,", "team=data,env"} {
		code, out, _ := send(t, m, http.MethodGet, enhanced+"?tags="+bad, "")
		assert.Equal(t, http.StatusBadRequest, code, "tags=%s", bad)
		assert.Contains(t, out["error_msg"], "is not key=value", "tags=%s", bad)
	}
}

// A binding was last updated when it started and again when its peering
// ended, one create delay later.
func TestBindingUpdateTime(t *testing.T) {
	t.Parallel()
	clk := newClock()
	m, err := mockserver.New(mockserver.Config{CreateDelay: 10 * time.Second, Clock: clk})
	require.NoError(t, err)
	start := clk.Now().UnixMilli()
	id := createRaw(t, m, `{"name":"c","dest_vpc_id":"v","dest_network_id":"n","elastic_resource_pools":["p1","fail_p2"]}`)
	updated := func() []float64 {
		_, out, _ := send(t, m, http.MethodGet, enhanced+"/"+id, "")
		var ts []float64
		for _, b := range out["elastic_resource_pools"].([]any) {
			ts = append(ts, b.(map[string]any)["update_time"].(float64))
		}
		return ts
	}
	clk.Advance(3 * time.Second)
	assert.Equal(t, []float64{float64(start), float64(start)}, updated(), "CREATING: when it started")
	clk.Advance(30 * time.Second)
	assert.Equal(t, []float64{float64(start + 10_000), float64(start + 10_000)}, updated(), "ACTIVE or FAILED: when it ended")
}

// The 1 MiB limit: exactly 1 MiB is read and served, one byte more is
// refused with one answer and no more of the body read, declared or
// chunked.
func TestBodyLimitBoundary(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	body := func(n int) []byte {
		b := []byte(`{"name":"big","dest_vpc_id":"v","dest_network_id":"n"}`)
		return append(b, bytes.Repeat([]byte(" "), n-len(b))...) // JSON allows trailing space
	}
	for _, chunked := range []bool{false, true} {
		for _, n := range []int{mockserver.MaxBodyBytes, mockserver.MaxBodyBytes + 1} {
			t.Run(fmt.Sprintf("chunked=%t/%d", chunked, n), func(t *testing.T) {
				m.Reset()
				var r io.Reader = bytes.NewReader(body(n))
				req := httptest.NewRequest(http.MethodPost, enhanced, r)
				req.Header.Set("Content-Type", "application/json")
				if chunked {
					req.ContentLength = -1
				}
				rec := httptest.NewRecorder()
				m.ServeHTTP(rec, req)
				if n == mockserver.MaxBodyBytes {
					assert.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
					return
				}
				assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
				dec := json.NewDecoder(rec.Body)
				var e struct {
					Code string `json:"error_code"`
				}
				require.NoError(t, dec.Decode(&e))
				assert.Equal(t, apierror.CodeBadParameter, e.Code)
				assert.False(t, dec.More(), "one answer, and nothing after it")
				assert.Empty(t, m.State().Projects, "nothing was created")
			})
		}
	}
}

// A queue is unbound from the queues and a pool from the pools: a name
// bound as one kind is not bound as the other, and a refused unbind
// changes nothing.
func TestUnbindByKind(t *testing.T) {
	t.Parallel()
	m, err := mockserver.New(mockserver.Config{})
	require.NoError(t, err)
	id := createRaw(t, m, `{"name":"kinds","dest_vpc_id":"v","dest_network_id":"n","queues":["q1"],"elastic_resource_pools":["p1"]}`)
	cases := []struct {
		name, body string
		status     int
		queues     []string
		pools      []string
	}{
		{"a queue named as a pool", `{"elastic_resource_pools":["q1"]}`, http.StatusBadRequest, []string{"q1"}, []string{"p1"}},
		{"a pool named as a queue", `{"queues":["p1"]}`, http.StatusBadRequest, []string{"q1"}, []string{"p1"}},
		{"the queue as a queue", `{"queues":["q1"]}`, http.StatusOK, nil, []string{"p1"}},
		{"the pool as a pool", `{"elastic_resource_pools":["p1"]}`, http.StatusOK, nil, nil},
	}
	for _, tc := range cases {
		code, out, _ := send(t, m, http.MethodPost, enhanced+"/"+id+"/disassociate-queue", tc.body)
		require.Equal(t, tc.status, code, "%s: %v", tc.name, out)
		if code != http.StatusOK {
			assert.Contains(t, out["error_msg"], "is not bound", tc.name)
		}
		c := m.State().Projects[project].Enhanced[0]
		var queues, pools []string
		for _, b := range c.Queues {
			queues = append(queues, b.Name)
		}
		for _, b := range c.ElasticResourcePools {
			pools = append(pools, b.Name)
		}
		assert.Equal(t, tc.queues, queues, tc.name)
		assert.Equal(t, tc.pools, pools, tc.name)
	}
}
