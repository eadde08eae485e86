package auth

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Where Huawei Cloud programs keep credentials, by the official Go SDK's
// names (huaweicloud-sdk-go-v3, core/auth/provider).
const (
	EnvAK              = "HUAWEICLOUD_SDK_AK"
	EnvSK              = "HUAWEICLOUD_SDK_SK"
	EnvSecurityToken   = "HUAWEICLOUD_SDK_SECURITY_TOKEN" //nolint:gosec // a variable's name, not a credential
	EnvProjectID       = "HUAWEICLOUD_SDK_PROJECT_ID"
	EnvCredentialsFile = "HUAWEICLOUD_SDK_CREDENTIALS_FILE" //nolint:gosec // a variable's name, not a credential
	// EnvMetadata, set to 1 or true, lets the default chain ask the
	// ECS/BMS metadata service. It is this module's own switch: a program
	// on a laptop must not wait on a link-local address it never asked for.
	EnvMetadata = "DLI_CREDENTIALS_METADATA"
)

// ErrNoCredentials is what a provider answers when its place holds no
// credentials; a chain then tries the next place.
var ErrNoCredentials = errors.New("no credentials there")

// Provider is a place credentials can come from.
type Provider interface {
	// Credentials returns the credentials the place holds, or an error
	// wrapping ErrNoCredentials that says why it holds none. Any other
	// error is a place that holds credentials but cannot give them (a file
	// that does not parse, half a key pair).
	Credentials(ctx context.Context) (Credentials, error)
	// String names the place in errors.
	String() string
}

// Env reads HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, and optionally
// HUAWEICLOUD_SDK_SECURITY_TOKEN and HUAWEICLOUD_SDK_PROJECT_ID.
type Env struct {
	// Getenv reads a variable; os.Getenv when nil.
	Getenv func(string) string
}

func (e Env) String() string { return "environment (" + EnvAK + ", " + EnvSK + ")" }

// Credentials implements Provider: auth.AKSK.
func (e Env) Credentials(context.Context) (Credentials, error) {
	get := e.Getenv
	if get == nil {
		get = os.Getenv
	}
	ak, sk := get(EnvAK), get(EnvSK)
	switch {
	case ak == "" && sk == "":
		return nil, fmt.Errorf("%s and %s are not set: %w", EnvAK, EnvSK, ErrNoCredentials)
	case ak == "":
		return nil, fmt.Errorf("%s is set but %s is not", EnvSK, EnvAK)
	case sk == "":
		return nil, fmt.Errorf("%s is set but %s is not", EnvAK, EnvSK)
	}
	return AKSK{AK: ak, SK: sk, SecurityToken: get(EnvSecurityToken), ProjectID: get(EnvProjectID)}, nil
}

// Profile reads the SDK's credentials file: HUAWEICLOUD_SDK_CREDENTIALS_FILE,
// or ~/.huaweicloud/credentials. It reads the [basic] section's ak, sk,
// security_token and project_id; the SDK's other sections and keys
// ([global], domain_id, idp_id, id_token_file, iam_endpoint) are not read.
type Profile struct {
	// Path is the file; from the environment or the home folder when "".
	Path string
	// Getenv reads a variable; os.Getenv when nil.
	Getenv func(string) string
}

func (p Profile) String() string {
	path, err := p.path()
	if err != nil {
		return "credentials file"
	}
	return "credentials file " + path
}

func (p Profile) path() (string, error) {
	if p.Path != "" {
		return p.Path, nil
	}
	get := p.Getenv
	if get == nil {
		get = os.Getenv
	}
	if path := get(EnvCredentialsFile); path != "" {
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".huaweicloud", "credentials"), nil
}

// Credentials implements Provider: auth.AKSK.
func (p Profile) Credentials(context.Context) (Credentials, error) {
	path, err := p.path()
	if err != nil {
		return nil, fmt.Errorf("no home folder to look in (%w): %w", err, ErrNoCredentials)
	}
	f, err := os.Open(path) //nolint:gosec // the credentials file the user configured
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no such file: %w", ErrNoCredentials)
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	keys, err := iniSection(f, "basic")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if keys == nil {
		return nil, fmt.Errorf("no [basic] section: %w", ErrNoCredentials)
	}
	ak, sk := keys["ak"], keys["sk"]
	switch {
	case ak == "" && sk == "":
		return nil, fmt.Errorf("[basic] has no ak and sk: %w", ErrNoCredentials)
	case ak == "" || sk == "":
		return nil, fmt.Errorf("%s [basic] has only one of ak and sk", path)
	}
	return AKSK{AK: ak, SK: sk, SecurityToken: keys["security_token"], ProjectID: keys["project_id"]}, nil
}

// iniSection reads the keys of one [section] of an INI file: `key = value`
// lines, `#` and `;` comments. nil when the section is not there.
func iniSection(f *os.File, section string) (map[string]string, error) {
	var keys map[string]string
	in := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case line[0] == '[':
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("line %d: a section header without ]", n)
			}
			in = strings.EqualFold(strings.TrimSpace(line[1:len(line)-1]), section)
			if in && keys == nil {
				keys = map[string]string{}
			}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: not key = value", n)
		}
		if in {
			keys[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	return keys, sc.Err()
}

// Chain tries providers in order; the first that holds credentials wins.
type Chain []Provider

// ChainError names every place a chain tried and why each had none. It
// never holds a secret.
type ChainError struct{ Tried []string }

func (e *ChainError) Error() string {
	return "auth: no credentials found; tried " + strings.Join(e.Tried, "; ") +
		". Set " + EnvAK + " and " + EnvSK + ", write ~/.huaweicloud/credentials, or pass Options.Credentials"
}

// Unwrap lets errors.Is(err, ErrNoCredentials) hold.
func (e *ChainError) Unwrap() error { return ErrNoCredentials }

// Credentials implements Provider.
func (c Chain) Credentials(ctx context.Context) (Credentials, error) {
	var tried []string
	for _, p := range c {
		creds, err := p.Credentials(ctx)
		if err == nil {
			return creds, nil
		}
		if !errors.Is(err, ErrNoCredentials) {
			return nil, fmt.Errorf("auth: %s: %w", p, err)
		}
		tried = append(tried, p.String()+": "+strings.TrimSuffix(err.Error(), ": "+ErrNoCredentials.Error()))
	}
	return nil, &ChainError{Tried: tried}
}

func (c Chain) String() string {
	names := make([]string, len(c))
	for i, p := range c {
		names[i] = p.String()
	}
	return "chain of " + strings.Join(names, ", ")
}

// ChainOptions adjust DefaultChain.
type ChainOptions struct {
	// Getenv reads a variable; os.Getenv when nil.
	Getenv func(string) string
	// Metadata, when set, is asked last; when nil, the metadata service is
	// asked only if DLI_CREDENTIALS_METADATA is 1 or true.
	Metadata *Metadata
}

// DefaultChain is the environment, then the credentials file, then (only
// when asked for) the ECS/BMS metadata service, as the official SDK looks.
func DefaultChain(o ChainOptions) Chain {
	get := o.Getenv
	if get == nil {
		get = os.Getenv
	}
	chain := Chain{Env{Getenv: get}, Profile{Getenv: get}}
	switch {
	case o.Metadata != nil:
		chain = append(chain, o.Metadata)
	case strings.EqualFold(get(EnvMetadata), "1") || strings.EqualFold(get(EnvMetadata), "true"):
		chain = append(chain, &Metadata{})
	}
	return chain
}

// Anonymous sends requests without credentials. Only a local mock accepts
// them; client.New allows it only for a loopback or reserved test host, so
// that it cannot happen by accident against a real endpoint.
var Anonymous Credentials = anonymous{}

type anonymous struct{}

func (anonymous) Authenticate(*http.Request, time.Time) error { return nil }
func (anonymous) String() string                              { return "auth.Anonymous" }
