package gate

// The reads phase: every kind listed, and read by each operation that
// reads one.

import (
	"context"
	"net/http"
	"slices"

	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/semantics"
)

// readOnly lists each kind and reads the first resource listed, by every
// operation that reads one, and reads one that does not exist, so that
// every read operation is judged.
func (g *gate) readOnly(ctx context.Context) {
	unknown := uuid.NewString()
	for _, res := range g.kinds() {
		if list := res.Op(semantics.List); list != nil {
			ex := g.Send(ctx, true, list.Method, g.fill(list, ""), nil)
			if items := itemsOf(ex, list.Items); ex.Status == http.StatusOK && len(items) > 0 {
				if key := str(items[0][res.Key]); key != "" {
					g.readsOf(ctx, res, key)
				}
			}
		}
		g.readsOf(ctx, res, unknown)
	}
}

// readsOf sends every operation that reads a resource, for key.
func (g *gate) readsOf(ctx context.Context, res *semantics.Resource, key string) {
	for _, id := range g.sem.Order {
		if op := g.sem.Of(id); op.Resource == res.Kind && op.Method == http.MethodGet && op.Role != semantics.List && op.KeyExpr != nil {
			g.Send(ctx, true, op.Method, g.fill(op, key), nil)
		}
	}
}

// kinds are the top-level resource kinds, the current ones first.
func (g *gate) kinds() []*semantics.Resource {
	// In the document's order (of each kind's first operation), the
	// current kinds first: what the phases take first of is the document's
	// first.
	var out []*semantics.Resource
	for _, id := range g.sem.Order {
		res := g.sem.Resources[g.sem.Of(id).Resource]
		if res != nil && res.Parent == "" && !slices.Contains(out, res) {
			out = append(out, res)
		}
	}
	slices.SortStableFunc(out, func(a, b *semantics.Resource) int { return cmpBool(retired(a), retired(b)) })
	return out
}
