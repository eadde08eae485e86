package sequences

import (
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dli-contract/dli-go/docwalk"
)

// located is one operation of a document with where it sits.
type located struct {
	path, method string
	item         *openapi3.PathItem
	op           *openapi3.Operation
}

// operationsOf lists the operations of doc in docwalk's order.
func operationsOf(doc *openapi3.T) []located {
	var out []located
	for _, o := range docwalk.Operations(doc) {
		out = append(out, located{path: o.Path, method: o.Method, item: o.Item, op: o.Op})
	}
	return out
}
