package validate

import (
	"maps"
	"slices"
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
	var out []string
	redact.Each(body, d.SecretNames(), func(_ string, v any) {
		if s, ok := v.(string); ok && s != "" {
			out = append(out, s)
		}
	})
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
	var out []string
	redact.Each(body, d.SecretNames(), func(ptr string, _ any) { out = append(out, ptr) })
	return out
}
