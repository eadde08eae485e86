// Command typedgen writes the typed client's methods, one per operation of
// the OpenAPI document, so that the code that grows with the number of
// operations is generated: go generate runs it (see doc.go at the module
// root) after oapi-codegen has written gen/dli.
//
// Each method is named after the operationId and takes ctx, the path
// parameters other than project_id in path order (each in the Go type of
// its schema: int64 for an integer of format int64, else string), a
// *dli.<Op>Params when the operation has query parameters and a
// dli.<Op>JSONRequestBody when it has a body; it returns the body of the
// operation's success response, as the generated type, and an error. Its
// doc comment is the operation's summary (and its deprecation, if any).
package main

import (
	"bytes"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/template"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed client.tmpl
var clientTemplate string

// Operation is what the template needs of one operation.
type Operation struct {
	ID, Method, Path string
	Summary          string
	Deprecated       string // the deprecation note, "" when not deprecated
	// Successor is the operation that replaces a deprecated one
	// (x-dli-successor), which the first line of its doc comment names.
	Successor  string
	PathParams []Param
	HasParams  bool
	HasBody    bool
	// NoContent says its success has no body (a 204): the method returns
	// only an error.
	NoContent    bool
	SuccessField string // JSON200, JSON201 ...
	SuccessType  string // the generated type of its body
	// OtherSuccess are the fields of its other 2xx answers of the same
	// type (an auth info's create: 201 as DLI sends it, 200 as its page
	// says), which the call returns when they are the ones set.
	OtherSuccess []string
	// Secrets are the JSON pointers its request body marks writeOnly,
	// which the client's log never shows.
	Secrets []string
}

// File is what the template renders: the operations, and the names of
// every property a request marks writeOnly, which the log hides in
// answers too.
type File struct {
	Operations  []Operation
	SecretNames []string
	Pagers      []Pager
}

// Pager is a list the document declares paged (x-dli-operation's
// paging): the client gets a method that lists all of it, across pages.
type Pager struct {
	Name, List    string  // the method (EnhancedConnections) and the list it calls
	PathParams    []Param // the list's, which the method takes too
	HasBody       bool    // the list takes a body (a filter), which the method takes too
	Item          string  // the Go type of an item
	Items         string  // the Go field of the page holding them
	Offset, Limit string  // the Go fields of the parameters
	All           string  // the limit that answers all, as Go ("nil" when none)
}

// Param is a path parameter of the method, and its Go type. A parameter
// the operation's declaration fixes (x-dli-operation's fixed) is no
// argument: Fixed is the Go value the method passes.
type Param struct{ Name, GoName, GoType, Fixed string }

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("typedgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "the OpenAPI document")
	out := fs.String("out", "", "the Go file to write")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *in == "" || *out == "" {
		fmt.Fprintln(stderr, "typedgen: -in and -out are required")
		return 2
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(*in)
	if err != nil {
		fmt.Fprintf(stderr, "typedgen: load %s: %v\n", *in, err)
		return 1
	}
	code, err := Generate(doc)
	if err != nil {
		fmt.Fprintf(stderr, "typedgen: %s: %v\n", *in, err)
		return 1
	}
	if err := os.WriteFile(*out, code, 0o644); err != nil {
		fmt.Fprintf(stderr, "typedgen: %v\n", err)
		return 1
	}
	return 0
}

// Generate returns the typed methods of every operation of doc, gofmt'ed.
func Generate(doc *openapi3.T) ([]byte, error) {
	ops, err := Operations(doc)
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New("client").Funcs(template.FuncMap{"comment": comment}).Parse(clientTemplate)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, o := range ops {
		for _, p := range o.Secrets {
			names[p[strings.LastIndex(p, "/")+1:]] = true
		}
	}
	pagers, err := Pagers(doc)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, File{Operations: ops, SecretNames: slices.Sorted(maps.Keys(names)), Pagers: pagers}); err != nil {
		return nil, err
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("the generated code does not parse: %w\n%s", err, b.Bytes())
	}
	return src, nil
}

// Operations lists the operations of doc, sorted by operationId.
func Operations(doc *openapi3.T) ([]Operation, error) {
	var out []Operation
	var errs []error
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for _, method := range slices.Sorted(maps.Keys(item.Operations())) {
			op, err := operation(path, method, item, item.Operations()[method])
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, op)
		}
	}
	slices.SortFunc(out, func(a, b Operation) int { return strings.Compare(a.ID, b.ID) })
	for _, o := range out {
		if o.Successor == "" {
			continue
		}
		i := slices.IndexFunc(out, func(s Operation) bool { return s.ID == o.Successor })
		switch {
		case i < 0:
			errs = append(errs, fmt.Errorf("%s: x-dli-successor %s is no operationId of the document", o.ID, o.Successor))
		case out[i].Deprecated != "":
			errs = append(errs, fmt.Errorf("%s: x-dli-successor %s is deprecated too", o.ID, o.Successor))
		}
	}
	return out, errors.Join(errs...)
}

// goType is the Go type of a path parameter's schema, as oapi-codegen
// gives it.
func goType(s *openapi3.SchemaRef) string {
	if s == nil || s.Value == nil || !s.Value.Type.Is("integer") {
		return "string"
	}
	switch s.Value.Format {
	case "int64":
		return "int64"
	case "int32":
		return "int32"
	}
	return "int"
}

func operation(path, method string, item *openapi3.PathItem, op *openapi3.Operation) (Operation, error) {
	o := Operation{ID: op.OperationID, Method: method, Path: path, Summary: op.Summary}
	where := method + " " + path
	if o.ID == "" {
		return o, fmt.Errorf("%s has no operationId", where)
	}
	if o.Summary == "" {
		return o, fmt.Errorf("%s has no summary for the method's doc comment", o.ID)
	}
	if op.Deprecated {
		o.Deprecated = "Huawei deprecated this operation."
		if reason, ok := op.Extensions["x-deprecated-reason"].(string); ok && reason != "" {
			o.Deprecated = reason
		}
		o.Successor, _ = op.Extensions["x-dli-successor"].(string)
		if o.Successor == "" {
			return o, fmt.Errorf("%s is deprecated and names no x-dli-successor, the operation its doc comment points to", o.ID)
		}
	}
	params := map[string]*openapi3.Parameter{}
	for _, p := range slices.Concat(item.Parameters, op.Parameters) {
		if p.Value == nil {
			continue
		}
		switch p.Value.In {
		case openapi3.ParameterInPath:
			params[p.Value.Name] = p.Value
		case openapi3.ParameterInQuery:
			o.HasParams = true
		}
	}
	for _, segment := range strings.Split(path, "/") {
		name, ok := strings.CutPrefix(segment, "{")
		if !ok {
			continue
		}
		name = strings.TrimSuffix(name, "}")
		if params[name] == nil {
			return o, fmt.Errorf("%s: path parameter %s is not declared", o.ID, name)
		}
		if name == "project_id" {
			continue // bound once, in client.Options
		}
		param := Param{Name: name, GoName: lowerCamel(name), GoType: goType(params[name].Schema)}
		if v, ok := fixed(op)[name]; ok {
			param.Fixed = fmt.Sprintf("%q", v)
			if ref := params[name].Schema.Ref; strings.HasPrefix(ref, "#/components/schemas/") {
				param.Fixed = fmt.Sprintf("dli.%s(%q)", strings.TrimPrefix(ref, "#/components/schemas/"), v)
			}
		}
		o.PathParams = append(o.PathParams, param)
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil && op.RequestBody.Value.Content.Get("application/json") != nil {
		o.HasBody = true
		if mt := op.RequestBody.Value.Content.Get("application/json"); mt.Schema != nil {
			o.Secrets = writeOnly(mt.Schema.Value, "", 0)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(op.Responses.Map())) {
		if !strings.HasPrefix(key, "2") || len(key) != 3 {
			continue
		}
		if len(op.Responses.Value(key).Value.Content) == 0 && o.SuccessField == "" {
			o.NoContent = true
			continue
		}
		mt := op.Responses.Value(key).Value.Content.Get("application/json")
		if mt == nil || mt.Schema == nil || !strings.HasPrefix(mt.Schema.Ref, "#/components/schemas/") {
			return o, fmt.Errorf("%s: the %s response's schema must be a $ref to a component schema, whose name is its Go type", o.ID, key)
		}
		typ := strings.TrimPrefix(mt.Schema.Ref, "#/components/schemas/")
		switch {
		case o.SuccessField == "":
			o.SuccessField, o.SuccessType = "JSON"+key, typ
		case typ == o.SuccessType:
			o.OtherSuccess = append(o.OtherSuccess, "JSON"+key)
		}
	}
	if o.SuccessField == "" && !o.NoContent {
		return o, fmt.Errorf("%s declares no 2xx JSON response", o.ID)
	}
	if o.SuccessField != "" && o.NoContent {
		return o, fmt.Errorf("%s answers a success with a body and one without; the method could not say which", o.ID)
	}
	return o, nil
}

// fixed are the path parameters op's declaration fixes, with their value.
func fixed(op *openapi3.Operation) map[string]string {
	decl, _ := op.Extensions["x-dli-operation"].(map[string]any)
	raw, _ := decl["fixed"].(map[string]any)
	out := map[string]string{}
	for k, v := range raw {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// Pagers are the lists the document declares paged, but deprecated ones,
// sorted by name: each becomes a method named for the list without its
// "List" or "Show" (ListJobAuthInfos: JobAuthInfos; ShowResourceTags:
// ResourceTags), taking the list's path parameters and body.
func Pagers(doc *openapi3.T) ([]Pager, error) {
	var out []Pager
	var errs []error
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for _, method := range slices.Sorted(maps.Keys(item.Operations())) {
			op := item.Operations()[method]
			decl, _ := op.Extensions["x-dli-operation"].(map[string]any)
			paging, _ := decl["paging"].(map[string]any)
			items, _ := decl["items"].(string)
			if paging == nil || op.Deprecated {
				continue
			}
			name, ok := strings.CutPrefix(op.OperationID, "List")
			if !ok {
				name, ok = strings.CutPrefix(op.OperationID, "Show")
			}
			if !ok || items == "" || strings.Count(items, "/") != 1 {
				errs = append(errs, fmt.Errorf("%s: a paged list is named List<Things> or Show<Things> and answers its items at a top-level property", op.OperationID))
				continue
			}
			typed, err := operation(path, method, item, op)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			mt := op.Responses.Value("200").Value.Content.Get("application/json")
			arr := mt.Schema.Value.Properties[items[1:]]
			if arr == nil || arr.Value.Items == nil || !strings.HasPrefix(arr.Value.Items.Ref, "#/components/schemas/") {
				errs = append(errs, fmt.Errorf("%s: its items %s must be an array of a component schema, whose name is their Go type", op.OperationID, items))
				continue
			}
			p := Pager{Name: name, List: op.OperationID, Item: strings.TrimPrefix(arr.Value.Items.Ref, "#/components/schemas/"),
				Items: goField(items[1:]), Offset: goField(fmt.Sprint(paging["offset"])), Limit: goField(fmt.Sprint(paging["limit"])), All: "nil",
				PathParams: typed.PathParams, HasBody: typed.HasBody}
			if all, ok := paging["all"].(float64); ok {
				p.All = fmt.Sprintf("ptr(int32(%d))", int(all))
			}
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Pager) int { return strings.Compare(a.Name, b.Name) })
	return out, errors.Join(errs...)
}

// goField is the Go name oapi-codegen gives a snake_case property:
// auth_infos is AuthInfos, connection_id ConnectionID.
func goField(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "_") {
		switch part {
		case "id", "url":
			b.WriteString(strings.ToUpper(part))
		default:
			if part != "" {
				b.WriteString(strings.ToUpper(part[:1]) + part[1:])
			}
		}
	}
	return b.String()
}

// writeOnly lists the JSON pointers (* for every item) under s that are
// marked writeOnly.
func writeOnly(s *openapi3.Schema, at string, depth int) []string {
	if s == nil || depth > 8 {
		return nil
	}
	var out []string
	if s.WriteOnly && at != "" {
		out = append(out, at)
	}
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		out = append(out, writeOnly(s.Properties[name].Value, at+"/"+name, depth+1)...)
	}
	if s.Items != nil {
		out = append(out, writeOnly(s.Items.Value, at+"/*", depth+1)...)
	}
	return out
}

// lowerCamel turns connection_id into connectionID, as Go spells ids.
func lowerCamel(name string) string {
	parts := strings.Split(name, "_")
	for i, p := range parts {
		switch {
		case p == "id":
			parts[i] = "ID"
		case i > 0 && p != "":
			parts[i] = string(unicode.ToUpper(rune(p[0]))) + p[1:]
		}
	}
	if parts[0] == "ID" {
		parts[0] = "id"
	}
	return strings.Join(parts, "")
}

// comment turns a summary into the rest of a doc comment sentence: "Show
// a classic ..." becomes "shows a classic ...".
func comment(summary string) string {
	verb, rest, _ := strings.Cut(summary, " ")
	verb = strings.ToLower(verb)
	switch {
	case strings.HasSuffix(verb, "s"), strings.HasSuffix(verb, "sh"), strings.HasSuffix(verb, "ch"):
		verb += "es"
	case strings.HasSuffix(verb, "y"):
		verb = verb[:len(verb)-1] + "ies"
	default:
		verb += "s"
	}
	return strings.TrimSpace(verb + " " + rest)
}
