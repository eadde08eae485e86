package phases

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
)

// stateRefusals holds each resource kind to the operations its states
// refuse, as declared (a classic connection being created cannot be
// deleted): it creates one, and while the read shows it in such a state,
// sends each refused operation, which must be refused as declared. A
// resource that has left the state by then is not judged. Cleanup deletes
// it once it settles.
func (g *phase) stateRefusals(ctx context.Context) {
	for _, res := range g.Sem.Creates() {
		if res.Parent != "" || res.State == nil || len(res.State.Refuses) == 0 || g.Unplaced(res) != "" || g.Stopped() {
			continue // the life cycles say why a kind is unplaced
		}
		create, read := res.Op(semantics.Create), res.Op(semantics.Read)
		if read == nil {
			continue // a state is read by a read
		}
		body, ok := g.bodyFor(res)
		if !ok {
			continue
		}
		raw, _ := json.Marshal(body)
		ex := g.Send(ctx, true, create.Method, g.Fill(create, ""), raw)
		key, _ := create.KeyExpr.Eval(semantics.Call{Body: raw, Status: ex.Status, AnswerBody: []byte(ex.RawAnswer())})
		if acceptedAny(ex, "create") != "" || key == "" {
			continue // the life cycles judge creates
		}
		shown := g.Send(ctx, true, read.Method, g.Fill(read, key), nil)
		state := env.AnswerField(shown, res.State.Field)
		for _, ref := range res.State.Refuses[state] {
			op := g.Sem.Of(ref.Operation)
			if !g.OpOn(op.ID) {
				continue
			}
			ex := g.Send(ctx, true, op.Method, g.Fill(op, key), exampleBody(op, env.FirstExample))
			what := fmt.Sprintf("a %s %s refuses %s (the document)", res.Title, state, op.ID)
			msg := env.Refused(ex, what)
			if msg == "" && (ex.Status != ref.Status || ref.Code != "" && env.ErrorCodeOf(ex) != ref.Code) {
				msg = fmt.Sprintf("%s: refused %d %s, want %d %s", what, ex.Status, env.ErrorCodeOf(ex), ref.Status, ref.Code)
			}
			if msg != "" && ex.MayHaveMoved() {
				// Waiting out a 429, the resource may have left the state
				// read before: the server may have been right to accept.
				g.NotJudged(check.Transitions, fmt.Sprintf("%s: the request waited out throttling for %s, in which the %s may have left %s",
					what, ex.Waited, res.Title, state))
				continue
			}
			g.Judge(wire.Verdict{Check: check.Transitions, Op: op.ID, What: what, Ex: ex, Msg: msg})
		}
	}
}

// acceptedAny is the message for a call that should have been answered
// with a success the operation declares, "" when it was.
func acceptedAny(ex *wire.Exchange, what string) string {
	switch {
	case ex.Error != "":
		return fmt.Sprintf("%s: the request got no answer: %s", what, ex.Error)
	case ex.Status < 200 || ex.Status > 299:
		return fmt.Sprintf("%s was answered %d, want a success: %s", what, ex.Status, apierror.Snippet([]byte(ex.RawAnswer())))
	}
	return ""
}

// listedKeys are the keys of the items of a list's answer.
func listedKeys(ex *wire.Exchange, items, key string) []string {
	var out []string
	for _, it := range env.ItemsOf(ex, items) {
		if s, ok := it[key].(string); ok {
			out = append(out, s)
		}
	}
	return out
}
