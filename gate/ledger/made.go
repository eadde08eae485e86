package ledger

import (
	"encoding/json"

	"github.com/dli-contract/dli-go/gate/wire"
	"github.com/dli-contract/dli-go/semantics"
)

// Made is one resource the run created, or may have created.
type Made struct {
	Res      *semantics.Resource
	ID, Name string
	Gone     bool
	Last     string
}

func (l *Ledger) AddMade(res *semantics.Resource, id, name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.made {
		if m.Res == res && (id != "" && m.ID == id || id == "" && m.ID == "" && m.Name == name) {
			return
		}
	}
	l.made = append(l.made, &Made{Res: res, ID: id, Name: name})
}

func (l *Ledger) Pending() []*Made {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pendingLocked()
}

// pendingLocked is what the run made and has not seen gone; under l.mu.
func (l *Ledger) pendingLocked() []*Made {
	var out []*Made
	for _, m := range l.made {
		if !m.Gone {
			out = append(out, m)
		}
	}
	return out
}

func (l *Ledger) MadeCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.made)
}

// noteCreate registers what a create may have made: the key of a 2xx
// answer (where the create's declaration says it is), or, when the answer
// was lost or is a 5xx, the name it sent. A resource under a parent goes
// with its parent and is not registered.
func (l *Ledger) noteCreate(op string, ex *wire.Exchange, reqBody, respBody []byte) {
	if l.sem == nil {
		return
	}
	d := l.sem.Of(op)
	if d == nil || d.Role != semantics.Create || d.KeyExpr == nil {
		return
	}
	res := l.sem.Resources[d.Resource]
	if res == nil || res.Parent != "" {
		return
	}
	var name string
	if res.Name != "" {
		var sent map[string]any
		_ = json.Unmarshal(reqBody, &sent)
		name, _ = sent[res.Name].(string)
	}
	switch {
	case ex.Status >= 200 && ex.Status < 300:
		key, _ := d.KeyExpr.Eval(semantics.Call{Body: reqBody, Status: ex.Status, AnswerBody: respBody})
		l.AddMade(res, key, name)
	case ex.Error != "" || ex.Status >= 500:
		if name != "" {
			l.AddMade(res, "", name)
		}
	}
}
