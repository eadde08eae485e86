package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dli-contract/dli-go/apierror"
	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/clock"
	"github.com/dli-contract/dli-go/gate"
	"github.com/dli-contract/dli-go/gen/dli"
	"github.com/dli-contract/dli-go/mockserver"
)

const project = "0123456789abcdef0123456789abcdef"

// chromium is a headless Chromium for one test, bounded: it skips the
// test, saying so, where Debian's chromium is not installed.
func chromium(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("Chromium is not installed (apt-get install -y chromium): the browser tests did not run")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(1280, 900), chromedp.UserDataDir(t.TempDir()))
	// The allocator's context bounds the browser, so every wait has a
	// bound (chromedp's Run must not be given a timeout of its own first).
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	return bctx
}

// screenshot saves what the window shows of the page under reports/
// (PNG, small enough for the README), for a person to look at.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	img, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	dir := filepath.Join("..", "reports")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, img, 0o644)) //nolint:gosec // a screenshot for people
	t.Logf("screenshot: %s (%d KB)", path, len(img)>>10)
}

// deletesNothing answers a datasource authentication's delete 200 and
// deletes nothing: a server that breaks the contract in a way the gate's
// life cycle and sequences both show.
func deletesNothing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/datasource/auth-infos/") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"is_success":true,"message":"Deleted success."}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// A person finds, in the HTML report of a run against a broken server,
// without reading the text log: the verdict, the failure with its shrunk
// steps and the command that replays it, the matrix cell of a declared
// pair no request hit, and no secret.
func TestTheReportInABrowser(t *testing.T) {
	ctx := chromium(t)
	const ak, sk = "AKBROWSER00000000000", "SKbrowserSecretKey000000000000000000000"
	clk := clock.NewFake(time.Now())
	m, err := mockserver.New(mockserver.Config{AK: ak, SK: sk, Clock: clk, CreateDelay: 50 * time.Millisecond})
	require.NoError(t, err)
	rctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep := gate.Run(rctx, gate.Config{
		Target: gate.Target{Endpoint: "https://dli.mock.invalid", ProjectID: project, Mutate: true, Mock: true,
			Credentials: auth.AKSK{AK: ak, SK: sk, ProjectID: project}, Poll: 20 * time.Millisecond, Settle: 5 * time.Second},
		Network: mockserver.NewMockTransport(deletesNothing(m)), Clock: clk, Seed: 7, MaxExamples: 10, Log: io.Discard,
	})
	require.True(t, rep.Failed(), "the broken server failed")
	dir := t.TempDir()
	var js bytes.Buffer
	require.NoError(t, rep.WriteJSON(&js))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "report.json"), js.Bytes(), 0o600))
	f, err := os.Create(filepath.Join(dir, "report.html")) //nolint:gosec // the test's own file
	require.NoError(t, err)
	require.NoError(t, rep.WriteHTML(f, "report.json"))
	require.NoError(t, f.Close())

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("file://"+filepath.Join(dir, "report.html"))))
	text := func(css string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
		require.NoError(t, err, css)
		return v
	}
	count := func(js string) int {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		require.NoError(t, err, js)
		return v
	}
	verdict, firstFailure, replay, body := text("#verdict"), text(".failure h3"), text("code.replay"), text("body")
	failures := count(`document.querySelectorAll(".failure").length`)
	steps := count(`Math.max(0, ...[...document.querySelectorAll(".failure")].map(f => f.querySelectorAll("ol.steps li").length))`)
	unreached := count(`document.querySelectorAll("td.unreached").length`)
	failedCells := count(`document.querySelectorAll("td.failed").length`)
	assert.Equal(t, "FAIL", verdict)
	assert.Equal(t, len(rep.Violations), failures, "every failure is on the page")
	assert.Regexp(t, `^1\. \w+: \w+`, firstFailure)
	assert.Positive(t, steps, "a failure shows its shrunk steps")
	assert.Equal(t, "dli-contract -replay report.json -case 1", replay)
	assert.Positive(t, unreached, "declared pairs no request reached stand out")
	assert.Positive(t, failedCells, "the pair whose answer broke the contract is red")
	cell, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("td.unreached"), "data-pair"))
	require.NoError(t, err)
	assert.Regexp(t, `^\w+ (\d{3}|default)$`, cell.Value, "the cell names its pair")
	assert.Contains(t, body, "use_after_free", "the failure's check")
	assert.Contains(t, body, "dli-contract -seed 7", "how to repeat the run")
	assert.NotContains(t, body, "Huawei12!", "no secret the run sent")
	assert.Contains(t, body, "<redacted>")
	screenshot(t, ctx, "report.png")
	// And a failure with its shrunk steps, scrolled to.
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector("ol.steps"); s.closest(".failure").scrollIntoView(); return true })()`))
	require.NoError(t, err)
	screenshot(t, ctx, "report-steps.png")
}

// A PASS report has no red on it: a declared 5xx or default that no
// request needed is grey, a pair never reached is amber, and only a
// violation is red.
func TestAPassingReportHasNoRed(t *testing.T) {
	ctx := chromium(t)
	clk := clock.NewFake(time.Now())
	m, err := mockserver.New(mockserver.Config{Clock: clk, CreateDelay: 50 * time.Millisecond})
	require.NoError(t, err)
	rctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep := gate.Run(rctx, gate.Config{
		Target:  gate.Target{Endpoint: "https://dli.mock.invalid", ProjectID: project, Mock: true, Credentials: auth.Anonymous},
		Network: mockserver.NewMockTransport(m), Clock: clk, Seed: 7, MaxExamples: 4, Log: io.Discard,
	})
	require.Equal(t, 0, rep.ExitCode(), rep.Text())
	path := filepath.Join(t.TempDir(), "pass.html")
	f, err := os.Create(path) //nolint:gosec // the test's own file
	require.NoError(t, err)
	require.NoError(t, rep.WriteHTML(f, ""))
	require.NoError(t, f.Close())
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("file://"+path)))
	count := func(js string) int {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		require.NoError(t, err, js)
		return v
	}
	// Red, as the page paints a failure: its text and its cell's ground.
	red := count(`[...document.querySelectorAll("#pairs td, #pairs th, #checks ~ table td, table td")].filter(e => {
		const s = getComputedStyle(e);
		return ["rgb(207, 34, 46)", "rgb(164, 14, 38)"].includes(s.color) || s.backgroundColor === "rgb(255, 235, 233)";
	}).length`)
	assert.Zero(t, red, "red cells on a PASS report")
	assert.Positive(t, count(`document.querySelectorAll("td.unneeded").length`), "the 5xx and default no request needed")
	assert.Positive(t, count(`document.querySelectorAll("td.unreached").length`), "a read-only run reaches few pairs")
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { document.querySelector("#matrix").scrollIntoView(); return true })()`))
	require.NoError(t, err)
	screenshot(t, ctx, "report-pass-matrix.png")
}

// dli-mock's page, with credentials configured as the quickstart does:
// without them a browser is told how to sign in and sees nothing the mock
// holds; signed in, it shows a life cycle's state: a connection bound to a
// pool, a route, tags, a grant, a datasource authentication (no password), the
// faults armed and the last requests, every table within a 1280-pixel
// window.
func TestTheMockPageInABrowser(t *testing.T) {
	ctx := chromium(t)
	const ak, sk = "AKPAGE00000000000000", "SKpageSecretKey0000000000000000000000000"
	m, err := mockserver.New(mockserver.Config{AK: ak, SK: sk})
	require.NoError(t, err)
	srv := httptest.NewServer(m)
	defer srv.Close()
	c, err := dli.NewClientWithResponses(srv.URL, dli.WithHTTPClient(&http.Client{
		Transport: auth.NewTransport(auth.AKSK{AK: ak, SK: sk, ProjectID: project}, nil), Timeout: 10 * time.Second}))
	require.NoError(t, err)
	bg := context.Background()
	created, err := c.CreateEnhancedConnectionWithResponse(bg, project, dli.EnhancedConnectionCreateRequest{Name: "orders_db",
		DestVpcID: "22094d8f-c310-4621-913d-4c4d655d8495", DestNetworkID: "78f2562a-36e4-4b39-95b9-f5aab22e1281", ElasticResourcePools: []string{"pool_orders"}})
	require.NoError(t, apierror.Check(created, err))
	id := *created.JSON201.ConnectionID
	route, err := c.CreateRouteToEnhancedConnectionWithResponse(bg, project, id, dli.RouteCreateRequest{Name: "orders_route", Cidr: "192.168.12.0/24"})
	require.NoError(t, apierror.Check(route, err))
	tagged, err := c.BatchCreateResourceTagsWithResponse(bg, project, dli.DliEnhancedDatasource, id,
		dli.ResourceTagsRequest{Tags: []dli.ResourceTag{{Key: "team", Value: "orders"}, {Key: "env", Value: "prod"}}})
	require.NoError(t, apierror.Check(tagged, err))
	grantee := "fedcba9876543210fedcba9876543210"
	grant, err := c.RunAuthorizationActionWithResponse(bg, project, dli.AuthorizationRequest{Action: "grant", ProjectID: &grantee,
		Privileges: []dli.AuthorizationPrivilege{{Object: "edsconnections." + id, Privileges: []string{"BIND_QUEUE"}}}})
	require.NoError(t, apierror.Check(grant, err))
	secret := "page-secret-Huawei12!"
	authInfo, err := c.CreateJobAuthInfoWithResponse(bg, project, dli.AuthInfoCreateRequest{AuthInfoName: "orders_auth",
		DatasourceType: dli.AuthTypePasswd, UserName: ptr("orders"), Password: &secret})
	require.NoError(t, apierror.Check(authInfo, err))
	_, err = m.AddFault(mockserver.Fault{Kind: mockserver.FaultThrottle, Operation: "ListEnhancedConnections", Times: 3})
	require.NoError(t, err)

	text := func(css string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
		require.NoError(t, err, css)
		return v
	}
	// The browser asks for a user name and a password; the person first
	// cancels, then signs in with the AK and SK.
	signIn := answerSignIn(t, ctx)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+mockserver.ControlPrefix)))
	refused := text("body")
	assert.Contains(t, refused, "access key")
	assert.Contains(t, refused, "secret key")
	assert.NotContains(t, refused, "orders_db", "no state without credentials")
	assert.NotContains(t, refused, sk)
	screenshot(t, ctx, "mock-sign-in.png")

	signIn(ak, sk)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+mockserver.ControlPrefix)))
	enhanced, auths, faults, recent, body := text("table.enhanced"), text("table.auth"), text("table.faults"), text("table.recent"), text("body")
	for _, want := range []string{"orders_db", id, "pool pool_orders", "orders_route 192.168.12.0/24", "team=orders", "env=prod", "project " + grantee, "BIND_QUEUE"} {
		assert.Contains(t, enhanced, want)
	}
	assert.Contains(t, auths, "orders_auth")
	assert.Contains(t, faults, "ListEnhancedConnections")
	assert.Contains(t, recent, "RunAuthorizationAction")
	assert.Contains(t, recent, grant.HTTPResponse.Header.Get("X-Request-Id"))
	assert.NotContains(t, body, secret, "no password on the page")
	overflowing, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("table")]
		.filter(t => t.getBoundingClientRect().right > Math.min(window.innerWidth, t.parentElement.getBoundingClientRect().right))
		.map(t => t.className)`))
	require.NoError(t, err)
	assert.Empty(t, overflowing, "tables wider than the page's column, or the 1280-pixel window")
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	require.NoError(t, err)
	assert.False(t, wide, "the page scrolls sideways")
	var state bytes.Buffer
	require.NoError(t, json.NewEncoder(&state).Encode(m.State()))
	assert.NotContains(t, state.String(), secret)
	screenshot(t, ctx, "mock.png")
}

func ptr[T any](v T) *T { return &v }

// answerSignIn answers the browser's sign-in prompts of the tab as a
// person does: cancelled until the returned func is given a user and a
// password, which every later prompt is then answered with.
func answerSignIn(t *testing.T, ctx context.Context) func(user, password string) {
	t.Helper()
	var mu sync.Mutex
	var user, password string
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		// Commands may not run inside the listener: each answer is sent
		// from a goroutine of its own, bounded by the browser's context.
		switch ev := ev.(type) {
		case *fetch.EventRequestPaused:
			go func() {
				_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
			}()
		case *fetch.EventAuthRequired:
			mu.Lock()
			answer := &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseCancelAuth}
			if user != "" {
				answer = &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseProvideCredentials, Username: user, Password: password}
			}
			mu.Unlock()
			go func() {
				_, _ = chromedp.Call(ctx, fetch.ContinueWithAuth, fetch.ContinueWithAuthParams{RequestID: ev.RequestID, AuthChallengeResponse: answer})
			}()
		}
	}))
	_, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{HandleAuthRequests: ptr(true)})
	require.NoError(t, err)
	return func(u, p string) {
		mu.Lock()
		defer mu.Unlock()
		user, password = u, p
	}
}
