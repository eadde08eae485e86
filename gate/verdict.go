package gate

import (
	"slices"

	"github.com/dli-contract/dli-go/docwalk"

	"github.com/dli-contract/dli-go/validate"
)

func operationIDs(doc *validate.Document) []string {
	var ids []string
	for _, o := range docwalk.Operations(doc.OpenAPI()) {
		ids = append(ids, o.Op.OperationID)
	}
	slices.Sort(ids)
	return ids
}
