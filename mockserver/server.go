// Package mockserver is a stateful stand-in for DLI's datasource connection
// API, classic and enhanced: what you create you can list, show, change and
// delete, per project, in memory. Every request is validated against the
// embedded openapi/dli.yaml first; with credentials configured it
// authenticates like API Gateway (AK/SK signatures or X-Auth-Token).
//
// The operations are served through the server interface generated from
// the same document (gen/server, strict-server): an operation added to the
// document does not compile until the mock implements it.
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
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gen/server"
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
	// Clock is the mock's clock: the time it stamps, checks signatures
	// against and counts CreateDelay by, and what a latency fault waits
	// on. The system clock when nil; a test's clock.Fake shared with the
	// gate makes create delays cost no real time.
	Clock clock.Clock
	// Faults are armed from the start (see Fault); AddFault arms more.
	Faults []Fault
	// Fixtures are loaded at the start (see Fixtures); New fails, naming
	// the entry and the field, when one is not valid, and loads nothing.
	Fixtures *Fixtures
}

// Server is the mock. It is safe for concurrent use.
type Server struct {
	cfg        Config
	doc        *validate.Document
	verifier   *auth.Verifier
	store      *store
	api        http.Handler
	faults     faults
	recent     recent   // the last requests, for the page
	operations []string // the document's operationIds
}

// New returns a mock serving cfg.
func New(cfg Config) (*Server, error) {
	if (cfg.AK == "") != (cfg.SK == "") {
		return nil, errors.New("mockserver: set both AK and SK, or neither")
	}
	if cfg.CreateDelay < 0 {
		return nil, errors.New("mockserver: CreateDelay must not be negative")
	}
	cfg.Clock = clock.Or(cfg.Clock)
	doc, err := validate.Embedded()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, doc: doc, store: newStore()}
	for _, item := range doc.OpenAPI().Paths.Map() {
		for _, op := range item.Operations() {
			s.operations = append(s.operations, op.OperationID)
		}
	}
	slices.Sort(s.operations)
	for i, f := range cfg.Faults {
		if _, err := s.AddFault(f); err != nil {
			return nil, fmt.Errorf("%w (Config.Faults[%d])", err, i)
		}
	}
	if cfg.Fixtures != nil {
		if err := s.Load(*cfg.Fixtures); err != nil {
			return nil, err
		}
	}
	if cfg.AK != "" {
		s.verifier = &auth.Verifier{
			SecretKey: func(ak string) (string, bool) { return cfg.SK, ak == cfg.AK },
			Now:       cfg.Clock.Now,
		}
	}
	// Validation runs before the generated handler, so its own decoding
	// errors are rare (a body that validates but does not fit the Go
	// type); they get the same answer.
	badRequest := func(w http.ResponseWriter, _ *http.Request, err error) {
		writeError(w, http.StatusBadRequest, apierror.CodeBadParameter, "invalid request: "+err.Error(), "")
	}
	strict := server.NewStrictHandlerWithOptions(&handlers{s}, nil, server.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: badRequest,
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeError(w, http.StatusInternalServerError, apierror.CodeSystemError, "mock: "+err.Error(), "")
		},
	})
	s.api = server.HandlerWithOptions(strict, server.StdHTTPServerOptions{ErrorHandlerFunc: badRequest})
	return s, nil
}

// handlers implements the generated server interface: one method per
// operation of the document, typed requests and responses.
type handlers struct{ s *Server }

var _ server.StrictServerInterface = (*handlers)(nil)

// ServeHTTP implements http.Handler: it checks what API Gateway and DLI
// check before any operation runs (size, credentials, route and request
// against the document, project), then hands the request to the
// generated handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rid := requestID()
	w.Header().Set("X-Request-Id", rid)

	if r.ContentLength > MaxBodyBytes {
		writeError(w, http.StatusRequestEntityTooLarge, apierror.CodeBadParameter,
			fmt.Sprintf("request body of %d bytes exceeds the limit of %d", r.ContentLength, MaxBodyBytes), "")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, apierror.CodeBadParameter,
				fmt.Sprintf("request body exceeds the limit of %d bytes", MaxBodyBytes), "")
			return
		}
		writeError(w, http.StatusBadRequest, apierror.CodeBadParameter, "cannot read the request body: "+err.Error(), "")
		return
	}

	if strings.HasPrefix(r.URL.Path, ControlPrefix) {
		s.control(w, r, body)
		return
	}

	opID := ""
	if op, err := s.doc.Find(r); err == nil {
		opID = op.ID
	}
	sw := &statusWriter{ResponseWriter: w}
	w = sw
	defer func() {
		s.recent.add(RecentRequest{At: s.cfg.Clock.Now(), Method: r.Method, Path: r.URL.Path, Status: sw.status, Operation: opID, RequestID: rid})
	}()
	if s.inject(w, r, opID) {
		return
	}

	if msg, ok := s.authenticate(r, body); !ok {
		writeError(w, http.StatusUnauthorized, apierror.CodeGatewayAuth, "Incorrect IAM authentication information: "+msg, rid)
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
			writeError(w, http.StatusNotFound, apierror.CodeGatewayNoAPI, "The API does not exist or has not been published in the environment", rid)
			return
		}
		msg := err.Error()
		if errors.As(err, &verr) {
			msg = problems(verr)
		}
		writeError(w, http.StatusBadRequest, apierror.CodeBadParameter, msg, "")
		return
	}

	if scoped := r.Header.Get(auth.HeaderProjectID); scoped != "" && scoped != op.PathParams["project_id"] {
		// X-Project-Id scopes AK/SK credentials to one project (the SDK
		// sends it with the path's project); a call for another project
		// is refused as the gateway refuses credentials.
		writeError(w, http.StatusUnauthorized, apierror.CodeGatewayAuth,
			"Incorrect IAM authentication information: X-Project-Id does not match the project in the path", rid)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.api.ServeHTTP(w, r)
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

// writeError answers in DLI's error shape; gateway errors carry
// request_id.
func writeError(w http.ResponseWriter, status int, code, msg, requestID string) {
	body := server.ErrorBody{ErrorCode: code, ErrorMsg: msg}
	if requestID != "" {
		body.RequestID = &requestID
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func errorBody(code, msg string) server.ErrorBody {
	return server.ErrorBody{ErrorCode: code, ErrorMsg: msg}
}

// problems lists what validation found, one "where: rule: reason" each.
func problems(e *validate.Error) string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

// answerID is the request id this answer already carries in X-Request-Id,
// so that a gateway error's body names the same one: a person matching a
// log line to an answer must not find two.
func answerID(w http.ResponseWriter) string { return w.Header().Get("X-Request-Id") }

func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func ptr[T any](v T) *T { return &v }
