package gate

import (
	"slices"

	"github.com/dli-contract/dli-go/validate"
)

func operationIDs(doc *validate.Document) []string {
	var ids []string
	for _, o := range operationsOf(doc.OpenAPI()) {
		ids = append(ids, o.op.OperationID)
	}
	slices.Sort(ids)
	return ids
}
