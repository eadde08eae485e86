package gate

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// located is one operation of a document with where it sits.
type located struct {
	path, method string
	item         *openapi3.PathItem
	op           *openapi3.Operation
}

// operationsOf lists the operations of doc in path order, methods sorted.
func operationsOf(doc *openapi3.T) []located {
	var out []located
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		ops := item.Operations()
		for _, method := range slices.Sorted(maps.Keys(ops)) {
			out = append(out, located{path: path, method: method, item: item, op: ops[method]})
		}
	}
	return out
}

// readBody reads and closes the body of req.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer func() { _ = req.Body.Close() }()
	return io.ReadAll(req.Body)
}

// withBody returns a copy of req that reads body, and can again.
func withBody(req *http.Request, body []byte) *http.Request {
	c := req.Clone(req.Context())
	c.Body, c.GetBody = http.NoBody, nil
	if body != nil {
		c.Body = io.NopCloser(bytes.NewReader(body))
		c.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return c
}
