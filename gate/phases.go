package gate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/semantics"
)

// readOnly lists each kind and reads the first resource listed, by every
// operation that reads one, and reads one that does not exist, so that
// every read operation is judged.
func (g *gate) readOnly(ctx context.Context) {
	unknown := uuid.NewString()
	for _, res := range g.kinds() {
		if list := res.Op(semantics.List); list != nil {
			ex := g.send(ctx, true, list.Method, g.fill(list, ""), nil)
			if items := itemsOf(ex, list.Items); ex.Status == http.StatusOK && len(items) > 0 {
				if key := str(items[0][res.Key]); key != "" {
					g.readsOf(ctx, res, key)
				}
			}
		}
		g.readsOf(ctx, res, unknown)
	}
}

// readsOf sends every operation that reads a resource, for key.
func (g *gate) readsOf(ctx context.Context, res *semantics.Resource, key string) {
	for _, id := range g.sem.Order {
		if op := g.sem.Of(id); op.Resource == res.Kind && op.Method == http.MethodGet && op.Role != semantics.List && op.KeyExpr != nil {
			g.send(ctx, true, op.Method, g.fill(op, key), nil)
		}
	}
}

// kinds are the top-level resource kinds, the current ones first.
func (g *gate) kinds() []*semantics.Resource {
	var out []*semantics.Resource
	for _, k := range slices.Sorted(maps.Keys(g.sem.Resources)) {
		if res := g.sem.Resources[k]; res.Parent == "" && len(res.Operations) > 0 {
			out = append(out, res)
		}
	}
	slices.SortStableFunc(out, func(a, b *semantics.Resource) int { return cmpBool(retired(a), retired(b)) })
	return out
}

// positive sends generated valid lists of each current kind, and with
// Mutate valid creates (deleted again): each must be accepted.
func (g *gate) positive(ctx context.Context) {
	for _, res := range g.kinds() {
		list := res.Op(semantics.List)
		if list == nil || retired(res) || !g.opOn(list.ID) || len(queryParams(list)) == 0 {
			continue
		}
		for range g.cfg.MaxExamples {
			if g.stopped() {
				return
			}
			q := g.validQuery(res, list)
			ex := g.send(ctx, true, list.Method, g.fill(list, "")+"?"+q.Encode(), nil)
			what := "valid query ?" + q.Encode()
			g.judge(verdict{check: CheckPositive, op: list.ID, what: what, ex: ex, msg: accepted(ex, http.StatusOK, what)})
		}
	}
	if !g.cfg.Mutate {
		return
	}
	for _, res := range g.kinds() {
		create := res.Op(semantics.Create)
		if create == nil || retired(res) || !g.opOn(create.ID) {
			continue
		}
		for range min(g.cfg.MaxExamples, 3) {
			if g.stopped() {
				return
			}
			body, ok := g.bodyFor(res)
			if !ok {
				break
			}
			// Nothing that binds: a live DLI would peer a pool or queue.
			for _, in := range g.sem.CloudInputs {
				if in.Operation == create.ID && (in.Kind == "pool" || in.Kind == "queue") {
					top, _, _ := strings.Cut(strings.TrimPrefix(in.Pointer, "/"), "/")
					delete(body, top)
				}
			}
			raw := marshal(body)
			ex := g.send(ctx, true, create.Method, g.fill(create, ""), raw)
			what := "a valid body " + string(raw)
			g.judge(verdict{check: CheckPositive, op: create.ID, what: what, ex: ex, msg: acceptedAs(ex, create, what)})
			if key, _ := create.KeyExpr.Eval(semantics.Call{Body: raw, Status: ex.Status, AnswerBody: []byte(ex.body)}); key != "" && ex.Status < 300 {
				g.removeCreated(ctx, res.Kind, key)
			}
		}
	}
}

// bodyFor is a valid create body of a kind, named for the run: the
// registry's (the target's) or the create's richest example.
func (g *gate) bodyFor(res *semantics.Resource) (map[string]any, bool) {
	create := res.Op(semantics.Create)
	var body map[string]any
	if hooks := behaviours[create.ID].life; hooks != nil && hooks.body != nil {
		body = hooks.body(g)
	} else if b, ok := richestExample(create); ok {
		body = b
	} else {
		return nil, false
	}
	if res.Name != "" {
		body[res.Name] = g.name()
	}
	return body, true
}

// queryParams are the query parameters of op, by name.
func queryParams(op *semantics.Operation) map[string]*openapi3.Schema {
	out := map[string]*openapi3.Schema{}
	doc := op.Document()
	if doc == nil {
		return out
	}
	for _, p := range doc.Parameters {
		if p.Value != nil && p.Value.In == "query" && p.Value.Schema != nil && p.Value.Schema.Value != nil {
			out[p.Value.Name] = p.Value.Schema.Value
		}
	}
	return out
}

// validQuery draws a valid query of a list: each parameter now and then,
// a name filter with a name of the run's, a tags filter with a pair, any
// other value within its schema.
func (g *gate) validQuery(res *semantics.Resource, list *semantics.Operation) url.Values {
	q := url.Values{}
	params := queryParams(list)
	for _, name := range slices.Sorted(maps.Keys(params)) {
		s := params[name]
		f, filters := list.Filters[name]
		switch {
		case g.rng.IntN(2) == 0:
		case filters && f.Match == "tags":
			if g.rng.IntN(3) == 0 {
				q.Set(name, "contract="+g.name()[9:])
			}
		case filters && f.Field == res.Name:
			if g.rng.IntN(3) == 0 {
				q.Set(name, g.name())
			}
		case s.Type.Is("integer"):
			lo := 0
			if s.Min != nil {
				lo = int(*s.Min)
			}
			q.Set(name, strconv.Itoa(lo+g.rng.IntN(200)))
		case len(s.Enum) > 0:
			q.Set(name, fmt.Sprint(s.Enum[g.rng.IntN(len(s.Enum))]))
		case s.Pattern != "":
			if vals := samples(s.Pattern, 1, 16); len(vals) > 0 {
				q.Set(name, vals[g.rng.IntN(len(vals))])
			}
		}
	}
	return q
}

// mockMaxBody is the largest body a dli-mock reads, as its README says.
const mockMaxBody = 1 << 20

const nameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

// name generates a valid enhanced connection name, unique enough per run.
func (g *gate) name() string {
	b := []byte("contract_")
	for range 1 + g.rng.IntN(16) {
		b = append(b, nameChars[g.rng.IntN(len(nameChars))])
	}
	return string(b)
}

// snapshot is what the project holds, by resource (each kind's list, as
// a whole, less what moves on its own), to tell whether a refusal changed
// anything, with the exchange of the first list; an error when the
// project could not be read whole.
func (g *gate) snapshot(ctx context.Context) (map[string]string, *Exchange, error) {
	out := map[string]string{}
	var first *Exchange
	for _, res := range g.kinds() {
		list := res.Op(semantics.List)
		if list == nil {
			continue
		}
		ex := g.send(ctx, true, list.Method, g.listAll(list, ""), nil)
		if first == nil {
			first = ex
		}
		if ex.Error != "" || ex.Status != http.StatusOK {
			return nil, first, fmt.Errorf("%s: %s", list.ID, ex.Answer())
		}
		for _, it := range itemsOf(ex, list.Items) {
			for _, ptr := range res.Moving {
				dropAt(it, ptr)
			}
			out[res.Title+" "+str(it[res.Name])+" "+str(it[res.Key])] = string(marshal(it))
		}
	}
	return out, first, nil
}

// dropAt removes what a JSON pointer (with * for every item of an array)
// names from v.
func dropAt(v any, ptr string) {
	head, rest, more := strings.Cut(strings.TrimPrefix(ptr, "/"), "/")
	switch x := v.(type) {
	case map[string]any:
		if !more {
			delete(x, head)
			return
		}
		dropAt(x[head], "/"+rest)
	case []any:
		if head == "*" {
			for _, it := range x {
				if more {
					dropAt(it, "/"+rest)
				}
			}
		}
	}
}

// changes lists what differs between two snapshots.
func changes(before, after map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(after)) {
		switch old, ok := before[k]; {
		case !ok:
			out = append(out, "new "+k)
		case old != after[k]:
			out = append(out, "changed "+k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(before)) {
		if _, ok := after[k]; !ok {
			out = append(out, "gone "+k)
		}
	}
	return out
}

// negative sends every derived invalid request: broken bodies, path
// parameters outside their schema, queries outside their schema. Each must
// be refused with a 4xx (its body is judged like any other), and together
// they must change nothing. Invalid changes not bound to a resource by its
// path (a create) are sent only with Mutate, and anything a broken server
// creates anyway is deleted.
func (g *gate) negative(ctx context.Context) {
	before, _, beforeErr := g.snapshot(ctx)
	unknown := uuid.NewString()
	for _, o := range operationsOf(g.doc.OpenAPI()) {
		op, d := o.op, g.sem.Of(o.op.OperationID)
		if !g.opOn(op.OperationID) || d == nil {
			continue
		}
		// Bound to a resource named in the path (one that does not exist),
		// a change cannot touch anything real.
		bound := d.KeyExpr != nil && d.KeyExpr.In == "path" || d.ParentExpr != nil && d.ParentExpr.In == "path"
		safe := o.method == http.MethodGet || bound || g.cfg.Mutate
		if op.RequestBody != nil && op.RequestBody.Value != nil && (g.cfg.Mutate || bound) {
			mt := op.RequestBody.Value.Content.Get("application/json")
			seen := map[string]bool{}
			for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
				var example any
				if err := json.Unmarshal(marshal(mt.Examples[name].Value.Value), &example); err != nil {
					continue
				}
				for _, c := range contract.Derive(mt.Schema.Value, example) {
					if c.Valid || seen[c.Name] {
						continue
					}
					if g.stopped() {
						return
					}
					seen[c.Name] = true
					ex := g.send(ctx, true, o.method, g.fillAll(o.path, unknown), marshal(c.Value))
					// Whatever a broken server creates anyway, the
					// registry saw, and cleanup deletes.
					g.judge(verdict{check: CheckNegative, op: op.OperationID, what: c.Name, where: c.Field, ex: ex, msg: g.invalid(ex, c.Name)})
				}
			}
		}
		if !safe || o.method != http.MethodGet && !g.cfg.Mutate {
			continue
		}
		var body []byte
		if op.RequestBody != nil {
			body = []byte(`{}`)
		}
		// Each path parameter outside its schema: not a UUID, over its
		// maxLength (the project's too, a project that cannot exist).
		for _, p := range pathParams(o) {
			for _, bad := range outside(p.Schema.Value) {
				if g.stopped() {
					return
				}
				path := strings.Replace(strings.ReplaceAll(o.path, "{project_id}", g.cfg.ProjectID), "{"+p.Name+"}", bad.value, 1)
				path = g.fillAll(path, unknown)
				if p.Name == "project_id" {
					path = strings.Replace(g.fillAll(o.path, unknown), "/"+g.cfg.ProjectID+"/", "/"+bad.value+"/", 1)
				}
				what := fmt.Sprintf("a %s %s", p.Name, bad.what)
				ex := g.send(ctx, true, o.method, path, body)
				g.judge(verdict{check: CheckNegative, op: op.OperationID, what: what, where: p.Name, ex: ex, msg: g.invalid(ex, what)})
			}
		}
		// Each query parameter outside its schema.
		for _, name := range slices.Sorted(maps.Keys(queryParams(d))) {
			for _, bad := range outside(queryParams(d)[name]) {
				if g.stopped() {
					return
				}
				q := name + "=" + url.QueryEscape(bad.value)
				ex := g.send(ctx, true, o.method, g.fillAll(o.path, unknown)+"?"+q, nil)
				g.judge(verdict{check: CheckNegative, op: op.OperationID, what: "query " + q, where: name, ex: ex, msg: g.invalid(ex, "query "+q)})
			}
		}
		if g.cfg.Mock {
			// A dli-mock's README: a tags query not of key=value pairs is
			// refused (the document says what it is, not what DLI answers
			// when it is not).
			for param, f := range d.Filters {
				for _, q := range []string{param + "=no_pair", param + "=%3Dvalue"} {
					if f.Match != "tags" || g.stopped() {
						continue
					}
					ex := g.send(ctx, true, o.method, g.fillAll(o.path, unknown)+"?"+q, nil)
					g.judge(verdict{check: CheckNegative, op: op.OperationID, what: "query " + q, where: param, ex: ex, msg: g.invalid(ex, "query "+q)})
				}
			}
		}
	}
	// A delete of a resource that does not exist: refused as its kind
	// declares an unknown one is.
	for _, res := range g.kinds() {
		del := res.Op(semantics.Delete)
		if del == nil || res.Unknown.Status == 0 || g.stopped() || !g.opOn(del.ID) || g.cfg.SkipClassic && retired(res) {
			continue
		}
		what := "a delete of a " + res.Title + " that does not exist"
		ex := g.send(ctx, true, del.Method, g.fill(del, unknown), nil)
		g.judge(verdict{check: CheckNegative, op: del.ID, what: what, ex: ex, msg: refusedWith(ex, what, res.Unknown.Code)})
	}
	if g.cfg.Mock {
		// What a dli-mock's README says it refuses beyond the document.
		for _, id := range g.sem.Order {
			refusals := behaviours[id].mockRefusals
			if refusals == nil || !g.opOn(id) {
				continue
			}
			op := g.sem.Of(id)
			for _, r := range refusals(g, unknown) {
				if g.stopped() {
					break
				}
				ex := g.send(ctx, true, op.Method, g.fill(op, unknown), r.body)
				g.judge(verdict{check: CheckNegative, op: id, what: r.what, ex: ex, msg: refusedWith(ex, r.what, r.code)})
			}
		}
	}
	if create := g.firstCreate(); g.cfg.Mock && g.cfg.Mutate && create != nil && g.opOn(create.ID) && !g.stopped() {
		// A dli-mock's README: a body over 1 MiB is refused unread, 413;
		// one of exactly 1 MiB is read (and refused by the document).
		// Its length declared or not (chunked), it is refused alike,
		// DLI.0001.
		for _, size := range []int{mockMaxBody, mockMaxBody + 1, -(mockMaxBody + 1)} {
			n, chunked := max(size, -size), size < 0
			body := []byte(`{"name":"contract_big"` + strings.Repeat(" ", n-len(`{"name":"contract_big"}`)) + `}`)
			what := fmt.Sprintf("a body of %d bytes", n)
			var ex *Exchange
			if chunked {
				what += ", its length not declared"
				ex = g.sendChunked(ctx, create.Method, g.fill(create, ""), body)
			} else {
				ex = g.send(ctx, true, create.Method, g.fill(create, ""), body)
			}
			msg := refused(ex, what)
			too := ex.Status == http.StatusRequestEntityTooLarge
			switch {
			case msg == "" && too != (n > mockMaxBody):
				msg = fmt.Sprintf("%s was answered %d; a dli-mock refuses a body over %d bytes 413, and reads one of that size", what, ex.Status, mockMaxBody)
			case msg == "" && too && errorCodeOf(ex) != apierror.CodeBadParameter:
				msg = fmt.Sprintf("%s was refused 413 %s; a dli-mock refuses it 413 %s", what, errorCodeOf(ex), apierror.CodeBadParameter)
			}
			g.judge(verdict{check: CheckNegative, op: create.ID, what: what, ex: ex, msg: msg})
		}
	}
	after, ex, afterErr := g.snapshot(ctx)
	what := "the project's resources before and after the invalid requests"
	op := undeclaredRoute
	if ex != nil {
		op = opOfExchange(g, ex)
	}
	switch diff := changes(before, after); {
	case beforeErr != nil || afterErr != nil:
		// Not knowing what the project held is no evidence either way.
		g.notJudged(CheckUnchanged, fmt.Sprintf("the project could not be listed whole (%v)", firstErr(beforeErr, afterErr)))
	case len(diff) > 0:
		g.judge(verdict{check: CheckUnchanged, op: op, what: what, ex: ex, msg: "the resources of the project changed while the server refused (or should have refused) invalid requests: " + strings.Join(diff, "; ")})
	default:
		g.judge(verdict{check: CheckUnchanged, op: op, what: what, ex: ex})
	}
}

// firstCreate is the create of the first current top-level kind.
func (g *gate) firstCreate() *semantics.Operation {
	for _, res := range g.kinds() {
		if c := res.Op(semantics.Create); c != nil && !retired(res) {
			return c
		}
	}
	return nil
}

// opOfExchange is the operation an exchange of the gate's called.
func opOfExchange(g *gate, ex *Exchange) string {
	for _, id := range g.sem.Order {
		if op := g.sem.Of(id); op.Method == ex.Method && strings.HasSuffix(strings.SplitN(ex.URL, "?", 2)[0], g.fill(op, "")) {
			return id
		}
	}
	return undeclaredRoute
}

// badValue is a value outside a schema, and what it is.
type badValue struct{ value, what string }

// outside are values a parameter's schema refuses: below its minimum, not
// an integer, outside its enum or pattern, over its maxLength, not a UUID.
func outside(s *openapi3.Schema) []badValue {
	var out []badValue
	switch {
	case s.Type.Is("integer"):
		if s.Min != nil {
			out = append(out, badValue{strconv.Itoa(int(*s.Min) - 1), "below its minimum"})
		}
		out = append(out, badValue{"ten", "that is not an integer"})
	case s.Type.Is("string"):
		if s.Format == "uuid" {
			out = append(out, badValue{"not-a-uuid", "that is not a UUID"})
		}
		if s.Pattern != "" || len(s.Enum) > 0 {
			if re := compiled(s.Pattern); s.Pattern == "" || re != nil && !re.MatchString("RUNNING") {
				if !slices.Contains(s.Enum, any("RUNNING")) {
					out = append(out, badValue{"RUNNING", "outside its pattern"})
				}
			}
		}
		if s.MaxLength != nil {
			out = append(out, badValue{strings.Repeat("p", capped(*s.MaxLength, 1<<16)+1), "over its maxLength"})
		}
	}
	return out
}

// pathParams are the path parameters of an operation, its path's first.
func pathParams(o located) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	for _, p := range slices.Concat(o.item.Parameters, o.op.Parameters) {
		if p.Value != nil && p.Value.In == "path" && p.Value.Schema != nil && p.Value.Schema.Value != nil {
			out = append(out, p.Value)
		}
	}
	return out
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// ignoredAuth sends requests with credentials missing or wrong: each must
// get 401.
func (g *gate) ignoredAuth(ctx context.Context) {
	list := g.path("/v2.0/{project_id}/datasource/enhanced-connections", "")
	switch creds := g.cfg.Credentials.(type) {
	case nil:
		return
	case auth.AKSK:
		g.authCase(ctx, "an unsigned request", http.MethodGet, list, nil, func(*http.Request) {})
		wrong := creds
		wrong.SK = creds.SK + "-wrong"
		g.authCase(ctx, "a wrong signature", http.MethodGet, list, nil, func(r *http.Request) {
			_ = wrong.Authenticate(r, g.clock.Now())
		})
		g.authCase(ctx, "an X-Sdk-Date 20 minutes old", http.MethodGet, list, nil, func(r *http.Request) {
			_ = creds.Authenticate(r, g.clock.Now().Add(-20*time.Minute))
		})
		bind := g.path("/v2.0/{project_id}/datasource/enhanced-connections/{connection_id}/associate-queue", uuid.NewString())
		g.authCase(ctx, "a body changed after signing", http.MethodPost, bind, []byte(`{"queues":["signed"]}`), func(r *http.Request) {
			_ = creds.Authenticate(r, g.clock.Now())
			changed := []byte(`{"queues":["forged"]}`) // the same length, so only the bytes differ
			r.Body = io.NopCloser(bytes.NewReader(changed))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(changed)), nil }
		})
		// The payload hash header: a verifier that takes it on trust lets
		// a signature over one body through with any other.
		signedBody, forged := []byte(`{"queues":["signed"]}`), []byte(`{"queues":["forged"]}`)
		sum := sha256.Sum256(signedBody)
		g.authCase(ctx, "an X-Sdk-Content-Sha256 sent but not signed, over another body", http.MethodPost, bind, signedBody, func(r *http.Request) {
			_ = creds.Authenticate(r, g.clock.Now())
			r.Header.Set(auth.HeaderContentSHA256, hex.EncodeToString(sum[:]))
			swapBody(r, forged)
		})
		g.authCase(ctx, "a body that does not match its signed X-Sdk-Content-Sha256", http.MethodPost, bind, signedBody, func(r *http.Request) {
			r.Header.Set(auth.HeaderContentSHA256, hex.EncodeToString(sum[:]))
			_ = creds.Authenticate(r, g.clock.Now())
			swapBody(r, forged)
		})
		if g.cfg.Mock {
			// A dli-mock's README: the header counts only when signed,
			// even when it is the body's own hash.
			g.authCase(ctx, "an X-Sdk-Content-Sha256 sent but not signed", http.MethodPost, bind, signedBody, func(r *http.Request) {
				_ = creds.Authenticate(r, g.clock.Now())
				r.Header.Set(auth.HeaderContentSHA256, hex.EncodeToString(sum[:]))
			})
		}
	default:
		if creds == auth.Anonymous {
			return
		}
		g.authCase(ctx, "a request without credentials", http.MethodGet, list, nil, func(*http.Request) {})
		g.authCase(ctx, "a wrong token", http.MethodGet, list, nil, func(r *http.Request) {
			r.Header.Set(auth.HeaderAuthToken, "not-the-token")
		})
		g.authCase(ctx, "an AK/SK signature of keys that do not exist", http.MethodGet, list, nil, func(r *http.Request) {
			_ = auth.AKSK{AK: "CONTRACTNOSUCHKEY000", SK: "not-a-secret"}.Authenticate(r, g.clock.Now())
		})
	}
	g.refusedCreatesChangeNothing(ctx)
	if g.cfg.Mock {
		// A dli-mock's README: credentials scoped (X-Project-Id) to
		// another project than the path's are refused.
		other := strings.Repeat("f", 32)
		g.authCase(ctx, "credentials scoped to another project", http.MethodGet, list, nil, func(r *http.Request) {
			if aksk, ok := g.cfg.Credentials.(auth.AKSK); ok {
				aksk.ProjectID = other // signed, as a client scoped to it would
				_ = aksk.Authenticate(r, g.clock.Now())
				return
			}
			_ = g.cfg.Credentials.Authenticate(r, g.clock.Now())
			r.Header.Set(auth.HeaderProjectID, other)
		})
	}
}

// swapBody replaces a signed request's body after signing.
func swapBody(r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	r.ContentLength = int64(len(body))
}

func (g *gate) authCase(ctx context.Context, what, method, path string, body []byte, prepare func(*http.Request)) {
	if g.stopped() {
		return
	}
	ctx, ex := track(ctx)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(g.cfg.Endpoint, "/")+path, rd)
	if err != nil {
		g.judge(verdict{check: CheckIgnoredAuth, op: method + " " + path, what: what, msg: err.Error()})
		return
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	prepare(req)
	op := method + " " + path
	if found, ferr := g.doc.Find(req); ferr == nil {
		op = found.ID
	}
	resp, err := g.raw.Do(req)
	var answer []byte
	if resp != nil {
		answer, _ = io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
	}
	msg := ""
	switch {
	case err != nil:
		msg = fmt.Sprintf("%s: the request got no answer: %v", what, err)
	case resp.StatusCode != http.StatusUnauthorized:
		msg = fmt.Sprintf("%s was answered %d, want 401", what, resp.StatusCode)
	case g.cfg.Mock:
		msg = mockGatewayError(resp.Header.Get("X-Request-Id"), answer, apierror.CodeGatewayAuth, what)
	}
	g.judge(verdict{check: CheckIgnoredAuth, op: op, what: what, ex: ex, msg: msg})
}

// mockGatewayError says what is wrong with a gateway's refusal from a
// dli-mock, "" when nothing: its README says such an answer is one JSON
// object in DLI's error shape with the gateway's code and a request_id,
// and every answer carries X-Request-Id.
func mockGatewayError(requestIDHeader string, body []byte, code, what string) string {
	var answer struct {
		Code      string `json:"error_code"`
		RequestID string `json:"request_id"`
	}
	switch {
	case json.Unmarshal(body, &answer) != nil:
		return fmt.Sprintf("%s: the answer is not one JSON object: %s", what, apierror.Snippet(body))
	case answer.Code != code:
		return fmt.Sprintf("%s was refused with %q, want %s (a dli-mock answers as the gateway does)", what, answer.Code, code)
	case answer.RequestID == "":
		return fmt.Sprintf("%s: the gateway's refusal has no request_id", what)
	case requestIDHeader == "":
		return fmt.Sprintf("%s: the answer has no X-Request-Id", what)
	}
	return ""
}

// refusedCreatesChangeNothing sends, against a dli-mock with -mutate, a
// valid create of the first current kind with a wrong signature, and one
// with credentials scoped to another project: each must be refused 401
// and create nothing, which the project's lists before and after show.
// (Against another server a create a broken gateway let through would be
// real, and found by no cleanup: the reads above judge it instead.)
func (g *gate) refusedCreatesChangeNothing(ctx context.Context) {
	creds, ok := g.cfg.Credentials.(auth.AKSK)
	create := g.firstCreate()
	if !ok || !g.cfg.Mock || !g.cfg.Mutate || create == nil || g.stopped() {
		return
	}
	body, ok := g.bodyFor(g.sem.Resources[create.Resource])
	if !ok {
		return
	}
	before, _, err := g.snapshot(ctx)
	if err != nil {
		return
	}
	raw := marshal(body)
	wrong := creds
	wrong.SK += "-wrong"
	g.authCase(ctx, "a create with a wrong signature", create.Method, g.fill(create, ""), raw, func(r *http.Request) {
		_ = wrong.Authenticate(r, g.clock.Now())
	})
	other := creds
	other.ProjectID = strings.Repeat("f", 32)
	g.authCase(ctx, "a create with credentials scoped to another project", create.Method, g.fill(create, ""), raw, func(r *http.Request) {
		_ = other.Authenticate(r, g.clock.Now())
	})
	after, ex, err := g.snapshot(ctx)
	if err != nil {
		return
	}
	msg := ""
	if diff := changes(before, after); len(diff) > 0 {
		msg = "creates refused for their credentials changed the project: " + strings.Join(diff, "; ")
	}
	g.judge(verdict{check: CheckIgnoredAuth, op: create.ID, what: "refused creates change nothing", ex: ex, msg: msg})
}
