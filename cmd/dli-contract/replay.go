package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/gate"
)

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
		fmt.Fprintf(stderr, "dli-contract: -case %d: the report has %s (numbered from 1)\n", n, count(len(rep.Violations), "violation"))
		return 2
	}
	v := rep.Violations[n-1]
	var creds auth.Credentials
	var network http.RoundTripper
	if rep.Endpoint == inProcessEndpoint {
		// The run's mock lived in its process: a fresh one, with the same
		// keys, takes the request in its place.
		m, err := inProcessMock(nil)
		if err != nil {
			fmt.Fprintln(stderr, "dli-contract:", err)
			return 2
		}
		creds, network = m.Credentials, m.Network
		fmt.Fprintln(stdout, "the run was against the in-process mock: replaying against a fresh one (what the run created is gone)")
	} else {
		// The recorded request names its endpoint and project; only the
		// credentials are needed again.
		target, _, err := gate.TargetFromEnv(replayEnv(env, rep, v))
		if err != nil && v.Exchange != nil && v.Exchange.Signed {
			fmt.Fprintln(stderr, "dli-contract: -replay:", flagNames(fixedSettings, err.Error()))
			return 2
		}
		creds = target.Credentials
	}
	fmt.Fprintf(stdout, "replaying violation %d: %s\n", n, v)
	res, err := gate.Replay(ctx, v, creds, network, nil, timeout)
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

// replayEnv is env with the endpoint and the project of the recorded
// request, where the command line and the environment do not give them.
func replayEnv(env func(string) string, rep gate.Report, v gate.Violation) func(string) string {
	return func(name string) string {
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
		return ""
	}
}

// replayHint is the command that replays a violation of the report at
// jsonPath, as a person types it: the config file, when the run had one,
// and a word on credentials, when the run's came from flags.
func replayHint(jsonPath, configPath string, credentialFlags bool) string {
	cmd := "dli-contract -replay " + jsonPath + " -case N"
	if configPath != "" {
		cmd += " -config " + configPath
	}
	if credentialFlags {
		cmd += " (with the -ak and -sk, or -token, the run was given)"
	}
	return cmd
}
