package mockserver

import (
	"bytes"
	_ "embed"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// GET /_mock/ in a browser: what the mock holds, per project, as one page
// of tables (State's, so never a password), the faults armed and the last
// requests. Read-only; the control API changes state.

//go:embed page.html.tmpl
var pageHTML string

var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

// maxRecent is how many requests the page lists.
const maxRecent = 50

// RecentRequest is one request the mock answered, as its page lists it.
type RecentRequest struct {
	At           time.Time
	Method, Path string
	Status       int
	Operation    string
	RequestID    string
}

// recent keeps the last maxRecent requests.
type recent struct {
	mu   sync.Mutex
	list []RecentRequest
}

func (r *recent) add(rr RecentRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, rr)
	if len(r.list) > maxRecent {
		r.list = slices.Delete(r.list, 0, len(r.list)-maxRecent)
	}
}

// Recent are the last requests the mock answered, the latest first.
func (s *Server) Recent() []RecentRequest {
	s.recent.mu.Lock()
	defer s.recent.mu.Unlock()
	out := slices.Clone(s.recent.list)
	slices.Reverse(out)
	return out
}

// statusWriter keeps the status an answer was written with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

type pageProject struct {
	ID string
	P  ProjectFixture
}

func (s *Server) page(w http.ResponseWriter) {
	state := s.State()
	data := struct {
		Now      string
		Projects []pageProject
		Faults   []Fault
		Recent   []RecentRequest
	}{Now: s.cfg.Clock.Now().UTC().Format(time.RFC3339), Faults: s.Faults(), Recent: s.Recent()}
	for _, id := range slices.Sorted(maps.Keys(state.Projects)) {
		data.Projects = append(data.Projects, pageProject{ID: id, P: state.Projects[id]})
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, data); err != nil {
		writeError(w, http.StatusInternalServerError, CodeControl, "mock page: "+err.Error(), "")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b.Bytes())
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
