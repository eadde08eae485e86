package phases

// The reads phase: every kind listed, and read by each operation that
// reads one.

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/semantics"
)

// readOnly lists each kind and reads the first resource listed, by every
// operation that reads one, and reads one that does not exist, so that
// every read operation is judged.
func (g *phase) readOnly(ctx context.Context) {
	unknown := uuid.NewString()
	for _, res := range g.Kinds() {
		if list := res.Op(semantics.List); list != nil {
			ex := g.Send(ctx, true, list.Method, g.Fill(list, ""), nil)
			if items := env.ItemsOf(ex, list.Items); ex.Status == http.StatusOK && len(items) > 0 {
				if key := env.Str(items[0][res.Key]); key != "" {
					g.readsOf(ctx, res, key)
				}
			}
		}
		g.readsOf(ctx, res, unknown)
	}
}

// readsOf sends every operation that reads a resource, for key.
func (g *phase) readsOf(ctx context.Context, res *semantics.Resource, key string) {
	for _, id := range g.Sem.Order {
		if op := g.Sem.Of(id); op.Resource == res.Kind && op.Method == http.MethodGet && op.Role != semantics.List && op.KeyExpr != nil {
			g.Send(ctx, true, op.Method, g.Fill(op, key), nil)
		}
	}
}
