// Package apierror turns any response of the generated client that is not
// a success into one typed error, *Error, that keeps the status, DLI's or
// API Gateway's error code and message, the request id and the raw body;
// it also covers undeclared statuses, non-JSON bodies and bodies the
// client could not decode.
package apierror

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"
)

// DLI error codes (DLI API reference, "错误码").
const (
	CodeBadParameter        = "DLI.0001" // parameter validation error
	CodeNotExist            = "DLI.0002" // object does not exist
	CodeSQLPermission       = "DLI.0003"
	CodeSQLSyntax           = "DLI.0004"
	CodeSQLSemantic         = "DLI.0005"
	CodeAlreadyExists       = "DLI.0006" // object already exists
	CodeNotSupported        = "DLI.0007"
	CodeMetadata            = "DLI.0008"
	CodeSystemLimit         = "DLI.0009"
	CodeFilePermission      = "DLI.0011"
	CodeResourceUnavailable = "DLI.0012"
	CodeUserAuth            = "DLI.0013" // user authentication error (401)
	CodeServiceAuth         = "DLI.0014" // service authentication error (401)
	CodeTokenParse          = "DLI.0015"
	CodeIdentity            = "DLI.0016"
	CodeDataConversion      = "DLI.0018"
	CodeTaskTimeout         = "DLI.0019"
	CodeResourceNotFound    = "DLI.0023" // resource not found (404)
	CodeResultExpired       = "DLI.0100"
	CodeSystemError         = "DLI.0999" // server-side error, answered with 400
	CodeQuota               = "DLI.1028" // insufficient quota
	// CodeThrottled is API Gateway's throttling code (HTTP 429).
	CodeThrottled = "APIGW.0308"
)

// snippetLen is how much of a body an error message quotes.
const snippetLen = 256

// Error is a DLI call that did not succeed.
type Error struct {
	StatusCode int
	Code       string // error_code, e.g. DLI.0002 or APIGW.0308; "" when the body has none
	Message    string // error_msg
	RequestID  string // X-Request-Id header, else request_id of the body
	Body       []byte // the raw body, whatever it was
	// Decode is the error of decoding a body the document says is JSON;
	// nil when decoding was not the problem.
	Decode error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "dli: HTTP %d", e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	switch {
	case e.Decode != nil:
		fmt.Fprintf(&b, ": undecodable body (%v): %s", e.Decode, snippet(e.Body))
	case e.Code != "":
		fmt.Fprintf(&b, ": %s: %s", e.Code, e.Message)
	case len(e.Body) > 0:
		fmt.Fprintf(&b, ": %s", snippet(e.Body))
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

// Unwrap returns the decoding error, if any.
func (e *Error) Unwrap() error { return e.Decode }

// Response is what every generated response type offers.
type Response interface {
	StatusCode() int
	GetBody() []byte
}

// Check returns nil when resp is a 2xx answer the client decoded, and an
// *Error otherwise. It reads the request id from the HTTPResponse field of
// the generated type.
func Check(resp Response) error {
	if resp == nil || reflect.ValueOf(resp).IsNil() {
		return errors.New("dli: no response")
	}
	status := resp.StatusCode()
	if status >= 200 && status < 300 {
		return nil
	}
	return newError(status, headerOf(resp), resp.GetBody(), nil)
}

// Do wraps a generated Parse function so that a body it cannot decode
// becomes an *Error with status and body instead of a bare JSON error, and
// a response that is not a success becomes an *Error next to the decoded
// response. Use it with the generated Client's methods:
//
//	resp, err := apierror.Do(dli.ParseShowDatasourceConnectionResponse)(
//		c.ShowDatasourceConnection(ctx, projectID, id))
func Do[R Response](parse func(*http.Response) (R, error)) func(*http.Response, error) (R, error) {
	return func(hr *http.Response, err error) (R, error) {
		var zero R
		if err != nil {
			return zero, err
		}
		body, err := io.ReadAll(hr.Body)
		_ = hr.Body.Close()
		if err != nil {
			return zero, &Error{StatusCode: hr.StatusCode, RequestID: hr.Header.Get("X-Request-Id"), Decode: fmt.Errorf("read body: %w", err)}
		}
		hr.Body = io.NopCloser(bytes.NewReader(body))
		r, err := parse(hr)
		if err != nil {
			return zero, newError(hr.StatusCode, hr.Header, body, err)
		}
		return r, Check(r)
	}
}

func newError(status int, h http.Header, body []byte, decodeErr error) *Error {
	e := &Error{StatusCode: status, Body: body, Decode: decodeErr}
	if h != nil {
		e.RequestID = h.Get("X-Request-Id")
	}
	var eb struct {
		Code      string `json:"error_code"`
		Msg       string `json:"error_msg"`
		RequestID string `json:"request_id"`
		// Some gateways answer {"code": ..., "message": ...}.
		AltCode string `json:"code"`
		AltMsg  string `json:"message"`
	}
	if json.Unmarshal(body, &eb) == nil {
		e.Code, e.Message = eb.Code, eb.Msg
		if e.Code == "" {
			e.Code, e.Message = eb.AltCode, eb.AltMsg
		}
		if e.RequestID == "" {
			e.RequestID = eb.RequestID
		}
	}
	return e
}

// headerOf reads the HTTPResponse field every generated response has.
func headerOf(resp Response) http.Header {
	v := reflect.ValueOf(resp)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	f := v.FieldByName("HTTPResponse")
	if !f.IsValid() || f.IsNil() {
		return nil
	}
	if hr, ok := f.Interface().(*http.Response); ok {
		return hr.Header
	}
	return nil
}

func snippet(b []byte) string {
	if len(b) == 0 {
		return "(empty body)"
	}
	s := b
	if len(s) > snippetLen {
		s = s[:snippetLen]
		for len(s) > 0 && !utf8.Valid(s) {
			s = s[:len(s)-1]
		}
		return fmt.Sprintf("%q… (%d bytes)", s, len(b))
	}
	return fmt.Sprintf("%q", s)
}

// IsNotFound reports whether err says the connection (or other object)
// does not exist: DLI.0002, DLI.0023 or HTTP 404.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Code == CodeNotExist || e.Code == CodeResourceNotFound || e.StatusCode == http.StatusNotFound)
}

// IsThrottled reports whether err is API Gateway throttling: HTTP 429 or
// APIGW.0308.
func IsThrottled(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.StatusCode == http.StatusTooManyRequests || e.Code == CodeThrottled)
}

// IsAuth reports whether err is an authentication or permission failure:
// HTTP 401 or 403, or DLI.0013 / DLI.0014.
func IsAuth(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden ||
		e.Code == CodeUserAuth || e.Code == CodeServiceAuth)
}
