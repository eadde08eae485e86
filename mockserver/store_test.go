package mockserver

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Reads under project ids that were never written to must not allocate
// state: a client sending GETs under random project ids (authenticated or
// not) could otherwise grow the mock's memory without bound.
func TestReadsUnderNewProjectsKeepMemoryFlat(t *testing.T) {
	m, err := New(Config{})
	require.NoError(t, err)
	const reads = 20000
	paths := make([]string, reads)
	for i := range paths {
		var b [16]byte
		_, _ = rand.Read(b[:])
		p := hex.EncodeToString(b[:])
		paths[i] = "/v2.0/" + p + "/datasource-connection"
		if i%2 == 1 {
			paths[i] += "/68233202-63bf-4f27-a99b-fa5f5a2dbae1"
		}
	}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	serve := func(method, path string) int {
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec.Code
	}
	before := heap()
	for i, p := range paths {
		method := http.MethodGet
		if i%4 == 3 {
			method = http.MethodDelete
		}
		code := serve(method, p)
		require.Contains(t, []int{http.StatusOK, http.StatusBadRequest}, code, "%s %s", method, p)
	}
	after := heap()
	m.store.mu.Lock()
	projects := len(m.store.projects)
	m.store.mu.Unlock()
	assert.Zero(t, projects, "reads and failed deletes stored projects")
	// 20000 project entries took several MB; allow noise, not growth.
	assert.Less(t, int64(after)-int64(before), int64(512<<10), "heap grew from %d to %d bytes", before, after)

	// A project emptied by deletes is dropped too.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/v2.0/p1/datasource-connection",
		strings.NewReader(`{"name":"a","service":"RDS","security_group_id":"s","network_id":"n","url":"u"}`))
	req.Header.Set("Content-Type", "application/json")
	m.ServeHTTP(rec, req)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	id := rec.Body.String()[strings.Index(rec.Body.String(), `"connection_id":"`)+17:][:36]
	require.Equal(t, http.StatusOK, serve(http.MethodDelete, "/v2.0/p1/datasource-connection/"+id))
	m.store.mu.Lock()
	defer m.store.mu.Unlock()
	assert.Empty(t, m.store.projects)
}
