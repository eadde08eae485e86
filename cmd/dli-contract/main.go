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
	"os"
	"sort"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/mockserver"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// flagEnv pairs each flag with the environment variable it overrides.
var flagEnv = []struct{ flag, env, usage string }{
	{"endpoint", gate.EnvEndpoint, "server to check, e.g. https://dli.cn-north-4.myhuaweicloud.com; the in-process mock when empty"},
	{"project", gate.EnvProjectID, "project id (required with -endpoint)"},
	{"ak", gate.EnvAK, "access key (with -sk)"},
	{"sk", gate.EnvSK, "secret key (with -ak); better from the environment"},
	{"security-token", gate.EnvSecurityToken, "security token of temporary AK/SK credentials"},
	{"token", gate.EnvToken, "IAM token, instead of -ak and -sk"},
	{"vpc-id", gate.EnvVPC, "with -mutate: VPC of the enhanced connection to create"},
	{"subnet-id", gate.EnvSubnet, "with -mutate: subnet of the enhanced connection to create"},
	{"pool", gate.EnvPool, "with -mutate: elastic resource pool to bind it to"},
	{"queue", gate.EnvQueue, "with -mutate, optional: a queue the field cases may bind"},
	{"grantee-project", gate.EnvGrantee, "with -mutate, optional: another project the field cases may grant a connection to"},
	{"url", gate.EnvURL, "with -mutate, optional: service address of a classic connection to create"},
	{"security-group-id", gate.EnvSecurityGroup, "with -mutate, optional: security group of that classic connection"},
	{"network-id", gate.EnvNetwork, "with -mutate, optional: subnet of that classic connection"},
	{"service", gate.EnvService, "with -mutate, optional: service of that classic connection (default RDS)"},
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dli-contract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	values := map[string]*string{}
	for _, f := range flagEnv {
		// Defaults stay empty: the usage text must never print a secret
		// taken from the environment.
		values[f.env] = fs.String(f.flag, "", f.usage+" ($"+f.env+")")
	}
	mutate := fs.Bool("mutate", false, "also create, change and delete connections, and delete them again ($"+gate.EnvMutate+"=1)")
	seed := fs.Uint64("seed", 0, "seed of the generated valid requests; printed by every run, 0 picks one")
	maxExamples := fs.Int("max-examples", 10, "generated valid requests per operation")
	timeout := fs.Duration("timeout", 10*time.Minute, "bound of the whole run")
	requestTimeout := fs.Duration("request-timeout", 30*time.Second, "bound of each request")
	poll := fs.Duration("poll", 2*time.Second, "with -mutate: how often to show a connection while its bindings are being created")
	settle := fs.Duration("settle", 2*time.Minute, "with -mutate: how long a binding may take to leave CREATING")
	junit := fs.String("junit", "", "write a JUnit XML report to `FILE`")
	jsonOut := fs.String("json", "", "write a JSON report to `FILE`")
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
	if *maxExamples < 1 || *timeout <= 0 || *requestTimeout <= 0 || *poll <= 0 || *settle <= 0 {
		fmt.Fprintln(stderr, "dli-contract: -max-examples, -timeout, -request-timeout, -poll and -settle must be positive")
		return 2
	}
	env := func(name string) string {
		if v := values[name]; v != nil && *v != "" {
			return *v
		}
		if name == gate.EnvMutate && *mutate {
			return "1"
		}
		return getenv(name)
	}
	cfg, err := config(env)
	if err != nil {
		fmt.Fprintln(stderr, "dli-contract:", flagNames(err.Error()))
		return 2
	}
	cfg.Seed, cfg.MaxExamples, cfg.RequestTimeout, cfg.Log = *seed, *maxExamples, *requestTimeout, stdout
	if cfg.Poll == 0 {
		cfg.Poll, cfg.Settle = *poll, *settle
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	rep := gate.Run(ctx, cfg)
	for _, v := range rep.Violations {
		fmt.Fprintln(stdout, "VIOLATION", v)
	}
	fmt.Fprint(stdout, rep.Text())
	for path, write := range map[string]func(io.Writer) error{*junit: rep.WriteJUnit, *jsonOut: rep.WriteJSON} {
		if path == "" {
			continue
		}
		if err := writeFile(path, write); err != nil {
			fmt.Fprintln(stderr, "dli-contract:", err)
			return 2
		}
	}
	if rep.Problem != "" && len(rep.Violations) == 0 {
		return 2
	}
	if rep.Failed() {
		return 1
	}
	return 0
}

// config builds the gate's configuration from the settings: a live server
// when an endpoint is set, else the mock in-process (mutating: it is safe).
func config(env func(string) string) (gate.Config, error) {
	target, live, err := gate.TargetFromEnv(env)
	if err != nil {
		return gate.Config{}, err
	}
	if live {
		return gate.Config{Target: target}, nil
	}
	const ak, sk, project = "AKDLICONTRACTMOCK000", "SKdliContractMockSecretKey00000000000000", "0123456789abcdef0123456789abcdef"
	m, err := mockserver.New(mockserver.Config{AK: ak, SK: sk, CreateDelay: 20 * time.Millisecond})
	if err != nil {
		return gate.Config{}, err
	}
	return gate.Config{
		Target: gate.Target{Endpoint: "https://dli.mock.invalid", ProjectID: project, Mutate: true,
			Credentials: auth.AKSK{AK: ak, SK: sk, ProjectID: project}, Poll: 5 * time.Millisecond, Settle: 10 * time.Second},
		Network: mockserver.NewMockTransport(m),
	}, nil
}

// flagNames rewrites the environment variable names of a configuration
// error into the flags that set them, so that the message names the fix.
func flagNames(msg string) string {
	pairs := make([]string, 0, 2*len(flagEnv)+2)
	sorted := append(flagEnv[:0:0], flagEnv...)
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
