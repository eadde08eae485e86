package gate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/contract"

	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/validate"
)

// Config is what Gate checks and how.
type Config struct {
	// Target says which server, which project, and what a mutating run
	// creates. Its Transport is not used: the gate signs with Credentials
	// over Network itself, so that it can also send requests signed
	// wrongly on purpose.
	// Its Credentials sign every request; nil sends anonymous ones (a mock
	// without credentials). With credentials, ignored_auth runs.
	Target
	// Network reaches the server; http.DefaultTransport when nil.
	Network http.RoundTripper
	// Seed makes the generated valid requests reproducible; 0 picks one,
	// which the report gives so that a run can be repeated.
	Seed uint64
	// MaxExamples bounds the generated valid requests per operation; 10
	// when 0.
	MaxExamples int
	// RequestTimeout bounds each request; 30 seconds when 0.
	RequestTimeout time.Duration
	// Log, when set, gets one line per check as it runs.
	Log io.Writer
}

// CheckTally counts how often a check held and failed.
type CheckTally struct {
	Passed int `json:"passed"`
	Failed int `json:"failed"`
}

// Report is the outcome of Gate.
type Report struct {
	Endpoint   string                `json:"endpoint"`
	Seed       uint64                `json:"seed"`
	Requests   int                   `json:"requests"`
	Duration   time.Duration         `json:"duration_ns"`
	Checks     map[string]CheckTally `json:"checks"`
	Violations []Violation           `json:"violations"`
	Summary    contract.Summary      `json:"-"`
	// Problem is set when the run could not be carried out at all (the
	// document does not load, the endpoint is not a URL).
	Problem string `json:"problem,omitempty"`
}

// Failed reports whether the server or document broke the contract.
func (r Report) Failed() bool { return len(r.Violations) > 0 || r.Problem != "" }

// Run holds a server to the document, the way Schemathesis would but
// signing DLI's requests and following its life cycles: every response
// must be declared, of the declared content type and schema, and never a
// 5xx; derived invalid requests must be refused with a 4xx and change
// nothing; generated valid requests must be accepted; requests with bad
// credentials must get 401; and with Mutate, created connections must be
// available, deleted ones gone or DELETED and unchangeable, and states may
// only move as the document says. Read-only unless cfg.Mutate.
func Run(ctx context.Context, cfg Config) Report {
	start := time.Now()
	g := newGate(cfg)
	rep := Report{Endpoint: cfg.Endpoint, Seed: g.seed}
	if err := g.setup(); err != nil {
		rep.Problem = err.Error()
		return rep
	}
	if g.cfg.RequestTimeout == 0 {
		g.cfg.RequestTimeout = 30 * time.Second
	}
	g.readOnly(ctx)
	g.positive(ctx)
	g.negative(ctx)
	g.ignoredAuth(ctx)
	if cfg.Mutate {
		g.lifeCycleEnhanced(ctx)
		if !cfg.SkipClassic {
			g.lifeCycleClassic(ctx)
		}
		g.fieldCases(ctx)
	}
	g.obs.mu.Lock()
	defer g.obs.mu.Unlock()
	rep.Requests = g.obs.requests
	rep.Violations = slices.Clone(g.obs.violations)
	rep.Checks = map[string]CheckTally{}
	for _, name := range AllChecks {
		rep.Checks[name] = CheckTally{Passed: g.obs.passed[name]}
	}
	for _, v := range rep.Violations {
		t := rep.Checks[v.Check]
		t.Failed++
		rep.Checks[v.Check] = t
	}
	rep.Summary = contract.Summary{Declared: contract.Declared(g.doc.OpenAPI()), Hits: g.cov.Hits(), Mode: "pairs the server answered", Observed: true}
	rep.Duration = time.Since(start)
	return rep
}

type gate struct {
	cfg  Config
	seed uint64
	rng  *rand.Rand
	doc  *validate.Document
	cov  *contract.Coverage
	obs  *observer
	hc   *http.Client // signs
	raw  *http.Client // does not sign
	c    *dli.ClientWithResponses
}

func newGate(cfg Config) *gate {
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64() //nolint:gosec // a seed for test data, printed to reproduce
	}
	return &gate{cfg: cfg, seed: seed, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} //nolint:gosec // test data
}

func (g *gate) setup() error {
	g.doc = g.cfg.Doc
	if g.doc == nil {
		var err error
		if g.doc, err = validate.Embedded(); err != nil {
			return err
		}
	}
	g.cov = g.cfg.Coverage
	if g.cov == nil {
		g.cov = contract.NewCoverage(g.doc.OpenAPI())
	}
	if g.cfg.Settle == 0 {
		g.cfg.Settle = 2 * time.Minute
	}
	if g.cfg.Poll == 0 {
		g.cfg.Poll = 2 * time.Second
	}
	if g.cfg.MaxExamples <= 0 {
		g.cfg.MaxExamples = 10
	}
	network := g.cfg.Network
	if network == nil {
		network = http.DefaultTransport
	}
	g.obs = newObserver(g.doc, network, g.cov)
	timeout := g.cfg.RequestTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	var signing http.RoundTripper = g.obs
	if g.cfg.Credentials != nil {
		signing = auth.NewTransport(g.cfg.Credentials, g.obs)
	}
	g.hc = &http.Client{Transport: signing, Timeout: timeout}
	g.raw = &http.Client{Transport: g.obs, Timeout: timeout}
	c, err := dli.NewClientWithResponses(g.cfg.Endpoint, dli.WithHTTPClient(g.hc))
	if err != nil {
		return fmt.Errorf("endpoint %q: %w", g.cfg.Endpoint, err)
	}
	g.c = c
	return nil
}

func (g *gate) logf(format string, args ...any) {
	if g.cfg.Log != nil {
		fmt.Fprintf(g.cfg.Log, format+"\n", args...)
	}
}

// verdict records a check's outcome for op: a violation when msg is not
// "", naming the last exchange, else a pass; and logs one line.
func (g *gate) verdict(check, op, pointer, msg string) {
	if msg == "" {
		g.obs.pass(check)
		g.logf("PASS %-30s %s", check, op)
		return
	}
	last := g.obs.lastExchange()
	g.obs.fail(Violation{Operation: op, Status: last.status, Curl: last.curl}, check, pointer, msg)
	g.logf("FAIL %-30s %s: %s", check, op, msg)
}

// send sends a request the gate builds itself, signed unless raw.
func (g *gate) send(ctx context.Context, signed bool, method, path string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(g.cfg.Endpoint, "/")+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := g.raw
	if signed {
		hc = g.hc
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func (g *gate) path(template string, id string) string {
	p := strings.ReplaceAll(template, "{project_id}", g.cfg.ProjectID)
	p = strings.ReplaceAll(p, "{connection_id}", id)
	return strings.ReplaceAll(p, "{name}", "contract_route")
}

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
		p := g.listParams()
		resp, err := g.c.ListEnhancedConnectionsWithResponse(ctx, g.cfg.ProjectID, &p)
		g.verdict(CheckPositive, "ListEnhancedConnections", "", accepted(err, resp, http.StatusOK,
			fmt.Sprintf("valid query %s", describeParams(p))))
	}
	if !g.cfg.Mutate {
		return
	}
	for range min(g.cfg.MaxExamples, 3) {
		body := g.enhancedBody()
		resp, err := g.c.CreateEnhancedConnectionWithResponse(ctx, g.cfg.ProjectID, body)
		g.verdict(CheckPositive, "CreateEnhancedConnection", "", accepted(err, resp, http.StatusCreated,
			"a valid body "+string(marshal(body))))
		if id := createdID(err, resp); id != "" {
			g.deleteEnhanced(ctx, id)
		}
	}
}

func accepted(err error, resp interface{ StatusCode() int }, want int, what string) string {
	switch {
	case err != nil:
		return fmt.Sprintf("%s: the request failed: %v", what, err)
	case resp.StatusCode() != want:
		return fmt.Sprintf("%s was answered %d, want %d", what, resp.StatusCode(), want)
	}
	return ""
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

// deleteEnhanced deletes a connection the run created and confirms it is
// gone (DELETED, or unknown). A refusal is final: only a throttled answer,
// a 5xx or a transport error is tried again, a few times within a bound of
// its own, so that cleanup ends even when the run's context has.
func (g *gate) deleteEnhanced(ctx context.Context, id string) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupBound)
	defer cancel()
	last := ""
	for attempt := 1; attempt <= 3; attempt++ {
		resp, err := g.c.DeleteEnhancedConnectionWithResponse(cctx, g.cfg.ProjectID, id)
		if err == nil && resp.StatusCode() == http.StatusOK {
			return
		}
		if err != nil {
			last = err.Error()
		} else {
			last = fmt.Sprintf("%d %s", resp.StatusCode(), apierror.Snippet(resp.Body))
			if resp.StatusCode() != http.StatusTooManyRequests && resp.StatusCode() < 500 {
				break
			}
		}
		select {
		case <-cctx.Done():
			attempt = 3
		case <-time.After(g.cfg.Poll):
		}
	}
	// A refused delete of a connection that is already DELETED, or that
	// never existed, leaves nothing behind.
	shown, err := g.c.ShowEnhancedConnectionWithResponse(cctx, g.cfg.ProjectID, id)
	if err := apierror.Check(shown, err); apierror.IsNotFound(err) ||
		err == nil && shown.JSON200 != nil && value(shown.JSON200.Status) == dli.EnhancedDeleted {
		return
	}
	g.logf("WARN could not delete enhanced connection %s in project %s (last answer: %s); delete it by hand", id, g.cfg.ProjectID, last)
}

// cleanupBound bounds the deletion of one connection, retries included.
const cleanupBound = 30 * time.Second

// snapshot is what the project holds, to tell whether a refusal changed
// anything.
func (g *gate) snapshot(ctx context.Context) string {
	var b strings.Builder
	all := int32(0)
	if list, err := g.c.ListEnhancedConnectionsWithResponse(ctx, g.cfg.ProjectID, &dli.ListEnhancedConnectionsParams{Limit: &all}); err == nil && list.JSON200 != nil {
		for _, c := range list.JSON200.Connections {
			// Bindings move on their own (CREATING to ACTIVE); what a
			// request could change is which there are.
			var bound []string
			for _, bd := range slices.Concat(c.AvailableQueueInfo, c.ElasticResourcePools) {
				bound = append(bound, value(bd.Name))
			}
			b.Write(marshal([]any{c.ID, c.Name, c.Status, c.Hosts, c.Routes, bound}))
		}
	}
	if list, err := g.c.ListDatasourceConnectionsWithResponse(ctx, g.cfg.ProjectID, nil); err == nil && list.JSON200 != nil {
		for _, c := range list.JSON200.Connections {
			// A classic connection's progress moves on its own.
			c.Process, c.State = nil, nil
			b.Write(marshal(c))
		}
	}
	return b.String()
}

// negative sends every derived invalid request: broken bodies, a path
// parameter that is not a UUID, queries outside their schema. Each must be
// refused with a 4xx (its body is judged like any other), and together
// they must change nothing. Invalid creates are sent only with Mutate, and
// anything a broken server creates anyway is deleted.
func (g *gate) negative(ctx context.Context) {
	before := g.snapshot(ctx)
	unknown := uuid.NewString()
	for _, o := range operationsOf(g.doc.OpenAPI()) {
		op := o.op
		// A create, or a change not bound to a connection id (granting
		// privileges), could make something real if a broken server took
		// it: such invalid requests go out only with Mutate.
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
					seen[c.Name] = true
					status, body, err := g.send(ctx, true, o.method, g.path(o.path, unknown), marshal(c.Value))
					g.verdict(CheckNegative, op.OperationID, c.Field, refused(err, status, c.Name))
					if creates && status/100 == 2 {
						var created struct {
							ID string `json:"connection_id"`
						}
						if json.Unmarshal(body, &created) == nil && created.ID != "" {
							g.cleanupAny(ctx, op.OperationID, created.ID)
						}
					}
				}
			}
		}
		if strings.Contains(o.path, "{connection_id}") && (g.cfg.Mutate || o.method == http.MethodGet) {
			var body []byte
			if op.RequestBody != nil {
				body = []byte(`{}`)
			}
			status, _, err := g.send(ctx, true, o.method, g.path(o.path, "not-a-uuid"), body)
			g.verdict(CheckNegative, op.OperationID, "connection_id", refused(err, status, "connection_id that is not a UUID"))
		}
	}
	for _, q := range []string{"limit=-1", "offset=-5", "status=RUNNING", "limit=ten"} {
		status, _, err := g.send(ctx, true, http.MethodGet, g.path("/v2.0/{project_id}/datasource/enhanced-connections", "")+"?"+q, nil)
		g.verdict(CheckNegative, "ListEnhancedConnections", strings.Split(q, "=")[0], refused(err, status, "query "+q))
	}
	after := g.snapshot(ctx)
	msg := ""
	if before != after {
		msg = "the connections of the project changed while the server refused (or should have refused) invalid requests"
	}
	g.verdict(CheckUnchanged, "all", "", msg)
}

func refused(err error, status int, what string) string {
	switch {
	case err != nil:
		return fmt.Sprintf("%s: the request failed: %v", what, err)
	case status < 400 || status >= 500:
		return fmt.Sprintf("%s was answered %d, want a 4xx refusal", what, status)
	}
	return ""
}

func (g *gate) cleanupAny(ctx context.Context, op, id string) {
	if strings.Contains(op, "Enhanced") {
		g.deleteEnhanced(ctx, id)
		return
	}
	_, _ = g.c.DeleteDatasourceConnectionWithResponse(context.WithoutCancel(ctx), g.cfg.ProjectID, id)
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
			_ = wrong.Authenticate(r, time.Now())
		})
		g.authCase(ctx, "an X-Sdk-Date 20 minutes old", http.MethodGet, list, nil, func(r *http.Request) {
			_ = creds.Authenticate(r, time.Now().Add(-20*time.Minute))
		})
		bind := g.path("/v2.0/{project_id}/datasource/enhanced-connections/{connection_id}/associate-queue", uuid.NewString())
		g.authCase(ctx, "a body changed after signing", http.MethodPost, bind, []byte(`{"queues":["signed"]}`), func(r *http.Request) {
			_ = creds.Authenticate(r, time.Now())
			changed := []byte(`{"queues":["forged"]}`) // the same length, so only the bytes differ
			r.Body = io.NopCloser(bytes.NewReader(changed))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(changed)), nil }
		})
	default:
		g.authCase(ctx, "a request without credentials", http.MethodGet, list, nil, func(*http.Request) {})
		g.authCase(ctx, "a wrong token", http.MethodGet, list, nil, func(r *http.Request) {
			r.Header.Set(auth.HeaderAuthToken, "not-the-token")
		})
	}
}

func (g *gate) authCase(ctx context.Context, what, method, path string, body []byte, prepare func(*http.Request)) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(g.cfg.Endpoint, "/")+path, rd)
	if err != nil {
		g.verdict(CheckIgnoredAuth, method+" "+path, "", err.Error())
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
	msg := ""
	switch {
	case err != nil:
		msg = fmt.Sprintf("%s: the request failed: %v", what, err)
	case resp.StatusCode != http.StatusUnauthorized:
		msg = fmt.Sprintf("%s was answered %d, want 401", what, resp.StatusCode)
	}
	if resp != nil {
		_ = resp.Body.Close()
	}
	g.verdict(CheckIgnoredAuth, op, "", msg)
}
