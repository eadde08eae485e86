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
// a show of what was created per iteration, for a classic and an enhanced
// connection.
func BenchmarkHandler(b *testing.B) {
	apis := []struct {
		name, path, body string
	}{
		{"classic", "/v2.0/" + project + "/datasource-connection",
			`{"name":"c%d","service":"RDS","security_group_id":"sg","network_id":"net","url":"192.168.12.148:3306"}`},
		{"enhanced", "/v2.0/" + project + "/datasource/enhanced-connections",
			`{"name":"c%d","dest_vpc_id":"vpc","dest_network_id":"subnet","elastic_resource_pools":["pool1"]}`},
	}
	for _, api := range apis {
		b.Run("api="+api.name, func(b *testing.B) {
			m, err := mockserver.New(mockserver.Config{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				req := httptest.NewRequest(http.MethodPost, api.path, bytes.NewReader(fmt.Appendf(nil, api.body, i)))
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
				m.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, api.path+"/"+created.ID, nil))
				if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(created.ID)) {
					b.Fatalf("show: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
