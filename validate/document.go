// Package validate holds HTTP requests and responses against the embedded
// OpenAPI document (openapi/dli.yaml) and reports each mismatch as the
// operation, the place (parameter or JSON pointer into the body), the rule
// and the reason.
//
// It is the one place where the project turns kin-openapi's findings into
// errors a person can act on: the validating transport, the mock server and
// the contract suite all use it.
package validate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/dli-contract/dli-go/gen/spec"
)

// Document is an OpenAPI document prepared for validating traffic. It is
// safe for concurrent use.
type Document struct {
	doc    *openapi3.T
	router routers.Router
	opts   *openapi3filter.Options

	secretsOnce sync.Once
	secrets     map[string][]string // by operationId (secrets.go)
	secretNames []string
}

// uuidFormat is registered per document rather than globally so that a
// program using kin-openapi for other documents is not affected.
var uuidFormat = openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122)

// SchemaOptions are the schema validation options every check uses: the
// formats the document relies on (uuid) are enforced.
func SchemaOptions() []openapi3.SchemaValidationOption {
	return []openapi3.SchemaValidationOption{
		openapi3.WithStringFormatValidators(map[string]openapi3.StringFormatValidator{"uuid": uuidFormat}),
	}
}

var embedded = sync.OnceValues(func() (*Document, error) {
	doc, err := spec.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("load embedded openapi/dli.yaml: %w", err)
	}
	return New(doc)
})

// Embedded returns the document compiled into this module (gen/spec),
// loaded and validated once.
func Embedded() (*Document, error) { return embedded() }

// New validates doc (examples included) and prepares it for checking
// traffic. Requests are routed by path and method only, whatever the host,
// so the same document serves live endpoints, local mocks and httpmock.
func New(doc *openapi3.T) (*Document, error) {
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("openapi document is invalid: %w", err)
	}
	routing := *doc
	routing.Servers = nil
	// Credentials are the auth layer's business (package auth, the mock's
	// verifier); validating the security requirements here would only
	// re-read the body once per scheme on every request.
	routing.Security = openapi3.SecurityRequirements{}
	router, err := legacy.NewRouter(&routing)
	if err != nil {
		return nil, fmt.Errorf("build router: %w", err)
	}
	return &Document{
		doc:    doc,
		router: router,
		opts: &openapi3filter.Options{
			MultiError:            true,
			IncludeResponseStatus: true,
			// A validator must never change what it checks: defaults
			// written into a request would hide client bugs.
			SkipSettingDefaults: true,
			// Credentials are checked by the auth layer and the mock
			// server; here only the shape of the traffic counts.
			AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
			SchemaValidationOptions: SchemaOptions(),
		},
	}, nil
}

// OpenAPI returns the underlying document. Callers must not modify it.
func (d *Document) OpenAPI() *openapi3.T { return d.doc }

// Operation names one operation of the document as matched for a request.
type Operation struct {
	ID         string
	Method     string
	Path       string // the path template, e.g. /v2.0/{project_id}/datasource-connection
	PathParams map[string]string
	route      *routers.Route
}

// Find returns the operation a request is for, or an *Error that says the
// document has no such path or method. The path must be the template with
// every parameter filled in: a trailing slash or an empty parameter is no
// match, as API Gateway serves no such route.
func (d *Document) Find(req *http.Request) (*Operation, error) {
	route, params, err := d.router.FindRoute(req)
	if err == nil && !fills(route.Path, params, req.URL.Path) {
		err = routers.ErrPathNotFound
	}
	if err != nil {
		return nil, &Error{
			Operation: req.Method + " " + req.URL.Path,
			Problems:  []Problem{{In: "route", Rule: "route", Reason: routeReason(err)}},
		}
	}
	return &Operation{
		ID:         route.Operation.OperationID,
		Method:     route.Method,
		Path:       route.Path,
		PathParams: params,
		route:      route,
	}, nil
}

// fills reports whether path is template with each {name} replaced by a
// non-empty params[name].
func fills(template string, params map[string]string, path string) bool {
	var b strings.Builder
	for {
		before, rest, found := strings.Cut(template, "{")
		b.WriteString(before)
		if !found {
			break
		}
		name, after, _ := strings.Cut(rest, "}")
		if params[name] == "" {
			return false
		}
		b.WriteString(params[name])
		template = after
	}
	return b.String() == path
}

func routeReason(err error) string {
	switch {
	case errors.Is(err, routers.ErrPathNotFound):
		return "the document declares no such path"
	case errors.Is(err, routers.ErrMethodNotAllowed):
		return "the document declares no such method for this path"
	}
	return err.Error()
}

// Request checks a request: route, path parameters, headers and body,
// including what kin-openapi and encoding/json would read differently
// (bodyProblems). The body stays readable afterwards. It returns the
// matched operation (nil when none matched) and an *Error listing every
// problem found.
func (d *Document) Request(req *http.Request) (*Operation, error) {
	op, err := d.Find(req)
	if err != nil {
		return nil, err
	}
	var problems []Problem
	if rb := op.route.Operation.RequestBody; rb != nil && rb.Value != nil && req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return op, fmt.Errorf("validate: read request body of %s: %w", op.ID, err)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			problems = bodyProblems(mt.Schema.Value, body, "body")
		}
	}
	return op, report(op.ID, 0, openapi3filter.ValidateRequest(req.Context(), d.input(req, op)), problems)
}

// Response checks a response to req against op (from Request or Find):
// the status must be declared and the body must match its schema, with
// nothing in it that kin-openapi and encoding/json read differently.
func (d *Document) Response(req *http.Request, op *Operation, status int, header http.Header, body []byte) error {
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: d.input(req, op),
		Status:                 status,
		Header:                 header,
		Options:                d.opts,
	}
	out.SetBodyBytes(body)
	var problems []Problem
	declared := op.route.Operation.Responses.Status(status)
	if declared == nil {
		declared = op.route.Operation.Responses.Default()
	}
	if declared != nil && declared.Value != nil && len(body) > 0 && strings.Contains(header.Get("Content-Type"), "json") {
		if mt := declared.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			problems = bodyProblems(mt.Schema.Value, body, "response body")
		}
	}
	return report(op.ID, status, openapi3filter.ValidateResponse(req.Context(), out), problems)
}

// report joins what kin-openapi found (kinErr) and the problems found
// beside it into one *Error; nil when there are none. It returns the error
// interface so that no problem means a nil error, not a nil *Error.
func report(operation string, status int, kinErr error, problems []Problem) error {
	if kinErr == nil && len(problems) == 0 {
		return nil
	}
	e := &Error{Operation: operation, Status: status}
	if kinErr != nil {
		e = fromKin(operation, status, kinErr)
	}
	e.Problems = append(e.Problems, problems...)
	return e
}

func (d *Document) input(req *http.Request, op *Operation) *openapi3filter.RequestValidationInput {
	return &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: op.PathParams,
		Route:      op.route,
		Options:    d.opts,
	}
}
