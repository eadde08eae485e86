package semantics

// Checking a declaration against the operation or kind it declares.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dli-contract/dli-go/docwalk"
)

// decodeStrict decodes an extension's value into v, refusing keys v does
// not have.
func decodeStrict(raw any, v any) error {
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w (see package semantics for the keys)", err)
	}
	return nil
}

func (s *Semantics) checkOperation(d *Operation, item *openapi3.PathItem) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	r := s.Resources[d.Resource]
	switch {
	case d.Resource == "":
		bad("%s names no resource", extOperation)
	case r == nil:
		bad("resource %q is not declared in %s (declared: %s)", d.Resource, extResources, strings.Join(slices.Sorted(maps.Keys(s.Resources)), ", "))
	}
	if !slices.Contains(roles, d.Role) {
		bad("role %q: want one of %v", d.Role, roles)
	}
	if r != nil {
		r.Operations[d.Role] = append(r.Operations[d.Role], d)
	}
	params := parameters(item, d.op)
	for _, f := range []struct {
		name string
		expr string
		into **Expr
	}{{"key", d.Key, &d.KeyExpr}, {"parent", d.Parent, &d.ParentExpr}} {
		if f.expr == "" {
			continue
		}
		e, err := ParseExpr(f.expr)
		if err != nil {
			bad("%s: %w", f.name, err)
			continue
		}
		if err := resolves(e, d.op, params); err != nil {
			bad("%s %s: %w", f.name, f.expr, err)
			continue
		}
		*f.into = &e
	}
	switch {
	case d.Role != Action && d.Role != List && d.Role != Count && d.Key == "":
		bad("a %s names no key: say where the key of what it %s is found", d.Role, map[Role]string{Create: "creates"}[d.Role]+map[bool]string{true: "addresses"}[d.Role != Create])
	case r != nil && r.Parent != "" && d.Role != List && d.Parent == "":
		bad("a %s resource lives under a %s: say where its parent's key is found (parent)", d.Resource, r.Parent)
	}
	// Every path parameter must be one the gate can fill: the project, or
	// one a key names.
	for _, p := range params {
		if p.In != openapi3.ParameterInPath || p.Name == "project_id" {
			continue
		}
		fixed, isFixed := d.Fixed[p.Name]
		filled := d.KeyExpr != nil && d.KeyExpr.In == "path" && d.KeyExpr.Name == p.Name ||
			d.ParentExpr != nil && d.ParentExpr.In == "path" && d.ParentExpr.Name == p.Name || isFixed
		switch {
		case !filled:
			bad("path parameter {%s} is neither its key nor its parent's, nor fixed: the gate cannot fill it", p.Name)
		case isFixed && p.Schema != nil && p.Schema.Value != nil && len(p.Schema.Value.Enum) > 0 && !slices.Contains(p.Schema.Value.Enum, any(fixed)):
			bad("fixed %s %q is not a value of the parameter (%v)", p.Name, fixed, p.Schema.Value.Enum)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(d.Fixed)) {
		if p := params[name]; p == nil || p.In != openapi3.ParameterInPath {
			bad("fixed %q is not a path parameter of the operation", name)
		}
	}
	if d.Role == List {
		errs = append(errs, checkList(d, params)...)
	} else if d.Items != "" || d.Filters != nil || d.Paging != nil || d.ItemKey != "" || d.Values != "" {
		bad("items, item_key, values, filters and paging are for a list, not a %s", d.Role)
	}
	switch {
	case d.Role == Count && d.Total == "":
		bad("a count says where its number is (total: a JSON pointer into its 200 answer)")
	case d.Total == "":
	case d.Role != Count && d.Role != List:
		bad("total is for a count or a list, not a %s", d.Role)
	default:
		if ok := schemaOf(d.op, 200); ok == nil {
			bad("the %s has no 200 answer with a JSON schema", d.Role)
		} else if t, err := schemaAt(ok, d.Total); err != nil || t.Type == nil || !t.Type.Is("integer") {
			bad("total %q is not an integer of its 200 answer", d.Total)
		}
	}
	if d.ByTags != nil {
		errs = append(errs, s.checkByTags(d)...)
	}
	for _, kind := range slices.Sorted(maps.Keys(d.Children)) {
		k, body := s.Resources[kind], docwalk.RequestSchema(d.op)
		switch {
		case d.Role != Create:
			bad("children are for a create, not a %s", d.Role)
		case k == nil || k.Parent != d.Resource:
			bad("children: %q is not a kind under %s", kind, d.Resource)
		case body == nil:
			bad("children: the operation has no JSON request body")
		default:
			if _, err := schemaAt(body, d.Children[kind]+"/*/"+k.Key); err != nil {
				bad("children %s: the body has no %s/*/%s", kind, d.Children[kind], k.Key)
			}
		}
	}
	return errs
}

// checkByTags checks a selection by tags against the body it reads and
// the kind it names.
func (s *Semantics) checkByTags(d *Operation) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("by_tags: "+format, args...)) }
	if d.Role != List && d.Role != Count {
		bad("for a list or a count, not a %s", d.Role)
	}
	switch k := s.Resources[d.ByTags.Kind]; {
	case k == nil:
		bad("kind %q is not declared", d.ByTags.Kind)
	case k.Parent != d.Resource:
		bad("kind %s is not a child of %s", d.ByTags.Kind, d.Resource)
	}
	body := docwalk.RequestSchema(d.op)
	if body == nil {
		return append(errs, errors.New("by_tags: the operation has no JSON request body"))
	}
	for _, f := range []struct{ what, prop, sub string }{
		{"tags", d.ByTags.Tags, "/*/values"}, {"without", d.ByTags.Without, ""}, {"names", d.ByTags.Names, "/*/value"},
	} {
		if f.prop == "" {
			if f.what == "tags" {
				bad("tags names no body property")
			}
			continue
		}
		if _, err := schemaAt(body, "/"+f.prop+f.sub); err != nil {
			bad("%s %q: the body has no /%s%s", f.what, f.prop, f.prop, f.sub)
		}
	}
	if key, err := schemaAt(body, "/"+d.ByTags.Names+"/*/key"); d.ByTags.Names != "" && err == nil && len(key.Enum) == 1 {
		d.ByTags.NameKey, _ = key.Enum[0].(string)
	}
	return errs
}

func checkList(d *Operation, params map[string]*openapi3.Parameter) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	query := func(name, what string) {
		if p := params[name]; p == nil || p.In != openapi3.ParameterInQuery {
			bad("%s %q is not a query parameter of the operation", what, name)
		}
	}
	items, err := listItems(d)
	if err != nil {
		bad("items %q: %w", d.Items, err)
	}
	for _, param := range slices.Sorted(maps.Keys(d.Filters)) {
		query(param, "filter")
		f := d.Filters[param]
		switch {
		case !slices.Contains([]string{"", "exact", "fold", "tags"}, f.Match):
			bad("filter %s: match %q: want exact, fold or tags", param, f.Match)
		case f.Match == "tags" && f.Field != "":
			bad("filter %s matches tags, which need no field", param)
		case f.Match != "tags" && f.Field == "":
			bad("filter %s names no field of an item", param)
		case f.Match != "tags" && items != nil:
			if _, err := schemaAt(items, "/"+f.Field); err != nil {
				bad("filter %s matches %q, which an item lacks", param, f.Field)
			}
		}
	}
	if d.Paging != nil {
		query(d.Paging.Offset, "paging offset")
		query(d.Paging.Limit, "paging limit")
	}
	for what, prop := range map[string]string{"item_key": d.ItemKey, "values": d.Values} {
		if _, err := schemaAt(items, "/"+prop); prop != "" && items != nil && err != nil {
			bad("%s %q is not a property of an item", what, prop)
		}
	}
	return errs
}

// listItems is the schema of one item of a list's 200 answer.
func listItems(d *Operation) (*openapi3.Schema, error) {
	if d.Items == "" {
		return nil, errors.New("a list says where its items are (items: a JSON pointer into its 200 answer)")
	}
	ok := schemaOf(d.op, 200)
	if ok == nil {
		return nil, errors.New("the list has no 200 answer with a JSON schema")
	}
	arr, err := schemaAt(ok, d.Items)
	if err != nil {
		return nil, err
	}
	if arr.Items == nil || arr.Items.Value == nil {
		return nil, errors.New("not an array")
	}
	return arr.Items.Value, nil
}

func (s *Semantics) checkResource(r *Resource) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if r.Title == "" {
		bad("no title")
	}
	if r.Parent != "" && s.Resources[r.Parent] == nil {
		bad("parent %q is not declared", r.Parent)
	}
	read := r.Op(Read)
	byList, _ := r.ReadByList()
	for what, a := range map[string]Answer{"deleted": r.Deleted, "unknown": r.Unknown} {
		switch {
		case a.State != "" && (a.Status != 0 || a.Code != "") || a.Absent && (a.State != "" || a.Status != 0):
			bad("%s: one of a state (a 200 saying so), a status and code, or absent", what)
		case a.Absent && byList == nil:
			bad("%s: absent, but no list filters it by exactly its key %q (and a kind with a read answers as its read does)", what, r.Key)
		case !a.Absent && byList != nil:
			bad("%s: it is read through %s filtered by its key: say absent", what, byList.ID)
		case what == "deleted" && r.Transient:
		case a.State == "" && a.Status == 0 && read != nil:
			bad("%s: say how %s answers a key %s (a status and code, or a state)", what, read.ID, map[string]string{"deleted": "deleted", "unknown": "that never was one"}[what])
		case a.Code != "" && !codePattern.MatchString(a.Code):
			bad("%s: code %q is not an error code such as DLI.0001", what, a.Code)
		case a.State != "" && r.State == nil:
			bad("%s: state %q, but the resource declares no state", what, a.State)
		}
	}
	if u := r.Unique; u != nil {
		switch {
		case r.Name == "":
			bad("unique: a resource with no name property cannot be refused for its name")
		case u.Status < 400 || u.Status > 499 || u.State != "":
			bad("unique: a refusal is a 4xx status, with a code if the document gives one")
		case u.Code != "" && !codePattern.MatchString(u.Code):
			bad("unique: code %q is not an error code such as DLI.0001", u.Code)
		}
		for _, c := range r.Operations[Create] {
			if u.Code != "" && !slices.Contains(c.Codes[u.Status], u.Code) {
				bad("unique: %s's %d does not declare %s (%s)", c.ID, u.Status, u.Code, extCodes)
			}
		}
	}
	// A resource under a parent goes with it; a top-level one a run
	// creates, it must delete and see gone.
	if r.Parent == "" && len(r.Operations[Create]) > 0 {
		if r.Op(Delete) == nil && !r.Transient {
			bad("operations create it (%s) but none deletes it: a run could not clean up (or declare it transient)", ids(r.Operations[Create]))
		}
		if read == nil && byList == nil {
			bad("operations create it (%s) but none reads it, and no list filters it by its key: a run could not tell it is gone", ids(r.Operations[Create]))
		}
	}
	if m := r.Mock; m != nil {
		for what, a := range map[string]*Answer{"unique": m.Unique, "unknown": m.Unknown} {
			if a != nil && (a.Status < 400 || a.Status > 499 || a.State != "" || a.Absent || a.Code != "" && !codePattern.MatchString(a.Code)) {
				bad("mock %s: a refusal is a 4xx status, with a code such as DLI.0001", what)
			}
		}
		if m.Unique != nil && r.Unique == nil {
			bad("mock unique: the document does not say the names are unique")
		}
		if (m.Upsert || m.Most != nil) && r.Parent == "" {
			bad("mock upsert and most are of a kind under a parent")
		}
		if n := m.Most; n != nil && (n.Count < 1 || n.Status < 400 || n.Status > 499 || n.Code != "" && !codePattern.MatchString(n.Code)) {
			bad("mock most: a count of 1 or more, and a refusal: a 4xx status, with a code such as DLI.0009")
		}
		if d := m.Decides; d != nil {
			errs = append(errs, s.checkDecides(r, d)...)
		}
	}
	if len(r.Privileges) > 0 {
		switch {
		case r.Object == "":
			bad("privileges: only a kind named as an object (say object) has privileges on it")
		case slices.Contains(r.Privileges, ""):
			bad("privileges: an empty privilege")
		case len(slices.Compact(slices.Sorted(slices.Values(r.Privileges)))) != len(r.Privileges):
			bad("privileges: %v names one twice", r.Privileges)
		}
	}
	switch {
	case r.Budget < 0:
		bad("budget %d: a run makes none (0 says no bound); give 1 or more", r.Budget)
	case r.Budget > 0 && len(r.Operations[Create]) == 0:
		bad("budget %d, but no operation creates it", r.Budget)
	}
	if r.Transient && len(r.Operations[Delete]) > 0 {
		bad("transient, but %s deletes it", ids(r.Operations[Delete]))
	}
	if r.Input != "" {
		switch {
		case s.Input(r.Input) == nil:
			bad("input %q is not a declared input (%s)", r.Input, extInputs)
		case len(r.Operations[Create]) > 0:
			bad("its keys are the run's input %s, but %s creates it", r.Input, ids(r.Operations[Create]))
		}
	}
	if byList != nil {
		if items := schemaOf(byList.op, 200); items != nil {
			if _, err := schemaAt(items, byList.Items+"/*/"+r.Key); err != nil {
				bad("key %q is not a property of the items %s answers", r.Key, byList.ID)
			}
		}
	}
	if read == nil {
		return errs
	}
	shown := schemaOf(read.op, 200)
	if shown == nil {
		bad("its read, %s, has no 200 answer with a JSON schema", read.ID)
		return errs
	}
	// A sub-resource's read may address it by its path alone (a
	// connectivity test's answer does not repeat its id).
	if _, err := schemaAt(shown, "/"+r.Key); r.Key == "" || err != nil && r.Parent == "" {
		bad("key %q is not a property of what %s answers", r.Key, read.ID)
	}
	for _, ptr := range r.Moving {
		if _, err := schemaAt(shown, ptr); !strings.HasPrefix(ptr, "/") || err != nil {
			bad("moving %q is not a pointer into what %s answers", ptr, read.ID)
		}
	}
	if r.State != nil {
		field, err := schemaAt(shown, "/"+r.State.Field)
		if err != nil {
			bad("state field %q is not a property of what %s answers", r.State.Field, read.ID)
		} else if len(field.Enum) > 0 {
			known := func(v string) bool { return slices.Contains(field.Enum, any(v)) }
			for from, tos := range r.State.Moves {
				for _, st := range append([]string{from}, tos...) {
					if !known(st) {
						bad("state %q is not a value of %s (%v)", st, r.State.Field, field.Enum)
					}
				}
			}
			for _, st := range r.State.Settling {
				if !known(st) {
					bad("settling state %q is not a value of %s", st, r.State.Field)
				}
			}
			if r.Deleted.State != "" && !known(r.Deleted.State) {
				bad("deleted state %q is not a value of %s", r.Deleted.State, r.State.Field)
			}
		}
		for st, refusals := range r.State.Refuses {
			for _, ref := range refusals {
				op := s.Operations[ref.Operation]
				switch {
				case op == nil:
					bad("state %s refuses %q, which is no operation", st, ref.Operation)
				case op.Resource != r.Kind:
					bad("state %s refuses %s, which acts on %s", st, ref.Operation, op.Resource)
				case !slices.Contains(op.Codes[ref.Status], ref.Code) && ref.Code != "":
					bad("state %s refuses %s with %d %s, which that response does not declare (%s)", st, ref.Operation, ref.Status, ref.Code, extCodes)
				}
			}
		}
	}
	return errs
}

func ids(ops []*Operation) string {
	var out []string
	for _, o := range ops {
		out = append(out, o.ID)
	}
	return strings.Join(out, ", ")
}
