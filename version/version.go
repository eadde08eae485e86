// Package version says which release of this module a program was built
// from, so that a report, a mock's answer or a bug report can name it.
package version

import "runtime/debug"

// String is the module's version as Go recorded it in the binary: the
// release tag (v0.1.0) for a program installed with go install or go run
// ...@v0.1.0; in a clone, the pseudo-version go build stamps from the
// commit, or, where Go stamped none (go run, -buildvcs=false), "(devel)"
// followed by the commit and "+dirty" for uncommitted changes when Go
// recorded them.
func String() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	out := "(devel)"
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			out += " " + s.Value[:min(12, len(s.Value))]
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty {
		out += "+dirty"
	}
	return out
}
