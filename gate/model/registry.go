package model

import "slices"

// The model's part of the registry (package gate's doc.go says what the
// registry is): what the document cannot declare of a call's outcome, by
// operationId.
//
//   - predict: the model's prediction of a call, replacing the generic one;
//   - mockCode: the error code of a refusal the document gives none for,
//     which docs/mock.md gives.
//
// An operation with no entry is predicted by its declarations alone.
type hooks struct {
	predict  func(m *Model, op string, path map[string]string, body map[string]any) Prediction
	mockCode string
}

var registry = map[string]hooks{
	"CreateEnhancedConnection": {predict: (*Model).createEnhanced},
	"ShowEnhancedConnection":   {predict: (*Model).showEnhanced},
	"UpdateEnhancedConnection": {predict: (*Model).updateEnhanced},
	"DeleteEnhancedConnection": {predict: (*Model).deleteEnhanced},
	"AssociateQueueToEnhancedConnection": {predict: func(m *Model, _ string, path map[string]string, body map[string]any) Prediction {
		return m.Bind(false, path, body)
	}},
	"DisassociateQueueFromEnhancedConnection": {predict: func(m *Model, _ string, path map[string]string, body map[string]any) Prediction {
		return m.Bind(true, path, body)
	}},
	"ShowEnhancedConnectionPrivilege":   {predict: (*Model).showEnhanced},
	"CreateRouteToEnhancedConnection":   {predict: (*Model).createRoute},
	"CreateEnhancedConnectionRoutes":    {predict: (*Model).createRoute},
	"DeleteRouteFromEnhancedConnection": {predict: (*Model).deleteRoute},
	"DeleteEnhancedConnectionRoutes":    {predict: (*Model).deleteRoute},
	"RunAuthorizationAction":            {predict: (*Model).predictAuthorization},
	"DeleteDatasourceConnection":        {mockCode: "DLI.0007"},
}

// Kind is a resource kind the model holds in Go rather than by its
// declarations: its keys, as a sequence draws them.
type Kind struct {
	// Keys are the keys of the run's ones, under parent, the deleted ones
	// too when withDeleted, those still there last.
	Keys func(m *Model, parent string, withDeleted bool) []string
	// Names are the names of the run's ones, in creation order.
	Names func(m *Model) []string
	// Name is the name of the one of that key, or "".
	Name func(m *Model, key string) string
	// Sentinel is a key that does not exist, drawn among the others in
	// place of a fresh unknown one.
	Sentinel string
	// Bound says whether a live one of the kind is surely bound, ACTIVE,
	// to the queue or pool of that name (what a dli-mock's rule of
	// another kind may ask: mock.decides).
	Bound func(m *Model, name string) bool
}

// Kinds are the kinds the model holds in Go, by kind.
var Kinds = map[string]Kind{
	"enhanced_connection": {Keys: func(m *Model, _ string, withDeleted bool) []string {
		// The deleted ones first: a draw counts back from the last, so
		// that calls mostly go to connections still there, where what
		// several calls do shows (a second route, a name used twice),
		// without a draw more, which would slow shrinking.
		var deleted, live []string
		for _, c := range m.Conns {
			if c.Deleted {
				deleted = append(deleted, c.ID)
			} else {
				live = append(live, c.ID)
			}
		}
		if !withDeleted {
			return live
		}
		return append(deleted, live...)
	}, Names: func(m *Model) []string {
		var names []string
		for _, c := range m.Conns {
			names = append(names, c.Name)
		}
		return names
	}, Name: func(m *Model, key string) string {
		if c := m.Conn(key); c != nil {
			return c.Name
		}
		return ""
	}, Bound: (*Model).BoundActive},
	"route": {Sentinel: "no_such_route", Keys: func(m *Model, parent string, _ bool) []string {
		var out []string
		if c := m.Conn(parent); c != nil {
			for _, rt := range c.Routes {
				out = append(out, rt.Name)
			}
		}
		return out
	}},
	"privilege": {Keys: func(*Model, string, bool) []string { return nil }},
}

// BoundActive says whether a live connection binds the queue or pool of
// that name, seen ACTIVE: a binding stays so until it is unbound or its
// connection deleted, which the model holds.
func (m *Model) BoundActive(name string) bool {
	for _, c := range m.Conns {
		if !c.Deleted && slices.ContainsFunc(c.Bindings, func(b Binding) bool { return b.Name == name && b.Status == "ACTIVE" }) {
			return true
		}
	}
	return false
}

// NameOf is the name of the resource of kind and key the model holds, or
// "" when it holds none or the kind's names are not held.
func (m *Model) NameOf(kind, key string) string {
	if k, ok := Kinds[kind]; ok && k.Name != nil {
		return k.Name(m, key)
	}
	return ""
}
