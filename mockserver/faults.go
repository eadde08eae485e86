package mockserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dli-contract/dli-go/apierror"
)

// Faults make the mock misbehave the way a real gateway and service do, on
// demand, so that a program can be tested against them: throttling,
// server and gateway errors, slow answers and connections closed without
// an answer. A fault matches one operation (by operationId) or all, and
// fires for the next Times matching calls, or with a Probability drawn
// from its own Seed, so that a test is repeatable. A fault that answers
// does so before authentication and before the operation runs, so it
// changes nothing; added latency delays the call, which then runs.
// Every answer a fault gives carries the header X-Dli-Mock-Fault with the
// fault's name, which the request log of dli-mock shows.

// Fault kinds.
const (
	// FaultThrottle answers 429 APIGW.0308 with Retry-After, as API
	// Gateway throttles.
	FaultThrottle = "throttle"
	// FaultError answers 500 DLI.0999, DLI's internal error.
	FaultError = "error"
	// FaultBadGateway and FaultUnavailable answer 502 and 503 with an
	// HTML page, as a gateway in front of a failing service does.
	FaultBadGateway  = "bad_gateway"
	FaultUnavailable = "unavailable"
	// FaultStatus answers Status with Body (and ContentType, JSON by
	// default).
	FaultStatus = "status"
	// FaultLatency delays the call by Latency, then serves it.
	FaultLatency = "latency"
	// FaultClose closes the connection without an answer.
	FaultClose = "close"
)

// HeaderFault names the fault that answered or delayed a call.
const HeaderFault = "X-Dli-Mock-Fault"

// Fault is one way to misbehave. Its JSON form is what dli-mock's -faults
// file and the control API take.
type Fault struct {
	// Name identifies the fault in answers and logs; the kind and a
	// number when empty.
	Name string `json:"name,omitempty"`
	// Kind is one of the Fault* constants.
	Kind string `json:"kind"`
	// Operation is the operationId it applies to; every operation (and
	// any unknown path) when empty.
	Operation string `json:"operation,omitempty"`
	// Times is how many matching calls it fires for; then it is spent.
	// 0 means no limit.
	Times int `json:"times,omitempty"`
	// Probability, between 0 and 1, fires it for that share of matching
	// calls, drawn from Seed; 0 means every matching call.
	Probability float64 `json:"probability,omitempty"`
	Seed        uint64  `json:"seed,omitempty"`
	// RetryAfter is the Retry-After of FaultThrottle, "1" when empty.
	RetryAfter string `json:"retry_after,omitempty"`
	// Latency is how long FaultLatency waits, e.g. "2s".
	Latency Duration `json:"latency,omitempty"`
	// Status, Body and ContentType are FaultStatus's answer.
	Status      int    `json:"status,omitempty"`
	Body        string `json:"body,omitempty"`
	ContentType string `json:"content_type,omitempty"`
}

// Duration is a time.Duration written as "2s" in JSON.
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration such as \"2s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// check says what is wrong with f, naming the field.
func (f Fault) check(operations []string) error {
	switch f.Kind {
	case FaultThrottle, FaultError, FaultBadGateway, FaultUnavailable, FaultClose:
	case FaultStatus:
		if f.Status < 100 || f.Status > 599 {
			return fmt.Errorf("status: %d is not an HTTP status (100 to 599)", f.Status)
		}
	case FaultLatency:
		if f.Latency <= 0 {
			return errors.New("latency: must be positive, e.g. \"2s\"")
		}
	case "":
		return fmt.Errorf("kind: missing; one of %s", strings.Join(faultKinds, ", "))
	default:
		return fmt.Errorf("kind: %q is not one of %s", f.Kind, strings.Join(faultKinds, ", "))
	}
	if f.Operation != "" && !slices.Contains(operations, f.Operation) {
		return fmt.Errorf("operation: %q is not an operationId of the document", f.Operation)
	}
	if f.Times < 0 {
		return fmt.Errorf("times: %d is negative", f.Times)
	}
	if f.Probability < 0 || f.Probability > 1 {
		return fmt.Errorf("probability: %v is not between 0 and 1", f.Probability)
	}
	if f.RetryAfter != "" {
		if n, err := strconv.Atoi(f.RetryAfter); err != nil || n < 0 {
			return fmt.Errorf("retry_after: %q is not a number of seconds", f.RetryAfter)
		}
	}
	return nil
}

var faultKinds = []string{FaultThrottle, FaultError, FaultBadGateway, FaultUnavailable, FaultStatus, FaultLatency, FaultClose}

// armed is a fault with its state: calls left and its random source.
type armed struct {
	Fault
	left int // calls left; -1 for no limit
	rng  *rand.Rand
}

// faults is the mock's list of faults, first match wins.
type faults struct {
	mu     sync.Mutex
	list   []*armed
	serial int
}

func (fs *faults) add(f Fault) Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.serial++
	if f.Name == "" {
		f.Name = fmt.Sprintf("%s-%d", f.Kind, fs.serial)
	}
	a := &armed{Fault: f, left: -1, rng: rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))} //nolint:gosec // repeatable faults, not secrets
	if f.Times > 0 {
		a.left = f.Times
	}
	fs.list = append(fs.list, a)
	return f
}

func (fs *faults) clear() {
	fs.mu.Lock()
	fs.list = nil
	fs.mu.Unlock()
}

// pending lists the faults not spent, with the calls each has left in
// Times (0 for no limit).
func (fs *faults) pending() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Fault, len(fs.list))
	for i, a := range fs.list {
		out[i] = a.Fault
		out[i].Times = max(a.left, 0)
	}
	return out
}

// fire returns the fault a call of op meets, if any, and counts it.
func (fs *faults) fire(op string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, a := range fs.list {
		if a.Operation != "" && a.Operation != op {
			continue
		}
		if a.Probability > 0 && a.rng.Float64() >= a.Probability {
			continue
		}
		if a.left > 0 {
			a.left--
			if a.left == 0 {
				fs.list = slices.Delete(fs.list, i, i+1)
			}
		}
		return a.Fault, true
	}
	return Fault{}, false
}

// AddFault arms f; it fails, naming the field, when f is not valid.
func (s *Server) AddFault(f Fault) (Fault, error) {
	if err := f.check(s.operations); err != nil {
		return Fault{}, fmt.Errorf("mockserver: fault %s: %w", f.Name, err)
	}
	return s.faults.add(f), nil
}

// ClearFaults disarms every fault.
func (s *Server) ClearFaults() { s.faults.clear() }

// Faults lists the armed faults, each with the calls it has left in Times
// (0 for no limit).
func (s *Server) Faults() []Fault { return s.faults.pending() }

// inject applies the fault a call meets: it answers (true) or delays the
// call and lets it run (false).
func (s *Server) inject(w http.ResponseWriter, r *http.Request, op string) bool {
	f, ok := s.faults.fire(op)
	if !ok {
		return false
	}
	w.Header().Set(HeaderFault, f.Name)
	switch f.Kind {
	case FaultLatency:
		// A request given up waits no longer.
		_ = s.cfg.Clock.Sleep(r.Context(), time.Duration(f.Latency))
		return false
	case FaultClose:
		// net/http closes the connection without an answer; the
		// in-process transport turns it into a transport error.
		panic(http.ErrAbortHandler)
	case FaultThrottle:
		retry := f.RetryAfter
		if retry == "" {
			retry = "1"
		}
		w.Header().Set("Retry-After", retry)
		writeError(w, http.StatusTooManyRequests, apierror.CodeThrottled, "The throttling threshold has been reached: mock fault "+f.Name, answerID(w))
	case FaultError:
		writeError(w, http.StatusInternalServerError, apierror.CodeSystemError, "Internal service error (mock fault "+f.Name+")", "")
	case FaultBadGateway:
		writeHTML(w, http.StatusBadGateway, "502 Bad Gateway")
	case FaultUnavailable:
		writeHTML(w, http.StatusServiceUnavailable, "503 Service Temporarily Unavailable")
	case FaultStatus:
		ct := f.ContentType
		if ct == "" {
			ct = "application/json"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
	}
	return true
}

// writeHTML answers as a gateway does when the service behind it fails.
func writeHTML(w http.ResponseWriter, status int, title string) {
	body := "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
