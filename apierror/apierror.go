// Package apierror turns any response of the generated client that is not
// a success into one typed error, *Error, that keeps the status, DLI's or
// API Gateway's error code and message, the request id and the raw body;
// it also covers undeclared statuses, non-JSON bodies and bodies the
// client could not decode.
package apierror

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
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
	// API Gateway's codes: credentials it refuses (HTTP 401), a path or
	// method it does not serve (HTTP 404), throttling (HTTP 429).
	CodeGatewayAuth  = "APIGW.0301"
	CodeGatewayNoAPI = "APIGW.0101"
	CodeThrottled    = "APIGW.0308"
)

// snippetLen is how much of a body an error message quotes.
const snippetLen = 256

// Error is a DLI call that did not succeed.
type Error struct {
	// Operation is the operationId of the call, when the typed client
	// made it ("ShowEnhancedConnection"); "" otherwise.
	Operation  string
	StatusCode int
	Code       string // error_code, e.g. DLI.0002 or APIGW.0308; "" when the body has none
	Message    string // error_msg; for a 2xx with is_success false, the body's message
	RequestID  string // X-Request-Id header, else request_id of the body
	Body       []byte // the raw body, whatever it was
	// Decode is the error of reading or decoding a body the document says
	// is JSON; nil when decoding was not the problem.
	Decode error
	// Reason says why a 2xx answer is a failure: is_success false, or no
	// body of the type the document declares for that status; "" for an
	// error status.
	Reason string
}

// Error reads "<operation>: <status> <code>: <message> (request id <id>)",
// with "dli" for an operation not known.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Operation != "" {
		b.WriteString(e.Operation)
	} else {
		b.WriteString("dli")
	}
	fmt.Fprintf(&b, ": %d", e.StatusCode)
	switch {
	case e.Decode != nil:
		fmt.Fprintf(&b, ": undecodable body (%v): %s", e.Decode, Snippet(e.Body))
	case e.Reason != "":
		fmt.Fprintf(&b, ": %s", e.Reason)
		if e.Message != "" {
			fmt.Fprintf(&b, ": %s", e.Message)
		} else {
			fmt.Fprintf(&b, ": %s", Snippet(e.Body))
		}
	case e.Code != "":
		fmt.Fprintf(&b, " %s: %s", e.Code, e.Message)
	case len(e.Body) > 0:
		fmt.Fprintf(&b, " %s: %s", http.StatusText(e.StatusCode), Snippet(e.Body))
	default:
		fmt.Fprintf(&b, " %s", http.StatusText(e.StatusCode))
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

// Check turns the result of a generated ...WithResponse call into one
// error: nil when the call succeeded, else an *Error for
//
//   - a status that is not 2xx (declared or not, JSON or an HTML page);
//   - a body that does not decode into the type the document declares (the
//     generated Parse functions return the response with that error);
//   - a 2xx without a body of the declared type (text/plain, 204, ...), or,
//     for an operation whose document declares no success body (a tag
//     create's 204), a 2xx with a body;
//   - a 2xx whose body says is_success false.
//
// An error of the call itself (network, context) comes back unchanged, so
// errors.Is(err, context.DeadlineExceeded) holds. Use it as
//
//	resp, err := c.ShowDatasourceConnectionWithResponse(ctx, project, id)
//	if err := apierror.Check(resp, err); err != nil {
func Check(resp Response, err error) error {
	noResp := resp == nil || reflect.ValueOf(resp).IsNil()
	if err != nil {
		if noResp {
			return err
		}
		return newError(resp.StatusCode(), headerOf(resp), resp.GetBody(), err)
	}
	if noResp {
		return errors.New("dli: no response and no error")
	}
	status := resp.StatusCode()
	if status < 200 || status >= 300 {
		return newError(status, headerOf(resp), resp.GetBody(), nil)
	}
	decoded, ok := successBody(resp, status)
	if !ok && len(resp.GetBody()) == 0 && !declaresBodies(resp) {
		return nil // an operation whose successes carry no body (a 204)
	}
	if !ok {
		e := newError(status, headerOf(resp), resp.GetBody(), nil)
		e.Code, e.Message = "", ""
		e.Reason = fmt.Sprintf("no JSON body of the type the document declares for status %d", status)
		return e
	}
	if failed, msg := isSuccessFalse(decoded); failed {
		e := newError(status, headerOf(resp), resp.GetBody(), nil)
		e.Reason, e.Message = "is_success is false", msg
		return e
	}
	return nil
}

// successBody is the JSON<status> field of a generated response: the body
// decoded into the type the document declares for that status. ok is false
// when the document declares no JSON body for it or none was decoded.
func successBody(resp Response, status int) (reflect.Value, bool) {
	v := reflect.ValueOf(resp)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	f := v.FieldByName(jsonField[status-200])
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return reflect.Value{}, false
	}
	return f.Elem(), true
}

// declaresBodies says whether the generated response has a field for any
// 2xx JSON body: one with none is an operation whose document declares
// only successes without a body.
func declaresBodies(resp Response) bool {
	t := reflect.TypeOf(resp)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return true
	}
	for i := range t.NumField() {
		if strings.HasPrefix(t.Field(i).Name, "JSON2") {
			return true
		}
	}
	return false
}

// jsonField names the generated field of each 2xx status, JSON200 to
// JSON299, built once so that a successful Check allocates nothing.
var jsonField = func() (names [100]string) {
	for i := range names {
		names[i] = "JSON" + strconv.Itoa(200+i)
	}
	return names
}()

// isSuccessFalse reports a decoded body whose is_success is false, with its
// message.
func isSuccessFalse(body reflect.Value) (bool, string) {
	if body.Kind() != reflect.Struct {
		return false, ""
	}
	f := body.FieldByName("IsSuccess")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() || f.Elem().Kind() != reflect.Bool || f.Elem().Bool() {
		return false, ""
	}
	var msg string
	if m := body.FieldByName("Message"); m.IsValid() && m.Kind() == reflect.Pointer && !m.IsNil() && m.Elem().Kind() == reflect.String {
		msg = m.Elem().String()
	}
	return true, msg
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

// Snippet quotes a body for a message: at most 256 bytes, cut on a
// character boundary, with the full length when cut.
func Snippet(b []byte) string {
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
// does not exist: DLI.0002, DLI.0023, HTTP 404, or DLI.0001 with DLI's
// message for an unknown connection ("Connection <id> is not exist.").
// DLI.0001 alone is the generic bad-parameter code and is not enough.
func IsNotFound(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code == CodeNotExist || e.Code == CodeResourceNotFound || e.StatusCode == http.StatusNotFound ||
		e.Code == CodeBadParameter && isNotExistMessage(e.Message)
}

// isNotExistMessage matches DLI's wording for an unknown object, as
// documented for enhanced connections: "Connection 503fc86a-... is not
// exist." (sic), in any letter case.
func isNotExistMessage(msg string) bool {
	return strings.Contains(strings.ToLower(msg), " is not exist")
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
