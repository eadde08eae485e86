package main

import (
	"bytes"
	"encoding/json"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sample is a file with one site of each kind the tool mutates; the tests
// copy it under a .go name, since testdata/*.go would be compiled by go vet.
func sample(t *testing.T) (root, file string) {
	t.Helper()
	src, err := os.ReadFile("testdata/sample.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	root = t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "sample.go"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	return root, "sample.go"
}

func TestEnumerateFindsEachKindOfMutant(t *testing.T) {
	root, file := sample(t)
	ms, err := Enumerate(root, []string{file})
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, m := range ms {
		ops = append(ops, m.Op)
	}
	for _, want := range []string{"== → !=", "&& → ||", "< → >=", "< → <=", "negate if", "drop return", "drop assignment",
		"StatusOK → StatusCreated", "StatusBadRequest → StatusNotFound", "true → false", "false → true"} {
		if !slices.Contains(ops, want) {
			t.Errorf("no mutant %q among %q", want, ops)
		}
	}
	again, err := Enumerate(root, []string{file})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(ms, again, func(a, b Mutant) bool { return a.Key() == b.Key() && a.Line == b.Line }) {
		t.Error("the same source listed different mutants")
	}
}

// Every mutant is one change that still parses, and its key is its own:
// the same return twice in a function is told apart.
func TestMutantsApplyAndKeysAreUnique(t *testing.T) {
	root, file := sample(t)
	src, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := Enumerate(root, []string{file})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	twice := false
	for _, m := range ms {
		if keys[m.Key()] {
			t.Errorf("two mutants share the key %q", m.Key())
		}
		keys[m.Key()] = true
		twice = twice || m.Nth > 1
		out, err := m.Apply(src)
		if err != nil {
			t.Errorf("%s: %v", m, err)
			continue
		}
		if bytes.Equal(out, src) {
			t.Errorf("%s changed nothing", m)
		}
		if _, err := parser.ParseFile(token.NewFileSet(), file, out, 0); err != nil {
			t.Errorf("%s does not parse: %v", m, err)
		}
	}
	if !twice {
		t.Error("the sample's two identical returns should give a mutant with Nth 2")
	}
	// A file that changed after listing is refused, not mutated elsewhere.
	if _, err := ms[len(ms)-1].Apply([]byte("package sample\n")); err == nil {
		t.Error("a mutant applied to a file without its site")
	}
}

func TestKeepFlags(t *testing.T) {
	usage := "Usage of dli-contract:\n  -endpoint string\n    \tserver\n  -mutate\n    \talso create\n  -seed uint\n    \tseed\n"
	got := keepFlags(usage, []string{"-endpoint", "http://x", "-mutate", "-mock", "-queue", "q", "-seed", "1"})
	want := []string{"-endpoint", "http://x", "-mutate", "-seed", "1"}
	if !slices.Equal(got, want) {
		t.Errorf("keepFlags = %q, want %q (an older gate gets only the flags it has)", got, want)
	}
}

func TestReportText(t *testing.T) {
	m := func(line int, op string) Mutant {
		return Mutant{File: "mockserver/enhanced.go", Line: line, Func: "f", Op: op, Orig: "x"}
	}
	rep := Report{Files: []string{"mockserver/enhanced.go", "mockserver/store.go"}, Judges: []string{"gate", "unit", "interop"}, Duration: "1s", Outcomes: []Outcome{
		{Mutant: m(1, "a"), Compiled: true, Killed: map[string]bool{"gate": true, "unit": true, "interop": true}},
		{Mutant: m(2, "b"), Compiled: true, Killed: map[string]bool{"unit": true, "interop": true}},
		{Mutant: m(3, "c"), Compiled: true, Killed: map[string]bool{}},
		{Mutant: m(4, "d"), Compiled: true, Killed: map[string]bool{}, Equivalent: "the same answers"},
		{Mutant: m(5, "e")},
	}}
	text := rep.Text()
	for _, want := range []string{
		"mutation score (5 mutants, 4 compiled, 1 equivalent left out; 1s)",
		"gate     1 of 3 killed (33%)",
		"unit     2 of 3 killed (67%)",
		"the gate kills 1 of the 2 mutants unit kills (50%)",
		"mockserver/enhanced.go       1 of 2 (50%)",
		"mockserver/store.go          0 of 0 (n/a)",
		"interop kills, the gate does not: mockserver/enhanced.go:2 (f): b in `x`",
		"gate survives mockserver/enhanced.go:3 (f): c in `x`",
		"why: the same answers",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "survives mockserver/enhanced.go:4") {
		t.Errorf("an equivalent mutant is listed as a survivor:\n%s", text)
	}
}

// A judge run only where the gate survives is not scored on its own: the
// report says what it kills that the gate does not, and nothing it never
// ran is a survivor.
func TestReportTextWithALazyJudge(t *testing.T) {
	m := func(line int) Mutant {
		return Mutant{File: "mockserver/classic.go", Line: line, Func: "f", Op: "o", Orig: "x"}
	}
	rep := Report{Judges: []string{"gate", "unit", "interop"}, Lazy: []string{"interop"}, Duration: "1s", Outcomes: []Outcome{
		{Mutant: m(1), Compiled: true, Killed: map[string]bool{"gate": true, "unit": true}, Skipped: []string{"interop"}},
		{Mutant: m(2), Compiled: true, Killed: map[string]bool{"unit": true, "interop": true}},
		{Mutant: m(3), Compiled: true, Killed: map[string]bool{}},
	}}
	text := rep.Text()
	for _, want := range []string{
		"interop  1 of the 2 mutants the gate does not kill killed (run only there)",
		"the gate kills every mutant interop kills but 1",
		"interop kills, the gate does not: mockserver/classic.go:2 (f): o in `x`",
		"interop survives mockserver/classic.go:3",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "interop survives mockserver/classic.go:1") {
		t.Errorf("a judge that did not run is listed as surviving:\n%s", text)
	}
	if got := verdict(rep.Outcomes[0], rep.Judges); got != "gate kills, unit kills, interop not run" {
		t.Errorf("verdict = %q", got)
	}
}

// A verdict is reused from an earlier report only for the judges named,
// and only where that report has one: a judge it skipped runs now.
func TestReuse(t *testing.T) {
	m := Mutant{File: "mockserver/classic.go", Line: 3, Func: "f", Op: "o", Orig: "x"}
	rep := Report{Judges: []string{"gate", "unit", "interop"}, Outcomes: []Outcome{
		{Mutant: m, Compiled: true, Killed: map[string]bool{"gate": true, "unit": true}, Skipped: []string{"interop"}},
	}}
	raw, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mutation.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	byKey, err := loadReuse(path)
	if err != nil {
		t.Fatal(err)
	}
	prev, ok := byKey[m.Key()]
	if !ok {
		t.Fatalf("no outcome under %q in %v", m.Key(), byKey)
	}
	for _, c := range []struct {
		judge      string
		killed, ok bool
	}{
		{"unit", true, true},      // reused
		{"interop", false, false}, // skipped then: run now
		{"gate", false, false},    // not a reused judge
	} {
		killed, _, ok := reused(&prev, c.judge, []string{"unit", "interop"})
		if killed != c.killed || ok != c.ok {
			t.Errorf("reused(%s) = %t, %t; want %t, %t", c.judge, killed, ok, c.killed, c.ok)
		}
	}
	if _, _, ok := reused(nil, "unit", []string{"unit"}); ok {
		t.Error("a mutant the earlier report lacks reused a verdict")
	}
	if _, err := loadReuse(filepath.Join(t.TempDir(), "none.json")); err == nil {
		t.Error("a missing report gave no error")
	}
}

// The equivalents file parses, and each entry is a mutant of the files
// make mutation mutates: an entry the code no longer has is a stale
// excuse.
func TestEquivalentsMatchMutants(t *testing.T) {
	equiv, err := loadEquivalents("equivalents.json")
	if err != nil {
		t.Fatal(err)
	}
	files := []string{"mockserver/enhanced.go", "mockserver/classic.go", "mockserver/privileges.go", "mockserver/store.go", "mockserver/server.go", "mockserver/authinfos.go", "mockserver/connectivity.go", "mockserver/tags.go"}
	ms, err := Enumerate("../..", files)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		delete(equiv, m.Key())
	}
	for k := range equiv {
		t.Errorf("equivalents.json names no mutant: %s", k)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`[{"key":"k"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadEquivalents(bad); err == nil || !strings.Contains(err.Error(), "needs a key and a reason") {
		t.Errorf("an entry without a reason: %v", err)
	}
}

// With -gate-args, the report sets that gate's kills beside the gate's,
// in all and by file, and names what the gate kills and it does not.
func TestReportTextWithGateArgs(t *testing.T) {
	m := func(file string, line int) Mutant {
		return Mutant{File: file, Line: line, Func: "f", Op: "o", Orig: "x"}
	}
	const enhanced, store = "mockserver/enhanced.go", "mockserver/store.go"
	rep := Report{Files: []string{enhanced, store}, Judges: []string{"gate", judgeGateArgs}, GateArgs: "-profile live", Duration: "1s", Outcomes: []Outcome{
		{Mutant: m(enhanced, 1), Compiled: true, Killed: map[string]bool{"gate": true, judgeGateArgs: true}},
		{Mutant: m(enhanced, 2), Compiled: true, Killed: map[string]bool{"gate": true}},
		{Mutant: m(store, 3), Compiled: true, Killed: map[string]bool{"gate": true, judgeGateArgs: true}},
		{Mutant: m(store, 4), Compiled: true, Killed: map[string]bool{judgeGateArgs: true}},
		{Mutant: m(store, 5), Compiled: true, Killed: map[string]bool{}},
	}}
	text := rep.Text()
	for _, want := range []string{
		"the gate with -profile live kills 2 of the 3 mutants the gate kills (67%); by file:",
		"mockserver/enhanced.go       1 of 2 (50%)",
		"mockserver/store.go          1 of 1 (100%)",
		"the gate kills, with -profile live it does not: mockserver/enhanced.go:2 (f): o in `x`",
		"gate-args survives mockserver/store.go:5",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
}
