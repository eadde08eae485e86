package docwalk_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/docwalk"
)

func decodedJSON(t *testing.T, src string) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(src), &v))
	return v
}

func TestPointersReadSetAndKeepOnlyWhatTheyReach(t *testing.T) {
	t.Parallel()
	doc := decodedJSON(t, `{"a":{"b":[{"c":1},{"c":2}]},"x~y/z":3}`)
	for _, tc := range []struct {
		ptr    string
		want   any
		found  bool
		set    string // doc after docwalk.Set(ptr, null)
		onlyAt string
	}{
		{ptr: "/a/b/1/c", want: 2.0, found: true, set: `{"a":{"b":[{"c":1},{"c":null}]},"x~y/z":3}`, onlyAt: `{"a":{"b":[{"c":2}]}}`},
		{ptr: "/x~0y~1z", want: 3.0, found: true, set: `{"a":{"b":[{"c":1},{"c":2}]},"x~y/z":null}`, onlyAt: `{"x~y/z":3}`},
		{ptr: "/a/nope", found: false, set: `{"a":{"b":[{"c":1},{"c":2}]},"x~y/z":3}`, onlyAt: `{"a":null}`},
		{ptr: "/a/b/9", found: false, set: `{"a":{"b":[{"c":1},{"c":2}]},"x~y/z":3}`, onlyAt: `{"a":{"b":null}}`},
	} {
		got, found := docwalk.At(doc, tc.ptr)
		assert.Equal(t, tc.found, found, tc.ptr)
		assert.Equal(t, tc.want, got, tc.ptr)
		set, _ := json.Marshal(docwalk.Set(doc, tc.ptr, nil))
		assert.JSONEq(t, tc.set, string(set), tc.ptr)
		only, _ := json.Marshal(docwalk.Only(doc, tc.ptr))
		assert.JSONEq(t, tc.onlyAt, string(only), tc.ptr)
	}
	unchanged, _ := json.Marshal(doc)
	assert.JSONEq(t, `{"a":{"b":[{"c":1},{"c":2}]},"x~y/z":3}`, string(unchanged), "Set copies")
}

func TestDropRemovesWhatAStarredPointerNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ ptr, want string }{
		{"/a", `{"hosts":[{"ip":"1","name":"n"},{"ip":"2"}],"x~y":1}`},
		{"/hosts/*/ip", `{"a":1,"hosts":[{"name":"n"},{}],"x~y":1}`},
		{"/x~0y", `{"a":1,"hosts":[{"ip":"1","name":"n"},{"ip":"2"}]}`},
		{"/hosts/0/ip", `{"a":1,"hosts":[{"ip":"1","name":"n"},{"ip":"2"}],"x~y":1}`}, // an index drops nothing
		{"/nope/b", `{"a":1,"hosts":[{"ip":"1","name":"n"},{"ip":"2"}],"x~y":1}`},
		{"", `{"a":1,"hosts":[{"ip":"1","name":"n"},{"ip":"2"}],"x~y":1}`},
	} {
		v := decodedJSON(t, `{"a":1,"hosts":[{"ip":"1","name":"n"},{"ip":"2"}],"x~y":1}`)
		docwalk.Drop(v, tc.ptr)
		got, _ := json.Marshal(v)
		assert.JSONEq(t, tc.want, string(got), tc.ptr)
	}
}
