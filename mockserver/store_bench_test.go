package mockserver

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const benchProject = "0123456789abcdef0123456789abcdef"

// filled returns a mock whose project holds n enhanced connections, stored
// directly (creating 100k through the handler would take the benchmark's
// whole budget), with the ids of the first and the last.
func filled(tb testing.TB, n int) (*Server, string, string) {
	tb.Helper()
	m, err := New(Config{})
	require.NoError(tb, err)
	m.store.mu.Lock()
	defer m.store.mu.Unlock()
	p := m.store.project(benchProject)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for i := range n {
		p.addEnhanced(&enhancedConnection{id: uuid.NewString(), name: fmt.Sprintf("conn_%d", i),
			vpc: m.store.intern("22094d8f-c310-4621-913d-4c4d655d8495"), subnet: m.store.intern("78f2562a-36e4-4b39-95b9-f5aab22e1281"),
			created: start + int64(i), pools: []binding{{name: m.store.intern("pool1"), started: start}}})
	}
	return m, p.enhancedOrder[0].id, p.enhancedOrder[n-1].id
}

func get(tb testing.TB, h http.Handler, path string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
}

// BenchmarkListPage lists one page of 100 (the default) from the middle
// of a project of 1k and of 100k connections: a page costs what it
// answers, so the two should cost about the same.
func BenchmarkListPage(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("connections=%d", n), func(b *testing.B) {
			m, _, _ := filled(b, n)
			path := fmt.Sprintf("/v2.0/%s/datasource/enhanced-connections?offset=%d&limit=100", benchProject, n/2)
			b.ReportAllocs()
			for b.Loop() {
				get(b, m, path)
			}
		})
	}
}

// BenchmarkShowBesideLargeList shows one connection, alone and while other
// goroutines list all 100k connections (limit=0) without pause: reads
// share the store's lock, so a show does not wait for the list.
func BenchmarkShowBesideLargeList(b *testing.B) {
	for _, beside := range []bool{false, true} {
		b.Run(fmt.Sprintf("beside-list=%t", beside), func(b *testing.B) {
			m, _, last := filled(b, 100_000)
			show := fmt.Sprintf("/v2.0/%s/datasource/enhanced-connections/%s", benchProject, last)
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			if beside {
				wg.Go(func() {
					for ctx.Err() == nil {
						get(b, m, "/v2.0/"+benchProject+"/datasource/enhanced-connections?limit=0")
					}
				})
			}
			b.ReportAllocs()
			for b.Loop() {
				get(b, m, show)
			}
			b.StopTimer()
			cancel()
			wg.Wait()
		})
	}
}

// heapAfterGC is the live heap.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// An enhanced connection, created through the handler with a pool binding,
// costs the mock less than 1 KB of heap (it was about 3.8 KB).
func TestHeapPerEnhancedConnection(t *testing.T) {
	m, err := New(Config{})
	require.NoError(t, err)
	const n = 20_000
	path := "/v2.0/" + benchProject + "/datasource/enhanced-connections"
	before := heapAfterGC()
	for i := range n {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(fmt.Sprintf(
			`{"name":"conn_%d","dest_vpc_id":"22094d8f-c310-4621-913d-4c4d655d8495","dest_network_id":"78f2562a-36e4-4b39-95b9-f5aab22e1281","elastic_resource_pools":["pool1"]}`, i)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	}
	per := float64(heapAfterGC()-before) / n
	t.Logf("heap per enhanced connection: %.0f bytes", per)
	assert.Less(t, per, 1024.0)
	runtime.KeepAlive(m)
}

// The page at the end of 100k connections is the same as the page at the
// end of 1k: what the index returns is the creation order.
func TestPagesFollowCreationOrder(t *testing.T) {
	m, first, last := filled(t, 1_000)
	p := m.store.lookup(benchProject)
	assert.Equal(t, first, p.enhancedPage(nil, nil, 0, 1)[0].id)
	assert.Equal(t, last, p.enhancedPage(nil, nil, 999, 100)[0].id)
	assert.Empty(t, p.enhancedPage(nil, nil, 1_000, 100))
	assert.Len(t, p.enhancedPage(nil, nil, 0, 0), 1_000, "limit 0 is everything")
	odd := func(c *enhancedConnection) bool { return c.created%2 == 1 }
	page := p.enhancedPage(nil, odd, 10, 5)
	require.Len(t, page, 5)
	assert.Equal(t, "conn_21", page[0].name, "a filter skips offset matches, not offset connections")
}

// BenchmarkAuthInfoListPage lists one page of 100 of a project's datasource
// authentications from the middle of 1k and of 100k, and one by name: a
// page costs what it answers, so each pair should cost about the same.
func BenchmarkAuthInfoListPage(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		m, err := New(Config{})
		require.NoError(b, err)
		m.store.mu.Lock()
		p := m.store.project(benchProject)
		for i := range n {
			p.addAuthInfo(&authInfo{name: fmt.Sprintf("auth_%d", i), kind: "passwd", user: "u", created: int64(i), updated: int64(i)})
		}
		m.store.mu.Unlock()
		for what, path := range map[string]string{
			"page":    fmt.Sprintf("/v3/%s/datasource/auth-infos?offset=%d&limit=100", benchProject, n/2),
			"by-name": fmt.Sprintf("/v3/%s/datasource/auth-infos?auth_info_name=auth_%d", benchProject, n/2),
		} {
			b.Run(fmt.Sprintf("%s/auth_infos=%d", what, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					get(b, m, path)
				}
			})
		}
	}
}
