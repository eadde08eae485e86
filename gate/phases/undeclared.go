package phases

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/env"
	"github.com/dli-contract/dli-go/gate/wire"
)

// undeclared sends, to each path of the document, each method it does
// not declare, and a path it does not have at all: API Gateway refuses
// them before DLI runs anything (Schemathesis's unsupported_method, though
// the gateway answers 404 APIGW.0101, not 405). The path parameters name
// nothing that exists, so that a method the document lacks but a server
// serves cannot touch anything real. It names no operation: a path added
// to the document is checked with no change here.
func (g *phase) undeclared(ctx context.Context) {
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch}
	unknown := uuid.NewString()
	doc := g.Doc.OpenAPI()
	for i, path := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		declared := doc.Paths.Value(path).Operations()
		filled := g.fillAll(path, unknown)
		missing := slices.DeleteFunc(slices.Clone(methods), func(m string) bool { _, ok := declared[m]; return ok })
		if g.Cfg.Budgeted && len(missing) > 1 {
			// With a budget, one method a path lacks, a different one
			// path after path: every method still tried somewhere.
			missing = missing[i%len(missing) : i%len(missing)+1]
		}
		for _, m := range missing {
			if g.Stopped() {
				continue
			}
			var body []byte
			if m != http.MethodGet && m != http.MethodDelete {
				body = []byte(`{}`)
			}
			ex := g.Send(ctx, true, m, filled, body)
			g.Judge(wire.Verdict{Check: check.Unsupported, Op: wire.UndeclaredRoute, What: m + " " + path, Ex: ex, Msg: g.refusedAsUnknownRoute(ex)})
		}
	}
	if g.Stopped() {
		return
	}
	path := "/v2.0/{project_id}/datasource/no-such-resource"
	ex := g.Send(ctx, true, http.MethodGet, g.fillAll(path, unknown), nil)
	g.Judge(wire.Verdict{Check: check.Unsupported, Op: wire.UndeclaredRoute, What: "GET " + path, Ex: ex, Msg: g.refusedAsUnknownRoute(ex)})
}

// refusedAsUnknownRoute is what is wrong with the answer to a route the
// document does not declare: any 4xx will do; a dli-mock answers as API
// Gateway does, 404 APIGW.0101, which docs/mock.md says.
func (g *phase) refusedAsUnknownRoute(ex *wire.Exchange) string {
	const what = "a route the document does not declare"
	if msg := env.Refused(ex, what); msg != "" {
		return msg
	}
	if !g.Cfg.Mock {
		return ""
	}
	if ex.Status != http.StatusNotFound {
		return fmt.Sprintf("%s was answered %d; a dli-mock answers an unknown route 404 %s as API Gateway does", what, ex.Status, apierror.CodeGatewayNoAPI)
	}
	return mockGatewayError(ex.ResponseHeader["X-Request-Id"], []byte(ex.RawAnswer()), apierror.CodeGatewayNoAPI, what)
}

// fillAll fills every parameter of a path template: the project with the
// run's, any other with value.
func (g *phase) fillAll(template, value string) string {
	p := strings.ReplaceAll(template, "{project_id}", g.Cfg.ProjectID)
	for name, v := range g.Sem.Fixed() {
		p = strings.ReplaceAll(p, "{"+name+"}", v)
	}
	for {
		i := strings.Index(p, "{")
		j := strings.Index(p, "}")
		if i < 0 || j < i {
			return p
		}
		p = p[:i] + value + p[j+1:]
	}
}
