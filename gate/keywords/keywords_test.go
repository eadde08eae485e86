package keywords

import (
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/validate"
)

const widgets = `
openapi: 3.0.3
info: {title: widgets, version: "1"}
paths:
  /widgets:
    post:
      operationId: CreateWidget
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string, maxLength: 8, pattern: "^[a-z]+$"}
                size: {type: integer, minimum: 1}
      responses:
        "200": {description: ok}
`

func recorder(t *testing.T) *Recorder {
	t.Helper()
	spec, err := openapi3.NewLoader().LoadFromData([]byte(widgets))
	require.NoError(t, err)
	doc, err := validate.New(spec)
	require.NoError(t, err)
	return New(doc)
}

func send(t *testing.T, k *Recorder, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/widgets", strings.NewReader(body))
	require.NoError(t, err)
	k.Record("CreateWidget", nil, req, []byte(body))
}

// A keyword is covered once a request satisfied it and one broke it;
// what is still to send says which, and a request can cover several.
func TestKeywordCoverageCountsWhatWasSatisfiedAndBroken(t *testing.T) {
	t.Parallel()
	k := recorder(t)
	before := k.Coverage()
	// required /name; /name type, pattern, maxLength; /size type, minimum
	assert.Equal(t, 6, before.Total)
	assert.Zero(t, before.Covered)

	send(t, k, `{"name":"abc","size":2}`) // satisfies every one
	c := k.Coverage()
	assert.Zero(t, c.Covered, "satisfied is half of covered")
	for _, n := range k.Missing("body") {
		assert.False(t, n.Satisfy, "%s was satisfied", n.Inst.Keyword)
		assert.True(t, n.Break, "%s is still to break", n.Inst.Keyword)
	}

	send(t, k, `{"name":"ABCDEFGHIJ","size":0}`) // breaks pattern, maxLength and minimum at once
	send(t, k, `{"size":"big"}`)                 // breaks required /name and /size's type
	c = k.Coverage()
	assert.Equal(t, 5, c.Covered)
	var left []string
	for _, n := range k.Missing("body") {
		left = append(left, n.Inst.Where+" "+n.Inst.Keyword.Keyword)
	}
	assert.Equal(t, []string{"/name type"}, left)
	assert.Len(t, c.Missing, 1)
	assert.Equal(t, Tally{Total: 6, Satisfied: 6, Breakable: 6, Broken: 5, Covered: 5}, c.ByOperation["CreateWidget"])

	send(t, k, `{"name":7}`)
	assert.Equal(t, 6, k.Coverage().Covered)
	assert.Empty(t, k.Missing("body"))
}

// A request adds a break only if it breaks a keyword no request broke
// yet; satisfying one, or breaking one already broken, adds none.
func TestARequestAddsABreakOnlyOnce(t *testing.T) {
	t.Parallel()
	k := recorder(t)
	body := func(s string) []byte { return []byte(s) }
	assert.False(t, k.AddsBreak("CreateWidget", nil, nil, body(`{"name":"abc","size":2}`)), "it breaks nothing")
	assert.True(t, k.AddsBreak("CreateWidget", nil, nil, body(`{"name":"abc","size":0}`)), "minimum, never broken")
	send(t, k, `{"name":"abc","size":0}`)
	assert.False(t, k.AddsBreak("CreateWidget", nil, nil, body(`{"name":"abc","size":-3}`)), "minimum again")
	assert.True(t, k.AddsBreak("CreateWidget", nil, nil, body(`{"name":"ABC","size":-3}`)), "minimum again, and the pattern")
	assert.False(t, k.AddsBreak("NoSuchOperation", nil, nil, body(`{}`)))

	// {"name":"abc","size":0} satisfied all but the minimum.
	assert.False(t, k.AddsSatisfy("CreateWidget", nil, nil, body(`{"name":"ABC","size":-3}`)), "nothing new satisfied")
	assert.True(t, k.AddsSatisfy("CreateWidget", nil, nil, body(`{"name":"xyz","size":2}`)), "the minimum, at last")
	send(t, k, `{"name":"xyz","size":2}`)
	assert.False(t, k.AddsSatisfy("CreateWidget", nil, nil, body(`{"name":"xyz","size":3}`)))
}
