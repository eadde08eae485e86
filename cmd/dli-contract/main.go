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
// 2 a run that could not be carried out: a usage or configuration error, a
// server that cannot be reached, a run cut short. Every flag can also come
// from a YAML file (-config) and from the environment variable named in
// its help; flags win over the file, which wins over the environment.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/credenv"
	"github.com/dli-contract/dli-go/endpoint"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/mockserver"
	"github.com/dli-contract/dli-go/version"
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
	// The SDK's names, and the old ones for a release, with a line each.
	getenv = credenv.Environ(getenv, stderr, "dli-contract")
	configPath := fs.String("config", "", "read the run's flags from this YAML `FILE`: its keys are the flags' names (endpoint:, mock: true, vpc-id:), and ${NAME} is the environment variable NAME")
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
	isMock := fs.Bool("mock", false, "the server is a dli-mock: it takes any project, pool or queue, and is held to docs/mock.md too ($"+gate.EnvMock+"=1)")
	requireKeywords := fs.Bool("require-keyword-coverage", false, "exit 2 unless every constraint of the request schemas was both satisfied and broken")
	profile := fs.String("profile", "", "`NAME` of what the run may spend: live (a budget of requests, -max-requests, and of what it makes: 3 enhanced connections) or loopback (no budget); by default loopback against loopback or the in-process mock, live against anything else")
	maxRequests := fs.Int("max-requests", 0, fmt.Sprintf("requests the run sends at most, polls of settling waits aside, shared across its phases by a plan it prints (0: %d with -profile live, no bound with loopback)", gate.DefaultLiveMaxRequests))
	timeout := fs.Duration("timeout", 10*time.Minute, "bound of the whole run, cleanup included")
	requestTimeout := fs.Duration("request-timeout", gate.DefaultRequestTimeout, "bound of each request's answer")
	poll := fs.Duration("poll", gate.DefaultPoll, "with -mutate: the first wait between two reads of something settling (a connection whose bindings are being created); each next doubles, up to 30s")
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
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.Usage = usage(fs, all[len(fixedSettings):])
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
	if *showVersion {
		fmt.Fprintln(stdout, "dli-contract", version.String())
		return 0
	}
	cmdline := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { cmdline[f.Name] = true })
	if *configPath != "" {
		if err := loadConfig(fs, *configPath, getenv); err != nil {
			fmt.Fprintln(stderr, "dli-contract:", err)
			return 2
		}
	}
	if visited(fs, "case") && *replay == "" {
		fmt.Fprintln(stderr, "dli-contract: -case picks the violation of a report to send again: give the report too, -replay FILE")
		return 2
	}
	if err := checkBounds(fs, []bound{
		{"max-examples", *maxExamples >= 0, "0 (the default) or more"},
		{"max-requests", *maxRequests >= 0, "0 (the profile's) or more"},
		{"profile", *profile == "" || slices.Contains(gate.Profiles, *profile), "live or loopback"},
		{"max-steps", *maxSteps >= 1, "1 or more"},
		{"max-shrinks", *maxShrinks >= 1, "1 or more"},
		{"timeout", positive(*timeout), "more than 0, e.g. 10m"},
		{"request-timeout", positive(*requestTimeout), "more than 0, e.g. 30s"},
		{"poll", positive(*poll), "more than 0, e.g. 2s"},
		{"settle", positive(*settle), "more than 0, e.g. 2m"},
		{"max-body", *maxBody > 0, "more than 0 bytes"},
		{"max-failures", *maxFailures >= 0, "0 (never stop) or more"},
		{"throttle-retries", *throttleRetries >= 0, "0 (none) or more"},
		{"rate-limit", *rateLimit >= 0 || *rateLimit == -1, "0 (no limit) or more requests a second"},
	}); err != nil {
		fmt.Fprintln(stderr, "dli-contract:", err)
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
	cfg.Profile, cfg.MaxRequests = *profile, *maxRequests
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
	rep.Options = options(fs, all, env, cfg.Credentials)
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
		fromFlags := slices.ContainsFunc(secretFlags, func(f string) bool { return cmdline[f] })
		fmt.Fprintf(stdout, "  replay a violation: %s\n", replayHint(*jsonOut, *configPath, fromFlags))
	}
	return rep.ExitCode()
}

// options are the run's settings for its report, by flag name: each
// flag's value as the run took it (from the command line, -config, the
// environment or its default), and which kind of credentials, never
// them.
func options(fs *flag.FlagSet, all []setting, env func(string) string, creds auth.Credentials) map[string]string {
	out := map[string]string{"credentials": gate.CredentialsKind(creds)}
	envOf := map[string]string{}
	for _, s := range all {
		envOf[s.flag] = s.env
	}
	fs.VisitAll(func(f *flag.Flag) {
		if slices.Contains(secretFlags, f.Name) || f.Name == "replay" || f.Name == "case" || f.Name == "version" {
			return
		}
		v := f.Value.String()
		if name, ok := envOf[f.Name]; ok {
			v = env(name)
		}
		if v != "" {
			out[f.Name] = v
		}
	})
	return out
}

// defaultRemoteRate is the pace against anything but loopback: DLI does
// not publish the throttling quota of these APIs, and API Gateway's
// default for a tenant's API is in requests per second, shared by every
// program of the project. Two a second leaves most of any such quota to
// the project's other users, at the price of a long -mutate run (about a
// thousand requests: eight to ten minutes, docs/gate.md); -rate-limit
// changes it.
const defaultRemoteRate = 2.0

// defaultExamples is -max-examples unset: under the loopback profile a
// sequence costs milliseconds, and more of them find more of what takes
// one particular sequence to show; under the live profile each costs
// requests of its budget. Forty, since the document grew to 28
// operations over six kinds: twenty spread the sequences so thin that
// some connection behaviours went unshown (make mutation measured it);
// forty cost about half a second more in-process.
func defaultExamples(cfg gate.Config) int {
	if cmp.Or(cfg.Profile, gate.ProfileFor(cfg)) == gate.ProfileLoopback {
		return 4 * gate.DefaultMaxExamples // cheap, more find more
	}
	return gate.DefaultMaxExamples
}

// defaultRate paces a remote endpoint and leaves loopback and the
// in-process mock unpaced.
func defaultRate(cfg gate.Config) float64 {
	if cfg.Network != nil || endpoint.Loopback(cfg.Endpoint) {
		return 0 // the in-process mock, or this machine
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
	m, err := inProcessMock(clk)
	if err != nil {
		return gate.Config{}, err
	}
	return gate.Config{
		Target: gate.Target{Endpoint: inProcessEndpoint, ProjectID: gate.MockProject, Mutate: true, Mock: true,
			Credentials: m.Credentials, Poll: 5 * time.Millisecond, Settle: 10 * time.Second},
		Network: m.Network,
	}, nil
}

// inProcessEndpoint is the in-process mock's: .invalid never resolves, so
// nothing sent there could leave the process.
const inProcessEndpoint = "https://dli.mock.invalid"

// inProcess is a mock in the process and the credentials it takes.
type inProcess struct {
	Credentials auth.AKSK
	Network     http.RoundTripper
}

// inProcessMock is the mock a run without -endpoint checks, on clk (the
// system clock when nil), and a replay of such a run sends to.
func inProcessMock(clk clock.Clock) (inProcess, error) {
	const ak, sk = "AKDLICONTRACTMOCK000", "SKdliContractMockSecretKey00000000000000"
	m, err := mockserver.New(mockserver.Config{AK: ak, SK: sk, CreateDelay: 20 * time.Millisecond, Clock: clk})
	if err != nil {
		return inProcess{}, err
	}
	return inProcess{Credentials: auth.AKSK{AK: ak, SK: sk, ProjectID: gate.MockProject}, Network: mockserver.NewMockTransport(m)}, nil
}

func writeFile(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
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

// count is n of a noun, the noun in n's number: "1 violation", "2 violations".
func count(n int, noun string) string {
	if n != 1 {
		noun += "s"
	}
	return fmt.Sprintf("%d %s", n, noun)
}
