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

// RequestSchema is the JSON schema of the operation's request body, or
// nil.
func (o *Operation) RequestSchema() *openapi3.Schema { return docwalk.RequestSchema(o.op) }
