package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/dli-contract/dli-go/apierror"
)

// ControlPrefix is where the mock's own control surface lives, apart from
// every path of DLI's API, so that it cannot be mistaken for one. When the
// mock checks credentials, so does the control surface: the same AK/SK
// signature or token, or HTTP Basic credentials for a browser or curl -u
// (the AK as the user and the SK as the password, or any user and the
// token as the password). A browser refused gets a page saying so.
//
//	GET    /_mock/          a page of what the mock holds, for a browser
//	GET    /_mock/info      what the mock is and which credentials it checks (Info)
//	POST   /_mock/reset     forget every connection (faults stay armed)
//	GET    /_mock/state     what the mock holds, as a fixtures document
//	POST   /_mock/fixtures  load a fixtures document (all or nothing)
//	GET    /_mock/faults    the armed faults, with the calls each has left
//	POST   /_mock/faults    arm a fault (its JSON form)
//	DELETE /_mock/faults    disarm every fault
const ControlPrefix = "/_mock/"

// CodeControl is the error code of the control surface's own refusals.
const CodeControl = "MOCK.0400"

func (s *Server) control(w http.ResponseWriter, r *http.Request, body []byte) {
	if msg, ok := s.authenticate(r, body); !ok && !s.basicAuth(r) {
		if wantsHTML(r) {
			s.signInPage(w, r)
			return
		}
		writeError(w, http.StatusUnauthorized, apierror.CodeGatewayAuth, "Incorrect IAM authentication information: "+msg, answerID(w))
		return
	}
	route := r.Method + " " + r.URL.Path
	switch route {
	case "GET " + ControlPrefix:
		s.page(w)
	case "GET " + ControlPrefix + "info":
		writeJSON(w, http.StatusOK, s.Info())
	case "POST " + ControlPrefix + "reset":
		s.Reset()
		writeJSON(w, http.StatusOK, map[string]any{"reset": true})
	case "GET " + ControlPrefix + "state":
		writeJSON(w, http.StatusOK, s.State())
	case "POST " + ControlPrefix + "fixtures":
		f, err := ParseFixtures(body)
		if err == nil {
			err = s.Load(f)
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, CodeControl, err.Error(), "")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"loaded": true})
	case "GET " + ControlPrefix + "faults":
		writeJSON(w, http.StatusOK, map[string]any{"faults": s.Faults()})
	case "POST " + ControlPrefix + "faults":
		var f Fault
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			writeError(w, http.StatusBadRequest, CodeControl, fmt.Sprintf("mockserver: fault: %v", err), "")
			return
		}
		armed, err := s.AddFault(f)
		if err != nil {
			writeError(w, http.StatusBadRequest, CodeControl, err.Error(), "")
			return
		}
		writeJSON(w, http.StatusCreated, armed)
	case "DELETE " + ControlPrefix + "faults":
		s.ClearFaults()
		writeJSON(w, http.StatusOK, map[string]any{"faults": []Fault{}})
	default:
		writeError(w, http.StatusNotFound, CodeControl, "mock control: no "+route+
			"; there are GET (the page), GET info, POST reset, GET state, POST fixtures, GET/POST/DELETE faults under "+ControlPrefix, "")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
