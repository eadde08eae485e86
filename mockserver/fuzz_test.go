package mockserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
