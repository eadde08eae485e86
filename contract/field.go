package contract

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/docwalk"
)

// Field cases are the requests that a client which runs against live DLI
// every day sends, with the response fields it reads: Huawei Cloud's
// Terraform provider, written down from its code (never copied) in
// testdata/field. Live DLI accepts them, so the document, the mock and any
// server the gate checks must too; a server that refuses one, or answers
// without a field the provider reads, breaks a program that works in
// production.
//
//go:embed testdata/field/*.json
var fieldFiles embed.FS

// FieldCase is one sequence of requests from a real client.
type FieldCase struct {
	// File is the case's file name under testdata/field.
	File  string `json:"-"`
	About string `json:"about"`
	// Provider names the provider's file and function the case comes from.
	Provider struct {
		File     string `json:"file"`
		Function string `json:"function"`
	} `json:"provider"`
	Steps []FieldStep `json:"steps"`
}

// FieldStep is one request and what the client needs of its answer.
// Strings may hold placeholders, {name}, filled from the variables of a
// replay and from what earlier steps saved.
type FieldStep struct {
	From   string          `json:"from"` // the provider's function that sends it
	Method string          `json:"method"`
	Path   string          `json:"path"` // with the query, as sent
	Body   json.RawMessage `json:"body,omitempty"`
	Status int             `json:"status"`
	// Reads maps JSON pointers the client reads to their JSON type; a *
	// token stands for every item of an array (none is fine).
	Reads map[string]string `json:"reads,omitempty"`
	// Expect maps JSON pointers to the string form of the value the
	// client relies on.
	Expect map[string]string `json:"expect,omitempty"`
	// Absent lists JSON pointers that must not resolve.
	Absent []string `json:"absent,omitempty"`
	// Save names variables taken from the answer for later steps.
	Save map[string]string `json:"save,omitempty"`
}

// FieldCases returns the field cases, sorted by file.
func FieldCases() ([]FieldCase, error) {
	entries, err := fieldFiles.ReadDir("testdata/field")
	if err != nil {
		return nil, err
	}
	var out []FieldCase
	for _, e := range entries {
		raw, err := fieldFiles.ReadFile(path.Join("testdata/field", e.Name()))
		if err != nil {
			return nil, err
		}
		var c FieldCase
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("field case %s: %w", e.Name(), err)
		}
		c.File = e.Name()
		if c.Provider.File == "" || c.Provider.Function == "" || len(c.Steps) == 0 {
			return nil, fmt.Errorf("field case %s: provider.file, provider.function and steps are required", e.Name())
		}
		out = append(out, c)
	}
	return out, nil
}

func (c FieldCase) String() string {
	return fmt.Sprintf("%s (%s, %s)", strings.TrimSuffix(c.File, ".json"), path.Base(c.Provider.File), c.Provider.Function)
}

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// Needs lists the variables a replay must supply: every placeholder that
// no step saves.
func (c FieldCase) Needs() []string {
	saved := map[string]bool{}
	var out []string
	for _, s := range c.Steps {
		texts := []string{s.Path, string(s.Body)}
		for _, v := range s.Expect {
			texts = append(texts, v)
		}
		for _, t := range texts {
			for _, m := range placeholder.FindAllStringSubmatch(t, -1) {
				if !saved[m[1]] && !slices.Contains(out, m[1]) {
					out = append(out, m[1])
				}
			}
		}
		for name := range s.Save {
			saved[name] = true
		}
	}
	slices.Sort(out)
	return out
}

// PathWith is the step's path with its placeholders filled from vars.
func (s FieldStep) PathWith(vars map[string]string) string { return fill(s.Path, vars, false) }

// FieldProblem is one way a server failed a field case.
type FieldProblem struct {
	Step    int    // from 1
	From    string // the provider's function
	Method  string
	Path    string // as sent
	Status  int
	Message string
}

func (p FieldProblem) String() string {
	return fmt.Sprintf("step %d (%s) %s %s: %s", p.Step, p.From, p.Method, p.Path, p.Message)
}

// Replay sends the steps of c to endpoint through hc, filling placeholders
// from vars, and reports where the answers fail the client. It stops at
// the first step whose status is wrong, since later steps depend on it.
// created lists the connection ids the case created, for the caller to
// clean up.
func (c FieldCase) Replay(ctx context.Context, hc *http.Client, endpoint string, vars map[string]string) (created []string, problems []FieldProblem) {
	vars = maps.Clone(vars)
	if vars == nil {
		vars = map[string]string{}
	}
	for i, s := range c.Steps {
		p := FieldProblem{Step: i + 1, From: s.From, Method: s.Method, Path: fill(s.Path, vars, false)}
		fail := func(format string, args ...any) {
			q := p
			q.Message = fmt.Sprintf(format, args...)
			problems = append(problems, q)
		}
		var body io.Reader
		if len(s.Body) > 0 {
			body = strings.NewReader(fill(string(s.Body), vars, true))
		}
		req, err := http.NewRequestWithContext(ctx, s.Method, strings.TrimSuffix(endpoint, "/")+p.Path, body)
		if err != nil {
			fail("%v", err)
			return created, problems
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			fail("the request failed: %v", err)
			return created, problems
		}
		raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		_ = resp.Body.Close()
		p.Status = resp.StatusCode
		if err != nil {
			fail("reading the answer: %v", err)
			return created, problems
		}
		var doc any
		if json.Unmarshal(raw, &doc) != nil {
			doc = nil
		}
		if s.Status >= 200 && s.Status < 300 && s.Method == http.MethodPost && !strings.Contains(s.Path, "{connection_id}") {
			if id, ok := lookupOne(doc, "/connection_id"); ok {
				if id, ok := id.(string); ok && id != "" {
					created = append(created, id)
				}
			}
		}
		if resp.StatusCode != s.Status {
			fail("answered %d, want %d as the provider expects: %s", resp.StatusCode, s.Status, apierror.Snippet(raw))
			return created, problems
		}
		for _, ptr := range slices.Sorted(maps.Keys(s.Reads)) {
			for _, m := range lookupAll(doc, ptr) {
				if !m.Found {
					fail("the answer lacks %s, which the provider reads", m.Pointer)
				} else if got := jsonType(m.Value); got != s.Reads[ptr] {
					fail("%s is %s, the provider reads a %s", m.Pointer, got, s.Reads[ptr])
				}
			}
		}
		for _, ptr := range slices.Sorted(maps.Keys(s.Expect)) {
			want := fill(s.Expect[ptr], vars, false)
			v, ok := lookupOne(doc, ptr)
			switch {
			case !ok:
				fail("the answer lacks %s, want %q", ptr, want)
			case scalar(v) != want:
				fail("%s is %s, want %q", ptr, string(marshal(v)), want)
			}
		}
		for _, ptr := range s.Absent {
			if v, ok := lookupOne(doc, ptr); ok {
				fail("%s is there (%s), want it gone", ptr, string(marshal(v)))
			}
		}
		for name, ptr := range s.Save {
			v, ok := lookupOne(doc, ptr)
			if !ok {
				fail("the answer lacks %s, which later steps need", ptr)
				return created, problems
			}
			vars[name] = scalar(v)
		}
	}
	return created, problems
}

// fill replaces placeholders with their variables; in JSON text the value
// is escaped as the inside of a JSON string.
func fill(s string, vars map[string]string, inJSON bool) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		v, ok := vars[m[1:len(m)-1]]
		if !ok {
			return m
		}
		if inJSON {
			q := marshal(v)
			return string(q[1 : len(q)-1])
		}
		return v
	})
}

// lookupAll resolves a JSON pointer whose * tokens stand for every item of
// an array (docwalk.Starred).
func lookupAll(doc any, ptr string) []docwalk.Match { return docwalk.Starred(doc, ptr) }

func lookupOne(doc any, ptr string) (any, bool) {
	ms := lookupAll(doc, ptr)
	if len(ms) != 1 || !ms[0].Found {
		return nil, false
	}
	return ms[0].Value, true
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}

// scalar is the string form of a JSON value: a string as it is, anything
// else as JSON.
func scalar(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return string(marshal(v))
}

func marshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
