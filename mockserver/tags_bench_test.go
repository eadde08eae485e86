package mockserver

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/gen/server"
)

// tagged fills a project of n connections, every 100th tagged team=x up to
// ten of them, every other one tagged env=i (a distinct value each).
func tagged(tb testing.TB, n int) *Server {
	tb.Helper()
	m, _, _ := filled(tb, n)
	m.store.mu.Lock()
	defer m.store.mu.Unlock()
	p := m.store.project(benchProject)
	for i, c := range p.enhancedOrder {
		p.tags.remove(c)
		c.tags = []server.Tag{{Key: "env", Value: fmt.Sprint(i)}}
		if i%100 == 0 && i/100 < 10 {
			c.tags = append(c.tags, server.Tag{Key: "team", Value: "x"})
		}
		p.tags.add(c)
	}
	return m
}

func post(tb testing.TB, h http.Handler, path, body string) []byte {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("POST %s: %d %s", path, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// BenchmarkTagFilter finds and counts the ten connections tagged team=x
// in a project of 1k and of 100k connections: the index walks the
// connections under team=x, not the project, so each pair should cost
// about the same.
func BenchmarkTagFilter(b *testing.B) {
	for _, op := range []string{"filter", "count"} {
		for _, n := range []int{1_000, 100_000} {
			b.Run(fmt.Sprintf("%s/connections=%d", op, n), func(b *testing.B) {
				m := tagged(b, n)
				path := fmt.Sprintf("/v3/%s/dli_enhanced_datasource/resource-instances/%s", benchProject, op)
				b.ReportAllocs()
				for b.Loop() {
					post(b, m, path, `{"tags":[{"key":"team","values":["x"]}]}`)
				}
			})
		}
	}
}

// The index answers what a walk of the project would: for a few filters,
// the same connections in the same order.
func TestTagIndexAnswersWhatAWalkWould(t *testing.T) {
	m := tagged(t, 2_000)
	p := m.store.lookup(benchProject)
	for _, f := range []server.ResourceFilterRequest{
		{Tags: []server.TagSelector{{Key: "team", Values: []string{"x"}}}},
		{Tags: []server.TagSelector{{Key: "team", Values: []string{}}, {Key: "env", Values: []string{"0", "100", "7"}}}},
		{Tags: []server.TagSelector{{Key: "env", Values: []string{}}}, Matches: []server.NameMatch{{Key: "resource_name", Value: "conn_19"}}},
	} {
		var got, want []string
		p.selectByTags(f, func(c *enhancedConnection) bool { got = append(got, c.name); return true })
		for _, c := range p.enhancedOrder {
			named := len(f.Matches) == 0 || len(c.name) >= len(f.Matches[0].Value) && c.name[:len(f.Matches[0].Value)] == f.Matches[0].Value
			if !c.deleted && named && carries(c.tags, f.Tags) {
				want = append(want, c.name)
			}
		}
		require.NotEmpty(t, want)
		assert.Equal(t, want, got)
	}
	body := post(t, m, fmt.Sprintf("/v3/%s/dli_enhanced_datasource/resource-instances/count", benchProject), `{}`)
	assert.JSONEq(t, `{"total_count":2000}`, string(body))
}
