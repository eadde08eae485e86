// Package mockserver is a stateful stand-in for DLI's classic datasource
// connection API: what you create you can list, show and delete, per
// project, in memory. Every request is validated against the embedded
// openapi/dli.yaml first; with credentials configured it authenticates
// like API Gateway (AK/SK signatures or X-Auth-Token).
//
// Use it as an http.Handler (httptest.NewServer(mockserver.New(cfg))),
// in-process through httpmock (NewMockTransport), or as a program
// (go run ./cmd/dli-mock).
package mockserver

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/validate"
)

// MaxBodyBytes is the largest request body the mock accepts.
const MaxBodyBytes = 1 << 20

// Config configures the mock. The zero value serves anonymous calls and
// makes new connections ACTIVE at once.
type Config struct {
	// AK and SK, when set, make the mock require SDK-HMAC-SHA256
	// signatures by that key pair.
	AK, SK string
	// Token, when set, makes the mock accept X-Auth-Token with this value.
	// With both set, either credential is accepted.
	Token string
	// CreateDelay is how long a new connection stays CREATING, its
	// process rising from 0 to 1, before it becomes ACTIVE.
	CreateDelay time.Duration
	// Now is the mock's clock; time.Now when nil.
	Now func() time.Time
}

// Server is the mock. It is safe for concurrent use.
type Server struct {
	cfg      Config
	doc      *validate.Document
	verifier *auth.Verifier
	store    *store
}

// New returns a mock serving cfg.
func New(cfg Config) (*Server, error) {
	if (cfg.AK == "") != (cfg.SK == "") {
		return nil, errors.New("mockserver: set both AK and SK, or neither")
	}
	if cfg.CreateDelay < 0 {
		return nil, errors.New("mockserver: CreateDelay must not be negative")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	doc, err := validate.Embedded()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, doc: doc, store: newStore()}
	if cfg.AK != "" {
		s.verifier = &auth.Verifier{
			SecretKey: func(ak string) (string, bool) { return cfg.SK, ak == cfg.AK },
			Now:       cfg.Now,
		}
	}
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rid := requestID()
	w.Header().Set("X-Request-Id", rid)

	if r.ContentLength > MaxBodyBytes {
		s.error(w, http.StatusRequestEntityTooLarge, apierror.CodeBadParameter,
			fmt.Sprintf("request body of %d bytes exceeds the limit of %d", r.ContentLength, MaxBodyBytes), "")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.error(w, http.StatusRequestEntityTooLarge, apierror.CodeBadParameter,
				fmt.Sprintf("request body exceeds the limit of %d bytes", MaxBodyBytes), "")
			return
		}
		s.error(w, http.StatusBadRequest, apierror.CodeBadParameter, "cannot read the request body: "+err.Error(), "")
		return
	}

	if msg, ok := s.authenticate(r, body); !ok {
		s.error(w, http.StatusUnauthorized, apierror.CodeGatewayAuth, "Incorrect IAM authentication information: "+msg, rid)
		return
	}

	// Validation reads the body and nothing else it could change, so a
	// shallow copy with its own body reader is enough.
	check := new(http.Request)
	*check = *r
	check.Body = io.NopCloser(bytes.NewReader(body))
	op, err := s.doc.Request(check)
	if err != nil {
		var verr *validate.Error
		if op == nil {
			s.error(w, http.StatusNotFound, apierror.CodeGatewayNoAPI, "The API does not exist or has not been published in the environment", rid)
			return
		}
		msg := err.Error()
		if errors.As(err, &verr) {
			msg = problems(verr)
		}
		s.error(w, http.StatusBadRequest, apierror.CodeBadParameter, msg, "")
		return
	}

	project := op.PathParams["project_id"]
	if scoped := r.Header.Get(auth.HeaderProjectID); scoped != "" && scoped != project {
		// X-Project-Id scopes AK/SK credentials to one project (the SDK
		// sends it with the path's project); a call for another project
		// is refused as the gateway refuses credentials.
		s.error(w, http.StatusUnauthorized, apierror.CodeGatewayAuth,
			"Incorrect IAM authentication information: X-Project-Id does not match the project in the path", rid)
		return
	}
	switch op.ID {
	case "CreateDatasourceConnection":
		s.create(w, project, body)
	case "ListDatasourceConnections":
		s.list(w, project)
	case "ShowDatasourceConnection":
		s.show(w, project, op.PathParams["connection_id"])
	case "DeleteDatasourceConnection":
		s.delete(w, project, op.PathParams["connection_id"])
	default:
		s.error(w, http.StatusNotImplemented, apierror.CodeNotSupported, "operation "+op.ID+" is not implemented by the mock", "")
	}
}

// authenticate applies the configured credentials; it returns why a
// request is refused, never echoing a credential.
func (s *Server) authenticate(r *http.Request, body []byte) (string, bool) {
	if s.verifier == nil && s.cfg.Token == "" {
		return "", true
	}
	if s.cfg.Token != "" {
		if tok := r.Header.Get(auth.HeaderAuthToken); tok != "" {
			if subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.Token)) == 1 {
				return "", true
			}
			return "the token is not valid", false
		}
	}
	if s.verifier != nil && r.Header.Get("Authorization") != "" {
		if err := s.verifier.Verify(r, body); err != nil {
			var verr *auth.VerifyError
			if errors.As(err, &verr) {
				return verr.Reason, false
			}
			return "the signature could not be verified", false
		}
		return "", true
	}
	return "no credentials (X-Auth-Token or an AK/SK signature) in the request", false
}

func (s *Server) create(w http.ResponseWriter, project string, body []byte) {
	var req dli.ConnectionCreateRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.error(w, http.StatusBadRequest, apierror.CodeBadParameter, "The format of message is error: "+err.Error(), "")
		return
	}
	id := uuid.NewString()
	s.store.mu.Lock()
	p := s.store.project(project)
	if _, taken := p.byName[req.Name]; taken {
		s.store.mu.Unlock()
		s.error(w, http.StatusBadRequest, apierror.CodeAlreadyExists, fmt.Sprintf("Connection name %s already exists", req.Name), "")
		return
	}
	p.byID[id] = &connection{id: id, req: req, created: s.cfg.Now()}
	p.byName[req.Name] = id
	s.store.mu.Unlock()
	s.json(w, http.StatusCreated, dli.ConnectionCreated{IsSuccess: ptr(true), Message: ptr(""), ConnectionID: &id})
}

func (s *Server) list(w http.ResponseWriter, project string) {
	now := s.cfg.Now()
	s.store.mu.Lock()
	conns := s.store.lookup(project).list()
	items := make([]dli.Connection, len(conns))
	for i, c := range conns {
		items[i] = s.listItem(c, now)
	}
	s.store.mu.Unlock()
	count := int32(min(len(items), math.MaxInt32))
	s.json(w, http.StatusOK, dli.ConnectionList{IsSuccess: ptr(true), Message: ptr(""), Connections: items, Count: &count})
}

func (s *Server) show(w http.ResponseWriter, project, id string) {
	now := s.cfg.Now()
	s.store.mu.Lock()
	c := s.store.lookup(project).byID[id]
	var detail dli.ConnectionDetail
	if c != nil {
		detail = s.detail(c, now)
	}
	s.store.mu.Unlock()
	if c == nil {
		s.notFound(w, id)
		return
	}
	s.json(w, http.StatusOK, detail)
}

func (s *Server) delete(w http.ResponseWriter, project, id string) {
	now := s.cfg.Now()
	s.store.mu.Lock()
	p := s.store.lookup(project)
	c := p.byID[id]
	if c == nil {
		s.store.mu.Unlock()
		s.notFound(w, id)
		return
	}
	if state, _ := c.state(now, s.cfg.CreateDelay); state == dli.StateCreating {
		s.store.mu.Unlock()
		s.error(w, http.StatusBadRequest, apierror.CodeNotSupported,
			fmt.Sprintf("The connection %s is being created and cannot be deleted", id), "")
		return
	}
	delete(p.byID, id)
	delete(p.byName, c.req.Name)
	if len(p.byID) == 0 {
		delete(s.store.projects, project)
	}
	s.store.mu.Unlock()
	s.json(w, http.StatusOK, dli.ConnectionDeleted{IsSuccess: ptr(true), Message: ptr("Deleted")})
}

func (s *Server) notFound(w http.ResponseWriter, id string) {
	s.error(w, http.StatusBadRequest, apierror.CodeNotExist, fmt.Sprintf("The connection %s does not exist", id), "")
}

func (s *Server) listItem(c *connection, now time.Time) dli.Connection {
	state, process := c.state(now, s.cfg.CreateDelay)
	created := c.created.UnixMilli()
	return dli.Connection{
		IsSuccess: ptr(true), Message: ptr(""), ConnectionID: ptr(c.id),
		Destination: ptr(c.req.URL), State: &state, Process: &process, Name: ptr(c.req.Name),
		ConnectionURL: ptr(c.req.URL), ClusterName: ptr(""), Service: ptr(c.req.Service),
		CreateTime: &created, QueueList: []string{},
	}
}

func (s *Server) detail(c *connection, now time.Time) dli.ConnectionDetail {
	state, process := c.state(now, s.cfg.CreateDelay)
	created := c.created.UnixMilli()
	return dli.ConnectionDetail{
		IsSuccess: ptr(true), Message: ptr(""), ConnectionID: ptr(c.id),
		Destination: ptr(c.req.URL), State: &state, Process: &process, Name: ptr(c.req.Name),
		ConnectionURL: ptr(c.req.URL), ClusterName: ptr(""), Service: ptr(c.req.Service),
		CreateTime: &created, AvailableQueueInfo: []dli.AvailableQueueInfo{},
	}
}

func (s *Server) json(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.error(w, http.StatusInternalServerError, apierror.CodeSystemError, "encode response: "+err.Error(), "")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// error answers in DLI's error shape; gateway errors carry request_id.
func (s *Server) error(w http.ResponseWriter, status int, code, msg, requestID string) {
	body := dli.ErrorBody{ErrorCode: code, ErrorMsg: msg}
	if requestID != "" {
		body.RequestID = &requestID
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// problems lists what validation found, one "where: rule: reason" each.
func problems(e *validate.Error) string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func ptr[T any](v T) *T { return &v }
