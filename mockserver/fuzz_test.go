package mockserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dli-contract/dli-go/mockserver"
	"github.com/dli-contract/dli-go/validate"
)

// FuzzHandler sends any method, path, header and body to the mock: it must
// never panic, and must answer either a DLI-shaped error (error_code and
// error_msg) or a response the document accepts. Seeds live in
// testdata/fuzz/FuzzHandler.
func FuzzHandler(f *testing.F) {
	f.Add("POST", "/v2.0/"+project+"/datasource-connection", "application/json",
		`{"name":"test1","service":"ct","security_group_id":"s","network_id":"n","url":"u"}`)
	f.Add("GET", "/v2.0/"+project+"/datasource-connection", "", "")
	f.Add("DELETE", "/v2.0/"+project+"/datasource-connection/68233202-63bf-4f27-a99b-fa5f5a2dbae1", "", "")
	f.Add("POST", "/v2.0/"+project+"/datasource/enhanced-connections", "application/json",
		`{"name":"test","dest_vpc_id":"vpc","dest_network_id":"subnet","elastic_resource_pools":["p1"],"hosts":[{"name":"h1","ip":"192.168.0.1"}]}`)
	f.Add("GET", "/v2.0/"+project+"/datasource/enhanced-connections?limit=2&offset=1&status=active", "", "")
	f.Add("PUT", "/v2.0/"+project+"/datasource/enhanced-connections/2a620c33-5609-40c9-affd-2b6453071b0f", "application/json", `{"hosts":[]}`)
	f.Add("POST", "/v3/"+project+"/datasource/enhanced-connections/2a620c33-5609-40c9-affd-2b6453071b0f/routes", "application/json",
		`{"name":"route","cidr":"127.0.0.0"}`)
	f.Add("DELETE", "/v3/"+project+"/datasource/enhanced-connections/2a620c33-5609-40c9-affd-2b6453071b0f/routes/route", "", "")
	doc, err := validate.Embedded()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, path, contentType, body string) {
		if !validMethod(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n#?") {
			t.Skip("not a request a server could receive")
		}
		// A fresh mock per input: state piling up across inputs would make
		// every list slower and the fuzzer crawl.
		anon, err := mockserver.New(mockserver.Config{})
		if err != nil {
			t.Fatal(err)
		}
		authed, err := mockserver.New(mockserver.Config{AK: "AKTESTEXAMPLE0000000", SK: "SKtestexampleSecretKey0000000000000000000", Token: "tok"})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range []http.Handler{anon, authed} {
			req, err := http.NewRequest(method, "http://dli.local"+path, strings.NewReader(body))
			if err != nil {
				t.Skip()
			}
			req.RequestURI = req.URL.RequestURI()
			if contentType != "" && !strings.ContainsAny(contentType, "\r\n") {
				req.Header.Set("Content-Type", contentType)
			}
			req.Header.Set("X-Auth-Token", "tok")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			checkAnswer(t, doc, req, rec)
		}
	})
}

func checkAnswer(t *testing.T, doc *validate.Document, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%s %s: content type %q", req.Method, req.URL.Path, rec.Header().Get("Content-Type"))
	}
	if rec.Code >= 400 {
		var e struct {
			Code *string `json:"error_code"`
			Msg  *string `json:"error_msg"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == nil || e.Msg == nil || *e.Code == "" {
			t.Fatalf("%s %s: %d without a DLI error body: %s", req.Method, req.URL.Path, rec.Code, rec.Body)
		}
		return
	}
	op, err := doc.Find(req)
	if err != nil {
		t.Fatalf("%s %s answered %d for an unknown route", req.Method, req.URL.Path, rec.Code)
	}
	if err := doc.Response(req, op, rec.Code, rec.Header(), bytes.Clone(rec.Body.Bytes())); err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
}

func validMethod(m string) bool {
	switch m {
	case "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS":
		return true
	}
	return false
}

// FuzzCreateStoresWhatWasValidated sends any body as a create: whenever
// the mock accepts it, what it stored (as show answers it) must be exactly
// what a case-sensitive reading of the body says, the reading validation
// checked. Its seeds are the bodies that got past validation before.
func FuzzCreateStoresWhatWasValidated(f *testing.F) {
	f.Add(`{"name":"okname","service":"RDS","security_group_id":"sg","network_id":"n","url":"10.0.0.1:3306"}`)
	f.Add(`{"name":"okname","Name":"bad name/../<x>","service":"RDS","security_group_id":"sg","network_id":"n","url":"u"}`)
	f.Add(`{"nAmE":"","service":"RDS","security_group_id":"sg","network_id":"n","url":"u"}`)
	f.Add(`{"name":"ok","service":"RDS","security_group_id":"sg","network_id":"n","url":"u\u0000"}`)
	f.Add("{\"name\":\"ok\",\"service\":\"RDS\",\"security_group_id\":\"sg\",\"network_id\":\"n\",\"url\":\"\xff\"}")
	f.Add(`{"name":"a","name":"b","service":"RDS","security_group_id":"sg","network_id":"n","url":"u"}`)
	f.Fuzz(func(t *testing.T, body string) {
		m, err := mockserver.New(mockserver.Config{})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/v2.0/"+project+"/datasource-connection", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			return
		}
		// encoding/json into a map matches keys exactly; the last of
		// duplicate keys wins, as for the mock's own decoding.
		var sent map[string]any
		if err := json.Unmarshal([]byte(body), &sent); err != nil {
			t.Fatalf("accepted a body that is not a JSON object: %v", err)
		}
		if !utf8.ValidString(body) {
			t.Fatalf("accepted a body that is not valid UTF-8")
		}
		var created struct {
			ID string `json:"connection_id"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil {
			t.Fatal(err)
		}
		show := httptest.NewRecorder()
		m.ServeHTTP(show, httptest.NewRequest(http.MethodGet, "/v2.0/"+project+"/datasource-connection/"+created.ID, nil))
		var got map[string]any
		if err := json.Unmarshal(show.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		for sentKey, gotKey := range map[string]string{"name": "name", "service": "service", "url": "destination"} {
			if sent[sentKey] != got[gotKey] {
				t.Fatalf("validated %s=%q but stored %q", sentKey, sent[sentKey], got[gotKey])
			}
		}
	})
}
