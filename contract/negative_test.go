package contract_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/validate"
)

// TestRequestBodiesRejectBrokenRules derives cases from every request
// body's schema and examples and sends each through the generated client:
// broken ones must be refused before the wire with an error that names the
// field and the rule; boundary ones must go through.
func TestRequestBodiesRejectBrokenRules(t *testing.T) {
	t.Parallel()
	for _, o := range operations(t) {
		if o.op.RequestBody == nil {
			continue
		}
		mt := o.op.RequestBody.Value.Content.Get("application/json")
		seen := map[string]bool{}
		for _, exName := range slices.Sorted(maps.Keys(mt.Examples)) {
			for _, c := range contract.Derive(mt.Schema.Value, decoded(t, mt.Examples[exName].Value.Value)) {
				if seen[c.Name] {
					continue
				}
				seen[c.Name] = true
				t.Run(o.id+"/"+c.Name, func(t *testing.T) {
					t.Parallel()
					caseRun()
					h := newHarness(t)
					status, answer := successExample(t, o.op)
					h.mock.RegisterRegexpResponder(o.method, routeRegexp(o.path), jsonResponder(status, answer))
					body := mustJSON(t, c.Value)
					req, err := http.NewRequest(o.method, server+concretePath(o.path), bytes.NewReader(body))
					require.NoError(t, err)
					req.Header.Set("Content-Type", "application/json")
					resp, err := h.hc.Do(req)
					if c.Valid {
						require.NoError(t, err)
						_ = resp.Body.Close()
						assert.Equal(t, status, resp.StatusCode)
						return
					}
					var verr *validate.Error
					require.ErrorAs(t, err, &verr, "body %s was not refused", body)
					assert.Equal(t, o.id, verr.Operation)
					assert.True(t, verr.Has(c.Field, c.Rule), "want a %s problem at %s, got: %v", c.Rule, c.Field, verr)
					assert.Contains(t, err.Error(), c.Field)
					assert.Zero(t, h.mock.GetTotalCallCount(), "a refused request reached the server")
				})
			}
		}
	}
}

// TestResponseSchemasCatchWrongValues derives the same cases from every
// response schema and example: a server that answers with a broken value is
// caught, and the finding names the field and the rule.
func TestResponseSchemasCatchWrongValues(t *testing.T) {
	t.Parallel()
	doc, err := validate.Embedded()
	require.NoError(t, err)
	for _, o := range operations(t) {
		for _, key := range slices.Sorted(maps.Keys(o.op.Responses.Map())) {
			status := statusFor(t, key)
			mt := o.op.Responses.Value(key).Value.Content.Get("application/json")
			if mt == nil {
				continue // a 204: no body to break
			}
			seen := map[string]bool{}
			for _, exName := range slices.Sorted(maps.Keys(mt.Examples)) {
				for _, c := range contract.Derive(mt.Schema.Value, decoded(t, mt.Examples[exName].Value.Value)) {
					name := fmt.Sprintf("%s/%s/%s", o.id, key, c.Name)
					if seen[name] {
						continue
					}
					seen[name] = true
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						caseRun()
						req := concreteRequest(t, o)
						op, err := doc.Find(req)
						require.NoError(t, err)
						err = doc.Response(req, op, status, http.Header{"Content-Type": {"application/json"}}, mustJSON(t, c.Value))
						if c.Valid {
							assert.NoError(t, err)
							return
						}
						var verr *validate.Error
						require.ErrorAs(t, err, &verr, "response %s was accepted", mustJSON(t, c.Value))
						assert.True(t, verr.Has(c.Field, c.Rule), "want a %s problem at %s, got: %v", c.Rule, c.Field, verr)
					})
				}
			}
		}
	}
}

func concreteRequest(t *testing.T, o operation) *http.Request {
	t.Helper()
	req, err := http.NewRequest(o.method, server+concretePath(o.path), nil)
	require.NoError(t, err)
	return req
}

func decoded(t *testing.T, v any) any {
	t.Helper()
	var out any
	require.NoError(t, json.Unmarshal(mustJSON(t, v), &out))
	return out
}
