package gate_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
)

// The model's reading of the tag declarations (children of a connection,
// values across connections, selections by tags), against a server
// broken on purpose in one respect each, as TestModelCatchesBrokenServers
// does for connections. The document is without the datasource family,
// whose draws would thin out these. Budgets measured on -seed 7 as there:
// draws twice the run that first fails, shrinks one rung above the
// smallest that shrinks the failure to 8 steps.
func TestModelCatchesBrokenTagServers(t *testing.T) {
	if testing.Short() {
		t.Skip("shrinking a sequence for each broken server takes a while; make test runs it")
	}
	t.Parallel()
	doc := connectionsAndTags(t)
	for _, tc := range brokenTagServers {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			caught(t, doc, tc, 7, 8)
		})
	}
}

// connectionsAndTags is the document without the datasource family.
var connectionsAndTags = docWithout([]string{"datasource-auth", "connectivity"},
	[]string{"ListAuthorizationPrivileges"}, []string{"auth_info", "connectivity_task"})

const (
	tagFilter = `/resource-instances/filter$`
	tagCount  = `/resource-instances/count$`
)

// brokenTagServers is the table of TestModelCatchesBrokenTagServers.
var brokenTagServers = []brokenCase{
	{"a filter's total one more", addToTotal(tagFilter), `ListResourcesByTags of .* counts \d+ in all, the model holds`, 10, 100},
	{"a count one more", addToTotal(tagCount), `CountResourcesByTags of .* counts \d+ in all, the model holds`, 10, 50},
	{"a filter that ignores its page", dropQuery(http.MethodPost, tagFilter, "offset", "limit"), `ListResourcesByTags of .* finds .* the model wants .* the page`, 120, 150},
	{"a delete by key alone deleting nothing", deleteByKeyIgnored, `answers connection \S+ \(\S+\), whose tags the model holds without it`, 28, 25},
	{"a filter that ignores names", rewriteFilter(func(b map[string]any) { delete(b, "matches") }), `ListResourcesByTags of .*"matches".* (finds .* the model wants|counts \d+ in all)`, 24, 25},
	{"a filter that takes any value", rewriteFilter(func(b map[string]any) {
		tags, _ := b["tags"].([]any)
		for _, it := range tags {
			it.(map[string]any)["values"] = []any{}
		}
	}), `ListResourcesByTags of .* (finds .* the model wants|counts \d+ in all)`, 200, 150},
	{"the run's tag key not among the keys", dropRunKey, `ListResourcesTags lacks dli-contract-run=`, 10, 25},
}

// addToTotal answers the matching POSTs' total_count one more.
func addToTotal(pathRE string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !matches(r, http.MethodPost, pathRE) {
				next.ServeHTTP(w, r)
				return
			}
			answer(next, w, r, func(status int, b map[string]any) {
				if n, ok := b["total_count"].(float64); ok && status == http.StatusOK {
					b["total_count"] = n + 1
				}
			})
		})
	}
}

// deleteByKeyIgnored deletes nothing of a tag delete whose every tag
// names no value.
func deleteByKeyIgnored(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !matches(r, http.MethodPost, `/tags/delete$`) {
			next.ServeHTTP(w, r)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		var body struct {
			Tags []map[string]any `json:"tags"`
		}
		keyOnly := json.Unmarshal(raw, &body) == nil && len(body.Tags) > 0
		for _, t := range body.Tags {
			if v, ok := t["value"].(string); ok && v != "" {
				keyOnly = false
			}
		}
		if keyOnly {
			// A key no connection has: refused where the mock refuses
			// the call, otherwise 204, deleting nothing.
			raw = []byte(`{"tags":[{"key":"contract_none"}]}`)
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		r.ContentLength = int64(len(raw))
		next.ServeHTTP(w, r)
	})
}

// dropRunKey answers the project's tag keys without the run's.
func dropRunKey(next http.Handler) http.Handler {
	run := regexp.MustCompile(`^dli-contract-run$`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !matches(r, http.MethodGet, `/dli_enhanced_datasource/tags$`) {
			next.ServeHTTP(w, r)
			return
		}
		answer(next, w, r, func(_ int, b map[string]any) {
			tags, _ := b["tags"].([]any)
			var kept []any
			for _, it := range tags {
				if m, ok := it.(map[string]any); !ok || !run.MatchString(m["key"].(string)) {
					kept = append(kept, it)
				}
			}
			b["tags"] = kept
		})
	})
}

// rewriteFilter serves the selections by tags (filters) the mock takes
// with their body rewritten by edit.
func rewriteFilter(edit func(map[string]any)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, _ := io.ReadAll(r.Body)
			serve := func(body []byte, w http.ResponseWriter) {
				rr := r.Clone(r.Context())
				rr.Body, rr.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
				next.ServeHTTP(w, rr)
			}
			var body map[string]any
			if !matches(r, http.MethodPost, tagFilter) || json.Unmarshal(raw, &body) != nil {
				serve(raw, w)
				return
			}
			asSent := httptest.NewRecorder()
			if serve(raw, asSent); asSent.Code != http.StatusOK {
				serve(raw, w) // refused as sent: refused
				return
			}
			edit(body)
			edited, _ := json.Marshal(body)
			serve(edited, w)
		})
	}
}
