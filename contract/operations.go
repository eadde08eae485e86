package contract

import (
	"maps"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// located is one operation of a document with where it sits.
type located struct {
	path, method string
	item         *openapi3.PathItem
	op           *openapi3.Operation
}

// operationsOf lists the operations of doc in path order, methods sorted,
// so that every check walks them the same way.
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
