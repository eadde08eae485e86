// Package keywords is the gate's keyword coverage: for each constraint of
// every request schema, whether the run sent a request that satisfies it
// and one that breaks it, and what it has yet to send. It reads the
// document and the requests, and nothing of the gate.
package keywords

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/docwalk"
	"github.com/dli-contract/dli-go/gate/internal/pattern"
	"github.com/dli-contract/dli-go/validate"
)

// Keyword coverage: for each constraint of every request schema (a
// property required, of a type, in an enum, matching a pattern, within
// lengths, bounds, item counts, a format; or accepting null), whether the
// run sent a request that satisfies it and one that breaks it. A rule
// never broken is a rule never shown to hold; one never satisfied, a part
// of the API never used.

// Keyword is one constraint of one request schema.
type Keyword struct {
	Operation string `json:"operation"`
	In        string `json:"in"`    // body, path or query
	Where     string `json:"where"` // JSON pointer into the body (* for every item), or the parameter
	Keyword   string `json:"keyword"`
	// SatisfiedOnly marks a keyword that cannot be broken (nullable:
	// true), so only a request satisfying it is needed.
	SatisfiedOnly bool `json:"satisfied_only,omitempty"`
}

func (k Keyword) String() string {
	return fmt.Sprintf("%s %s %s %s", k.Operation, k.In, k.Where, k.Keyword)
}

// Coverage is the record a report carries.
type Coverage struct {
	Covered int      `json:"covered"`
	Total   int      `json:"total"`
	Missing []string `json:"missing,omitempty"` // each with what is missing
	// ByOperation tallies each operation's request schema: its keywords,
	// those satisfied, those broken (of those that can be), and covered.
	ByOperation map[string]Tally `json:"by_operation,omitempty"`
}

// Tally is one request schema's keyword coverage.
type Tally struct {
	Total     int `json:"total"`
	Satisfied int `json:"satisfied"`
	Breakable int `json:"breakable"`
	Broken    int `json:"broken"`
	Covered   int `json:"covered"`
}

type Instance struct {
	Keyword
	schema   *openapi3.Schema
	property string // for required: the property at Where
}

type kwSeen struct{ satisfied, broken bool }

// Recorder records what the run sent against each keyword instance.
type Recorder struct {
	byOp map[string][]*Instance

	mu   sync.Mutex
	seen map[*Instance]*kwSeen
}

func New(doc *validate.Document) *Recorder {
	k := &Recorder{byOp: map[string][]*Instance{}, seen: map[*Instance]*kwSeen{}}
	for _, o := range docwalk.Operations(doc.OpenAPI()) {
		id := o.Op.OperationID
		for _, p := range slices.Concat(o.Item.Parameters, o.Op.Parameters) {
			if p.Value == nil || p.Value.Schema == nil {
				continue
			}
			in := p.Value.In
			for _, kw := range schemaKeywords(p.Value.Schema.Value, in) {
				inst := &Instance{Keyword: Keyword{Operation: id, In: in, Where: p.Value.Name, Keyword: kw}, schema: p.Value.Schema.Value}
				k.add(inst)
				// An empty path segment never reaches the operation: a
				// path parameter's minLength can only be shown to hold.
				inst.SatisfiedOnly = inst.SatisfiedOnly || in == "path" && kw == "minLength"
			}
		}
		if o.Op.RequestBody != nil && o.Op.RequestBody.Value != nil {
			if mt := o.Op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
				k.walk(id, "", mt.Schema.Value, false)
			}
		}
	}
	for _, list := range k.byOp {
		for _, inst := range list {
			k.seen[inst] = &kwSeen{}
		}
	}
	return k
}

func (k *Recorder) add(inst *Instance) {
	inst.SatisfiedOnly = inst.Keyword.Keyword == "nullable"
	k.byOp[inst.Operation] = append(k.byOp[inst.Operation], inst)
}

// walk lists the keywords of a body schema at ptr.
func (k *Recorder) walk(op, ptr string, s *openapi3.Schema, inArray bool) {
	if s == nil {
		return
	}
	at := ptr
	if at == "" {
		at = "/"
	}
	for _, kw := range schemaKeywords(s, "body") {
		if ptr == "" && kw == "type" {
			continue // a body of another type is refused before any schema
		}
		k.add(&Instance{Keyword: Keyword{Operation: op, In: "body", Where: at, Keyword: kw}, schema: s})
	}
	for _, name := range s.Required {
		k.add(&Instance{Keyword: Keyword{Operation: op, In: "body", Where: strings.TrimSuffix(at, "/") + "/" + name, Keyword: "required"},
			schema: s, property: name})
	}
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		k.walk(op, ptr+"/"+validate.PointerToken(name), s.Properties[name].Value, inArray)
	}
	if s.Items != nil {
		k.walk(op, ptr+"/*", s.Items.Value, true)
	}
}

// schemaKeywords lists the constraint keywords a schema sets, where in
// says where the value goes.
func schemaKeywords(s *openapi3.Schema, in string) []string {
	var out []string
	if s.Type != nil && len(*s.Type) > 0 && (in == "body" || !s.Type.Is("string")) {
		out = append(out, "type") // a path or query value is a string: a string there cannot break it
	}
	if len(s.Enum) > 0 {
		out = append(out, "enum")
	}
	if s.Pattern != "" {
		out = append(out, "pattern")
	}
	if s.MinLength > 0 {
		out = append(out, "minLength")
	}
	if s.MaxLength != nil {
		out = append(out, "maxLength")
	}
	if s.Min != nil {
		out = append(out, "minimum")
	}
	if s.Max != nil {
		out = append(out, "maximum")
	}
	if s.MinItems > 0 {
		out = append(out, "minItems")
	}
	if s.MaxItems != nil {
		out = append(out, "maxItems")
	}
	if s.MinProps > 0 {
		out = append(out, "minProperties")
	}
	if s.Nullable {
		out = append(out, "nullable")
	}
	if s.Format == "uuid" {
		out = append(out, "format")
	}
	return out
}

// Record judges a request sent to op against the op's keywords.
func (k *Recorder) Record(op string, pathParams map[string]string, req *http.Request, body []byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.visit(op, pathParams, req.URL.Query(), body, k.note)
}

// AddsBreak says whether a request to op would break a keyword no request
// has broken yet: a run with a budget sends an invalid request only then,
// so that each constraint is broken once, not once per example.
func (k *Recorder) AddsBreak(op string, pathParams map[string]string, query url.Values, body []byte) bool {
	return k.adds(op, pathParams, query, body, false)
}

// AddsSatisfy says whether a request to op would satisfy a keyword no
// request has satisfied yet.
func (k *Recorder) AddsSatisfy(op string, pathParams map[string]string, query url.Values, body []byte) bool {
	return k.adds(op, pathParams, query, body, true)
}

func (k *Recorder) adds(op string, pathParams map[string]string, query url.Values, body []byte, satisfying bool) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	adds := false
	k.visit(op, pathParams, query, body, func(inst *Instance, satisfied bool) {
		s := k.seen[inst]
		adds = adds || satisfied == satisfying && (satisfying && !s.satisfied || !satisfying && !s.broken)
	})
	return adds
}

// visit calls see for each keyword instance of op the request's values
// reach, with whether the value satisfies it; under k.mu.
func (k *Recorder) visit(op string, pathParams map[string]string, query url.Values, body []byte, see func(inst *Instance, satisfied bool)) {
	list := k.byOp[op]
	if len(list) == 0 {
		return
	}
	var doc any
	hasBody := len(body) > 0 && json.Unmarshal(body, &doc) == nil
	// Most pointers carry several keywords (type, pattern, lengths):
	// each is resolved once per request.
	found := map[string][]docwalk.Match{}
	lookup := func(ptr string) []docwalk.Match {
		ms, ok := found[ptr]
		if !ok {
			ms = lookupAll(doc, ptr)
			found[ptr] = ms
		}
		return ms
	}
	for _, inst := range list {
		var values []any
		switch inst.In {
		case "path":
			if v, ok := pathParams[inst.Where]; ok {
				values = []any{queryValue(inst.schema, v)}
			}
		case "query":
			if vs, ok := query[inst.Where]; ok {
				for _, v := range vs {
					values = append(values, queryValue(inst.schema, v))
				}
			}
		case "body":
			if !hasBody {
				continue
			}
			if inst.Keyword.Keyword == "required" {
				parent := strings.TrimSuffix(inst.Where, "/"+inst.property)
				for _, m := range lookup(parent) {
					if obj, ok := m.Value.(map[string]any); ok && m.Found {
						_, present := obj[inst.property]
						see(inst, present)
					}
				}
				continue
			}
			for _, m := range lookup(inst.Where) {
				if m.Found {
					values = append(values, m.Value)
				}
			}
		}
		for _, v := range values {
			if ok, applies := holds(inst, v); applies {
				see(inst, ok)
			}
		}
	}
}

func (k *Recorder) note(inst *Instance, satisfied bool) {
	s := k.seen[inst]
	if satisfied {
		s.satisfied = true
	} else {
		s.broken = true
	}
}

// queryValue reads a query or path value as its schema's type, so that
// limit=ten breaks "type" and limit=-1 breaks "minimum" (and a task id of
// 9 is the integer its schema says).
func queryValue(s *openapi3.Schema, v string) any {
	if s.Type.Is("integer") || s.Type.Is("number") {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	}
	return v
}

// holds says whether v satisfies the keyword, and whether the keyword
// applies to v at all (a pattern says nothing of a number).
func holds(inst *Instance, v any) (ok, applies bool) {
	s := inst.schema
	if v == nil {
		switch inst.Keyword.Keyword {
		case "nullable":
			return true, true
		case "type":
			return false, !s.Nullable
		}
		return false, false
	}
	switch inst.Keyword.Keyword {
	case "nullable":
		return false, false
	case "type":
		return typeOf(v, s), true
	case "enum":
		return slices.ContainsFunc(s.Enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }), true
	case "format":
		str, isStr := v.(string)
		if !isStr {
			return false, false
		}
		_, err := uuid.Parse(str)
		return err == nil && len(str) == 36, true
	}
	switch x := v.(type) {
	case string:
		n := uint64(utf8.RuneCountInString(x)) //nolint:gosec // a count, never negative
		switch inst.Keyword.Keyword {
		case "pattern":
			re := pattern.Compiled(s.Pattern)
			return re != nil && re.MatchString(x), re != nil
		case "minLength":
			return n >= s.MinLength, true
		case "maxLength":
			return n <= *s.MaxLength, true
		}
	case float64:
		switch inst.Keyword.Keyword {
		case "minimum":
			return x >= *s.Min, true
		case "maximum":
			return x <= *s.Max, true
		}
	case []any:
		switch inst.Keyword.Keyword {
		case "minItems":
			return uint64(len(x)) >= s.MinItems, true
		case "maxItems":
			return uint64(len(x)) <= *s.MaxItems, true
		}
	case map[string]any:
		if inst.Keyword.Keyword == "minProperties" {
			return uint64(len(x)) >= s.MinProps, true
		}
	}
	return false, false
}

func typeOf(v any, s *openapi3.Schema) bool {
	switch x := v.(type) {
	case string:
		return s.Type.Is("string")
	case bool:
		return s.Type.Is("boolean")
	case float64:
		return s.Type.Is("number") || s.Type.Is("integer") && x == float64(int64(x))
	case []any:
		return s.Type.Is("array")
	case map[string]any:
		return s.Type.Is("object")
	}
	return false
}

// Coverage reports how many keyword instances were fully exercised, and
// what is missing of the others.
func (k *Recorder) Coverage() Coverage {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := Coverage{ByOperation: map[string]Tally{}}
	for _, op := range slices.Sorted(maps.Keys(k.byOp)) {
		for _, inst := range k.byOp[op] {
			s := k.seen[inst]
			out.Total++
			t := out.ByOperation[op]
			t.Total++
			if s.satisfied {
				t.Satisfied++
			}
			if !inst.SatisfiedOnly {
				t.Breakable++
				if s.broken {
					t.Broken++
				}
			}
			if s.satisfied && (s.broken || inst.SatisfiedOnly) {
				t.Covered++
			}
			out.ByOperation[op] = t
			var missing []string
			if !s.satisfied {
				missing = append(missing, "never satisfied")
			}
			if !s.broken && !inst.SatisfiedOnly {
				missing = append(missing, "never broken")
			}
			if len(missing) == 0 {
				out.Covered++
				continue
			}
			out.Missing = append(out.Missing, inst.String()+": "+strings.Join(missing, ", "))
		}
	}
	return out
}

// Need is a keyword instance the run has yet to satisfy or break.
type Need struct {
	Inst           *Instance
	Satisfy, Break bool
}

// Missing lists what the run has yet to send against the keywords of in
// (body, path or query).
func (k *Recorder) Missing(in string) []Need {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []Need
	for _, op := range slices.Sorted(maps.Keys(k.byOp)) {
		for _, inst := range k.byOp[op] {
			s := k.seen[inst]
			n := Need{Inst: inst, Satisfy: !s.satisfied, Break: !s.broken && !inst.SatisfiedOnly}
			if inst.In == in && (n.Satisfy || n.Break) {
				out = append(out, n)
			}
		}
	}
	return out
}

// lookupAll is what a JSON pointer whose * tokens stand for every item of
// an array reaches (docwalk.Starred), found values only.
func lookupAll(doc any, ptr string) []docwalk.Match {
	var out []docwalk.Match
	for _, m := range docwalk.Starred(doc, ptr) {
		if m.Found {
			out = append(out, m)
		}
	}
	return out
}
