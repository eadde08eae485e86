package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/gate/wire"
)

// The run's traffic as HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/),
// which browsers' developer tools, Insomnia and Postman import: an entry
// per exchange, in the order sent, with its timing on the run's clock.
// What the report hides, the HAR hides too: no credential or signature
// header, and every writeOnly value <redacted> (the exchanges are
// recorded so). An entry a violation names carries it in its comment and
// in _violations; a violation's exchange is entries[seq-1].

type harFile struct {
	Log harLog `json:"log"`
}

type harLog struct {
	Version string     `json:"version"`
	Creator harCreator `json:"creator"`
	Entries []harEntry `json:"entries"`
	Comment string     `json:"comment,omitempty"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	Comment         string      `json:"comment,omitempty"`
	Violations      []string    `json:"_violations,omitempty"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harNV      `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int          `json:"headersSize"`
	BodySize    int          `json:"bodySize"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []harNV    `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int        `json:"bodySize"`
	Comment     string     `json:"comment,omitempty"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harPostData struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
}

type harTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// WriteHAR writes every exchange of the run as HAR 1.2.
func (r Report) WriteHAR(w io.Writer) error {
	byEntry := map[int][]string{}
	for i, v := range r.Violations {
		if v.Exchange != nil && v.Exchange.Seq > 0 {
			byEntry[v.Exchange.Seq] = append(byEntry[v.Exchange.Seq], fmt.Sprintf("%d. %s: %s", i+1, v.Check, firstLine(v.Message)))
		}
	}
	exs := slices.Clone(r.Exchanges)
	slices.SortStableFunc(exs, func(a, b *wire.Exchange) int { return a.Seq - b.Seq })
	f := harFile{Log: harLog{Version: "1.2", Creator: harCreator{Name: "dli-contract", Version: "1"},
		Entries: make([]harEntry, 0, len(exs)),
		Comment: fmt.Sprintf("contract gate against %s, seed %d; writeOnly values and credentials are redacted", r.Endpoint, r.Seed)}}
	for _, ex := range exs {
		f.Log.Entries = append(f.Log.Entries, harEntryOf(ex, byEntry[ex.Seq]))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(f)
}

func harEntryOf(ex *wire.Exchange, violations []string) harEntry {
	ms := float64(ex.Took) / float64(time.Millisecond)
	e := harEntry{
		StartedDateTime: ex.Started.UTC().Format(time.RFC3339Nano),
		Time:            ms,
		Timings:         harTimings{Send: 0, Wait: ms, Receive: 0},
		Violations:      violations,
		Request: harRequest{Method: ex.Method, URL: ex.URL, HTTPVersion: "HTTP/1.1", Cookies: []harNV{},
			Headers: sortedNV(ex.Header), QueryString: []harNV{}, HeadersSize: -1, BodySize: len(ex.Body)},
		Response: harResponse{Status: ex.Status, StatusText: http.StatusText(ex.Status), HTTPVersion: "HTTP/1.1",
			Cookies: []harNV{}, Headers: sortedNV(ex.ResponseHeader), HeadersSize: -1, BodySize: int(ex.ResponseSize),
			Content: harContent{Size: int(ex.ResponseSize), MimeType: cmp.Or(ex.ResponseHeader["Content-Type"], "x-unknown"), Text: ex.ShownAnswer()}},
	}
	if ex.Started.IsZero() {
		e.StartedDateTime = time.Unix(0, 0).UTC().Format(time.RFC3339Nano)
	}
	if u, err := url.Parse(ex.URL); err == nil {
		for _, k := range slices.Sorted(maps.Keys(u.Query())) {
			for _, v := range u.Query()[k] {
				e.Request.QueryString = append(e.Request.QueryString, harNV{k, v})
			}
		}
	}
	if ex.Body != "" {
		e.Request.PostData = &harPostData{MimeType: cmp.Or(ex.Header["Content-Type"], "application/json"), Text: ex.Body}
	}
	switch {
	case ex.Error != "":
		e.Response.Comment = "no answer: " + ex.Error
		e.Response.BodySize = 0
	case ex.Throttled:
		e.Response.Comment = fmt.Sprintf("throttled after %d retries", ex.Retries)
	}
	if len(violations) > 0 {
		e.Comment = strings.Join(violations, "\n")
	}
	return e
}

func sortedNV(m map[string]string) []harNV {
	out := []harNV{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, harNV{k, m[k]})
	}
	return out
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
