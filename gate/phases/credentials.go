package phases

// The credentials phase: requests with credentials missing, wrong or
// forged, each refused 401.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
)

// ignoredAuth sends requests with credentials missing or wrong: each must
// get 401.
func (g *phase) ignoredAuth(ctx context.Context) {
	if why := g.UnjudgedWhy(check.IgnoredAuth); why != "" {
		g.Logf("SKIP %s: %s", check.IgnoredAuth, why)
		return
	}
	// A list to read, and a change with a body on a resource that does not
	// exist (the document's first of each, of the current kinds): what
	// they would do is no matter, as each must be refused before it runs.
	var listOp, changeOp *semantics.Operation
	for _, res := range g.Kinds() {
		for _, id := range g.Sem.Order {
			op := g.Sem.Of(id)
			switch {
			case op.Resource != res.Kind || env.Retired(res):
			case listOp == nil && op.Role == semantics.List:
				listOp = op
			case changeOp == nil && op.Method == http.MethodPost && op.KeyExpr != nil && op.KeyExpr.In == "path" && op.Document().RequestBody != nil:
				changeOp = op
			}
		}
	}
	if listOp == nil || changeOp == nil {
		return
	}
	list := g.Fill(listOp, "")
	switch creds := g.Cfg.Credentials.(type) {
	case nil:
		return
	case auth.AKSK:
		g.authCase(ctx, "an unsigned request", http.MethodGet, list, nil, func(*http.Request) {})
		wrong := creds
		wrong.SK = creds.SK + "-wrong"
		g.authCase(ctx, "a wrong signature", http.MethodGet, list, nil, func(r *http.Request) {
			_ = wrong.Authenticate(r, g.Clock.Now())
		})
		g.authCase(ctx, "an X-Sdk-Date 20 minutes old", http.MethodGet, list, nil, func(r *http.Request) {
			_ = creds.Authenticate(r, g.Clock.Now().Add(-20*time.Minute))
		})
		bind := g.Fill(changeOp, uuid.NewString())
		g.authCase(ctx, "a body changed after signing", http.MethodPost, bind, []byte(`{"queues":["signed"]}`), func(r *http.Request) {
			_ = creds.Authenticate(r, g.Clock.Now())
			changed := []byte(`{"queues":["forged"]}`) // the same length, so only the bytes differ
			r.Body = io.NopCloser(bytes.NewReader(changed))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(changed)), nil }
		})
		// The payload hash header: a verifier that takes it on trust lets
		// a signature over one body through with any other.
		signedBody, forged := []byte(`{"queues":["signed"]}`), []byte(`{"queues":["forged"]}`)
		sum := sha256.Sum256(signedBody)
		g.authCase(ctx, "an X-Sdk-Content-Sha256 sent but not signed, over another body", http.MethodPost, bind, signedBody, func(r *http.Request) {
			_ = creds.Authenticate(r, g.Clock.Now())
			r.Header.Set(auth.HeaderContentSHA256, hex.EncodeToString(sum[:]))
			swapBody(r, forged)
		})
		g.authCase(ctx, "a body that does not match its signed X-Sdk-Content-Sha256", http.MethodPost, bind, signedBody, func(r *http.Request) {
			r.Header.Set(auth.HeaderContentSHA256, hex.EncodeToString(sum[:]))
			_ = creds.Authenticate(r, g.Clock.Now())
			swapBody(r, forged)
		})
		if g.Cfg.Mock {
			// docs/mock.md: the header counts only when signed,
			// even when it is the body's own hash.
			g.authCase(ctx, "an X-Sdk-Content-Sha256 sent but not signed", http.MethodPost, bind, signedBody, func(r *http.Request) {
				_ = creds.Authenticate(r, g.Clock.Now())
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
			_ = auth.AKSK{AK: "CONTRACTNOSUCHKEY000", SK: "not-a-secret"}.Authenticate(r, g.Clock.Now())
		})
	}
	g.refusedCreatesChangeNothing(ctx)
	if g.Cfg.Mock {
		// docs/mock.md: credentials scoped (X-Project-Id) to
		// another project than the path's are refused.
		other := strings.Repeat("f", 32)
		g.authCase(ctx, "credentials scoped to another project", http.MethodGet, list, nil, func(r *http.Request) {
			if aksk, ok := g.Cfg.Credentials.(auth.AKSK); ok {
				aksk.ProjectID = other // signed, as a client scoped to it would
				_ = aksk.Authenticate(r, g.Clock.Now())
				return
			}
			_ = g.Cfg.Credentials.Authenticate(r, g.Clock.Now())
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

func (g *phase) authCase(ctx context.Context, what, method, path string, body []byte, prepare func(*http.Request)) {
	if g.Stopped() {
		return
	}
	var op string
	ex, err := g.Exchange(ctx, false, method, path, body, func(r *http.Request) {
		prepare(r)
		op = method + " " + path
		if found, ferr := g.Doc.Find(r); ferr == nil {
			op = found.ID
		}
	})
	if op == "" { // the request could not be built
		g.Judge(wire.Verdict{Check: check.IgnoredAuth, Op: method + " " + path, What: what, Msg: err.Error()})
		return
	}
	msg := ""
	switch {
	case err != nil:
		msg = fmt.Sprintf("%s: the request got no answer: %v", what, err)
	case ex.Status != http.StatusUnauthorized:
		msg = fmt.Sprintf("%s was answered %d, want 401", what, ex.Status)
	case g.Cfg.Mock:
		msg = mockGatewayError(ex.ResponseHeader["X-Request-Id"], []byte(ex.RawAnswer()), apierror.CodeGatewayAuth, what)
	}
	g.Judge(wire.Verdict{Check: check.IgnoredAuth, Op: op, What: what, Ex: ex, Msg: msg})
}

// mockGatewayError says what is wrong with a gateway's refusal from a
// dli-mock, "" when nothing: docs/mock.md says such an answer is one JSON
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
func (g *phase) refusedCreatesChangeNothing(ctx context.Context) {
	creds, ok := g.Cfg.Credentials.(auth.AKSK)
	create := g.firstCreate()
	if !ok || !g.Cfg.Mock || !g.Cfg.Mutate || create == nil || g.Stopped() {
		return
	}
	body, ok := g.bodyFor(g.Sem.Resources[create.Resource])
	if !ok {
		return
	}
	before, _, err := g.snapshot(ctx)
	if err != nil {
		return
	}
	raw := env.Marshal(body)
	wrong := creds
	wrong.SK += "-wrong"
	g.authCase(ctx, "a create with a wrong signature", create.Method, g.Fill(create, ""), raw, func(r *http.Request) {
		_ = wrong.Authenticate(r, g.Clock.Now())
	})
	other := creds
	other.ProjectID = strings.Repeat("f", 32)
	g.authCase(ctx, "a create with credentials scoped to another project", create.Method, g.Fill(create, ""), raw, func(r *http.Request) {
		_ = other.Authenticate(r, g.Clock.Now())
	})
	after, ex, err := g.snapshot(ctx)
	if err != nil {
		return
	}
	msg := ""
	if diff := changes(before, after); len(diff) > 0 {
		msg = "creates refused for their credentials changed the project: " + strings.Join(diff, "; ")
	}
	g.Judge(wire.Verdict{Check: check.IgnoredAuth, Op: create.ID, What: "refused creates change nothing", Ex: ex, Msg: msg})
}
