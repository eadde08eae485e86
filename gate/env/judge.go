package env

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
)

// Refused is the message for a request that should have been refused with
// a 4xx, "" when it was.
func Refused(ex *wire.Exchange, what string) string {
	switch {
	case ex.Error != "":
		return fmt.Sprintf("%s: the request got no answer: %s", what, ex.Error)
	case ex.Status >= 500:
		// The same server error, whatever the case: one message, so that
		// it groups (the case is in the violation).
		return fmt.Sprintf("an invalid request was answered %d, want a 4xx refusal", ex.Status)
	case ex.Status < 400:
		return fmt.Sprintf("%s was answered %d, want a 4xx refusal", what, ex.Status)
	}
	return ""
}

// Invalid is refused for a request that breaks the document: any 4xx in
// DLI's error shape; for a dli-mock, whose docs/mock.md says so, 400 DLI.0001.
func (g *Env) Invalid(ex *wire.Exchange, what string) string {
	if msg := Refused(ex, what); msg != "" || !g.Cfg.Mock {
		return msg
	}
	if code := ErrorCodeOf(ex); ex.Status != http.StatusBadRequest || code != apierror.CodeBadParameter {
		return fmt.Sprintf("%s was refused %d %s; a dli-mock refuses what the document does not allow 400 %s", what, ex.Status, code, apierror.CodeBadParameter)
	}
	return ""
}

// RefusedWith is the message for a request that should have been refused
// 400 with code, "" when it was.
func RefusedWith(ex *wire.Exchange, what, code string) string {
	return RefusedAs(ex, what, semantics.Answer{Status: http.StatusBadRequest, Code: code})
}

// RefusedAs is the message for a request that should have been refused as
// answer declares (its status, and its code where it names one), "" when
// it was.
func RefusedAs(ex *wire.Exchange, what string, answer semantics.Answer) string {
	if msg := Refused(ex, what); msg != "" {
		return msg
	}
	if got := ErrorCodeOf(ex); ex.Status != answer.Status || answer.Code != "" && got != answer.Code {
		return fmt.Sprintf("%s was refused %d %s, want %d %s", what, ex.Status, got, answer.Status, answer.Code)
	}
	return ""
}

// ErrorCodeOf is the error_code of an answer in DLI's error shape, "" when
// it has none.
func ErrorCodeOf(ex *wire.Exchange) string {
	var answer struct {
		Code string `json:"error_code"`
	}
	_ = json.Unmarshal([]byte(ex.RawAnswer()), &answer)
	return answer.Code
}

// Accepted is the message for a request that should have been answered
// want, "" when it was.
func Accepted(ex *wire.Exchange, want int, what string) string {
	switch {
	case ex.Error != "":
		return fmt.Sprintf("%s: the request got no answer: %s", what, ex.Error)
	case ex.Status != want:
		return fmt.Sprintf("%s was answered %d, want %d", what, ex.Status, want)
	}
	return ""
}

// JudgeRefusal judges an exchange that should have been refused 400 with
// code.
func (g *Env) JudgeRefusal(check string, ex *wire.Exchange, what, code string) {
	g.Judge(wire.Verdict{Check: check, Op: g.OpNamed(ex), What: what, Ex: ex, Msg: RefusedWith(ex, what, code)})
}

// OpNamed is the operation the document finds for an exchange's request.
func (g *Env) OpNamed(ex *wire.Exchange) string {
	req, err := http.NewRequest(ex.Method, ex.URL, nil)
	if err != nil {
		return wire.UndeclaredRoute
	}
	if op, err := g.Doc.Find(req); err == nil {
		return op.ID
	}
	return wire.UndeclaredRoute
}
