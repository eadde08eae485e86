package validate

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dli-contract/dli-go/docwalk"
	"github.com/dli-contract/dli-go/redact"
)

// Secrets are what the document marks writeOnly in request bodies (a
// datasource authentication's passwords): sent, never answered, and never
// shown by anything that reports traffic.

// Redacted stands for a secret's value wherever traffic is shown.
const Redacted = redact.Redacted

// Secrets are the JSON pointers (* for every item of an array) of what the
// request body of operation opID marks writeOnly.
func (d *Document) Secrets(opID string) []string {
	d.secretsOnce.Do(d.findSecrets)
	return d.secrets[opID]
}

// SecretNames are the property names any request body of the document
// marks writeOnly: an answer that carries one leaks what was only to be
// written.
func (d *Document) SecretNames() []string {
	d.secretsOnce.Do(d.findSecrets)
	return d.secretNames
}

func (d *Document) findSecrets() {
	d.secrets = map[string][]string{}
	names := map[string]bool{}
	for _, o := range docwalk.Operations(d.doc) {
		docwalk.Schema(docwalk.RequestSchema(o.Op), func(at string, s *openapi3.Schema) {
			if s.WriteOnly && at != "" {
				d.secrets[o.Op.OperationID] = append(d.secrets[o.Op.OperationID], at)
				names[at[strings.LastIndex(at, "/")+1:]] = true
			}
		})
	}
	d.secretNames = slices.Sorted(maps.Keys(names))
}

// Redact is body, a request of operation opID, with each value the
// document marks writeOnly replaced by Redacted, and, for a body of
// another shape than its schema (an array in place of the object), each
// property of a writeOnly name; a body that is not JSON, or carries none,
// comes back as it is.
func (d *Document) Redact(opID string, body []byte) []byte {
	return redact.Named(redact.At(body, d.Secrets(opID)), d.SecretNames())
}

// SecretValues are the string values of a JSON body, a request or an
// answer, held by properties of a writeOnly name, at any depth: what a
// report must never show, wherever a message would quote it.
func (d *Document) SecretValues(body []byte) []string {
	names := d.SecretNames()
	if len(names) == 0 || len(body) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var out []string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 16 {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if s, ok := c.(string); ok && slices.Contains(names, k) && s != "" {
					out = append(out, s)
				}
				walk(c, depth+1)
			}
		case []any:
			for _, c := range x {
				walk(c, depth+1)
			}
		}
	}
	walk(v, 0)
	return out
}

// RedactAnswer is an answer's JSON body with the value of every property
// that the document marks writeOnly in requests replaced by Redacted, at
// any depth: what a server should never have answered is not shown
// either.
func (d *Document) RedactAnswer(body []byte) []byte {
	return redact.Named(body, d.SecretNames())
}

// SecretsIn names the properties of an answer's JSON body, at any depth,
// that the document marks writeOnly in requests, as JSON pointers.
func (d *Document) SecretsIn(body []byte) []string {
	names := d.SecretNames()
	if len(names) == 0 || len(body) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var out []string
	var walk func(v any, at string, depth int)
	walk = func(v any, at string, depth int) {
		if depth > 16 {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				if slices.Contains(names, k) {
					out = append(out, at+"/"+k)
				}
				walk(x[k], at+"/"+k, depth+1)
			}
		case []any:
			for i, item := range x {
				walk(item, at+"/"+strconv.Itoa(i), depth+1)
			}
		}
	}
	walk(v, "", 0)
	return out
}
