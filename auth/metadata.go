package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The ECS/BMS metadata service, which hands an instance bound to an agency
// temporary AK/SK credentials, as the official SDK asks it
// (core/auth/internal/metadata_accessor.go).
const (
	// MetadataEndpoint is the service's address on every instance.
	MetadataEndpoint  = "http://169.254.169.254"
	metadataTokenPath = "/meta-data/latest/api/token" //nolint:gosec // a path, not a credential
	metadataKeyPath   = "/openstack/latest/securitykey"
	metadataTokenTTL  = "21600" // seconds: the SDK asks for 6 hours
)

// Metadata asks the metadata service of the instance the program runs on
// for the temporary credentials of its agency: a session token from PUT
// /meta-data/latest/api/token, then GET /openstack/latest/securitykey. The
// credentials it returns refresh themselves before they expire.
type Metadata struct {
	// BaseURL is the service; MetadataEndpoint when "". Tests set a
	// loopback server.
	BaseURL string
	// Timeout bounds each request to the service; 2 seconds when 0.
	Timeout time.Duration
	// RefreshBefore is how long before expiry new credentials are fetched;
	// 5 minutes when 0.
	RefreshBefore time.Duration
	// ProjectID, when set, is sent as X-Project-Id with every request.
	ProjectID string
	// Client sends the requests; a plain client when nil.
	Client *http.Client
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

func (m *Metadata) String() string { return "metadata service " + m.base() }

func (m *Metadata) base() string {
	if m.BaseURL != "" {
		return strings.TrimSuffix(m.BaseURL, "/")
	}
	return MetadataEndpoint
}

// Credentials implements Provider: it fetches the agency's credentials once
// (so that a chain knows there are some) and returns them as Credentials
// that refresh themselves.
func (m *Metadata) Credentials(ctx context.Context) (Credentials, error) {
	mc := &MetadataCredentials{m: m}
	if _, err := mc.refresh(ctx); err != nil {
		return nil, err
	}
	return mc, nil
}

// MetadataCredentials are an agency's temporary credentials from the
// metadata service. They sign with X-Security-Token as AKSK does, and are
// fetched again, by one goroutine at a time, once they come within
// RefreshBefore of expiry; meanwhile every other call signs with the
// credentials it has while they are valid.
type MetadataCredentials struct {
	m *Metadata

	mu      sync.RWMutex
	current AKSK
	signer  *Signer
	expires time.Time

	refreshing sync.Mutex
}

func (c *MetadataCredentials) String() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return "auth.MetadataCredentials{" + c.current.String() + ", expires " + c.expires.UTC().Format(time.RFC3339) + "}"
}

// Authenticate implements Credentials.
func (c *MetadataCredentials) Authenticate(req *http.Request, now time.Time) error {
	creds, signer, err := c.valid(req.Context(), now)
	if err != nil {
		return err
	}
	return creds.authenticate(req, now, signer)
}

// valid returns credentials that are valid at now, refreshing them when
// they are about to expire: without waiting while the old ones still hold
// (one goroutine refreshes, the others sign on), waiting when they have
// expired.
func (c *MetadataCredentials) valid(ctx context.Context, now time.Time) (AKSK, *Signer, error) {
	c.mu.RLock()
	creds, signer, expires := c.current, c.signer, c.expires
	c.mu.RUnlock()
	before := c.m.RefreshBefore
	if before == 0 {
		before = 5 * time.Minute
	}
	switch {
	case now.Before(expires.Add(-before)):
		return creds, signer, nil
	case now.Before(expires):
		if c.refreshing.TryLock() {
			defer c.refreshing.Unlock()
			if fresh, err := c.refreshIfOlder(ctx, expires); err == nil {
				return fresh.creds, fresh.signer, nil
			}
		}
		// Another goroutine refreshes, or the refresh failed: the
		// credentials in hand are still valid.
		return creds, signer, nil
	}
	c.refreshing.Lock()
	defer c.refreshing.Unlock()
	fresh, err := c.refreshIfOlder(ctx, expires)
	if err != nil {
		return AKSK{}, nil, fmt.Errorf("auth: the metadata service's credentials expired at %s and could not be renewed: %w",
			expires.UTC().Format(time.RFC3339), err)
	}
	return fresh.creds, fresh.signer, nil
}

type generation struct {
	creds  AKSK
	signer *Signer
}

// refreshIfOlder fetches new credentials unless another goroutine already
// replaced those that expire at seen. The caller holds refreshing.
func (c *MetadataCredentials) refreshIfOlder(ctx context.Context, seen time.Time) (generation, error) {
	c.mu.RLock()
	if c.expires.After(seen) {
		g := generation{c.current, c.signer}
		c.mu.RUnlock()
		return g, nil
	}
	c.mu.RUnlock()
	return c.refresh(ctx)
}

// refresh asks the service for credentials and keeps them.
func (c *MetadataCredentials) refresh(ctx context.Context) (generation, error) {
	ak, expires, err := c.m.fetch(ctx)
	if err != nil {
		return generation{}, err
	}
	ak.ProjectID = c.m.ProjectID
	g := generation{ak, NewSigner(ak.AK, ak.SK)}
	c.mu.Lock()
	c.current, c.signer, c.expires = g.creds, g.signer, expires
	c.mu.Unlock()
	return g, nil
}

// fetch asks the metadata service for the agency's credentials.
func (m *Metadata) fetch(ctx context.Context) (AKSK, time.Time, error) {
	timeout := m.Timeout
	if timeout == 0 {
		timeout = 2 * time.Second
	}
	hc := m.Client
	if hc == nil {
		hc = &http.Client{}
	}
	ask := func(method, path string, header http.Header) (int, []byte, error) {
		rctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(rctx, method, m.base()+path, http.NoBody)
		if err != nil {
			return 0, nil, err
		}
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := hc.Do(req)
		if err != nil {
			return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
		}
		defer func() { _ = resp.Body.Close() }()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if err != nil {
			return 0, nil, fmt.Errorf("%s %s: read the answer: %w", method, path, err)
		}
		return resp.StatusCode, body, nil
	}

	status, token, err := ask(http.MethodPut, metadataTokenPath, http.Header{"X-Metadata-Token-Ttl-Seconds": {metadataTokenTTL}})
	if err != nil {
		return AKSK{}, time.Time{}, fmt.Errorf("%w (is this an ECS or BMS instance?): %w", err, ErrNoCredentials)
	}
	header := http.Header{}
	switch status {
	case http.StatusOK:
		header.Set("X-Metadata-Token", strings.TrimSpace(string(token)))
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		// An older service without session tokens: ask without one, as
		// the SDK does.
	default:
		return AKSK{}, time.Time{}, fmt.Errorf("PUT %s answered %d", metadataTokenPath, status)
	}
	status, body, err := ask(http.MethodGet, metadataKeyPath, header)
	if err != nil {
		return AKSK{}, time.Time{}, err
	}
	switch {
	case status == http.StatusNotFound:
		return AKSK{}, time.Time{}, fmt.Errorf("GET %s answered 404: no agency is bound to this instance: %w", metadataKeyPath, ErrNoCredentials)
	case status != http.StatusOK:
		return AKSK{}, time.Time{}, fmt.Errorf("GET %s answered %d", metadataKeyPath, status)
	}
	var answer struct {
		Credential *struct {
			Access        string `json:"access"`
			Secret        string `json:"secret"`
			SecurityToken string `json:"securitytoken"`
			ExpiresAt     string `json:"expires_at"`
		} `json:"credential"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return AKSK{}, time.Time{}, fmt.Errorf("GET %s: the answer is not the credential JSON: %w", metadataKeyPath, err)
	}
	c := answer.Credential
	if c == nil || c.Access == "" || c.Secret == "" || c.SecurityToken == "" {
		return AKSK{}, time.Time{}, fmt.Errorf("GET %s: the answer lacks credential.access, secret or securitytoken", metadataKeyPath)
	}
	expires, err := time.Parse(time.RFC3339Nano, c.ExpiresAt)
	if err != nil {
		return AKSK{}, time.Time{}, fmt.Errorf("GET %s: credential.expires_at %q is not a time like 2026-11-27T10:00:00Z", metadataKeyPath, c.ExpiresAt)
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	if !expires.After(now()) {
		return AKSK{}, time.Time{}, errors.New("the metadata service answered credentials that have expired already")
	}
	return AKSK{AK: c.Access, SK: c.Secret, SecurityToken: c.SecurityToken}, expires, nil
}
