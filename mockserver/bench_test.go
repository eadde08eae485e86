package mockserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/dli-contract/dli-go/mockserver"
)

// BenchmarkHandler measures the handler alone, validation on: a create and
// a show of what was created per iteration.
func BenchmarkHandler(b *testing.B) {
	m, err := mockserver.New(mockserver.Config{})
	if err != nil {
		b.Fatal(err)
	}
	path := "/v2.0/" + project + "/datasource-connection"
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		body := fmt.Appendf(nil, `{"name":"c%d","service":"RDS","security_group_id":"sg","network_id":"net","url":"192.168.12.148:3306"}`, i)
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		var created struct {
			ID string `json:"connection_id"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || created.ID == "" {
			b.Fatalf("create answered %s", rec.Body)
		}
		rec = httptest.NewRecorder()
		m.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path+"/"+created.ID, nil))
		if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(created.ID)) {
			b.Fatalf("show: %d %s", rec.Code, rec.Body)
		}
	}
}
