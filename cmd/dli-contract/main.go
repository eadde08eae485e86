// Command dli-contract holds a DLI-compatible server to openapi/dli.yaml:
// every response declared, of the declared content type and schema, never
// a 5xx; invalid requests refused without changing anything; valid ones
// accepted; bad credentials refused; and, with -mutate, life cycles that
// keep what the document promises. Without -endpoint it checks the mock,
// in-process.
//
//	go run github.com/dli-contract/dli-go/cmd/dli-contract@latest -endpoint https://dli.cn-north-4.myhuaweicloud.com \
//		-project ... -ak ... -sk ...
//
// Exit status: 0 the server and document conform, 1 a contract violation,
// 2 a usage or configuration error. Every flag can also come from the
// environment variable named in its help (flags win).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/mockserver"
	"github.com/dli-contract/dli-go/semantics"
)

func main() {
	// The first SIGINT or SIGTERM stops the checks; the run then cleans up
	// and reports. A second one ends the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, clock.System, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// setting is a flag and the environment variable it overrides.
type setting struct{ flag, env, usage string }

// fixedSettings are the flags of the target; settings adds one per input
// the document declares.
var fixedSettings = []setting{
	{"endpoint", gate.EnvEndpoint, "server to check, e.g. https://dli.cn-north-4.myhuaweicloud.com; the in-process mock when empty"},
	{"project", gate.EnvProjectID, "project id (required with -endpoint)"},
	{"ak", gate.EnvAK, "access key (with -sk)"},
	{"sk", gate.EnvSK, "secret key (with -ak); better from the environment"},
	{"security-token", gate.EnvSecurityToken, "security token of temporary AK/SK credentials"},
	{"token", gate.EnvToken, "IAM token, instead of -ak and -sk"},
}

// settings are the fixed settings and one per declared input
// (x-dli-cloud-inputs): what a mutating run against live DLI creates with.
func settings() ([]setting, error) {
	inputs, err := gate.DeclaredInputs()
	if err != nil {
		return nil, err
	}
	out := slices.Clone(fixedSettings)
	for _, in := range inputs {
		out = append(out, setting{in.Name, in.Env(), inputUsage(in)})
	}
	return out, nil
}

// inputUsage is the help of an input's flag, and its line in the README.
func inputUsage(in *semantics.Input) string {
	switch in.Need {
	case semantics.NeedRequired:
		return "with -mutate: " + in.Usage
	case semantics.NeedOptional:
		return "with -mutate, optional: " + in.Usage + "; sent only when given"
	}
	u := "with -mutate, optional, with the other inputs of its create or none (its life cycle is skipped without): " + in.Usage
	if in.Default != "" {
		u += " (default " + in.Default + ")"
	}
	return u
}

// run is the command on clk, which the run waits on (settle windows,
// polls, Retry-After, pacing) and the in-process mock keeps its time by;
// its -timeout is on the system clock whatever clk is.
func run(ctx context.Context, clk clock.Clock, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dli-contract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	all, err := settings()
	if err != nil {
		fmt.Fprintln(stderr, "dli-contract:", err)
		return 2
	}
	values := map[string]*string{}
	for _, f := range all {
		// Defaults stay empty: the usage text must never print a secret
		// taken from the environment.
		values[f.env] = fs.String(f.flag, "", f.usage+" ($"+f.env+")")
	}
	mutate := fs.Bool("mutate", false, "also create, change and delete connections, and delete them again ($"+gate.EnvMutate+"=1)")
	seed := fs.Uint64("seed", 0, "seed of the generated valid requests; printed by every run, 0 picks one")
	maxExamples := fs.Int("max-examples", 0, "generated valid requests per operation, and generated call sequences (0: 40 against loopback, 10 against anything else)")
	maxSteps := fs.Int("max-steps", gate.DefaultMaxSteps, "with -mutate: average number of calls of a generated sequence")
	maxShrinks := fs.Int("max-shrinks", gate.DefaultMaxShrinks, "with -mutate: runs spent shrinking a failing sequence (a count, so that -seed replays it anywhere)")
	isMock := fs.Bool("mock", false, "the server is a dli-mock: hold it to its README too (fail_ bindings fail, any pool or queue is taken)")
	requireKeywords := fs.Bool("require-keyword-coverage", false, "exit 2 unless every constraint of the request schemas was both satisfied and broken")
	timeout := fs.Duration("timeout", 10*time.Minute, "bound of the whole run, cleanup included")
	requestTimeout := fs.Duration("request-timeout", gate.DefaultRequestTimeout, "bound of each request's answer")
	poll := fs.Duration("poll", gate.DefaultPoll, "with -mutate: how often to show a connection while its bindings are being created")
	settle := fs.Duration("settle", gate.DefaultSettle, "with -mutate: how long a binding may take to leave CREATING")
	rateLimit := fs.Float64("rate-limit", -1, fmt.Sprintf("requests per second at most; by default %g against a remote endpoint, unlimited against loopback or the in-process mock", defaultRemoteRate))
	throttleRetries := fs.Int("throttle-retries", gate.DefaultThrottleRetries, "how often a request answered 429 is sent again, waiting as Retry-After says")
	maxBody := fs.Int64("max-body", gate.DefaultMaxBody, "bytes read of an answer's body at most; a larger one is a violation")
	maxFailures := fs.Int("max-failures", 0, "stop after this many violations (0: never)")
	checks := fs.String("checks", "", "comma-separated checks to run (default: all), of\n"+gate.CheckDescriptions())
	excludeChecks := fs.String("exclude-checks", "", "comma-separated checks to leave out")
	includeOps := fs.String("include-operation", "", "comma-separated operationIds to judge (default: all)")
	excludeOps := fs.String("exclude-operation", "", "comma-separated operationIds to leave out")
	verbose := fs.Bool("v", false, "a line per case, saying which case it is")
	junit := fs.String("junit", "", "write a JUnit XML report to `FILE`")
	jsonOut := fs.String("json", "", "write a JSON report to `FILE`; -replay sends its requests again")
	htmlOut := fs.String("html", "", "write the report as one self-contained HTML page to `FILE`: the verdict, each failure with its steps, the operations × statuses matrix, keyword coverage")
	harOut := fs.String("har", "", "write every exchange of the run as HAR 1.2 to `FILE` (for browsers' developer tools, Insomnia, Postman), secrets redacted")
	replay := fs.String("replay", "", "send the request of one violation of this JSON report `FILE` again, signed anew, and judge the answer")
	replayCase := fs.Int("case", 1, "with -replay: which violation, numbered as the run printed them")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "dli-contract: unexpected arguments %q; every setting is a flag (see -h)\n", fs.Args())
		return 2
	}
	if *maxExamples < 0 || *maxSteps < 1 || *maxShrinks < 1 || *timeout <= 0 || *requestTimeout <= 0 || *poll <= 0 || *settle <= 0 || *maxBody <= 0 {
		fmt.Fprintln(stderr, "dli-contract: -max-steps, -max-shrinks, -timeout, -request-timeout, -poll, -settle and -max-body must be positive, -max-examples not negative")
		return 2
	}
	if *maxFailures < 0 || *throttleRetries < 0 || *rateLimit < -1 {
		fmt.Fprintln(stderr, "dli-contract: -max-failures, -throttle-retries and -rate-limit must not be negative")
		return 2
	}
	env := func(name string) string {
		if v := values[name]; v != nil && *v != "" {
			return *v
		}
		if name == gate.EnvMutate && *mutate || name == gate.EnvMock && *isMock {
			return "1"
		}
		return getenv(name)
	}
	if *replay != "" {
		return replayOne(ctx, *replay, *replayCase, env, *requestTimeout, stdout, stderr)
	}
	cfg, err := config(env, clk)
	if err != nil {
		fmt.Fprintln(stderr, "dli-contract:", flagNames(all, err.Error()))
		return 2
	}
	cfg.Seed, cfg.MaxExamples, cfg.RequestTimeout, cfg.Log, cfg.Verbose = *seed, *maxExamples, *requestTimeout, stdout, *verbose
	cfg.Clock = clk
	cfg.ThrottleRetries, cfg.MaxBody, cfg.MaxFailures = *throttleRetries, *maxBody, *maxFailures
	cfg.MaxSteps, cfg.MaxShrinks, cfg.RequireKeywords = *maxSteps, *maxShrinks, *requireKeywords
	cfg.Mock = cfg.Mock || *isMock
	if *throttleRetries == 0 {
		cfg.ThrottleRetries = -1
	}
	cfg.Checks, cfg.ExcludeChecks = list(*checks), list(*excludeChecks)
	cfg.Operations, cfg.ExcludeOperations = list(*includeOps), list(*excludeOps)
	cfg.RateLimit = *rateLimit
	if *rateLimit < 0 {
		cfg.RateLimit = defaultRate(cfg)
	}
	if cfg.MaxExamples == 0 {
		cfg.MaxExamples = defaultExamples(cfg)
	}
	if cfg.Poll == 0 {
		cfg.Poll, cfg.Settle = *poll, *settle
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	rep := gate.Run(ctx, cfg)
	if rep.NotCarriedOut() {
		fmt.Fprintln(stderr, "dli-contract:", flagNames(all, rep.Problem))
		return 2
	}
	fmt.Fprint(stdout, rep.Failures())
	fmt.Fprint(stdout, rep.Text())
	for _, out := range []struct {
		path  string
		write func(io.Writer) error
	}{{*junit, rep.WriteJUnit}, {*jsonOut, rep.WriteJSON}, {*harOut, rep.WriteHAR},
		{*htmlOut, func(w io.Writer) error { return rep.WriteHTML(w, *jsonOut) }}} {
		if out.path == "" {
			continue
		}
		if err := writeFile(out.path, out.write); err != nil {
			fmt.Fprintln(stderr, "dli-contract:", err)
			return 2
		}
	}
	if *jsonOut != "" && len(rep.Violations) > 0 {
		fmt.Fprintf(stdout, "  replay a violation: dli-contract -replay %s -case N (with the same credentials)\n", *jsonOut)
	}
	return rep.ExitCode()
}

// defaultRemoteRate is the pace against anything but loopback: DLI does
// not publish the throttling quota of these APIs, and API Gateway's
// default for a tenant's API is in requests per second, shared by every
// program of the project. Two a second keeps a full -mutate run (about
// 300 requests) near three minutes while leaving most of any such quota
// to the project's other users; -rate-limit changes it.
const defaultRemoteRate = 2.0

// defaultExamples is -max-examples unset: against loopback and the
// in-process mock a sequence costs milliseconds, and more of them find
// more of what takes one particular sequence to show; against a live
// project each costs requests of its quota. Forty, since the document
// grew to 28 operations over six kinds: twenty spread the sequences so
// thin that some connection behaviours went unshown (make mutation
// measured it); forty cost about half a second more in-process.
func defaultExamples(cfg gate.Config) int {
	if defaultRate(cfg) == 0 {
		return 4 * gate.DefaultMaxExamples // unpaced, more are cheap
	}
	return gate.DefaultMaxExamples
}

// defaultRate paces a remote endpoint and leaves loopback and the
// in-process mock unpaced.
func defaultRate(cfg gate.Config) float64 {
	if cfg.Network != nil {
		return 0 // the in-process mock
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil {
		return defaultRemoteRate
	}
	host := u.Hostname()
	if host == "localhost" {
		return 0
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return 0
	}
	return defaultRemoteRate
}

func list(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// replayOne sends the request of violation n of a JSON report again.
func replayOne(ctx context.Context, path string, n int, env func(string) string, timeout time.Duration, stdout, stderr io.Writer) int {
	f, err := os.Open(path) //nolint:gosec // the report the user named
	if err != nil {
		fmt.Fprintln(stderr, "dli-contract: -replay:", err)
		return 2
	}
	rep, err := gate.ReadReport(f)
	_ = f.Close()
	if err != nil {
		fmt.Fprintf(stderr, "dli-contract: -replay %s: not a JSON report of dli-contract: %v\n", path, err)
		return 2
	}
	if n < 1 || n > len(rep.Violations) {
		fmt.Fprintf(stderr, "dli-contract: -case %d: the report has %d violations (numbered from 1)\n", n, len(rep.Violations))
		return 2
	}
	v := rep.Violations[n-1]
	// The recorded request names its endpoint and project; only the
	// credentials are needed again.
	withEndpoint := func(name string) string {
		switch {
		case env(name) != "":
			return env(name)
		case name == gate.EnvEndpoint:
			return rep.Endpoint
		case name == gate.EnvProjectID && v.Exchange != nil:
			if u, err := url.Parse(v.Exchange.URL); err == nil {
				if parts := strings.Split(u.Path, "/"); len(parts) > 2 {
					return parts[2]
				}
			}
		}
		return env(name)
	}
	target, _, err := gate.TargetFromEnv(withEndpoint)
	if err != nil && v.Exchange != nil && v.Exchange.Signed {
		fmt.Fprintln(stderr, "dli-contract: -replay:", flagNames(fixedSettings, err.Error()))
		return 2
	}
	fmt.Fprintf(stdout, "replaying violation %d: %s\n", n, v)
	res, err := gate.Replay(ctx, v, target.Credentials, nil, nil, timeout)
	if err != nil {
		fmt.Fprintln(stderr, "dli-contract: -replay:", err)
		return 2
	}
	fmt.Fprintf(stdout, "answer now: %s\n", res.Exchange.Answer())
	if len(res.Problems) == 0 {
		fmt.Fprintln(stdout, "the answer now conforms to the document")
		return 0
	}
	for _, p := range res.Problems {
		fmt.Fprintln(stdout, "still:", p)
	}
	return 1
}

// config builds the gate's configuration from the settings: a live server
// when an endpoint is set, else the mock in-process (mutating: it is safe).
func config(env func(string) string, clk clock.Clock) (gate.Config, error) {
	target, live, err := gate.TargetFromEnv(env)
	if err != nil {
		return gate.Config{}, err
	}
	if live {
		return gate.Config{Target: target}, nil
	}
	const ak, sk, project = "AKDLICONTRACTMOCK000", "SKdliContractMockSecretKey00000000000000", "0123456789abcdef0123456789abcdef"
	m, err := mockserver.New(mockserver.Config{AK: ak, SK: sk, CreateDelay: 20 * time.Millisecond, Clock: clk})
	if err != nil {
		return gate.Config{}, err
	}
	return gate.Config{
		Target: gate.Target{Endpoint: "https://dli.mock.invalid", ProjectID: project, Mutate: true, Mock: true,
			Credentials: auth.AKSK{AK: ak, SK: sk, ProjectID: project}, Poll: 5 * time.Millisecond, Settle: 10 * time.Second},
		Network: mockserver.NewMockTransport(m),
	}, nil
}

// flagNames rewrites the environment variable names of a configuration
// error into the flags that set them, so that the message names the fix.
func flagNames(all []setting, msg string) string {
	pairs := make([]string, 0, 2*len(all)+2)
	sorted := slices.Clone(all)
	sort.Slice(sorted, func(i, j int) bool { return len(sorted[i].env) > len(sorted[j].env) })
	for _, f := range sorted {
		pairs = append(pairs, f.env, "-"+f.flag)
	}
	pairs = append(pairs, gate.EnvMutate+"=1", "-mutate")
	return strings.NewReplacer(pairs...).Replace(msg)
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path) //nolint:gosec // the report file the user named
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
