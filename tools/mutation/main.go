// Command mutation measures how much of a package's behaviour the
// project's judges notice: it makes mutants of the named files (a
// comparison flipped, a condition negated, a constant swapped, a return,
// call or assignment dropped), each in a copy of the repository, and runs
// every judge against each mutant. A judge that fails on a mutant kills
// it; a mutant no judge kills survives. Mutants that no test could tell
// apart from the original are listed, with the reason, in an equivalents
// file, and left out of the scores.
//
// Judges:
//
//   - gate: cmd/dli-contract -mutate, built once from the repository
//     before any mutant exists, so that the judge never changes, against
//     cmd/dli-mock built from the mutant and served on a loopback port;
//
//   - unit: go test of the mutated files' packages;
//
//   - interop: the official SDK's life cycles (go test in interop/).
//
//     go run ./mutation -root .. -files mockserver/enhanced.go,mockserver/classic.go -judges gate,unit,interop
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// Outcome is what the judges said of one mutant.
type Outcome struct {
	Mutant
	Compiled   bool              `json:"compiled"`
	Killed     map[string]bool   `json:"killed"` // by judge
	Errors     map[string]string `json:"errors,omitempty"`
	Skipped    []string          `json:"skipped,omitempty"`    // judges not run: the gate had killed it
	Equivalent string            `json:"equivalent,omitempty"` // why, when listed
}

// Report is the whole run.
type Report struct {
	Files    []string `json:"files"`
	Judges   []string `json:"judges"`
	Baseline string   `json:"baseline,omitempty"`  // the revision of judge "baseline"
	GateArgs string   `json:"gate_args,omitempty"` // the flags judge "gate-args" adds to the gate's
	// Lazy are the judges run only where the gate survives: enough to
	// tell whether they kill anything the gate does not, at a fraction
	// of the time.
	Lazy []string `json:"lazy,omitempty"`
	// Reused names the report whose verdicts of ReusedJudges were taken
	// again, mutant by mutant, instead of judging anew.
	Reused       string    `json:"reused,omitempty"`
	ReusedJudges []string  `json:"reused_judges,omitempty"`
	Outcomes     []Outcome `json:"outcomes"`
	Duration     string    `json:"duration"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mutation", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "..", "the repository")
	files := fs.String("files", "", "comma-separated files to mutate, relative to -root")
	judgeList := fs.String("judges", "gate,unit,interop", "comma-separated judges: gate, unit, interop")
	workers := fs.Int("workers", 2, "mutants judged at once, each in its own copy of the repository")
	equivalents := fs.String("equivalents", "", "JSON `FILE` of equivalent mutants: [{\"key\": ..., \"reason\": ...}]")
	out := fs.String("json", "", "write the report as JSON to `FILE`")
	only := fs.String("only", "", "judge only the mutants whose description contains this text")
	limit := fs.Int("limit", 0, "judge at most this many mutants (0: all)")
	timeout := fs.Duration("judge-timeout", 3*time.Minute, "bound of one judge on one mutant")
	list := fs.Bool("list", false, "list the mutants and judge none")
	baseline := fs.String("baseline", "", "also judge by the gate as of this git `REVISION` (judge \"baseline\"), to compare")
	lazyList := fs.String("when-gate-survives", "", "comma-separated judges run only on the mutants the gate does not kill")
	reusePath := fs.String("reuse", "", "take the verdicts of -reuse-judges from this earlier JSON `REPORT` where it has them (when only the gate changed)")
	reuseList := fs.String("reuse-judges", "unit,interop", "the judges whose verdicts -reuse takes")
	gateArgsFlag := fs.String("gate-args", "", "also judge by the gate with these `FLAGS` added (judge \"gate-args\"), e.g. \"-profile live\", and set its kills beside the gate's by file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	judges := strings.Split(*judgeList, ",")
	for _, j := range judges {
		if !slices.Contains([]string{"gate", "unit", "interop"}, j) {
			fmt.Fprintf(stderr, "mutation: -judges: unknown judge %q (gate, unit, interop)\n", j)
			return 2
		}
	}
	var lazy []string
	if *lazyList != "" {
		lazy = strings.Split(*lazyList, ",")
	}
	for _, j := range lazy {
		if j == "gate" || !slices.Contains(judges, j) {
			fmt.Fprintf(stderr, "mutation: -when-gate-survives: %q is not one of -judges other than the gate\n", j)
			return 2
		}
	}
	if len(lazy) > 0 && !slices.Contains(judges, "gate") {
		fmt.Fprintln(stderr, "mutation: -when-gate-survives needs the gate among -judges")
		return 2
	}
	// The gate first, so that the lazy judges know its verdict.
	slices.SortStableFunc(judges, func(a, b string) int { return boolInt(b == "gate") - boolInt(a == "gate") })
	if *baseline != "" {
		judges = append(judges, "baseline")
	}
	extra := strings.Fields(*gateArgsFlag)
	if len(extra) > 0 {
		if !slices.Contains(judges, "gate") {
			fmt.Fprintln(stderr, "mutation: -gate-args needs the gate among -judges, to compare with")
			return 2
		}
		judges = append(judges, judgeGateArgs)
	}
	if *files == "" || *workers < 1 {
		fmt.Fprintln(stderr, "mutation: -files is required and -workers must be positive")
		return 2
	}
	abs, err := filepath.Abs(*root)
	if err != nil {
		fmt.Fprintln(stderr, "mutation:", err)
		return 2
	}
	targets := strings.Split(*files, ",")
	if slices.Contains(judges, "gate") || *baseline != "" {
		if err := refuseJudgeCode(ctx, abs, targets); err != nil {
			fmt.Fprintln(stderr, "mutation:", err)
			return 2
		}
	}
	reuse, err := loadReuse(*reusePath)
	if err != nil {
		fmt.Fprintln(stderr, "mutation: -reuse:", err)
		return 2
	}
	var reuseJudges []string
	if *reusePath != "" {
		reuseJudges = strings.Split(*reuseList, ",")
		for _, j := range reuseJudges {
			if j == "gate" || j == "baseline" || !slices.Contains(judges, j) {
				fmt.Fprintf(stderr, "mutation: -reuse-judges: %q is not one of -judges other than the gate\n", j)
				return 2
			}
		}
	}
	equiv, err := loadEquivalents(*equivalents)
	if err != nil {
		fmt.Fprintln(stderr, "mutation:", err)
		return 2
	}
	mutants, err := Enumerate(abs, targets)
	if err != nil {
		fmt.Fprintln(stderr, "mutation:", err)
		return 2
	}
	stale := maps.Clone(equiv) // entries of the files mutated that no mutant matches
	maps.DeleteFunc(stale, func(k, _ string) bool {
		return !slices.ContainsFunc(targets, func(f string) bool { return strings.HasPrefix(k, f+" | ") })
	})
	for _, m := range mutants {
		delete(stale, m.Key())
	}
	for _, k := range slices.Sorted(maps.Keys(stale)) {
		fmt.Fprintf(stderr, "mutation: warning: no mutant of %s is %q: the code changed; update %s\n", strings.Join(targets, ", "), k, *equivalents)
	}
	if *only != "" {
		mutants = slices.DeleteFunc(mutants, func(m Mutant) bool { return !strings.Contains(m.String(), *only) })
	}
	if *limit > 0 && len(mutants) > *limit {
		mutants = mutants[:*limit]
	}
	if *list {
		for _, m := range mutants {
			fmt.Fprintln(stdout, m)
		}
		return 0
	}
	start := time.Now()
	fmt.Fprintf(stdout, "mutation: %d mutants of %s, judged by %s\n", len(mutants), strings.Join(targets, ", "), strings.Join(judges, ", "))

	tmp, err := os.MkdirTemp("", "dli-mutation-")
	if err != nil {
		fmt.Fprintln(stderr, "mutation:", err)
		return 2
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	gates := map[string]gateJudge{} // judge → gate binary, and its flags
	if slices.Contains(judges, "gate") {
		gates["gate"] = gateJudge{bin: filepath.Join(tmp, "dli-contract")}
		if msg, err := command(ctx, abs, *timeout, nil, "go", "build", "-o", gates["gate"].bin, "./cmd/dli-contract"); err != nil {
			fmt.Fprintf(stderr, "mutation: build the gate: %v\n%s", err, msg)
			return 2
		}
		if len(extra) > 0 {
			gates[judgeGateArgs] = gateJudge{bin: gates["gate"].bin, extra: extra}
		}
	}
	if *baseline != "" {
		gates["baseline"] = gateJudge{bin: filepath.Join(tmp, "dli-contract-baseline")}
		if err := buildAt(ctx, abs, *baseline, filepath.Join(tmp, "baseline"), gates["baseline"].bin, *timeout); err != nil {
			fmt.Fprintf(stderr, "mutation: build the gate as of %s: %v\n", *baseline, err)
			return 2
		}
	}
	// Workspaces: one copy of the repository per worker.
	spaces := make([]string, *workers)
	for i := range spaces {
		spaces[i] = filepath.Join(tmp, fmt.Sprintf("w%d", i))
		if err := copyTree(abs, spaces[i]); err != nil {
			fmt.Fprintln(stderr, "mutation: copy the repository:", err)
			return 2
		}
	}

	// Each gate must pass the unmutated mock, or it would "kill" every
	// mutant: a judge that cannot pass the original judges nothing.
	for name, g := range gates {
		if err := gate(ctx, spaces[0], g, *timeout); err != nil {
			fmt.Fprintf(stderr, "mutation: the %s judge fails the unmutated mock, so it would kill every mutant: %v\n", name, err)
			return 2
		}
	}

	outcomes := make([]Outcome, len(mutants))
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for w := range *workers {
		wg.Go(func() {
			for i := range next {
				var prev *Outcome
				if p, ok := reuse[mutants[i].Key()]; ok {
					prev = &p
				}
				o := judge(ctx, spaces[w], mutants[i], judges, lazy, gates, *timeout, prev, reuseJudges)
				if reason, ok := equiv[o.Key()]; ok {
					o.Equivalent = reason
				}
				outcomes[i] = o
				mu.Lock()
				done++
				fmt.Fprintf(stdout, "  [%d/%d] %s: %s\n", done, len(mutants), verdict(o, judges), o.Mutant)
				mu.Unlock()
			}
		})
	}
	for i := range mutants {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "mutation: interrupted")
		return 2
	}
	rep := Report{Files: targets, Judges: judges, Baseline: *baseline, GateArgs: *gateArgsFlag, Lazy: lazy, Reused: *reusePath, ReusedJudges: reuseJudges, Outcomes: outcomes, Duration: time.Since(start).Round(time.Second).String()}
	fmt.Fprint(stdout, rep.Text())
	if *out != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(*out, b, 0o644); err != nil { //nolint:gosec // a report for people to read
			fmt.Fprintln(stderr, "mutation:", err)
			return 2
		}
	}
	return 0
}

func verdict(o Outcome, judges []string) string {
	if !o.Compiled {
		return "does not compile"
	}
	var parts []string
	for _, j := range judges {
		mark := "survives"
		switch {
		case slices.Contains(o.Skipped, j):
			mark = "not run"
		case o.Errors[j] != "":
			mark = "error"
		case o.Killed[j]:
			mark = "kills"
		}
		parts = append(parts, j+" "+mark)
	}
	return strings.Join(parts, ", ")
}

// judge runs every judge on m in the workspace ws, and puts the file back.
func judge(ctx context.Context, ws string, m Mutant, judges, lazy []string, gates map[string]gateJudge, timeout time.Duration,
	prev *Outcome, reuseJudges []string) Outcome {
	o := Outcome{Mutant: m, Killed: map[string]bool{}, Errors: map[string]string{}}
	path := filepath.Join(ws, filepath.FromSlash(m.File))
	orig, err := os.ReadFile(path) //nolint:gosec // a file of the scratch copy, or the list the user named
	if err != nil {
		o.Errors["setup"] = err.Error()
		return o
	}
	defer func() { _ = os.WriteFile(path, orig, 0o644) }() //nolint:gosec // a source file of the copy
	mutated, err := m.Apply(orig)
	if err != nil {
		o.Errors["setup"] = err.Error()
		return o
	}
	if err := os.WriteFile(path, mutated, 0o644); err != nil { //nolint:gosec // a source file of the copy
		o.Errors["setup"] = err.Error()
		return o
	}
	pkg := "./" + filepath.ToSlash(filepath.Dir(m.File))
	if _, err := command(ctx, ws, timeout, nil, "go", "vet", pkg); err != nil {
		return o // vet type-checks: a mutant it refuses does not compile
	}
	o.Compiled = true
	for _, j := range judges {
		if o.Killed["gate"] && slices.Contains(lazy, j) {
			o.Skipped = append(o.Skipped, j)
			continue
		}
		if killed, errMsg, ok := reused(prev, j, reuseJudges); ok {
			o.Killed[j] = killed
			if errMsg != "" {
				o.Errors[j] = errMsg
			}
			continue
		}
		var err error
		switch j {
		case "unit":
			_, err = command(ctx, ws, timeout, nil, "go", "test", "-count=1", pkg+"/...")
		case "interop":
			_, err = command(ctx, filepath.Join(ws, "interop"), timeout, nil, "go", "test", "-count=1", "./...")
		case "gate", "baseline", judgeGateArgs:
			err = gate(ctx, ws, gates[j], timeout)
		}
		var failed *judgeFailed
		switch {
		case err == nil:
		case errors.As(err, &failed):
			o.Killed[j] = true
		default:
			o.Errors[j] = err.Error()
		}
	}
	if len(o.Errors) == 0 {
		o.Errors = nil
	}
	return o
}

// Text is the report for people: a score per judge, the survivors by
// file and line, the equivalent mutants with their reasons, and how the
// gate compares with the other judges.
func (r Report) Text() string {
	var b strings.Builder
	var compiled, equivalent []Outcome
	for _, o := range r.Outcomes {
		switch {
		case !o.Compiled:
		case o.Equivalent != "":
			equivalent = append(equivalent, o)
		default:
			compiled = append(compiled, o)
		}
	}
	fmt.Fprintf(&b, "\nmutation score (%d mutants, %d compiled, %d equivalent left out; %s):\n",
		len(r.Outcomes), len(compiled)+len(equivalent), len(equivalent), r.Duration)
	if r.Reused != "" {
		fmt.Fprintf(&b, "  (the verdicts of %s taken from %s where it had them)\n", strings.Join(r.ReusedJudges, ", "), r.Reused)
	}
	for _, j := range r.Judges {
		killed, ran := 0, 0
		for _, o := range compiled {
			if !slices.Contains(o.Skipped, j) {
				ran++
			}
			if o.Killed[j] {
				killed++
			}
		}
		if slices.Contains(r.Lazy, j) {
			fmt.Fprintf(&b, "  %-8s %d of the %d mutants the gate does not kill killed (run only there)\n", j, killed, ran)
			continue
		}
		fmt.Fprintf(&b, "  %-8s %d of %d killed (%s)\n", j, killed, len(compiled), pct(killed, len(compiled)))
	}
	for _, g := range []string{"baseline", "gate"} {
		if !slices.Contains(r.Judges, g) {
			continue
		}
		name := "the gate"
		if g == "baseline" {
			name = "the gate as of " + r.Baseline
		}
		for _, other := range []string{"unit", "interop"} {
			if !slices.Contains(r.Judges, other) {
				continue
			}
			if slices.Contains(r.Lazy, other) {
				// Its kills are known only where the gate survives.
				if g == "gate" {
					var missed []Outcome
					for _, o := range compiled {
						if o.Killed[other] && !o.Killed[g] {
							missed = append(missed, o)
						}
					}
					fmt.Fprintf(&b, "  %s kills every mutant %s kills but %d\n", name, other, len(missed))
					for _, o := range missed {
						fmt.Fprintf(&b, "    %s kills, the gate does not: %s\n", other, o.Mutant)
					}
				}
				continue
			}
			both, theirs := 0, 0
			var missed []Outcome
			for _, o := range compiled {
				if o.Killed[other] {
					theirs++
					if o.Killed[g] {
						both++
					} else {
						missed = append(missed, o)
					}
				}
			}
			fmt.Fprintf(&b, "  %s kills %d of the %d mutants %s kills (%s)\n", name, both, theirs, other, pct(both, theirs))
			if other == "interop" && g == "gate" {
				for _, o := range missed {
					fmt.Fprintf(&b, "    interop kills, the gate does not: %s\n", o.Mutant)
				}
			}
		}
	}
	b.WriteString(r.gateArgsText(compiled))
	if slices.Contains(r.Judges, "gate") && slices.Contains(r.Judges, "unit") && len(r.Files) > 1 {
		fmt.Fprintln(&b, "  by file, the gate against the unit tests:")
		for _, f := range r.Files {
			both, theirs := 0, 0
			for _, o := range compiled {
				if o.File == f && o.Killed["unit"] {
					theirs++
					if o.Killed["gate"] {
						both++
					}
				}
			}
			fmt.Fprintf(&b, "    %-28s %d of %d (%s)\n", f, both, theirs, pct(both, theirs))
		}
	}
	fmt.Fprintln(&b, "survivors:")
	for _, j := range r.Judges {
		if j == "baseline" {
			continue // the old gate's survivors are history
		}
		for _, o := range compiled {
			if !o.Killed[j] && !slices.Contains(o.Skipped, j) {
				fmt.Fprintf(&b, "  %s survives %s", j, o.Mutant)
				if e := o.Errors[j]; e != "" {
					fmt.Fprintf(&b, " (judge error: %s)", firstLine(e))
				}
				b.WriteString("\n")
			}
		}
	}
	if len(equivalent) > 0 {
		fmt.Fprintln(&b, "equivalent (left out):")
		for _, o := range equivalent {
			fmt.Fprintf(&b, "  %s\n    why: %s\n", o.Mutant, o.Equivalent)
		}
	}
	return b.String()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func pct(n, of int) string {
	if of == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(of))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// reused is judge j's earlier verdict on a mutant, when -reuse takes it
// and the earlier run has one: the mock and its tests did not change, so
// it stands.
func reused(prev *Outcome, j string, reuseJudges []string) (killed bool, errMsg string, ok bool) {
	if prev == nil || !prev.Compiled || !slices.Contains(reuseJudges, j) || slices.Contains(prev.Skipped, j) {
		return false, "", false
	}
	return prev.Killed[j], prev.Errors[j], true
}

// loadReuse reads an earlier report's outcomes by mutant key.
func loadReuse(path string) (map[string]Outcome, error) {
	out := map[string]Outcome{}
	if path == "" {
		return out, nil
	}
	raw, err := os.ReadFile(path) //nolint:gosec // a report the user named
	if err != nil {
		return nil, err
	}
	var rep Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, o := range rep.Outcomes {
		out[o.Key()] = o
	}
	return out, nil
}

type equivalent struct {
	Key    string `json:"key"`
	Reason string `json:"reason"`
}

func loadEquivalents(path string) (map[string]string, error) {
	out := map[string]string{}
	if path == "" {
		return out, nil
	}
	raw, err := os.ReadFile(path) //nolint:gosec // a file of the scratch copy, or the list the user named
	if err != nil {
		return nil, err
	}
	var list []equivalent
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, e := range list {
		if e.Key == "" || e.Reason == "" {
			return nil, fmt.Errorf("%s: entry %d needs a key and a reason", path, i)
		}
		out[e.Key] = e.Reason
	}
	return out, nil
}
