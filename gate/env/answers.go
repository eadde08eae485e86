package env

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
)

// Answers says whether ex is the refusal a declares.
func Answers(ex *wire.Exchange, a semantics.Answer) bool {
	return a.Status != 0 && ex.Status == a.Status && (a.Code == "" || ErrorCodeOf(ex) == a.Code)
}

// AnswerField is a top-level property of ex's answer: a string as it is, any
// other value in its JSON form, "" when absent or null.
func AnswerField(ex *wire.Exchange, name string) string {
	var body map[string]any
	_ = json.Unmarshal([]byte(ex.RawAnswer()), &body)
	return FieldOf(body, name)
}

// FieldOf is a top-level property of a decoded object, as field says.
func FieldOf(body map[string]any, name string) string {
	switch v := body[name].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// ItemsOf are the items of a list's answer, at the JSON pointer items.
func ItemsOf(ex *wire.Exchange, items string) []map[string]any {
	e, err := semantics.ParseExpr("$response.body#" + items)
	if err != nil {
		return nil
	}
	raw, _ := e.Eval(semantics.Call{AnswerBody: []byte(ex.RawAnswer())})
	var out []map[string]any
	_ = json.Unmarshal([]byte(raw), &out)
	return out
}

// Fill makes the path of op for the resource of key, in the run's
// project.
func (g *Env) Fill(op *semantics.Operation, key string) string { return g.FillUnder(op, "", key) }

// FillUnder makes the path of op for the resource of key under the
// resource of parent (a sub-resource's), in the run's project.
func (g *Env) FillUnder(op *semantics.Operation, parent, key string) string {
	p := strings.ReplaceAll(op.Path, "{project_id}", url.PathEscape(g.Cfg.ProjectID))
	if op.KeyExpr != nil && op.KeyExpr.In == "path" {
		p = strings.ReplaceAll(p, "{"+op.KeyExpr.Name+"}", url.PathEscape(key))
	}
	if op.ParentExpr != nil && op.ParentExpr.In == "path" {
		p = strings.ReplaceAll(p, "{"+op.ParentExpr.Name+"}", url.PathEscape(parent))
	}
	return p
}
