package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/validate"
)

// harSchema compiles HAR 1.2's JSON Schema, as the npm package har-schema
// publishes it (testdata/har-schema, with its licence).
func harSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	dir := filepath.Join("..", "..", "gate", "testdata", "har-schema")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name())) //nolint:gosec // the test's own data
		require.NoError(t, err)
		doc, err := jsonschema.UnmarshalJSON(f)
		_ = f.Close()
		require.NoError(t, err, e.Name())
		require.NoError(t, c.AddResource(e.Name(), doc), e.Name())
	}
	s, err := c.Compile("har.json")
	require.NoError(t, err)
	return s
}

// The HAR of a run against a server that leaks a password validates
// against HAR 1.2's schema, has an entry for every exchange, names the
// violations' entries, and carries no secret.
func TestTheHARIsHAR(t *testing.T) {
	t.Parallel()
	doc, err := validate.Embedded()
	require.NoError(t, err)
	front := &leakingFront{next: newMock(t, true), doc: doc}
	dir := t.TempDir()
	har, js := filepath.Join(dir, "r.har"), filepath.Join(dir, "r.json")
	code, out := gateRun(t, front, "-mock", "-har", har, "-json", js)
	assert.Equal(t, 1, code, out)

	raw, err := os.ReadFile(har)
	require.NoError(t, err)
	f, err := os.Open(har)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(f)
	_ = f.Close()
	require.NoError(t, err)
	require.NoError(t, harSchema(t).Validate(inst), "HAR 1.2")

	var h struct {
		Log struct {
			Entries []struct {
				Request struct {
					Method, URL string
					Headers     []struct{ Name string }
				}
				Response   struct{ Status int }
				Violations []string `json:"_violations"`
				Time       float64
			}
		}
	}
	require.NoError(t, json.Unmarshal(raw, &h))
	rawJS, err := os.ReadFile(js)
	require.NoError(t, err)
	var rep gate.Report
	require.NoError(t, json.Unmarshal(rawJS, &rep))
	assert.Len(t, h.Log.Entries, rep.Requests, "an entry for every exchange")
	named := 0
	for _, e := range h.Log.Entries {
		for _, hd := range e.Request.Headers {
			assert.NotContains(t, []string{"Authorization", "X-Auth-Token", "X-Sdk-Date", "X-Security-Token"}, hd.Name, "no credential header")
		}
		if len(e.Violations) > 0 {
			named++
		}
	}
	assert.Positive(t, named, "the violations' entries are named")
	for _, v := range rep.Violations {
		if v.Exchange != nil && v.Exchange.Seq > 0 {
			e := h.Log.Entries[v.Exchange.Seq-1]
			assert.Equal(t, v.Exchange.URL, e.Request.URL, "a violation's seq is its entry")
			assert.NotEmpty(t, e.Violations)
		}
	}
	front.mu.Lock()
	defer front.mu.Unlock()
	for _, s := range append([]string{"leaked-Huawei12!", "Huawei12!"}, front.sent...) {
		if i := strings.Index(string(raw), s); i >= 0 {
			t.Errorf("the HAR shows the secret %q: …%s…", s, string(raw)[max(0, i-300):min(len(raw), i+50)])
		}
	}
}
