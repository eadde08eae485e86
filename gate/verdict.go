package gate

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/dli-contract/dli-go/gate/wire"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/semantics"
	"github.com/dli-contract/dli-go/validate"
)

func operationIDs(doc *validate.Document) []string {
	var ids []string
	for _, o := range operationsOf(doc.OpenAPI()) {
		ids = append(ids, o.op.OperationID)
	}
	slices.Sort(ids)
	return ids
}

// refused is the message for a request that should have been refused with
// a 4xx, "" when it was.
func refused(ex *wire.Exchange, what string) string {
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

// invalid is refused for a request that breaks the document: any 4xx in
// DLI's error shape; for a dli-mock, whose docs/mock.md says so, 400 DLI.0001.
func (g *gate) invalid(ex *wire.Exchange, what string) string {
	if msg := refused(ex, what); msg != "" || !g.cfg.Mock {
		return msg
	}
	if code := errorCodeOf(ex); ex.Status != http.StatusBadRequest || code != apierror.CodeBadParameter {
		return fmt.Sprintf("%s was refused %d %s; a dli-mock refuses what the document does not allow 400 %s", what, ex.Status, code, apierror.CodeBadParameter)
	}
	return ""
}

// refusedWith is the message for a request that should have been refused
// 400 with code, "" when it was.
func refusedWith(ex *wire.Exchange, what, code string) string {
	return refusedAs(ex, what, semantics.Answer{Status: http.StatusBadRequest, Code: code})
}

// refusedAs is the message for a request that should have been refused as
// answer declares (its status, and its code where it names one), "" when
// it was.
func refusedAs(ex *wire.Exchange, what string, answer semantics.Answer) string {
	if msg := refused(ex, what); msg != "" {
		return msg
	}
	if got := errorCodeOf(ex); ex.Status != answer.Status || answer.Code != "" && got != answer.Code {
		return fmt.Sprintf("%s was refused %d %s, want %d %s", what, ex.Status, got, answer.Status, answer.Code)
	}
	return ""
}

// errorCodeOf is the error_code of an answer in DLI's error shape, "" when
// it has none.
func errorCodeOf(ex *wire.Exchange) string {
	var answer struct {
		Code string `json:"error_code"`
	}
	_ = json.Unmarshal([]byte(ex.RawAnswer()), &answer)
	return answer.Code
}

// accepted is the message for a request that should have been answered
// want, "" when it was.
func accepted(ex *wire.Exchange, want int, what string) string {
	switch {
	case ex.Error != "":
		return fmt.Sprintf("%s: the request got no answer: %s", what, ex.Error)
	case ex.Status != want:
		return fmt.Sprintf("%s was answered %d, want %d", what, ex.Status, want)
	}
	return ""
}

// judgeRefusal judges an exchange that should have been refused 400 with
// code.
func (g *gate) judgeRefusal(check string, ex *wire.Exchange, what, code string) {
	g.Judge(wire.Verdict{Check: check, Op: g.opNamed(ex), What: what, Ex: ex, Msg: refusedWith(ex, what, code)})
}

// opNamed is the operation the document finds for an exchange's request.
func (g *gate) opNamed(ex *wire.Exchange) string {
	req, err := http.NewRequest(ex.Method, ex.URL, nil)
	if err != nil {
		return wire.UndeclaredRoute
	}
	if op, err := g.doc.Find(req); err == nil {
		return op.ID
	}
	return wire.UndeclaredRoute
}
