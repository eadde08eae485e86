package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/client"
	"github.com/dli-contract/dli-go/gen/dli"
)

// These benchmarks run in one package so that their figures come from one
// run: create through the generated client with signing, the same create
// written by hand with net/http and encoding/json (the floor), and Sign
// alone. The sub-benchmarks are named client=... so that
// benchstat can set them side by side (make bench does, with the floor as
// the base).

const createdBody = `{"is_success":true,"message":"","connection_id":"68233202-63bf-4f27-a99b-fa5f5a2dbae1"}`

func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, createdBody)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func BenchmarkCreate(b *testing.B) {
	newClient := func(b *testing.B) *client.Client {
		srv := benchServer(b)
		c, err := client.New(client.Options{
			Endpoint:    srv.URL,
			ProjectID:   projectID,
			Credentials: auth.AKSK{AK: testAK, SK: testSK},
		})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	b.Run("client=generated+signing", func(b *testing.B) {
		c := newClient(b).Raw()
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			resp, err := c.CreateDatasourceConnectionWithResponse(ctx, projectID, createBody)
			if err != nil || resp.JSON201 == nil {
				b.Fatalf("create: %v", err)
			}
		}
	})
	// The typed method on top of the same generated call: what the typed
	// layer (error checking, the project bound once) costs.
	b.Run("client=typed+signing", func(b *testing.B) {
		c := newClient(b)
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			created, err := c.CreateDatasourceConnection(ctx, createBody)
			if err != nil || created.ConnectionID == nil {
				b.Fatalf("create: %v", err)
			}
		}
	})
	b.Run("client=floor", func(b *testing.B) { benchHandWritten(b, nil) })
	// Not a target of the issue: the floor carrying the headers signing
	// adds (fixed values, nothing computed), to tell the cost of the
	// signature's bytes on the wire from the cost of the client.
	signed := auth.NewSigner(testAK, testSK)
	b.Run("client=floor+signature-headers", func(b *testing.B) {
		probe := httptest.NewRequest(http.MethodPost, "http://h/v2.0/"+projectID+"/datasource-connection", nil)
		probe.Header.Set("Content-Type", "application/json")
		probe.Header.Set(auth.HeaderProjectID, projectID)
		if err := signed.Sign(probe, time.Now()); err != nil {
			b.Fatal(err)
		}
		benchHandWritten(b, probe.Header)
	})
}

// benchHandWritten is the floor: the create written by hand with net/http
// and encoding/json, sending extra as well when it is not nil.
func benchHandWritten(b *testing.B, extra http.Header) {
	srv := benchServer(b)
	hc := &http.Client{Transport: client.DefaultTransport(), Timeout: time.Minute}
	url := srv.URL + "/v2.0/" + projectID + "/datasource-connection"
	type created struct {
		IsSuccess    *bool   `json:"is_success"`
		Message      *string `json:"message"`
		ConnectionID *string `json:"connection_id"`
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		body, err := json.Marshal(createBody)
		if err != nil {
			b.Fatal(err)
		}
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		for k, v := range extra {
			req.Header.Set(k, v[0])
		}
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var out created
		err = json.NewDecoder(resp.Body).Decode(&out)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusCreated || out.ConnectionID == nil {
			b.Fatalf("create: %v", err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	body, _ := json.Marshal(createBody)
	req, err := dli.NewCreateDatasourceConnectionRequestWithBody("https://dli.cn-north-4.myhuaweicloud.com", projectID,
		"application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set(auth.HeaderProjectID, projectID)
	s := auth.NewSigner(testAK, testSK)
	now := time.Date(2024, 6, 3, 10, 15, 30, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := s.Sign(req, now); err != nil {
			b.Fatal(err)
		}
	}
}
