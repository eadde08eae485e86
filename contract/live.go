package contract

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/validate"
)

// Target is a server to hold to the contract: a live DLI endpoint, a local
// mock, or the mock in-process.
type Target struct {
	Endpoint  string
	ProjectID string
	// Transport reaches the server and authenticates (for example
	// auth.NewTransport(creds, nil)); the scenario puts a Recorder in
	// front of it.
	Transport http.RoundTripper
	// Credentials are what Transport signs with, for checks that send
	// requests with credentials missing or wrong on purpose.
	Credentials auth.Credentials
	// Mutate allows creating and deleting a connection. Whatever the
	// scenario creates, it deletes, even when a check fails.
	Mutate bool
	// Create is the classic connection a mutating run creates (its name is
	// made unique per run). A real DLI needs a real security group, subnet
	// and service address; the zero value suits a mock.
	Create dli.ConnectionCreateRequest
	// SkipClassic leaves out the classic life cycle of a mutating run: the
	// classic API is past its end of life, and a live DLI may refuse it.
	SkipClassic bool
	// Enhanced is the enhanced connection a mutating run creates (its name
	// is made unique per run): a real VPC, subnet and elastic resource
	// pool for a real DLI; the zero value suits a mock.
	Enhanced dli.EnhancedConnectionCreateRequest
	// Doc is the document to hold the server to; the embedded one when nil.
	Doc *validate.Document
	// Coverage counts the pairs exercised; a private record when nil.
	Coverage *Coverage
	// Settle is how long to wait for a new connection to leave CREATING
	// (default 2 minutes), polling every Poll (default 2 seconds).
	Settle, Poll time.Duration
}

// mockConnection is what a run creates when Target.Create is not set.
var mockConnection = dli.ConnectionCreateRequest{
	Service: "RDS", URL: "192.168.0.10:3306",
	SecurityGroupID: "a07ab107-a4ad-4835-ad09-08a2f2efccdb", NetworkID: "e83ba67d-e812-42d3-908d-6ea0b2cc5ecb",
}

// Scenario is the outcome of Run.
type Scenario struct {
	Steps    []string  // what was checked, in order
	Findings []Finding // every mismatch, with operation, status and place
}

// Run drives the generated client against the target through a Recorder
// that validates every request and response against the document, and
// checks the behaviour the document describes: list and show answer 200,
// an unknown id answers a declared error, for classic and enhanced
// connections. With Mutate, a classic connection is created (201), shown,
// listed and deleted, and an invalid create is refused with 400; and an
// enhanced connection runs its life cycle (create, show until its bindings
// are ACTIVE, replace hosts, add and delete a route, unbind, delete, show
// DELETED).
func Run(ctx context.Context, t Target) Scenario {
	s := &scenario{t: t}
	s.run(ctx)
	return s.out
}

type scenario struct {
	t   Target
	c   *dli.ClientWithResponses
	rec *Recorder
	out Scenario
}

func (s *scenario) step(name string) { s.out.Steps = append(s.out.Steps, name) }
func (s *scenario) fail(where, format string, args ...any) {
	s.out.Findings = append(s.out.Findings, Finding{Where: where, What: fmt.Sprintf(format, args...)})
}

func (s *scenario) run(ctx context.Context) {
	doc := s.t.Doc
	if doc == nil {
		var err error
		if doc, err = validate.Embedded(); err != nil {
			s.fail("document", "%v", err)
			return
		}
	}
	cov := s.t.Coverage
	if cov == nil {
		cov = NewCoverage(doc.OpenAPI())
	}
	if s.t.Settle == 0 {
		s.t.Settle = 2 * time.Minute
	}
	if s.t.Poll == 0 {
		s.t.Poll = 2 * time.Second
	}
	next := s.t.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	s.rec = NewRecorder(doc, next, cov)
	c, err := dli.NewClientWithResponses(s.t.Endpoint, dli.WithHTTPClient(&http.Client{Transport: s.rec, Timeout: time.Minute}))
	if err != nil {
		s.fail("target", "endpoint %q: %v", s.t.Endpoint, err)
		return
	}
	s.c = c
	defer func() { s.out.Findings = append(s.out.Findings, s.rec.Findings()...) }()

	s.readOnly(ctx)
	s.readOnlyEnhanced(ctx)
	if s.t.Mutate {
		if !s.t.SkipClassic {
			s.mutating(ctx)
		}
		s.mutatingEnhanced(ctx)
	}
}

func (s *scenario) readOnly(ctx context.Context) {
	s.step("list connections")
	list, err := s.c.ListDatasourceConnectionsWithResponse(ctx, s.t.ProjectID, nil)
	if s.expect("ListDatasourceConnections", err, list, http.StatusOK) && list.JSON200 != nil {
		for _, conn := range list.JSON200.Connections {
			if conn.ConnectionID != nil {
				s.step("show a listed connection")
				shown, err := s.c.ShowDatasourceConnectionWithResponse(ctx, s.t.ProjectID, *conn.ConnectionID)
				s.expect("ShowDatasourceConnection", err, shown, http.StatusOK)
				break
			}
		}
	}
	s.step("show an unknown connection")
	shown, err := s.c.ShowDatasourceConnectionWithResponse(ctx, s.t.ProjectID, uuid.NewString())
	s.expectError("ShowDatasourceConnection", err, shown)
}

func (s *scenario) mutating(ctx context.Context) {
	name := "contract_" + randomHex(4)
	s.step("create connection " + name)
	body := s.t.Create
	if body.Service == "" {
		body = mockConnection
	}
	body.Name = name
	created, err := s.c.CreateDatasourceConnectionWithResponse(ctx, s.t.ProjectID, body)
	if !s.expect("CreateDatasourceConnection", err, created, http.StatusCreated) {
		if id := createdID(err, created); id != "" {
			s.cleanup(ctx, id)
		}
		return
	}
	if created.JSON201 == nil || created.JSON201.ConnectionID == nil || *created.JSON201.ConnectionID == "" {
		s.fail("CreateDatasourceConnection 201", "no connection_id in %s", apierror.Snippet(created.Body))
		return
	}
	id := *created.JSON201.ConnectionID
	deleted := false
	defer func() {
		if !deleted {
			s.cleanup(ctx, id)
		}
	}()

	s.step("show the created connection")
	shown, err := s.c.ShowDatasourceConnectionWithResponse(ctx, s.t.ProjectID, id)
	if s.expect("ShowDatasourceConnection", err, shown, http.StatusOK) && shown.JSON200 != nil {
		if shown.JSON200.Name == nil || *shown.JSON200.Name != name {
			s.fail("ShowDatasourceConnection 200", "/name is %v, want %q as created", deref(shown.JSON200.Name), name)
		}
	}
	s.step("list contains the created connection")
	list, err := s.c.ListDatasourceConnectionsWithResponse(ctx, s.t.ProjectID, nil)
	if s.expect("ListDatasourceConnections", err, list, http.StatusOK) && list.JSON200 != nil {
		found := false
		for _, conn := range list.JSON200.Connections {
			found = found || (conn.ConnectionID != nil && *conn.ConnectionID == id)
		}
		if !found {
			s.fail("ListDatasourceConnections 200", "/connections lacks the connection %s just created", id)
		}
	}

	s.step("an invalid create is refused")
	bad := fmt.Sprintf(`{"name":"%s_bad","service":"RDS","security_group_id":"s","network_id":"n","url":"%s"}`, name, strings.Repeat("u", 513))
	refused, err := s.c.CreateDatasourceConnectionWithBodyWithResponse(Deliberate(ctx), s.t.ProjectID, "application/json", bytes.NewReader([]byte(bad)))
	if err == nil && refused.StatusCode() == http.StatusCreated {
		s.fail("CreateDatasourceConnection 201", "a url of 513 characters was accepted; the document allows at most 512")
		if refused.JSON201 != nil && refused.JSON201.ConnectionID != nil {
			s.cleanup(ctx, *refused.JSON201.ConnectionID)
		}
	} else {
		s.expect("CreateDatasourceConnection", err, refused, http.StatusBadRequest)
	}

	s.step("delete the created connection")
	if s.deleteWhenSettled(ctx, id) {
		deleted = true
		s.step("the deleted connection is gone")
		gone, err := s.c.ShowDatasourceConnectionWithResponse(ctx, s.t.ProjectID, id)
		if err == nil && gone.StatusCode() == http.StatusOK && gone.JSON200 != nil &&
			(gone.JSON200.State == nil || *gone.JSON200.State != dli.StateDeleted) {
			s.fail("ShowDatasourceConnection 200", "connection %s is still there after delete (state %v)", id, deref(gone.JSON200.State))
		}
	}
}

// deleteWhenSettled deletes id, waiting while the server refuses because
// the connection is still being created. It reports whether it deleted.
func (s *scenario) deleteWhenSettled(ctx context.Context, id string) bool {
	deadline := time.Now().Add(s.t.Settle)
	for {
		resp, err := s.c.DeleteDatasourceConnectionWithResponse(ctx, s.t.ProjectID, id)
		if err == nil && resp.StatusCode() == http.StatusOK {
			if resp.JSON200 == nil || resp.JSON200.IsSuccess == nil || !*resp.JSON200.IsSuccess {
				s.fail("DeleteDatasourceConnection 200", "is_success is not true: %s", apierror.Snippet(resp.Body))
			}
			return true
		}
		if err != nil || resp.StatusCode() != http.StatusBadRequest || time.Now().After(deadline) {
			s.expect("DeleteDatasourceConnection", err, resp, http.StatusOK)
			return false
		}
		select {
		case <-ctx.Done():
			s.fail("DeleteDatasourceConnection", "gave up waiting for %s to leave CREATING: %v", id, ctx.Err())
			return false
		case <-time.After(s.t.Poll):
		}
	}
}

// cleanup deletes what the scenario created after a failed check, on a
// context of its own so a cancelled run still cleans up.
func (s *scenario) cleanup(ctx context.Context, id string) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.t.Settle+time.Minute)
	defer cancel()
	if !s.deleteWhenSettled(cctx, id) {
		s.fail("cleanup", "could not delete connection %s in project %s; delete it by hand", id, s.t.ProjectID)
	}
}

// expect wants the call to succeed with status; it records a finding and
// returns false otherwise.
func (s *scenario) expect(op string, err error, r apierror.Response, status int) bool {
	if err != nil {
		s.fail(op, "request failed: %v", err)
		return false
	}
	if r.StatusCode() != status {
		s.fail(fmt.Sprintf("%s %d", op, r.StatusCode()), "want status %d, got %d: %s", status, r.StatusCode(), apierror.Snippet(r.GetBody()))
		return false
	}
	return true
}

// expectError wants a declared error status (4xx) with an error body.
func (s *scenario) expectError(op string, err error, r apierror.Response) {
	if err != nil {
		s.fail(op, "request failed: %v", err)
		return
	}
	if code := r.StatusCode(); code < 400 || code >= 500 {
		s.fail(fmt.Sprintf("%s %d", op, code), "want an error status (400 or 404) for an unknown id, got %d: %s", code, apierror.Snippet(r.GetBody()))
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
