package client

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"

	"github.com/dli-contract/dli-go/endpoint"
	"github.com/dli-contract/dli-go/redact"
	"github.com/dli-contract/dli-go/retry"
)

// operationKey carries the operation of a typed call to the log.
type operationKey struct{}

// operation names the call in ctx for the log; it costs nothing without a
// logger.
func (c *Client) operation(ctx context.Context, op string) context.Context {
	if !c.logged {
		return ctx
	}
	return context.WithValue(ctx, operationKey{}, op)
}

// maxLoggedBody is how much of a body LogBodies shows.
const maxLoggedBody = 2 << 10

// logAttempt writes one Debug line per attempt and a Warn line when
// retries give up. It logs no header at all, so no Authorization,
// X-Security-Token or X-Auth-Token value; bodies only when asked.
func logAttempt(l *slog.Logger, bodies bool) func(retry.Attempt) {
	return func(a retry.Attempt) {
		ctx := a.Request.Context()
		attrs := []slog.Attr{
			slog.String("method", a.Request.Method),
			slog.String("path", a.Request.URL.Path),
			slog.Int("attempt", a.Number),
			slog.Duration("duration", a.Duration),
		}
		if op, ok := ctx.Value(operationKey{}).(string); ok {
			attrs = append([]slog.Attr{slog.String("operation", op)}, attrs...)
		}
		if a.Response != nil {
			attrs = append(attrs, slog.Int("status", a.Response.StatusCode))
			if id := a.Response.Header.Get("X-Request-Id"); id != "" {
				attrs = append(attrs, slog.String("request_id", id))
			}
		}
		if a.Err != nil {
			attrs = append(attrs, slog.String("error", a.Err.Error()))
		}
		decision := "done"
		if a.Retry {
			decision = "retry"
			attrs = append(attrs, slog.Duration("wait", a.Wait))
		}
		attrs = append(attrs, slog.String("decision", decision), slog.String("reason", a.Reason))
		if bodies {
			// What the document marks writeOnly (a password) is never
			// shown: by its pointers in the request, by its names in an
			// answer that should never have carried it.
			op, _ := ctx.Value(operationKey{}).(string)
			attrs = append(attrs,
				slog.String("request_body", shown(redact.At(requestBody(a), secretFields[op]))),
				slog.String("response_body", shown(redact.Named(responseBody(a), secretNames))))
		}
		l.LogAttrs(ctx, slog.LevelDebug, "dli attempt", attrs...)
		if a.GaveUp {
			l.LogAttrs(ctx, slog.LevelWarn, "dli retries given up", attrs...)
		}
	}
}

// requestBody is the whole request body, which is in memory already (the
// retrier replays it): redacted whole, then cut to what the log shows.
func requestBody(a retry.Attempt) []byte {
	if a.Request.GetBody == nil {
		return nil
	}
	body, err := a.Request.GetBody()
	if err != nil {
		return nil
	}
	defer func() { _ = body.Close() }()
	b, _ := io.ReadAll(body)
	return b
}

// shown is a redacted body as the log shows it: its head. A head cut from
// a body that could not be redacted (not JSON as a whole) and names a
// secret is not shown at all.
func shown(b []byte) string {
	if !json.Valid(b) && slices.ContainsFunc(secretNames, func(n string) bool { return bytes.Contains(b, []byte(`"`+n+`"`)) }) {
		return redact.Redacted + " (a body naming a secret that could not be read whole)"
	}
	if len(b) > maxLoggedBody {
		b = b[:maxLoggedBody]
	}
	return string(b)
}

// responseBody reads the head of the response body and puts it back in
// front of the rest, so that the caller still reads all of it.
func responseBody(a retry.Attempt) []byte {
	if a.Response == nil || a.Response.Body == nil {
		return nil
	}
	head := make([]byte, maxLoggedBody)
	n, err := io.ReadFull(a.Response.Body, head)
	head = head[:n]
	rest := a.Response.Body
	a.Response.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), readErr{err}, rest), rest}
	return head
}

// readErr hands on a read error met while logging, except the ends of a
// short body.
type readErr struct{ err error }

func (r readErr) Read([]byte) (int, error) {
	if r.err == nil || r.err == io.EOF || r.err == io.ErrUnexpectedEOF { //nolint:errorlint // io.ReadFull's sentinels
		return 0, io.EOF
	}
	return 0, r.err
}

func chainAttempts(fs ...func(retry.Attempt)) func(retry.Attempt) {
	return func(a retry.Attempt) {
		for _, f := range fs {
			if f != nil {
				f(a)
			}
		}
	}
}

// local reports whether server is loopback or a reserved test name
// (RFC 2606, RFC 6761): an endpoint that cannot be a real DLI.
func local(server string) bool {
	if endpoint.Loopback(server) {
		return true
	}
	u, err := url.Parse(server)
	if err != nil {
		return false
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	for _, tld := range []string{"localhost", "invalid", "test"} {
		if host == tld || strings.HasSuffix(host, "."+tld) {
			return true
		}
	}
	return false
}
