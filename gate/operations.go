package gate

import (
	"slices"

	"github.com/dli-contract/dli-go/docwalk"
	"github.com/dli-contract/dli-go/validate"
)

// operationIDs are the document's operationIds, sorted: what -operations
// and -exclude-operations may name.
func operationIDs(doc *validate.Document) []string {
	var ids []string
	for _, o := range docwalk.Operations(doc.OpenAPI()) {
		ids = append(ids, o.Op.OperationID)
	}
	slices.Sort(ids)
	return ids
}
