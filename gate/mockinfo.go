package gate

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/dli-contract/dli-go/gate/check"
	"github.com/dli-contract/dli-go/gate/wire"
)

// askTheMock reads, for a run against a dli-mock (Mock), what the mock
// says of itself at GET /_mock/info. One that checks no credentials
// leaves ignored_auth nothing to refuse: the check is reported not judged,
// with why, and the verdict stays as it is. One that refuses the run's
// credentials is a mistake of the run's configuration, which ends the run
// as not carried out. A server that does not answer as a dli-mock does is
// held to docs/mock.md all the same, -mock being the person's word;
// nothing is inferred of a server the person did not call a dli-mock.
//
// The request is the gate's own, not the contract's: it goes around the
// observer, so it is neither counted nor judged.
func (g *gate) askTheMock(ctx context.Context) {
	if !g.cfg.Mock {
		return
	}
	network := g.signed(g.network())
	ctx, cancel := context.WithTimeout(ctx, g.cfg.RequestTimeout)
	defer cancel()
	where := strings.TrimSuffix(g.cfg.Endpoint, "/") + "/_mock/info"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, where, nil)
	if err != nil {
		return
	}
	resp, err := network.RoundTrip(req)
	if err != nil {
		if wire.CannotConnect(err) {
			g.Abort(wire.CannotReach(g.cfg.Endpoint, err))
		}
		return // the run's own requests say the rest
	}
	defer func() { _ = resp.Body.Close() }()
	var info struct {
		Server      string   `json:"server"`
		Credentials []string `json:"credentials"`
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	isMock := json.Unmarshal(body, &info) == nil && info.Server == "dli-mock"
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		g.Abort(fmt.Sprintf("the dli-mock at %s checks credentials and refused the run's (%s): give the run the ones the mock was started with "+
			"(%s and %s, or %s)", g.cfg.Endpoint, CredentialsKind(g.cfg.Credentials), EnvAK, EnvSK, EnvToken))
	case resp.StatusCode != http.StatusOK || !isMock:
		g.Logf("· -mock: %s does not answer GET /_mock/info as a dli-mock does (%d); it is held to docs/mock.md all the same", g.cfg.Endpoint, resp.StatusCode)
	case info.Credentials != nil && len(info.Credentials) == 0:
		g.NotJudgedAt(check.IgnoredAuth, fmt.Sprintf("the dli-mock at %s checks no credentials (GET /_mock/info), so there are none to refuse", g.cfg.Endpoint))
	}
}
