package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/validate"
)

// leakingFront answers the auth-info lists with a password in each item,
// as a server that stores and echoes the whole record would; it keeps
// every value the run sent where the document marks writeOnly.
type leakingFront struct {
	next http.Handler
	doc  *validate.Document

	mu   sync.Mutex
	sent []string
}

func (f *leakingFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if op, err := f.doc.Find(validate.WithBody(r, body)); err == nil && op != nil {
		var v map[string]any
		if json.Unmarshal(body, &v) == nil {
			for _, ptr := range f.doc.Secrets(op.ID) {
				if s, ok := v[strings.TrimPrefix(ptr, "/")].(string); ok && len(s) >= 8 {
					f.mu.Lock()
					f.sent = append(f.sent, s)
					f.mu.Unlock()
				}
			}
		}
	}
	if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/datasource/auth-infos") {
		f.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	f.next.ServeHTTP(rec, r)
	var page map[string]any
	out := rec.Body.Bytes()
	if json.Unmarshal(out, &page) == nil {
		items, _ := page["auth_infos"].([]any)
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				m["password"] = "leaked-Huawei12!"
			}
		}
		out, _ = json.Marshal(page)
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(out)
}

// A server that answers a password fails write_only_never_answered, a
// check derived from the document's writeOnly marking; and no secret the
// run sent, nor the one the server leaked, appears in the text output, the
// JSON or JUnit report, a curl picture or a -replay.
func TestNoSecretReachesAReport(t *testing.T) {
	t.Parallel()
	doc, err := validate.Embedded()
	require.NoError(t, err)
	front := &leakingFront{next: newMock(t, true), doc: doc}
	dir := t.TempDir()
	js, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml")
	code, out := gateRun(t, front, "-mock", "-json", js, "-junit", junit)
	assert.Equal(t, 1, code, out)
	assert.Regexp(t, `VIOLATION write_only_never_answered: List(Job)?AuthInfos? 200 /auth_infos/0/password: the answer carries /auth_infos/0/password`, out)

	front.mu.Lock()
	sent := append([]string{"leaked-Huawei12!", "Huawei12!"}, front.sent...)
	front.mu.Unlock()
	require.Greater(t, len(sent), 3, "the run sent passwords")
	rawJS, err := os.ReadFile(js)
	require.NoError(t, err)
	rawJU, err := os.ReadFile(junit)
	require.NoError(t, err)

	rep, err := gate.ReadReport(bytes.NewReader(rawJS))
	require.NoError(t, err)
	n := 0
	for i, v := range rep.Violations {
		if v.Check == gate.CheckSecrets {
			n = i + 1
			break
		}
	}
	require.Positive(t, n)
	var replayOut bytes.Buffer
	env := map[string]string{gate.EnvSK: testSK, gate.EnvAK: testAK}
	run(context.Background(), clockOf(t), []string{"-replay", js, "-case", itoa(n)}, func(k string) string { return env[k] }, &replayOut, &replayOut)

	for _, s := range sent {
		for what, text := range map[string]string{"the text output": out, "the JSON report": string(rawJS), "the JUnit report": string(rawJU), "-replay": replayOut.String()} {
			assert.NotContains(t, text, s, "%s shows a secret", what)
		}
	}
	assert.Contains(t, out, "<redacted>", "what is hidden says so")
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
