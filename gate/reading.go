package gate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/dli-contract/dli-go/gate/wire"

	"github.com/dli-contract/dli-go/semantics"
)

// reading is what one read of a resource answered: by its read, or, for
// a kind the document reads only through its list (a datasource
// authentication), by the list filtered by exactly its key.
type reading struct {
	op *semantics.Operation
	ex *wire.Exchange
	// got is the resource as read: the read's answer, or its item of the
	// filtered list; nil when the answer holds none.
	got map[string]any
	// byList says the read was the filtered list.
	byList bool
}

// readOne reads the resource of res keyed key.
func (g *gate) readOne(ctx context.Context, res *semantics.Resource, key string) reading {
	if read := res.Op(semantics.Read); read != nil {
		ex := g.Send(ctx, true, read.Method, g.fill(read, key), nil)
		r := reading{op: read, ex: ex}
		if ex.Status == http.StatusOK {
			_ = json.Unmarshal([]byte(ex.RawAnswer()), &r.got)
		}
		return r
	}
	list, param := res.ReadByList()
	if list == nil {
		return reading{ex: &wire.Exchange{Error: "the document gives no way to read a " + res.Title}}
	}
	ex := g.Send(ctx, true, list.Method, g.fill(list, "")+"?"+url.Values{param: {key}}.Encode(), nil)
	r := reading{op: list, ex: ex, byList: true}
	if ex.Status == http.StatusOK {
		for _, it := range itemsOf(ex, list.Items) {
			if str(it[res.Key]) == key {
				r.got = it
				break
			}
		}
	}
	return r
}

// readable says whether the document gives a way to read res.
func readable(res *semantics.Resource) bool {
	list, _ := res.ReadByList()
	return res.Op(semantics.Read) != nil || list != nil
}

// field is a top-level property of what was read: a string as it is, any
// other value in its JSON form, "" when absent or null.
func (r reading) field(name string) string { return fieldOf(r.got, name) }

// shown says whether the reading shows the resource: a 200 with it in.
func (r reading) shown() bool { return r.ex.Status == http.StatusOK && r.got != nil }

// gone is why the reading is not how the document says a deleted one of
// res answers, or "".
func (r reading) gone(res *semantics.Resource) string {
	d := res.Deleted
	ex := r.ex
	switch {
	case ex.Error != "":
		return "read after delete: the request got no answer: " + ex.Error
	case d.Absent:
		if ex.Status != http.StatusOK {
			return fmt.Sprintf("read after delete (%s filtered by its key) answered %d; the document says a deleted %s answers %s",
				r.op.ID, ex.Status, res.Title, d)
		}
		if r.got != nil {
			return fmt.Sprintf("%s filtered by its key still lists the %s just deleted", r.op.ID, res.Title)
		}
	case d.State != "":
		state := ""
		if res.State != nil {
			state = r.field(res.State.Field)
		}
		if ex.Status != http.StatusOK || state != d.State {
			return fmt.Sprintf("read after delete answered %d with state %q; the document says a deleted %s answers %s", ex.Status, state, res.Title, d)
		}
	case !answers(ex, d) && !answers(ex, res.Unknown):
		return fmt.Sprintf("read after delete answered %s; the document says a deleted %s answers %s",
			strings.TrimSpace(fmt.Sprintf("%d %s", ex.Status, errorCodeOf(ex))), res.Title, d)
	}
	return ""
}

// notReadBack says whether op's request body marks its property name
// writeOnly (a password: sent, never read back) or deprecated (an old
// spelling, username for user_name, which reads back under the new one).
func notReadBack(op *semantics.Operation, name string) bool {
	p := bodyProperty(op, name)
	return p != nil && (p.WriteOnly || p.Deprecated)
}

// withKey writes key into body, a request of op, where op's declaration
// says the key of what it addresses is (an auth info's update names it in
// its body); a key in the path is left to fill.
func withKey(op *semantics.Operation, body map[string]any, key string) {
	e := op.KeyExpr
	if e == nil || e.Source != "request" || e.In != "body" || body == nil {
		return
	}
	if name := strings.TrimPrefix(e.Pointer, "/"); name != "" && !strings.Contains(name, "/") {
		body[name] = key
	}
}
