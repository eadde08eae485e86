package gate_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dli-contract/dli-go/mockserver"
)

// The breakers. Each keeps the answers well formed: only their meaning is
// wrong.

func matches(r *http.Request, method, pathRE string) bool {
	return r.Method == method && regexp.MustCompile(pathRE).MatchString(r.URL.Path)
}

const enhancedList = `/datasource/enhanced-connections$`

// answer serves r on next, letting edit change the decoded answer.
func answer(next http.Handler, w http.ResponseWriter, r *http.Request, edit func(status int, body map[string]any)) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	out := rec.Body.Bytes()
	var body map[string]any
	if edit != nil && json.Unmarshal(out, &body) == nil {
		edit(rec.Code, body)
		out, _ = json.Marshal(body)
	}
	w.Header().Set("Content-Type", rec.Header().Get("Content-Type"))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(out)
}

func nameFilterInverted(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		if !matches(r, http.MethodGet, enhancedList) || name == "" {
			next.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		q.Del("name")
		r.URL.RawQuery = q.Encode()
		answer(next, w, r, func(_ int, b map[string]any) {
			var kept []any
			for _, c := range b["connections"].([]any) {
				if c.(map[string]any)["name"] != name {
					kept = append(kept, c)
				}
			}
			b["connections"], b["count"] = append([]any{}, kept...), len(kept)
		})
	})
}

// dropQuery serves the requests of method on a path pathRE matches
// without the query parameters named: a server that ignores them.
func dropQuery(method, pathRE string, params ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if matches(r, method, pathRE) {
				q := r.URL.Query()
				for _, p := range params {
					q.Del(p)
				}
				r.URL.RawQuery = q.Encode()
			}
			next.ServeHTTP(w, r)
		})
	}
}

// updateTimeGoesBack answers each binding's update_time earlier than the
// answer before.
func updateTimeGoesBack() func(http.Handler) http.Handler {
	var n atomic.Int64
	return rewriteBindings(func(b map[string]any) {
		b["update_time"] = float64(2_000_000_000_000 - n.Add(1))
	})
}

// statusNeedsTags filters by status only when tags are asked too.
func statusNeedsTags(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query(); matches(r, http.MethodGet, enhancedList) && !q.Has("tags") {
			q.Del("status")
			r.URL.RawQuery = q.Encode()
		}
		next.ServeHTTP(w, r)
	})
}

// classicListKeepsDeleted lists a classic connection after its delete.
func classicListKeepsDeleted(next http.Handler) http.Handler {
	var mu sync.Mutex
	deleted := map[string]any{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if matches(r, http.MethodDelete, `/datasource-connection/[^/]+$`) {
			id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
			answer(next, w, r, func(status int, _ map[string]any) {
				if status == http.StatusOK {
					mu.Lock()
					deleted[id] = map[string]any{"connection_id": id, "name": "", "state": "ACTIVE"}
					mu.Unlock()
				}
			})
			return
		}
		if !matches(r, http.MethodGet, `/datasource-connection$`) {
			next.ServeHTTP(w, r)
			return
		}
		answer(next, w, r, func(_ int, b map[string]any) {
			conns, _ := b["connections"].([]any)
			mu.Lock()
			for _, c := range deleted {
				conns = append(conns, c)
			}
			mu.Unlock()
			b["connections"] = conns
		})
	})
}

// crashOn closes the connection without an answer, as a Go handler that
// panics does, on a request with the query parameter param.
func crashOn(method, pathRE, param string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if matches(r, method, pathRE) && r.URL.Query().Has(param) {
				panic(http.ErrAbortHandler)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// pagesOverlap starts every page after the first one item early.
func pagesOverlap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if off, err := strconv.Atoi(q.Get("offset")); err == nil && off > 0 && matches(r, http.MethodGet, enhancedList) {
			q.Set("offset", strconv.Itoa(off-1))
			r.URL.RawQuery = q.Encode()
		}
		next.ServeHTTP(w, r)
	})
}

// rewriteBody lets edit change a JSON request body before the mock reads
// it.
func rewriteBody(r *http.Request, edit func(map[string]any)) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if json.Unmarshal(raw, &body) == nil {
		edit(body)
		raw, _ = json.Marshal(body)
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	r.ContentLength = int64(len(raw))
}

func createDropsHosts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if matches(r, http.MethodPost, enhancedList) {
			rewriteBody(r, func(b map[string]any) { delete(b, "hosts") })
		}
		next.ServeHTTP(w, r)
	})
}

// show asks next for a connection as it is now.
func show(next http.Handler, r *http.Request) map[string]any {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, r.URL.Path, nil))
	var shown map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &shown)
	return shown
}

// updateAppendsHosts adds the new hosts to the old instead of replacing
// them.
func updateAppendsHosts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if matches(r, http.MethodPut, `/enhanced-connections/[^/]+$`) {
			old, _ := show(next, r)["hosts"].([]any)
			rewriteBody(r, func(b map[string]any) {
				if hs, ok := b["hosts"].([]any); ok {
					b["hosts"] = append(old, hs...)
				}
			})
		}
		next.ServeHTTP(w, r)
	})
}

// ignore answers the matching calls that the mock would accept as done,
// and does nothing. Whether it would accept one, a scratch mock loaded
// with the mock's state says.
func ignore(method, pathRE string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		m := next.(*mockserver.Server)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !matches(r, method, pathRE) {
				next.ServeHTTP(w, r)
				return
			}
			raw, _ := io.ReadAll(r.Body)
			state := concerned(m.State(), r.URL.Path+string(raw))
			scratch, err := mockserver.New(mockserver.Config{Fixtures: &state})
			if err != nil {
				panic(err)
			}
			rec := httptest.NewRecorder()
			r.Body = io.NopCloser(bytes.NewReader(raw))
			scratch.ServeHTTP(rec, r.Clone(r.Context()))
			if rec.Code != http.StatusOK {
				r.Body = io.NopCloser(bytes.NewReader(raw))
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(rec.Body.Bytes())
		})
	}
}

// concerned keeps of a mock's state the connections that the request
// names: whether the mock accepts a call depends on those alone, and
// loading every connection a long sequence made, on every call, made the
// breaker quadratic in the run's length.
func concerned(state mockserver.Fixtures, request string) mockserver.Fixtures {
	for pid, p := range state.Projects {
		p.Enhanced = slices.DeleteFunc(p.Enhanced, func(c mockserver.EnhancedFixture) bool { return !strings.Contains(request, c.ID) })
		p.Classic = slices.DeleteFunc(p.Classic, func(c mockserver.ClassicFixture) bool { return !strings.Contains(request, c.ID) })
		state.Projects[pid] = p
	}
	return state
}

// deletedTakesChanges answers changes to a deleted connection as done.
func deletedTakesChanges(next http.Handler) http.Handler {
	var mu sync.Mutex
	deleted := map[string]bool{}
	conn := regexp.MustCompile(`/enhanced-connections/([^/]+)`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := conn.FindStringSubmatch(r.URL.Path)
		if m == nil || r.Method == http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		gone := deleted[m[1]]
		if r.Method == http.MethodDelete && !strings.Contains(r.URL.Path, "/routes/") {
			deleted[m[1]] = true
		}
		mu.Unlock()
		if gone {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"is_success":true,"message":""}`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// rewriteBindings lets edit change every binding the mock answers with.
func rewriteBindings(edit func(map[string]any)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet {
				next.ServeHTTP(w, r)
				return
			}
			answer(next, w, r, func(_ int, b map[string]any) {
				conns, _ := b["connections"].([]any)
				if _, one := b["id"]; one {
					conns = []any{b}
				}
				for _, c := range conns {
					for _, field := range []string{"available_queue_info", "elastic_resource_pools"} {
						bs, _ := c.(map[string]any)[field].([]any)
						for _, bd := range bs {
							edit(bd.(map[string]any))
						}
					}
				}
			})
		})
	}
}

// refusedUpdateClearsHosts clears the hosts of a connection whose update
// it refuses.
func refusedUpdateClearsHosts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !matches(r, http.MethodPut, `/enhanced-connections/[^/]+$`) {
			next.ServeHTTP(w, r)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		rec := httptest.NewRecorder()
		r.Body = io.NopCloser(bytes.NewReader(raw))
		next.ServeHTTP(rec, r)
		if rec.Code == http.StatusBadRequest {
			clear := httptest.NewRequest(http.MethodPut, r.URL.Path, strings.NewReader(`{"hosts":[]}`))
			clear.Header.Set("Content-Type", "application/json")
			next.ServeHTTP(httptest.NewRecorder(), clear)
		}
		w.Header().Set("Content-Type", rec.Header().Get("Content-Type"))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// showFallsThrough shows, for a connection that is there, another one.
func showFallsThrough(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !matches(r, http.MethodGet, `/enhanced-connections/[^/]+$`) {
			next.ServeHTTP(w, r)
			return
		}
		asked := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		shown := httptest.NewRecorder()
		next.ServeHTTP(shown, httptest.NewRequest(http.MethodGet, r.URL.Path, nil))
		list := httptest.NewRecorder()
		next.ServeHTTP(list, httptest.NewRequest(http.MethodGet, strings.TrimSuffix(r.URL.Path, "/"+asked), nil))
		var page struct {
			Connections []struct {
				ID string `json:"id"`
			} `json:"connections"`
		}
		_ = json.Unmarshal(list.Body.Bytes(), &page)
		for _, c := range page.Connections {
			if shown.Code == http.StatusOK && c.ID != asked {
				r.URL.Path = strings.TrimSuffix(r.URL.Path, asked) + c.ID
				break
			}
		}
		next.ServeHTTP(w, r)
	})
}
