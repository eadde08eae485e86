package gate

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/credenv"
	"github.com/dli-contract/dli-go/endpoint"
	"github.com/dli-contract/dli-go/semantics"
)

// Environment variables of live mode. The credentials and the project
// are read by the names the client and the official SDK read (see
// package credenv for the old names, still read for a release).
const (
	EnvEndpoint      = "DLI_ENDPOINT"        // e.g. https://dli.cn-north-4.myhuaweicloud.com
	EnvProjectID     = auth.EnvProjectID     // project of the region
	EnvAK            = auth.EnvAK            // with EnvSK: AK/SK signing
	EnvSK            = auth.EnvSK            //
	EnvSecurityToken = auth.EnvSecurityToken // with EnvAK and EnvSK: temporary credentials
	EnvToken         = credenv.EnvToken      // or an IAM token
	EnvMutate        = "DLI_CONTRACT_MUTATE" // "1": also create and delete
	EnvMock          = "DLI_CONTRACT_MOCK"   // "1": the server is a dli-mock, which takes any input
)

// MockProject is the project a run against a dli-mock uses when none is
// given: a dli-mock keeps any project apart, and takes any.
const MockProject = "0123456789abcdef0123456789abcdef"

// TargetFromEnv builds the live target from the environment. ok is false
// when DLI_ENDPOINT is not set (the suite then runs in-process); an error
// says which variable is missing or wrong, never quoting a secret.
func TargetFromEnv(getenv func(string) string) (t Target, ok bool, err error) {
	ep := getenv(EnvEndpoint)
	if ep == "" {
		return Target{}, false, nil
	}
	if ep, err = endpoint.Resolve("", ep); err != nil {
		return Target{}, true, fmt.Errorf("%s: %w", EnvEndpoint, err)
	}
	mock := getenv(EnvMock)
	if mock != "" && mock != "0" && mock != "1" {
		return Target{}, true, fmt.Errorf("%s must be 1 (the server is a dli-mock) or 0, not %q", EnvMock, mock)
	}
	// A dli-mock takes any project, and may check no credentials: what is
	// not given, a run against one does without. The run asks the mock
	// which credentials it checks (GET /_mock/info).
	project := getenv(EnvProjectID)
	var missing []string
	switch {
	case project == "" && mock == "1":
		project = MockProject
	case project == "":
		missing = append(missing, EnvProjectID)
	}
	var creds auth.Credentials
	ak, sk, token := getenv(EnvAK), getenv(EnvSK), getenv(EnvToken)
	switch {
	case ak != "" && sk != "":
		creds = auth.AKSK{AK: ak, SK: sk, ProjectID: project, SecurityToken: getenv(EnvSecurityToken)}
	case ak != "" || sk != "":
		missing = append(missing, "both "+EnvAK+" and "+EnvSK)
	case token != "":
		creds = auth.Token(token)
	case mock == "1":
		creds = auth.Anonymous
	default:
		missing = append(missing, EnvAK+" and "+EnvSK+", or "+EnvToken)
	}
	if len(missing) > 0 {
		return Target{}, true, errors.New("a run against " + ep + " needs " + strings.Join(missing, "; "))
	}
	mutate := getenv(EnvMutate)
	if mutate != "" && mutate != "0" && mutate != "1" {
		return Target{}, true, fmt.Errorf("%s must be 1 (create and delete) or 0, not %q", EnvMutate, mutate)
	}
	t = Target{
		Mock:        mock == "1",
		Endpoint:    ep,
		ProjectID:   project,
		Transport:   auth.NewTransport(creds, http.DefaultTransport),
		Credentials: creds,
		Mutate:      mutate == "1",
	}
	if t.Mutate {
		// A dli-mock takes any VPC, pool or queue: what is not given, the
		// run sends its declared mock value for.
		if t.Inputs, err = inputsFromEnv(getenv, t.Mock, endpoint.Loopback(ep)); err != nil {
			return Target{}, true, err
		}
	}
	return t, true, nil
}

// inputsFromEnv reads the declared inputs from their environment
// variables: a mutating live run needs every required one, and of inputs
// that go together all or none (a default counts as given).
func inputsFromEnv(getenv func(string) string, mock, local bool) (map[string]string, error) {
	declared, err := DeclaredInputs()
	if err != nil {
		return nil, err
	}
	inputs := map[string]string{}
	var missing []string
	var together, givenTogether []string
	for _, in := range declared {
		v := getenv(in.Env())
		if v != "" {
			inputs[in.Name] = v
		}
		switch {
		case in.Need == semantics.NeedRequired && v == "" && !mock:
			missing = append(missing, in.Env())
		case in.Need == semantics.NeedTogether && in.Default == "":
			together = append(together, in.Env())
			if v != "" {
				givenTogether = append(givenTogether, in.Env())
			}
		}
	}
	if len(givenTogether) > 0 {
		for _, name := range together {
			if !slices.Contains(givenTogether, name) {
				missing = append(missing, name+" (with "+strings.Join(givenTogether, ", ")+")")
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		msg := EnvMutate + "=1 creates real connections and needs " + strings.Join(missing, ", ")
		if local {
			msg += "; or, if the server is a dli-mock, which takes any, set " + EnvMock + "=1"
		}
		return nil, errors.New(msg)
	}
	return inputs, nil
}
