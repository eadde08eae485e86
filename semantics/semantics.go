// Package semantics reads what openapi/dli.yaml declares its operations
// mean, beyond their shape: the resource each acts on and how (its role),
// where the key of what it creates or addresses is found, which list
// parameters filter and page, how a resource answers once deleted or
// unknown, its states and their moves, which codes a refusal carries, and
// which inputs must name real cloud resources. The gate, the suite and the
// tools take these facts from here, read once, instead of writing them per
// operation in Go (as stripe-mock reads its document's x- extensions in
// spec/spec.go).
//
// The declarations, each a typed x- extension:
//
//   - x-dli-resources, at the document's root: each resource kind by name
//     (Resource).
//   - x-dli-operation, on each operation (Operation).
//   - x-dli-codes, on a response: the error codes it carries.
//   - x-dli-cloud-inputs, at the document's root: what a mutating run
//     against live DLI must be given, because DLI checks it (Input).
//   - x-dli-cloud-input, on a request property: the input it takes
//     (CloudInputs).
//
// Load refuses a document whose declarations use an unknown key, name a
// field or parameter its schemas lack, or leave an operation the gate
// cannot place; each error names the operation or resource and what is
// missing.
package semantics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dli-contract/dli-go/docwalk"
)

// Role is what an operation does to its resource.
type Role string

// The roles.
const (
	Create Role = "create"
	Read   Role = "read"
	List   Role = "list"
	Update Role = "update"
	Delete Role = "delete"
	// Count answers how many of a kind a filter selects (Total).
	Count Role = "count"
	// Action is any other call on a resource: a bind, a grant, a test.
	Action Role = "action"
)

var roles = []Role{Create, Read, List, Update, Delete, Count, Action}

// Answer is how a read answers: a status with an error code, or a 200
// whose state field holds State.
type Answer struct {
	Status int    `json:"status,omitempty"`
	Code   string `json:"code,omitempty"`
	State  string `json:"state,omitempty"`
	// Absent, for a kind read through its list (ReadByList): the list
	// filtered by its key answers no item.
	Absent bool `json:"absent,omitempty"`
}

func (a Answer) String() string {
	if a.State != "" {
		return "200 with state " + a.State
	}
	if a.Absent {
		return "no item in its list filtered by its key"
	}
	return strings.TrimSpace(strconv.Itoa(a.Status) + " " + a.Code)
}

// State is a resource's state field and how it may move.
type State struct {
	// Field is the property of a shown or listed resource that holds it.
	Field string `json:"field"`
	// Moves lists, per state, the states it may move to; a state moves
	// to itself always.
	Moves map[string][]string `json:"moves"`
	// Settling are the states a resource passes through on its own (a
	// create in progress): a reader waits for it to leave them.
	Settling []string `json:"settling,omitempty"`
	// Refuses lists, per state, the operations a resource in it refuses,
	// with the refusal (e.g. a classic connection being created cannot be
	// deleted).
	Refuses map[string][]Refusal `json:"refuses,omitempty"`
}

// Refusal is an operation refused, and how.
type Refusal struct {
	Operation string `json:"operation"`
	Status    int    `json:"status"`
	Code      string `json:"code,omitempty"`
}

// Resource is a kind of thing the API creates and addresses.
type Resource struct {
	Kind string `json:"-"`
	// Title names it in reports: "enhanced connection".
	Title string `json:"title"`
	// Parent is the kind a resource of this kind lives under (a route
	// under its connection); empty for a top-level one.
	Parent string `json:"parent,omitempty"`
	// Key is the property of a shown or listed resource that holds its
	// key.
	Key string `json:"key"`
	// Name is the property of a create's body that names it, by which a
	// resource whose create answer was lost is found again; optional.
	Name string `json:"name,omitempty"`
	// Deleted is how a read answers for a deleted resource; Unknown, for
	// a key that never was one.
	Deleted Answer `json:"deleted"`
	Unknown Answer `json:"unknown"`
	// Unique, when set, is how a create is refused that names a resource
	// as a live one of its kind is already named (under the same parent).
	Unique *Answer `json:"unique,omitempty"`
	// State is its state, if it has one.
	State *State `json:"state,omitempty"`
	// Moving are the JSON pointers (* for every item of an array) of what
	// changes on its own in a listed one (a binding's status while it is
	// created): not a change anyone made.
	Moving []string `json:"moving,omitempty"`
	// Input, when set, says the kind is not made through this API: a
	// run's one is the value of that declared input (a queue).
	Input string `json:"input,omitempty"`
	// Transient says the server forgets one on its own (a connectivity
	// test): there is no delete and nothing to clean up.
	Transient bool `json:"transient,omitempty"`
	// Budget, when set, is how many a run of the live profile makes at
	// most: one costs more than its requests (an enhanced connection is a
	// VPC peering to its pool, which takes minutes and is counted against
	// the account's quota). 0 is no bound.
	Budget int `json:"budget,omitempty"`
	// Mock is what a dli-mock answers where no public source records
	// DLI's answer, as docs/mock.md says: a gate run against a dli-mock
	// holds it to these too.
	Mock *MockAnswers `json:"mock,omitempty"`
	// Object, when set, is the prefix by which DLI's authorization API
	// names one as an object, followed by its key (datasourceauth.<name>).
	Object string `json:"object,omitempty"`
	// Privileges, for a kind named as an object, are what a user may
	// hold on one.
	Privileges []string `json:"privileges,omitempty"`
	// Idempotent says a delete of one that is not there succeeds (a tag:
	// dli_02_0397), rather than answering as Unknown.
	Idempotent bool `json:"idempotent,omitempty"`
	// The operations of each role on it, in the document's order.
	Operations map[Role][]*Operation `json:"-"`
}

// Op is the operation of role r on the resource, or nil: the first in
// the document's order that is not deprecated, else the first.
func (r *Resource) Op(role Role) *Operation {
	ops := r.Operations[role]
	for _, o := range ops {
		if !o.Deprecated() {
			return o
		}
	}
	if len(ops) > 0 {
		return ops[0]
	}
	return nil
}

// MockAnswers are a dli-mock's refusals where the document can declare
// DLI's only in part: a name in use, and a change to (or read of) an
// unknown one.
type MockAnswers struct {
	Unique  *Answer `json:"unique,omitempty"`
	Unknown *Answer `json:"unknown,omitempty"`
	// Decides, when set, is a field of what a read answers that a
	// dli-mock fixes when it creates one, by a rule (a connectivity
	// test's result).
	Decides *Decides `json:"decides,omitempty"`
	// Upsert says a create naming one its parent has changes it (a tag
	// key gets the new value), rather than making another or being
	// refused.
	Upsert bool `json:"upsert,omitempty"`
	// Most is how many one parent may have, and the refusal of a create
	// that would leave more.
	Most *Most `json:"most,omitempty"`
}

// Most is a bound on the children of one parent, and its refusal.
type Most struct {
	Count  int    `json:"count"`
	Status int    `json:"status"`
	Code   string `json:"code,omitempty"`
}

// Decides is a dli-mock's rule for a field of a resource: Value when
// everything When says holds at its create, else Otherwise.
type Decides struct {
	Field     string `json:"field"`
	Value     string `json:"value"`
	Otherwise string `json:"otherwise"`
	When      When   `json:"when"`
}

// When is what a rule holds at a resource's create.
type When struct {
	// Match are properties of the create's body, each with the pattern
	// its value must match (a string property, absent fails).
	Match map[string]string `json:"match,omitempty"`
	// Bound is a kind the resource's parent must be bound to, ACTIVE,
	// by a live one of it (a queue to an enhanced connection).
	Bound string `json:"bound,omitempty"`
}

// ReadByList is how a kind with no read is read (a datasource
// authentication): its list, and the query parameter filtering it by
// exactly its key. list is nil when the kind has a read, or no such list.
func (r *Resource) ReadByList() (list *Operation, param string) {
	if r.Op(Read) != nil {
		return nil, ""
	}
	for _, l := range r.Operations[List] {
		for _, name := range slices.Sorted(maps.Keys(l.Filters)) {
			if f := l.Filters[name]; f.Field == r.Key && (f.Match == "" || f.Match == "exact") {
				return l, name
			}
		}
	}
	return nil, ""
}

// Filter is what a list's filter parameter keeps.
type Filter struct {
	// Field is the property of an item it matches; Match is how: exact
	// (the default), fold (in any letter case), or tags (key=value pairs
	// joined by commas, each carried by the resource; the item need not
	// show its tags, and Field is then empty).
	Field string `json:"field,omitempty"`
	Match string `json:"match,omitempty"`
}

// ByTags is how a body selects resources by the children of kind Kind
// they carry (their tags, keyed by their key, each with a value): the body
// properties holding each part of the selection.
type ByTags struct {
	Kind string `json:"kind"`
	// Tags holds [{key, values}]: a resource carrying, for every key,
	// one of its values (any value, when values is empty).
	Tags string `json:"tags"`
	// Without holds a boolean: true selects the resources with no child.
	Without string `json:"without,omitempty"`
	// Names holds [{key, value}]: a resource whose name starts with value.
	Names string `json:"names,omitempty"`
	// NameKey is the one key Names' items take (their schema's enum of
	// one), or "" when the schema does not say.
	NameKey string `json:"-"`
}

// Paging names the parameters that page a list.
type Paging struct {
	Offset string `json:"offset"`
	Limit  string `json:"limit"`
	// All, when set, is the limit that answers every item at once.
	All *int `json:"all,omitempty"`
}

// Operation is what one operation means.
type Operation struct {
	ID, Method, Path string `json:"-"`
	Resource         string `json:"resource"`
	Role             Role   `json:"role"`
	// Key is where the key of the resource it creates or addresses is
	// found, a runtime expression: $response.body#/connection_id for a
	// create answering it, $request.body#/name for one that is named,
	// $request.path.connection_id for a call on one.
	Key string `json:"key,omitempty"`
	// Parent is where the key of the parent of a sub-resource is found.
	Parent string `json:"parent,omitempty"`
	// Items is the JSON pointer of a list's items in its 200 answer;
	// Filters says, per query parameter that filters it, what it keeps;
	// Paging names the parameters that page it.
	Items   string            `json:"items,omitempty"`
	Filters map[string]Filter `json:"filters,omitempty"`
	Paging  *Paging           `json:"paging,omitempty"`
	// ItemKey is the property of a listed item that holds the key, when
	// it is not the kind's Key (a resource found by its tags names its
	// connection resource_id).
	ItemKey string `json:"item_key,omitempty"`
	// Values, for a list of a kind across its parents, says each item is
	// one key with every value the parents carry under it, in this
	// property (the tag keys of a resource type).
	Values string `json:"values,omitempty"`
	// Total is the JSON pointer of a count's number in its 200 answer, or
	// of a list's number of all it selects, whatever the page.
	Total string `json:"total,omitempty"`
	// ByTags says a list or count selects by its body what the
	// resources carry of a child kind (their tags).
	ByTags *ByTags `json:"by_tags,omitempty"`
	// Fixed are path parameters that take one value for this resource
	// (resource_type: dli_enhanced_datasource), which the gate fills in.
	Fixed map[string]string `json:"fixed,omitempty"`
	// Children, for a create, are the arrays of its body whose items are
	// children of the new resource, by kind (a connection's tags): each
	// item one, keyed by the kind's key.
	Children map[string]string `json:"children,omitempty"`
	// Codes are the error codes each status may carry (x-dli-codes).
	Codes map[int][]string `json:"-"`

	KeyExpr, ParentExpr *Expr `json:"-"`
	op                  *openapi3.Operation
}

// Document is the operation as the document has it.
func (o *Operation) Document() *openapi3.Operation { return o.op }

// Deprecated reports whether the document deprecates the operation.
func (o *Operation) Deprecated() bool { return o.op != nil && o.op.Deprecated }

// RequestExamples are the operation's JSON request examples in their JSON
// form, by name (nil for one without a value).
func (o *Operation) RequestExamples() [][]byte {
	if o.op == nil || o.op.RequestBody == nil || o.op.RequestBody.Value == nil {
		return nil
	}
	mt := o.op.RequestBody.Value.Content.Get("application/json")
	if mt == nil {
		return nil
	}
	var out [][]byte
	for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
		var raw []byte
		if ex := mt.Examples[name]; ex != nil && ex.Value != nil {
			raw, _ = json.Marshal(ex.Value.Value)
		}
		out = append(out, raw)
	}
	return out
}

// Successes are the 2xx statuses the operation declares, lowest first (an
// auth info's create declares 201, what DLI sends, and 200, what its page
// says).
func (o *Operation) Successes() []int {
	if o.op == nil || o.op.Responses == nil {
		return nil
	}
	var out []int
	for code := range o.op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// Input is something a mutating run against live DLI must be given
// because DLI checks it: a real VPC, subnet, pool, queue, project,
// security group, or a classic service's address. Against a mock, Mock
// stands in for it.
type Input struct {
	// Name is the gate's flag (-Name); its environment variable and the
	// field cases' placeholder derive from it (Env, Placeholder).
	Name string `json:"name"`
	// Kind is what it names: vpc, subnet, pool, queue, project,
	// security_group, route_table, address, service.
	Kind string `json:"kind"`
	// Need is required (a mutating live run needs it), optional (what
	// needs it is skipped without) or together (all or none of one
	// create's inputs; without them that create's life cycle is skipped).
	Need string `json:"need"`
	// Usage says what it is, for the flag's help and docs/gate.md.
	Usage string `json:"usage"`
	// Default is taken when it is not given (only with need together or
	// optional).
	Default string `json:"default,omitempty"`
	// Mock is what a run given no inputs sends (a mock, or a server that
	// takes any); without one, such a run sends what the request examples
	// and the schema give.
	Mock string `json:"mock,omitempty"`
}

// The needs of an input.
const (
	NeedRequired = "required"
	NeedOptional = "optional"
	NeedTogether = "together"
)

// Env is the environment variable of the input: DLI_CONTRACT_ and its
// name in capitals, dashes as underscores.
func (in *Input) Env() string {
	return "DLI_CONTRACT_" + strings.ToUpper(in.Placeholder())
}

// Placeholder is the input's name with dashes as underscores, as field
// cases write it ({{vpc_id}}).
func (in *Input) Placeholder() string { return strings.ReplaceAll(in.Name, "-", "_") }

// CloudInput is a request property that takes an Input.
type CloudInput struct {
	Operation string
	// Pointer is the property's JSON pointer in the body (* for the
	// items of an array).
	Pointer string
	// Input is the Input's name.
	Input string
}

// Semantics is every declaration of a document.
type Semantics struct {
	Resources  map[string]*Resource
	Operations map[string]*Operation // by operationId
	// Order lists the operationIds in the document's order.
	Order []string
	// Inputs are the declared inputs, in the document's order.
	Inputs []*Input
	// CloudInputs are the request properties that take an input, by
	// operation and pointer.
	CloudInputs []CloudInput
}

// ObjectKind is the kind whose declared authorization object prefix the
// object has, and the key after it; nil when none has.
func (s *Semantics) ObjectKind(object string) (*Resource, string) {
	for _, kind := range slices.Sorted(maps.Keys(s.Resources)) {
		r := s.Resources[kind]
		if key, ok := strings.CutPrefix(object, r.Object); ok && r.Object != "" {
			return r, key
		}
	}
	return nil, ""
}

// Input is the input declared by name, or nil.
func (s *Semantics) Input(name string) *Input {
	for _, in := range s.Inputs {
		if in.Name == name {
			return in
		}
	}
	return nil
}

// InputAt is the input op's body takes at ptr, or nil: the property's
// own, or for an item of an array (ptr ending in /*) the array's.
func (s *Semantics) InputAt(op, ptr string) *Input {
	for _, c := range s.CloudInputs {
		if c.Operation == op && (c.Pointer == ptr || c.Pointer+"/*" == ptr) {
			return s.Input(c.Input)
		}
	}
	return nil
}

// InputsOf are the request properties of op that take an input.
func (s *Semantics) InputsOf(op string) []CloudInput {
	var out []CloudInput
	for _, c := range s.CloudInputs {
		if c.Operation == op {
			out = append(out, c)
		}
	}
	return out
}

// Fixed are the path parameters some operation fixes, with the one value
// the document fixes them to.
func (s *Semantics) Fixed() map[string]string {
	out := map[string]string{}
	for _, op := range s.Operations {
		maps.Copy(out, op.Fixed)
	}
	return out
}

// TagKind is the kind of the children a selection by tags of parent
// reads (by_tags); without one, the one kind of children a create of
// parent carries in its body, so that a document without the tag
// operations still has a connection list's tags filter read the create's
// tags; or "".
func (s *Semantics) TagKind(parent string) string {
	created := map[string]bool{}
	for _, id := range s.Order {
		op := s.Operations[id]
		if op.Resource != parent {
			continue
		}
		if op.ByTags != nil {
			return op.ByTags.Kind
		}
		for kind := range op.Children {
			created[kind] = true
		}
	}
	if len(created) == 1 {
		for kind := range created {
			return kind
		}
	}
	return ""
}

// Of is the declaration of operationID, or nil.
func (s *Semantics) Of(operationID string) *Operation { return s.Operations[operationID] }

// ResourceOf is the resource an operation acts on, or nil.
func (s *Semantics) ResourceOf(operationID string) *Resource {
	if op := s.Operations[operationID]; op != nil {
		return s.Resources[op.Resource]
	}
	return nil
}

// Creates lists the resources some operation creates, by kind.
func (s *Semantics) Creates() []*Resource {
	var out []*Resource
	for _, k := range slices.Sorted(maps.Keys(s.Resources)) {
		if len(s.Resources[k].Operations[Create]) > 0 {
			out = append(out, s.Resources[k])
		}
	}
	return out
}

const (
	extResources = "x-dli-resources"
	extOperation = "x-dli-operation"
	extCodes     = "x-dli-codes"
	extInputs    = "x-dli-cloud-inputs"
	extCloud     = "x-dli-cloud-input"
)

var (
	codePattern = regexp.MustCompile(`^[A-Z][A-Za-z]*\.\d{4}$`)
	cloudKinds  = []string{"vpc", "subnet", "pool", "queue", "project", "security_group", "route_table", "address", "service"}
	needs       = []string{NeedRequired, NeedOptional, NeedTogether}
	inputName   = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
)

// Load reads the declarations of doc. It returns every problem it finds,
// joined, each naming where it is.
func Load(doc *openapi3.T) (*Semantics, error) {
	s := &Semantics{Resources: map[string]*Resource{}, Operations: map[string]*Operation{}}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	raw, ok := doc.Extensions[extResources]
	if !ok {
		return nil, fmt.Errorf("the document declares no %s at its root", extResources)
	}
	var resources map[string]*Resource
	if err := decodeStrict(raw, &resources); err != nil {
		return nil, fmt.Errorf("%s: %w", extResources, err)
	}
	for kind, r := range resources {
		r.Kind, r.Operations = kind, map[Role][]*Operation{}
		s.Resources[kind] = r
	}
	if raw, ok := doc.Extensions[extInputs]; ok {
		if err := decodeStrict(raw, &s.Inputs); err != nil {
			return nil, fmt.Errorf("%s: %w", extInputs, err)
		}
	}
	for _, err := range checkInputs(s.Inputs) {
		fail("%s: %w", extInputs, err)
	}

	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		ops := item.Operations()
		for _, method := range slices.Sorted(maps.Keys(ops)) {
			o := ops[method]
			where := fmt.Sprintf("operation %s (%s %s)", o.OperationID, method, path)
			decl := &Operation{}
			rawOp, ok := o.Extensions[extOperation]
			if !ok {
				fail("%s: no %s: the gate cannot place it; declare its resource and role", where, extOperation)
				continue
			}
			if err := decodeStrict(rawOp, decl); err != nil {
				fail("%s: %s: %w", where, extOperation, err)
				continue
			}
			decl.ID, decl.Method, decl.Path, decl.op = o.OperationID, method, path, o
			s.Operations[o.OperationID] = decl
			s.Order = append(s.Order, o.OperationID)
			for _, err := range s.checkOperation(decl, item) {
				fail("%s: %w", where, err)
			}
			codes, err := responseCodes(o)
			if err != nil {
				fail("%s: %w", where, err)
			}
			decl.Codes = codes
			inputs, err := s.cloudInputs(o)
			if err != nil {
				fail("%s: %w", where, err)
			}
			s.CloudInputs = append(s.CloudInputs, inputs...)
		}
	}
	for _, err := range checkLinks(doc) {
		fail("%w", err)
	}
	fixed := map[string]string{}
	for _, id := range s.Order {
		for name, v := range s.Operations[id].Fixed {
			if was, ok := fixed[name]; ok && was != v {
				fail("operation %s: fixed %s is %q, but %q elsewhere: a fixed parameter takes one value in the whole document", id, name, v, was)
			}
			fixed[name] = v
		}
	}
	for _, in := range s.Inputs {
		if !slices.ContainsFunc(s.CloudInputs, func(c CloudInput) bool { return c.Input == in.Name }) {
			fail("%s: input %s is taken by no request property (declare it with %s, or remove it)", extInputs, in.Name, extCloud)
		}
	}
	for _, kind := range slices.Sorted(maps.Keys(s.Resources)) {
		for _, err := range s.checkResource(s.Resources[kind]) {
			fail("resource %s: %w", kind, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

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

// parameters are an operation's parameters with its path item's, by name.
func parameters(item *openapi3.PathItem, op *openapi3.Operation) map[string]*openapi3.Parameter {
	out := map[string]*openapi3.Parameter{}
	for _, ps := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, p := range ps {
			if p.Value != nil {
				out[p.Value.Name] = p.Value
			}
		}
	}
	return out
}

// resolves says why e names nothing an operation has.
func resolves(e Expr, op *openapi3.Operation, params map[string]*openapi3.Parameter) error {
	switch {
	case e.Whole != "":
		return nil
	case e.Source == "request" && (e.In == "path" || e.In == "query"):
		if p := params[e.Name]; p == nil || p.In != e.In {
			return fmt.Errorf("the operation has no %s parameter %q", e.In, e.Name)
		}
		return nil
	case e.In == "header":
		return nil // headers are not all declared (X-Request-Id)
	case e.Source == "request":
		body := docwalk.RequestSchema(op)
		if body == nil {
			return errors.New("the operation has no JSON request body")
		}
		_, err := schemaAt(body, e.Pointer)
		return err
	}
	last := errors.New("the operation has no 2xx answer with a JSON schema")
	for status := 200; status < 300; status++ {
		if s := schemaOf(op, status); s != nil {
			if _, err := schemaAt(s, e.Pointer); err == nil {
				return nil
			} else {
				last = fmt.Errorf("its %d answer: %w", status, err)
			}
		}
	}
	return last
}

// ResolvesIn is why e, a link's parameter read from an answer of source
// or sent to target, names nothing there; nil when it does.
func ResolvesIn(e Expr, op *openapi3.Operation, item *openapi3.PathItem) error {
	return resolves(e, op, parameters(item, op))
}

// schemaOf is the JSON schema of an operation's answer of status.
func schemaOf(op *openapi3.Operation, status int) *openapi3.Schema {
	if op.Responses == nil {
		return nil
	}
	r := op.Responses.Status(status)
	if r == nil || r.Value == nil {
		return nil
	}
	mt := r.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// responseCodes reads x-dli-codes of each response of op.
func responseCodes(op *openapi3.Operation) (map[int][]string, error) {
	out := map[int][]string{}
	if op.Responses == nil {
		return out, nil
	}
	var errs []error
	for key, ref := range op.Responses.Map() {
		if ref.Value == nil {
			continue
		}
		raw, ok := ref.Value.Extensions[extCodes]
		if !ok {
			continue
		}
		status, err := strconv.Atoi(key)
		if err != nil {
			errs = append(errs, fmt.Errorf("response %s: %s on a response that is not one status", key, extCodes))
			continue
		}
		var codes []string
		if err := decodeStrict(raw, &codes); err != nil {
			errs = append(errs, fmt.Errorf("response %s: %s: %w", key, extCodes, err))
			continue
		}
		for _, c := range codes {
			if !codePattern.MatchString(c) {
				errs = append(errs, fmt.Errorf("response %s: %s: %q is not an error code such as DLI.0001", key, extCodes, c))
			}
		}
		out[status] = codes
	}
	return out, errors.Join(errs...)
}

// checkInputs refuses inputs without a usable name, kind, need or mock
// value.
func checkInputs(inputs []*Input) []error {
	var errs []error
	seen := map[string]bool{}
	for i, in := range inputs {
		at := fmt.Sprintf("input %d (%s)", i+1, in.Name)
		switch {
		case !inputName.MatchString(in.Name):
			errs = append(errs, fmt.Errorf("%s: name %q: want lower-case words joined by dashes, such as vpc-id (it is a flag)", at, in.Name))
		case seen[in.Name]:
			errs = append(errs, fmt.Errorf("%s: declared twice", at))
		}
		seen[in.Name] = true
		if !slices.Contains(cloudKinds, in.Kind) {
			errs = append(errs, fmt.Errorf("%s: kind %q: want one of %v", at, in.Kind, cloudKinds))
		}
		if !slices.Contains(needs, in.Need) {
			errs = append(errs, fmt.Errorf("%s: need %q: want one of %v", at, in.Need, needs))
		}
		if in.Default != "" && in.Need == NeedRequired {
			errs = append(errs, fmt.Errorf("%s: a default on a required input: it would never be required", at))
		}
		if in.Usage == "" {
			errs = append(errs, fmt.Errorf("%s: want a usage, which the flag's help and docs/gate.md show", at))
		}
	}
	return errs
}

// cloudInputs lists the properties of op's request body that take a
// declared input.
func (s *Semantics) cloudInputs(op *openapi3.Operation) ([]CloudInput, error) {
	var out []CloudInput
	var errs []error
	docwalk.Schema(docwalk.RequestSchema(op), func(at string, sc *openapi3.Schema) {
		raw, ok := sc.Extensions[extCloud]
		if !ok {
			return
		}
		var name string
		if err := decodeStrict(raw, &name); err != nil || s.Input(name) == nil {
			var names []string
			for _, in := range s.Inputs {
				names = append(names, in.Name)
			}
			errs = append(errs, fmt.Errorf("%s at %s: %v is not a declared input; want one of %s's %v", extCloud, firstOf(at, "/"), raw, extInputs, names))
			return
		}
		out = append(out, CloudInput{Operation: op.OperationID, Pointer: firstOf(at, "/"), Input: name})
	})
	return out, errors.Join(errs...)
}

// RequestSchema is the JSON schema of the operation's request body, or
// nil.
func (o *Operation) RequestSchema() *openapi3.Schema { return docwalk.RequestSchema(o.op) }

func firstOf(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

// checkLinks says which link of doc the gate could not follow: a target
// that is no operation, a parameter the target lacks, or an expression
// that names nothing in the call it is read from.
func checkLinks(doc *openapi3.T) []error {
	type at struct {
		op   *openapi3.Operation
		item *openapi3.PathItem
	}
	byID := map[string]at{}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for _, op := range item.Operations() {
			byID[op.OperationID] = at{op, item}
		}
	}
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		src := byID[id]
		if src.op.Responses == nil {
			continue
		}
		for _, status := range slices.Sorted(maps.Keys(src.op.Responses.Map())) {
			resp := src.op.Responses.Map()[status]
			if resp.Value == nil {
				continue
			}
			for _, name := range slices.Sorted(maps.Keys(resp.Value.Links)) {
				l := resp.Value.Links[name].Value
				where := fmt.Sprintf("operation %s: response %s: link %s", id, status, name)
				target, ok := byID[l.OperationID]
				if !ok {
					errs = append(errs, fmt.Errorf("%s: operation %q is not in the document", where, l.OperationID))
					continue
				}
				params := parameters(target.item, target.op)
				for _, pname := range slices.Sorted(maps.Keys(l.Parameters)) {
					if params[pname] == nil {
						errs = append(errs, fmt.Errorf("%s: %s has no parameter %q", where, l.OperationID, pname))
					}
					expr, _ := l.Parameters[pname].(string)
					exprs := []string{expr}
					if strings.Contains(expr, "{$") {
						exprs = embedded(expr) // embedded in a string: datasourceauth.{$…}
					}
					for _, e := range exprs {
						if err := linkExpr(e, src.op, src.item); err != nil {
							errs = append(errs, fmt.Errorf("%s: parameter %s: %w", where, pname, err))
						}
					}
				}
				for _, expr := range embedded(l.RequestBody) {
					if err := linkExpr(expr, src.op, src.item); err != nil {
						errs = append(errs, fmt.Errorf("%s: requestBody: %w", where, err))
					}
				}
			}
		}
	}
	return errs
}

func linkExpr(s string, op *openapi3.Operation, item *openapi3.PathItem) error {
	e, err := ParseExpr(s)
	if err != nil {
		return err
	}
	if err := ResolvesIn(e, op, item); err != nil {
		return fmt.Errorf("%s: %w", s, err)
	}
	return nil
}

// embedded lists the {expressions} in the strings of a link's body.
func embedded(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		for rest := x; ; {
			i := strings.Index(rest, "{$")
			if i < 0 {
				break
			}
			j := strings.Index(rest[i:], "}")
			if j < 0 {
				out = append(out, rest[i+1:])
				break
			}
			out = append(out, rest[i+1:i+j])
			rest = rest[i+j+1:]
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			out = append(out, embedded(x[k])...)
		}
	case []any:
		for _, e := range x {
			out = append(out, embedded(e)...)
		}
	}
	return out
}

// checkDecides checks a dli-mock's rule against what it speaks of: a
// field the read answers, body properties the create takes, patterns Go
// reads, and a declared kind for the parent to be bound to.
func (s *Semantics) checkDecides(r *Resource, d *Decides) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("mock decides: "+format, args...)) }
	if d.Field == "" || d.Value == "" || d.Otherwise == "" || d.Value == d.Otherwise {
		bad("say the field, the value when the rule holds and another otherwise")
	}
	if read := r.Op(Read); read == nil {
		bad("%s has no read to answer it", r.Title)
	} else if shown := schemaOf(read.op, 200); shown != nil {
		if _, err := schemaAt(shown, "/"+d.Field); err != nil {
			bad("field %q is not a property of what %s answers", d.Field, read.ID)
		}
	}
	create := r.Op(Create)
	if create == nil {
		bad("nothing creates a %s", r.Title)
	}
	for _, prop := range slices.Sorted(maps.Keys(d.When.Match)) {
		if _, err := regexp.Compile(d.When.Match[prop]); err != nil {
			bad("match %s: %v", prop, err)
		}
		if create == nil {
			continue
		}
		if body := docwalk.RequestSchema(create.op); body == nil {
			bad("match %s: %s takes no JSON body", prop, create.ID)
		} else if _, err := schemaAt(body, "/"+prop); err != nil {
			bad("match %s: not a property of %s's body", prop, create.ID)
		}
	}
	if b := d.When.Bound; b != "" {
		switch {
		case s.Resources[b] == nil:
			bad("bound: kind %q is not declared", b)
		case r.Parent == "":
			bad("bound: a %s has no parent to be bound", r.Title)
		}
	}
	return errs
}
