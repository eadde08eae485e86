package contract

import (
	"fmt"
	"sort"
	"strconv"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// Pair is one (operation, status) the document declares. Status is the
// response key as written in the document: "201", "400" or "default".
type Pair struct {
	Operation string
	Status    string
}

func (p Pair) String() string { return p.Operation + " " + p.Status }

// Declared lists every (operation, status) pair of the document, sorted.
func Declared(doc *openapi3.T) []Pair {
	var out []Pair
	for _, o := range operationsOf(doc) {
		if o.op.Responses == nil {
			continue
		}
		for status := range o.op.Responses.Map() {
			out = append(out, Pair{Operation: o.op.OperationID, Status: status})
		}
	}
	sortPairs(out)
	return out
}

// ResponseKey returns the response key of op that covers status: the exact
// code, else an nXX range, else "default". ok is false when none does.
func ResponseKey(op *openapi3.Operation, status int) (key string, ok bool) {
	code := strconv.Itoa(status)
	if op.Responses.Value(code) != nil {
		return code, true
	}
	if r := code[:1] + "XX"; op.Responses.Value(r) != nil {
		return r, true
	}
	if op.Responses.Default() != nil {
		return "default", true
	}
	return "", false
}

// Coverage records which declared pairs a run exercised. It is safe for
// concurrent use, so parallel tests can share one.
type Coverage struct {
	mu   sync.Mutex
	doc  *openapi3.T
	hits map[Pair]int
}

// NewCoverage returns an empty record for doc.
func NewCoverage(doc *openapi3.T) *Coverage {
	return &Coverage{doc: doc, hits: map[Pair]int{}}
}

// Hit records that operation answered status. It returns the pair counted,
// or an error when the document declares no response for it.
func (c *Coverage) Hit(operationID string, status int) (Pair, error) {
	op := findOperation(c.doc, operationID)
	if op == nil {
		return Pair{}, fmt.Errorf("operation %s is not in the document", operationID)
	}
	key, ok := ResponseKey(op, status)
	if !ok {
		return Pair{}, fmt.Errorf("%s: status %d is not declared", operationID, status)
	}
	p := Pair{Operation: operationID, Status: key}
	c.mu.Lock()
	c.hits[p]++
	c.mu.Unlock()
	return p, nil
}

// HitDeclared records that operation answered status like Hit, and also
// refuses a success status that only `default` covers: default stands for
// errors (API Gateway's 401, 403, 429 ...), so a success status the
// document does not name is a mismatch.
func (c *Coverage) HitDeclared(operationID string, status int) error {
	p, err := c.Hit(operationID, status)
	if err != nil {
		return err
	}
	if status < 400 && p.Status == "default" {
		return fmt.Errorf("success status %d is not declared for %s", status, operationID)
	}
	return nil
}

// Missing lists the declared pairs that were never hit, sorted.
func (c *Coverage) Missing() []Pair {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Pair
	for _, p := range Declared(c.doc) {
		if c.hits[p] == 0 {
			out = append(out, p)
		}
	}
	return out
}

// Hits returns how often each declared pair was exercised.
func (c *Coverage) Hits() map[Pair]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[Pair]int, len(c.hits))
	for p, n := range c.hits {
		out[p] = n
	}
	return out
}

func findOperation(doc *openapi3.T, id string) *openapi3.Operation {
	for _, o := range operationsOf(doc) {
		if o.op.OperationID == id {
			return o.op
		}
	}
	return nil
}

func sortPairs(ps []Pair) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Operation != ps[j].Operation {
			return ps[i].Operation < ps[j].Operation
		}
		return ps[i].Status < ps[j].Status
	})
}
