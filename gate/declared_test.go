package gate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/mockserver"
	"github.com/dli-contract/dli-go/validate"
)

// widgetKind is one more resource kind, declared only: no line of the
// gate names it.
const widgetKind = `  widget:
    title: widget
    key: widget_id
    name: name
    deleted: {status: 400, code: DLI.0002}
    unknown: {status: 400, code: DLI.0002}
`

const widgetPaths = `  /v1.0/{project_id}/widgets:
    parameters:
      - $ref: '#/components/parameters/ProjectID'
    get:
      operationId: ListWidgets
      x-dli-operation: {resource: widget, role: list, items: /widgets, filters: {name: {field: name}}}
      summary: List widgets
      parameters:
        - {name: name, in: query, required: false, schema: {type: string, maxLength: 64}}
      responses:
        '200':
          description: Listed.
          content:
            application/json:
              schema:
                type: object
                properties:
                  widgets:
                    type: array
                    items:
                      type: object
                      properties:
                        widget_id: {type: string}
                        name: {type: string}
                        size: {type: integer, nullable: true}
        '400':
          $ref: '#/components/responses/BadRequest'
        default:
          $ref: '#/components/responses/GatewayError'
    post:
      operationId: CreateWidget
      x-dli-operation: {resource: widget, role: create, key: $response.body#/widget_id}
      summary: Create a widget
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              additionalProperties: false
              properties:
                name: {type: string, minLength: 1, maxLength: 64}
                size: {type: integer, minimum: 1, maximum: 9}
            examples:
              small: {value: {name: w1, size: 2}}
      responses:
        '201':
          description: Created.
          content:
            application/json:
              schema:
                type: object
                properties:
                  widget_id: {type: string}
              examples:
                created: {value: {widget_id: w-1}}
        '400':
          $ref: '#/components/responses/BadRequest'
        default:
          $ref: '#/components/responses/GatewayError'
  /v1.0/{project_id}/widgets/{widget_id}:
    parameters:
      - $ref: '#/components/parameters/ProjectID'
      - {name: widget_id, in: path, required: true, schema: {type: string, maxLength: 64}}
    get:
      operationId: ShowWidget
      x-dli-operation: {resource: widget, role: read, key: $request.path.widget_id}
      summary: Show a widget
      responses:
        '200':
          description: Found.
          content:
            application/json:
              schema:
                type: object
                properties:
                  widget_id: {type: string}
                  name: {type: string}
                  size: {type: integer, nullable: true}
        '400':
          description: An unknown widget (DLI.0002).
          x-dli-codes: [DLI.0002]
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/ErrorBody'
        default:
          $ref: '#/components/responses/GatewayError'
    delete:
      operationId: DeleteWidget
      x-dli-operation: {resource: widget, role: delete, key: $request.path.widget_id}
      summary: Delete a widget
      responses:
        '200':
          description: Deleted.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Result'
        '400':
          description: An unknown widget (DLI.0002).
          x-dli-codes: [DLI.0002]
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/ErrorBody'
        default:
          $ref: '#/components/responses/GatewayError'
`

// withWidgets is the document with widgets declared.
func withWidgets(t *testing.T) *validate.Document {
	t.Helper()
	raw, err := os.ReadFile("../openapi/dli.yaml")
	require.NoError(t, err)
	text := strings.Replace(string(raw), "\nx-dli-cloud-inputs:\n", "\n"+widgetKind+"x-dli-cloud-inputs:\n", 1)
	text = strings.Replace(text, "\npaths:\n", "\npaths:\n"+widgetPaths, 1)
	loaded, err := openapi3.NewLoader().LoadFromData([]byte(text))
	require.NoError(t, err)
	// Without the tag operations, as the model's cases are: their draws
	// would thin out the widgets' (the cases below are measured so).
	drop(loaded, []string{"resource-tags"}, nil, nil)
	doc, err := validate.New(loaded)
	require.NoError(t, err)
	return doc
}

// widgets stands in for a server of widgets in front of the mock: it
// refuses what the document does not allow, as the mock does, and keeps
// widgets; with deleteNothing, a delete answers 200 and deletes nothing.
type widgets struct {
	doc           *validate.Document
	next          http.Handler
	deleteNothing bool
	ignoreFilter  bool // a list answers every widget, whatever the name asked
	mu            sync.Mutex
	held          map[string]map[string]any
	n             int
}

func (w *widgets) live() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for id := range w.held {
		out = append(out, id)
	}
	return out
}

func (w *widgets) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if !strings.Contains(r.URL.Path, "/widgets") {
		w.next.ServeHTTP(rw, r)
		return
	}
	answer := func(status int, v any) {
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(status)
		_ = json.NewEncoder(rw).Encode(v)
	}
	refuse := func(code, msg string) {
		answer(http.StatusBadRequest, map[string]any{"error_code": code, "error_msg": msg})
	}
	if _, err := w.doc.Request(r); err != nil {
		refuse("DLI.0001", err.Error())
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	switch r.Method {
	case http.MethodPost:
		var body map[string]any
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &body)
		w.n++
		id := fmt.Sprintf("w-%d", w.n)
		body["widget_id"] = id
		w.held[id] = body
		answer(http.StatusCreated, map[string]any{"widget_id": id})
	case http.MethodGet:
		if id == "widgets" {
			list := []map[string]any{}
			for _, k := range slices.Sorted(maps.Keys(w.held)) {
				if name := r.URL.Query().Get("name"); name == "" || w.ignoreFilter || w.held[k]["name"] == name {
					list = append(list, w.held[k])
				}
			}
			answer(http.StatusOK, map[string]any{"widgets": list})
			return
		}
		if b, ok := w.held[id]; ok {
			answer(http.StatusOK, b)
			return
		}
		refuse("DLI.0002", "widget "+id+" does not exist")
	case http.MethodDelete:
		if _, ok := w.held[id]; !ok {
			refuse("DLI.0002", "widget "+id+" does not exist")
			return
		}
		if !w.deleteNothing {
			delete(w.held, id)
		}
		answer(http.StatusOK, map[string]any{"is_success": true, "message": ""})
	}
}

// A resource kind added by declarations alone gets a life cycle, is
// reached by the generated sequences and judged by the model, and is
// cleaned up; a server that
// does not delete it fails use_after_free and has it listed as left
// behind. No Go of the gate changed for widgets.
func TestAKindDeclaredOnlyIsCheckedAndCleanedUp(t *testing.T) {
	t.Parallel()
	doc := withWidgets(t)
	run := func(deleteNothing, ignoreFilter bool) (gate.Report, *widgets) {
		clk := clock.NewFake(time.Now())
		m, err := mockserver.New(mockserver.Config{Clock: clk})
		require.NoError(t, err)
		w := &widgets{doc: doc, next: m, deleteNothing: deleteNothing, ignoreFilter: ignoreFilter, held: map[string]map[string]any{}}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		rep := gate.Run(ctx, gate.Config{
			Target: gate.Target{Endpoint: server, ProjectID: projectID, Mutate: true, Mock: true, Doc: doc, Poll: 20 * time.Millisecond,
				Settle: 100 * time.Millisecond, Credentials: auth.AKSK{AK: mockAK, SK: mockSK, ProjectID: projectID}},
			Network: mockserver.NewMockTransport(w), Clock: clk, Seed: 7, MaxExamples: 25, MaxSteps: 10,
			Checks: []string{gate.CheckAvailability, gate.CheckUseAfterFree, gate.CheckServerError, gate.CheckStatus, gate.CheckSchema, gate.CheckModel},
			Log:    io.Discard,
		})
		require.Empty(t, rep.Problem)
		return rep, w
	}

	rep, w := run(false, false)
	for _, v := range rep.Violations {
		t.Errorf("a sound widget server breaks the contract: %s", v)
	}
	for _, op := range []string{"CreateWidget", "ShowWidget", "DeleteWidget"} {
		assert.Positive(t, rep.Operations[op].Requests, "%s was never called", op)
	}
	assert.Positive(t, rep.Operations["CreateWidget"].Requests, "the sequences and the life cycle create widgets")
	assert.Empty(t, w.live(), "every widget the run created was deleted")
	assert.Empty(t, rep.Leftovers)

	t.Logf("widget ops: %+v %+v %+v; checks %+v", rep.Operations["CreateWidget"], rep.Operations["ShowWidget"], rep.Operations["DeleteWidget"], rep.Checks)
	rep, w = run(true, false)
	for _, v := range rep.Violations {
		t.Logf("broken: %s", v)
	}
	t.Logf("leftovers: %v", rep.Leftovers)
	var uaf []string
	for _, v := range rep.Violations {
		if v.Check == gate.CheckUseAfterFree {
			uaf = append(uaf, v.String())
		}
	}
	require.NotEmpty(t, uaf, "a delete that deletes nothing passed")
	assert.Contains(t, strings.Join(uaf, "\n"), "ShowWidget")
	// The sequences reach widgets by what the declarations imply (the
	// document links nothing to them), and the generic model judges them.
	// (Under -short rapid draws a fifth of the sequences, too few.)
	if !testing.Short() {
		i := slices.IndexFunc(rep.Violations, func(v gate.Violation) bool { return v.Check == gate.CheckModel })
		require.GreaterOrEqual(t, i, 0, "the generated sequences passed a widget server whose delete deletes nothing")
		assert.Regexp(t, `(Show|Delete)Widget should be refused \(the widget was deleted\)|the widget list answers w-\d+ \(\S+\), which was deleted`, rep.Violations[i].Message)
	}
	left := w.live()
	require.NotEmpty(t, left)
	var listed []string
	for _, l := range rep.Leftovers {
		assert.Equal(t, "widget", l.Kind)
		listed = append(listed, l.ID)
	}
	assert.ElementsMatch(t, left, listed, "every widget left is listed, by its declared title")

	// A list that ignores its declared filter fails the model.
	if !testing.Short() {
		rep, _ = run(false, true)
		i := slices.IndexFunc(rep.Violations, func(v gate.Violation) bool { return v.Check == gate.CheckModel })
		require.GreaterOrEqual(t, i, 0, "the generated sequences passed a widget list that ignores its name filter")
		assert.Regexp(t, `the widget list filtered by \?name=\S+ answers w-\d+, whose name is`, rep.Violations[i].Message)
	}
}
