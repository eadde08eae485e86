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
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/contract"
	"github.com/dli-contract/dli-go/gen/dli"
)

// readOnly lists and shows, so that every read operation is judged.
func (g *gate) readOnly(ctx context.Context) {
	if list, err := g.c.ListEnhancedConnectionsWithResponse(ctx, g.cfg.ProjectID, nil); err == nil && list.JSON200 != nil {
		for _, conn := range list.JSON200.Connections {
			if conn.ID != nil {
				_, _ = g.c.ShowEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, *conn.ID)
				_, _ = g.c.ShowEnhancedConnectionPrivilegeWithResponse(ctx, g.cfg.ProjectID, *conn.ID)
				break
			}
		}
	}
	if list, err := g.c.ListDatasourceConnectionsWithResponse(ctx, g.cfg.ProjectID, nil); err == nil && list.JSON200 != nil {
		for _, conn := range list.JSON200.Connections {
			if conn.ConnectionID != nil {
				_, _ = g.c.ShowDatasourceConnectionWithResponse(ctx, g.cfg.ProjectID, *conn.ConnectionID)
				break
			}
		}
	}
	unknown := uuid.NewString()
	_, _ = g.c.ShowEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, unknown)
	_, _ = g.c.ShowDatasourceConnectionWithResponse(ctx, g.cfg.ProjectID, unknown)
	_, _ = g.c.ShowEnhancedConnectionPrivilegeWithResponse(ctx, g.cfg.ProjectID, unknown)
}

// positive sends generated valid lists, and with Mutate generated valid
// creates (deleted again): each must be accepted.
func (g *gate) positive(ctx context.Context) {
	for range g.cfg.MaxExamples {
		if g.stopped() {
			return
		}
		p := g.listParams()
		cctx, ex := track(ctx)
		_, _ = g.c.ListEnhancedConnectionsWithResponse(cctx, g.cfg.ProjectID, &p)
		what := "valid query " + describeParams(p)
		g.verdictCase(CheckPositive, "ListEnhancedConnections", what, "", ex, accepted(ex, http.StatusOK, what))
	}
	if !g.cfg.Mutate || !g.opOn("CreateEnhancedConnection") {
		return
	}
	for range min(g.cfg.MaxExamples, 3) {
		if g.stopped() {
			return
		}
		body := g.enhancedBody()
		cctx, ex := track(ctx)
		resp, err := g.c.CreateEnhancedConnectionWithResponse(cctx, g.cfg.ProjectID, body)
		what := "a valid body " + string(marshal(body))
		g.verdictCase(CheckPositive, "CreateEnhancedConnection", what, "", ex, accepted(ex, http.StatusCreated, what))
		if id := createdID(err, resp); id != "" {
			g.removeCreated(ctx, "enhanced_connection", id)
		}
	}
}

// listParams generates a valid query of ListEnhancedConnections.
func (g *gate) listParams() dli.ListEnhancedConnectionsParams {
	var p dli.ListEnhancedConnectionsParams
	if g.rng.IntN(2) == 0 {
		p.Limit = ptr(g.rng.Int32N(201))
	}
	if g.rng.IntN(2) == 0 {
		p.Offset = ptr(g.rng.Int32N(50))
	}
	if g.rng.IntN(2) == 0 {
		status := []string{"ACTIVE", "DELETED", "active", "Deleted"}[g.rng.IntN(4)]
		p.Status = &status
	}
	if g.rng.IntN(3) == 0 {
		p.Name = ptr(g.name())
	}
	return p
}

func describeParams(p dli.ListEnhancedConnectionsParams) string {
	var parts []string
	if p.Limit != nil {
		parts = append(parts, fmt.Sprintf("limit=%d", *p.Limit))
	}
	if p.Offset != nil {
		parts = append(parts, fmt.Sprintf("offset=%d", *p.Offset))
	}
	if p.Status != nil {
		parts = append(parts, "status="+*p.Status)
	}
	if p.Name != nil {
		parts = append(parts, "name="+*p.Name)
	}
	return "?" + strings.Join(parts, "&")
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

// enhancedBody generates a valid create body on the target's VPC and
// subnet, without bindings (a real DLI would try to peer them).
func (g *gate) enhancedBody() dli.EnhancedConnectionCreateRequest {
	base := g.cfg.Enhanced
	if base.DestVpcID == "" {
		base = mockEnhanced
	}
	body := dli.EnhancedConnectionCreateRequest{Name: g.name(), DestVpcID: base.DestVpcID, DestNetworkID: base.DestNetworkID}
	for i := range g.rng.IntN(4) {
		body.Hosts = append(body.Hosts, dli.Host{
			Name: ptr(fmt.Sprintf("h%d-%s", i, strings.ToLower(g.name()[9:]))),
			IP:   ptr(fmt.Sprintf("10.%d.%d.%d", g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))),
		})
	}
	for i := range g.rng.IntN(3) {
		body.Tags = append(body.Tags, dli.Tag{Key: fmt.Sprintf("k%d", i), Value: g.name()[9:]})
	}
	return body
}

// snapshot is what the project holds, by connection, to tell whether a
// refusal changed anything, with the exchange of the list; an error when
// the project could not be read whole.
func (g *gate) snapshot(ctx context.Context) (map[string]string, *Exchange, error) {
	out := map[string]string{}
	all := int32(0)
	cctx, ex := track(ctx)
	list, err := g.c.ListEnhancedConnectionsWithResponse(cctx, g.cfg.ProjectID, &dli.ListEnhancedConnectionsParams{Limit: &all})
	if err := apierror.Check(list, err); err != nil {
		return nil, ex, err
	}
	for _, c := range list.JSON200.Connections {
		// Bindings move on their own (CREATING to ACTIVE); what a
		// request could change is which there are.
		var bound []string
		for _, bd := range slices.Concat(c.AvailableQueueInfo, c.ElasticResourcePools) {
			bound = append(bound, value(bd.Name))
		}
		out["enhanced "+value(c.Name)+" "+value(c.ID)] = string(marshal([]any{c.Status, c.Hosts, c.Routes, bound}))
	}
	classic, err := g.c.ListDatasourceConnectionsWithResponse(ctx, g.cfg.ProjectID, nil)
	if err := apierror.Check(classic, err); err != nil {
		return nil, ex, err
	}
	for _, c := range classic.JSON200.Connections {
		// A classic connection's progress moves on its own.
		c.Process, c.State = nil, nil
		out["classic "+value(c.Name)+" "+value(c.ConnectionID)] = string(marshal(c))
	}
	return out, ex, nil
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

// negative sends every derived invalid request: broken bodies, a path
// parameter that is not a UUID, queries outside their schema. Each must be
// refused with a 4xx (its body is judged like any other), and together
// they must change nothing. Invalid creates (and other changes not bound
// to a connection id) are sent only with Mutate, and anything a broken
// server creates anyway is deleted.
func (g *gate) negative(ctx context.Context) {
	before, _, beforeErr := g.snapshot(ctx)
	unknown := uuid.NewString()
	for _, o := range operationsOf(g.doc.OpenAPI()) {
		op := o.op
		if !g.opOn(op.OperationID) {
			continue
		}
		creates := o.method != http.MethodGet && !strings.Contains(o.path, "{connection_id}")
		if op.RequestBody != nil && op.RequestBody.Value != nil && (g.cfg.Mutate || !creates) {
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
					ex := g.send(ctx, true, o.method, g.path(o.path, unknown), marshal(c.Value))
					// Whatever a broken server creates anyway, the
					// registry saw, and cleanup deletes.
					g.verdictCase(CheckNegative, op.OperationID, c.Name, c.Field, ex, g.invalid(ex, c.Name))
				}
			}
		}
		if strings.Contains(o.path, "{connection_id}") && (g.cfg.Mutate || o.method == http.MethodGet) {
			if g.stopped() {
				return
			}
			var body []byte
			if op.RequestBody != nil {
				body = []byte(`{}`)
			}
			ex := g.send(ctx, true, o.method, g.path(o.path, "not-a-uuid"), body)
			what := "connection_id that is not a UUID"
			g.verdictCase(CheckNegative, op.OperationID, what, "connection_id", ex, g.invalid(ex, what))
		}
	}
	// A project id longer than the document allows, in the path of every
	// operation (to a project that cannot exist), and a route name too.
	long := strings.Repeat("p", 65)
	for _, o := range operationsOf(g.doc.OpenAPI()) {
		creates := o.method != http.MethodGet && !strings.Contains(o.path, "{connection_id}")
		if !g.opOn(o.op.OperationID) || creates && !g.cfg.Mutate || !creates && o.method != http.MethodGet && !g.cfg.Mutate {
			continue
		}
		if g.stopped() {
			return
		}
		var body []byte
		if o.op.RequestBody != nil {
			body = []byte(`{}`)
		}
		path := strings.ReplaceAll(g.path(o.path, unknown), "/"+g.cfg.ProjectID+"/", "/"+long+"/")
		ex := g.send(ctx, true, o.method, path, body)
		g.verdictCase(CheckNegative, o.op.OperationID, "a project_id over its maxLength", "project_id", ex, g.invalid(ex, "a project_id of 65 characters"))
		if strings.HasSuffix(o.path, "/{name}") {
			ex := g.send(ctx, true, o.method, strings.TrimSuffix(g.path(o.path, unknown), "contract_route")+strings.Repeat("r", 65), body)
			g.verdictCase(CheckNegative, o.op.OperationID, "a route name over its maxLength", "name", ex, g.invalid(ex, "a route name of 65 characters"))
		}
	}
	if g.opOn("ListEnhancedConnections") {
		for _, q := range []string{"limit=-1", "offset=-5", "status=RUNNING", "limit=ten", "offset=ten", "name=" + strings.Repeat("n", 65)} {
			if g.stopped() {
				return
			}
			ex := g.send(ctx, true, http.MethodGet, g.path("/v2.0/{project_id}/datasource/enhanced-connections", "")+"?"+q, nil)
			g.verdictCase(CheckNegative, "ListEnhancedConnections", "query "+q, strings.Split(q, "=")[0], ex, g.invalid(ex, "query "+q))
		}
	}
	if g.cfg.Mock {
		// A dli-mock's README: a tags query not of key=value pairs is
		// refused (the document says what it is, not what DLI answers
		// when it is not).
		for _, l := range []struct{ op, path string }{
			{"ListEnhancedConnections", "/v2.0/{project_id}/datasource/enhanced-connections"},
			{"ListDatasourceConnections", "/v2.0/{project_id}/datasource-connection"},
		} {
			for _, q := range []string{"tags=no_pair", "tags=%3Dvalue"} {
				if g.stopped() || !g.opOn(l.op) {
					continue
				}
				ex := g.send(ctx, true, http.MethodGet, g.path(l.path, "")+"?"+q, nil)
				g.verdictCase(CheckNegative, l.op, "query "+q, "tags", ex, g.invalid(ex, "query "+q))
			}
		}
	}
	if g.cfg.Mock && !g.stopped() {
		// A dli-mock's README: a method the document does not declare on
		// a path it does is answered as the gateway answers an API it
		// does not serve.
		what := "PUT on the enhanced connections, which the document does not declare"
		ex := g.send(ctx, true, http.MethodPut, g.path("/v2.0/{project_id}/datasource/enhanced-connections", ""), []byte(`{}`))
		msg := ""
		switch {
		case ex.Error != "":
			msg = what + ": the request got no answer: " + ex.Error
		case ex.Status != http.StatusNotFound:
			msg = fmt.Sprintf("%s was answered %d, want 404", what, ex.Status)
		default:
			msg = mockGatewayError(ex.ResponseHeader["X-Request-Id"], []byte(ex.body), apierror.CodeGatewayNoAPI, what)
		}
		g.verdictCase(CheckStatus, "PUT /v2.0/{project_id}/datasource/enhanced-connections", what, "", ex, msg)
	}
	// Deletes of a connection that does not exist: refused with the code
	// the document names.
	for _, d := range []struct{ op, path, code string }{
		{"DeleteEnhancedConnection", "/v2.0/{project_id}/datasource/enhanced-connections/{connection_id}", apierror.CodeBadParameter},
		{"DeleteDatasourceConnection", "/v2.0/{project_id}/datasource-connection/{connection_id}", apierror.CodeNotExist},
	} {
		if g.stopped() || !g.opOn(d.op) {
			continue
		}
		what := "a delete of a connection that does not exist"
		ex := g.send(ctx, true, http.MethodDelete, g.path(d.path, unknown), nil)
		g.verdictCase(CheckNegative, d.op, what, "", ex, refusedWith(ex, what, d.code))
	}
	if g.cfg.Mock && g.opOn("RunAuthorizationAction") {
		// A dli-mock's README: it models the privileges of enhanced
		// connections only, and refuses a grant on one that does not
		// exist.
		for _, a := range []struct{ object, code, what string }{
			{"databases.db_contract", apierror.CodeNotSupported, "a grant on an object other than a connection"},
			{"edsconnections." + unknown, apierror.CodeBadParameter, "a grant on a connection that does not exist"},
		} {
			if g.stopped() {
				break
			}
			body := marshal(map[string]any{"projectId": mockGrantee, "action": "grant",
				"privileges": []any{map[string]any{"object": a.object, "privileges": []any{"BIND_QUEUE"}}}})
			ex := g.send(ctx, true, http.MethodPut, g.path("/v1.0/{project_id}/authorization", ""), body)
			g.verdictCase(CheckNegative, "RunAuthorizationAction", a.what, "", ex, refusedWith(ex, a.what, a.code))
		}
	}
	if g.cfg.Mock && g.cfg.Mutate && g.opOn("CreateEnhancedConnection") && !g.stopped() {
		// A dli-mock's README: a body over 1 MiB is refused unread, 413;
		// one of exactly 1 MiB is read (and refused by the document).
		for _, size := range []int{mockMaxBody, mockMaxBody + 1} {
			body := []byte(`{"name":"contract_big"` + strings.Repeat(" ", size-len(`{"name":"contract_big"}`)) + `}`)
			ex := g.send(ctx, true, http.MethodPost, g.path("/v2.0/{project_id}/datasource/enhanced-connections", ""), body)
			what := fmt.Sprintf("a body of %d bytes", size)
			msg := refused(ex, what)
			if too := ex.Status == http.StatusRequestEntityTooLarge; msg == "" && too != (size > mockMaxBody) {
				msg = fmt.Sprintf("%s was answered %d; a dli-mock refuses a body over %d bytes 413, and reads one of that size", what, ex.Status, mockMaxBody)
			}
			g.verdictCase(CheckNegative, "CreateEnhancedConnection", what, "", ex, msg)
		}
	}
	after, ex, afterErr := g.snapshot(ctx)
	what := "the project's connections before and after the invalid requests"
	switch diff := changes(before, after); {
	case beforeErr != nil || afterErr != nil:
		// Not knowing what the project held is no evidence either way.
		g.mu.Lock()
		t := g.tally[CheckUnchanged]
		t.NotRun++
		g.tally[CheckUnchanged] = t
		g.mu.Unlock()
		g.logf("SKIP %s: the project could not be listed whole (%v)", CheckUnchanged, firstErr(beforeErr, afterErr))
	case len(diff) > 0:
		g.verdictCase(CheckUnchanged, "ListEnhancedConnections", what, "", ex,
			"the connections of the project changed while the server refused (or should have refused) invalid requests: "+strings.Join(diff, "; "))
	default:
		g.verdictCase(CheckUnchanged, "ListEnhancedConnections", what, "", ex, "")
	}
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
	}
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
		g.verdictCase(CheckIgnoredAuth, method+" "+path, what, "", nil, err.Error())
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
	g.verdictCase(CheckIgnoredAuth, op, what, "", ex, msg)
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
