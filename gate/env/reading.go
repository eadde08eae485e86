package env

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

// Reading is what one read of a resource answered: by its read, or, for
// a kind the document reads only through its list (a datasource
// authentication), by the list filtered by exactly its key.
type Reading struct {
	Op *semantics.Operation
	Ex *wire.Exchange
	// Got is the resource as read: the read's answer, or its item of the
	// filtered list; nil when the answer holds none.
	Got map[string]any
	// ByList says the read was the filtered list.
	ByList bool
}

// ReadOne reads the resource of res keyed key.
func (g *Env) ReadOne(ctx context.Context, res *semantics.Resource, key string) Reading {
	if read := res.Op(semantics.Read); read != nil {
		ex := g.Send(ctx, true, read.Method, g.Fill(read, key), nil)
		r := Reading{Op: read, Ex: ex}
		if ex.Status == http.StatusOK {
			_ = json.Unmarshal([]byte(ex.RawAnswer()), &r.Got)
		}
		return r
	}
	list, param := res.ReadByList()
	if list == nil {
		return Reading{Ex: &wire.Exchange{Error: "the document gives no way to read a " + res.Title}}
	}
	ex := g.Send(ctx, true, list.Method, g.Fill(list, "")+"?"+url.Values{param: {key}}.Encode(), nil)
	r := Reading{Op: list, Ex: ex, ByList: true}
	if ex.Status == http.StatusOK {
		for _, it := range ItemsOf(ex, list.Items) {
			if Str(it[res.Key]) == key {
				r.Got = it
				break
			}
		}
	}
	return r
}

// Readable says whether the document gives a way to read res.
func Readable(res *semantics.Resource) bool {
	list, _ := res.ReadByList()
	return res.Op(semantics.Read) != nil || list != nil
}

// AnswerField is a top-level property of what was read: a string as it is, any
// other value in its JSON form, "" when absent or null.
func (r Reading) Field(name string) string { return FieldOf(r.Got, name) }

// Shown says whether the reading shows the resource: a 200 with it in.
func (r Reading) Shown() bool { return r.Ex.Status == http.StatusOK && r.Got != nil }

// Gone is why the reading is not how the document says a deleted one of
// res answers, or "".
func (r Reading) Gone(res *semantics.Resource) string {
	d := res.Deleted
	ex := r.Ex
	switch {
	case ex.Error != "":
		return "read after delete: the request got no answer: " + ex.Error
	case d.Absent:
		if ex.Status != http.StatusOK {
			return fmt.Sprintf("read after delete (%s filtered by its key) answered %d; the document says a deleted %s answers %s",
				r.Op.ID, ex.Status, res.Title, d)
		}
		if r.Got != nil {
			return fmt.Sprintf("%s filtered by its key still lists the %s just deleted", r.Op.ID, res.Title)
		}
	case d.State != "":
		state := ""
		if res.State != nil {
			state = r.Field(res.State.Field)
		}
		if ex.Status != http.StatusOK || state != d.State {
			return fmt.Sprintf("read after delete answered %d with state %q; the document says a deleted %s answers %s", ex.Status, state, res.Title, d)
		}
	case !Answers(ex, d) && !Answers(ex, res.Unknown):
		return fmt.Sprintf("read after delete answered %s; the document says a deleted %s answers %s",
			strings.TrimSpace(fmt.Sprintf("%d %s", ex.Status, ErrorCodeOf(ex))), res.Title, d)
	}
	return ""
}

// NotReadBack says whether op's request body marks its property name
// writeOnly (a password: sent, never read back) or deprecated (an old
// spelling, username for user_name, which reads back under the new one).
func NotReadBack(op *semantics.Operation, name string) bool {
	p := BodyProperty(op, name)
	return p != nil && (p.WriteOnly || p.Deprecated)
}

// KeyBody is the body of a call of op that names keys alone, where op's
// declaration says they are: {"name": k} for $request.body#/name, one
// item each for a batch ($request.body#/tags/*/key: {"tags": [{"key":
// k1}, ...]}); nil when op's keys are not in its body.
func KeyBody(op *semantics.Operation, keys []string) []byte {
	e := op.KeyExpr
	if e == nil || e.Source != "request" || e.In != "body" || len(keys) == 0 {
		return nil
	}
	arr, field, many := strings.Cut(strings.TrimPrefix(e.Pointer, "/"), "/*/")
	switch {
	case many && !strings.Contains(arr, "/") && !strings.Contains(field, "/"):
		items := make([]any, len(keys))
		for i, k := range keys {
			items[i] = map[string]any{field: k}
		}
		return Marshal(map[string]any{arr: items})
	case !many && !strings.Contains(arr, "/"):
		return Marshal(map[string]any{arr: keys[0]})
	}
	return nil
}

// WithKey writes key into body, a request of op, where op's declaration
// says the key of what it addresses is (an auth info's update names it in
// its body); a key in the path is left to fill.
func WithKey(op *semantics.Operation, body map[string]any, key string) {
	e := op.KeyExpr
	if e == nil || e.Source != "request" || e.In != "body" || body == nil {
		return
	}
	if name := strings.TrimPrefix(e.Pointer, "/"); name != "" && !strings.Contains(name, "/") {
		body[name] = key
	}
}
