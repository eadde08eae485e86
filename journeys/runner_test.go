package journeys_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The pages whose shell blocks are journeys: each block is marked, on the
// line above it, with what runs it.
var pages = []string{"README.md", "docs/client.md", "docs/mock.md", "docs/gate.md", "docs/spec.md", "docs/testing.md"}

// block is a fenced block of a page and the marker above it:
//
//	<!-- journey: NAME -->      a journey of journeys_test.go runs it
//	<!-- file: PATH -->         it is the file PATH, or lines of a function of it, verbatim
//	<!-- not run: REASON -->    it cannot run here, for REASON
type block struct {
	page          string
	line          int
	lang          string
	marker, value string
	text          string
}

var markerLine = regexp.MustCompile(`^<!-- (journey|file|not run): (.+?) -->$`)

// blocks reads a page's fenced blocks with their markers.
func blocks(t *testing.T, page string) []block {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, page)) //nolint:gosec // a page of the repository
	require.NoError(t, err)
	lines := strings.Split(string(raw), "\n")
	var out []block
	for i := 0; i < len(lines); i++ {
		lang, ok := strings.CutPrefix(lines[i], "```")
		if !ok || lang == "" {
			continue
		}
		b := block{page: page, line: i + 1, lang: lang}
		for j := i - 1; j >= 0 && j >= i-2; j-- {
			if m := markerLine.FindStringSubmatch(strings.TrimSpace(lines[j])); m != nil {
				b.marker, b.value = m[1], m[2]
				break
			}
		}
		var text []string
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			text = append(text, lines[i])
		}
		b.text = strings.Join(text, "\n") + "\n"
		out = append(out, b)
	}
	return out
}

// journeyBlock is the one block of the pages marked as journey name.
func journeyBlock(t *testing.T, name string) string {
	t.Helper()
	var found []block
	for _, page := range pages {
		for _, b := range blocks(t, page) {
			if b.marker == "journey" && b.value == name {
				found = append(found, b)
			}
		}
	}
	require.Len(t, found, 1, "the pages must mark exactly one block <!-- journey: %s -->", name)
	return found[0].text
}

// The rewrites a block gets before it runs, and why; nothing else of what
// a person types is changed.
//   - The default port 8080 becomes a free one, so that journeys run side by
//     side and beside whatever else listens on this machine; a dli-mock
//     started without -addr is given it.
//   - Live DLI's endpoint becomes a dli-mock on loopback that stands for it:
//     tests send nothing to a cloud.
//   - A command fetched @latest is run from this tree: the module is what
//     is tested, not its last release.
//   - A repository file the block names (a config file) is copied with the
//     same rewrites.
//   - After a command sent to the background, the block waits until its port
//     listens, as a person waits for the mock's first line.
const (
	livePlaceholder = "https://dli.cn-north-4.myhuaweicloud.com"
	latest          = "github.com/dli-contract/dli-go/cmd/dli-contract@latest"
)

// shell runs blocks for one journey.
type shell struct {
	t *testing.T
	// env is the journey's environment, on top of what Go itself needs.
	env map[string]string
	// port stands for 8080; live, when set, for live DLI's endpoint;
	// ports for any other port a block names.
	port, live int
	ports      map[string]int
	dir        string
}

func newShell(t *testing.T, env map[string]string) *shell {
	t.Helper()
	port := freePort(t)
	return &shell{t: t, env: env, port: port, ports: map[string]int{"8080": port}, dir: t.TempDir()}
}

// url is the dli-mock's endpoint of this journey.
func (s *shell) url() string { return "http://127.0.0.1:" + strconv.Itoa(s.port) }

var (
	mockWithoutAddr = regexp.MustCompile(`(go run \./cmd/dli-mock|bin/dli-mock)((?: [^&#\n]*)?)`)
	help            = regexp.MustCompile(`\s-h(\s|$)`)
	portOf          = regexp.MustCompile(`127\.0\.0\.1:(\d+)`)
	localPort       = regexp.MustCompile(`(127\.0\.0\.1|localhost):(\d{4,5})\b`)
	repoFile        = regexp.MustCompile(`(?:^|\s)((?:examples|docs|mockserver)/[\w./-]+\.(?:yaml|yml|json))`)
)

// rewrite applies the rewrites to a block's text.
func (s *shell) rewrite(text string) string {
	port := strconv.Itoa(s.port)
	text = strings.ReplaceAll(text, latest, "./cmd/dli-contract")
	text = localPort.ReplaceAllStringFunc(text, func(m string) string {
		host, p, _ := strings.Cut(m, ":")
		if s.ports[p] == 0 {
			s.ports[p] = freePort(s.t)
		}
		return host + ":" + strconv.Itoa(s.ports[p])
	})
	if strings.Contains(text, livePlaceholder) {
		require.NotZero(s.t, s.live, "the block names live DLI: the journey must start a mock that stands for it (startLive)")
		text = strings.ReplaceAll(text, livePlaceholder, "http://127.0.0.1:"+strconv.Itoa(s.live))
	}
	text = mockWithoutAddr.ReplaceAllStringFunc(text, func(m string) string {
		if strings.Contains(m, "-addr") || help.MatchString(m) {
			return m
		}
		cmd, rest, _ := strings.Cut(m, " -")
		if rest != "" {
			rest = " -" + rest
		}
		return cmd + " -addr 127.0.0.1:" + port + rest
	})
	for _, m := range repoFile.FindAllStringSubmatch(text, -1) {
		path := m[1]
		raw, err := os.ReadFile(filepath.Join(root, path)) //nolint:gosec // a file of the repository a page names
		if errors.Is(err, os.ErrNotExist) {
			continue // one the block writes itself
		}
		require.NoError(s.t, err)
		copied := filepath.Join(s.dir, path)
		require.NoError(s.t, os.MkdirAll(filepath.Dir(copied), 0o755))
		require.NoError(s.t, os.WriteFile(copied, []byte(s.rewrite(string(raw))), 0o600))
		text = strings.ReplaceAll(text, path, copied)
	}
	return text
}

// prelude defines what the rewrites call.
const prelude = `set -eu
__wait_port() {
	for _ in $(seq 1200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	echo "journey: nothing listens on 127.0.0.1:$1 after two minutes" >&2
	return 1
}
`

// script is the block as bash runs it: the rewrites, and a wait after each
// command sent to the background.
func (s *shell) script(text string) string {
	var b strings.Builder
	b.WriteString(prelude)
	sc := bufio.NewScanner(strings.NewReader(s.rewrite(text)))
	for sc.Scan() {
		line := sc.Text()
		b.WriteString(line + "\n")
		code, _, _ := strings.Cut(line, "#")
		if strings.HasSuffix(strings.TrimSpace(code), "&") {
			if m := portOf.FindStringSubmatch(code); m != nil {
				b.WriteString("__wait_port " + m[1] + "\n")
			}
		}
	}
	return b.String()
}

// run runs a block's text in bash, in the shared workspace (the repository's
// files, and a place of its own for what the block writes), and returns
// what it printed and its exit status. Every process it started is ended
// when it ends.
func (s *shell) run(text string) (string, int) {
	s.t.Helper()
	return s.exec("bash", "-c", s.script(text))
}

// exec runs a command as a journey does: in the workspace, with the
// journey's environment, bounded, and its process group ended after.
func (s *shell) exec(name string, args ...string) (string, int) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	out, err := os.CreateTemp(s.dir, "out-*")
	require.NoError(s.t, err)
	defer func() { _ = out.Close() }()
	cmd := s.command(ctx, out, name, args...)
	err = cmd.Run()
	endGroup(cmd)
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		s.t.Fatalf("%s: %v", name, err)
	}
	printed, rerr := os.ReadFile(out.Name())
	require.NoError(s.t, rerr)
	return string(printed), code
}

// command is a command as a journey runs it: in the workspace, with the
// journey's environment, in a process group of its own that ends with
// ctx, printing to out. A file, not a pipe: a mock a block sends to the
// background keeps its end open.
func (s *shell) command(ctx context.Context, out *os.File, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = workspace
	cmd.Env = s.environ()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}

// endGroup ends what a command left running: SIGTERM, and SIGKILL to
// what is still there a few seconds later.
func endGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	pgid := cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	for range 50 {
		if syscall.Kill(-pgid, 0) != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// environ is what the journey's processes see: what Go needs to build from
// this machine's caches and nothing of the person's own credentials, the
// journey's variables, and proxies that refuse anything but loopback, so
// that nothing a journey runs can reach past this machine.
func (s *shell) environ() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "GOCACHE", "GOMODCACHE", "GOPATH", "GOROOT", "CGO_ENABLED"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	env = append(env, "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOTOOLCHAIN=local", "GONOSUMDB=*", "GOSUMDB=off",
		"HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9", "NO_PROXY=127.0.0.1,localhost,::1")
	for k, v := range s.env {
		env = append(env, k+"="+v)
	}
	return env
}

// startLive starts a dli-mock, in the background of the journey, that
// stands for live DLI where a block names it: it checks the journey's
// AK/SK, as DLI does.
func (s *shell) startLive() {
	s.t.Helper()
	s.live = freePort(s.t)
	addr := "127.0.0.1:" + strconv.Itoa(s.live)
	ctx, cancel := context.WithCancel(context.Background())
	log, err := os.Create(filepath.Join(s.dir, "live.log")) //nolint:gosec // the test's own file
	require.NoError(s.t, err)
	cmd := s.command(ctx, log, "go", "run", "./cmd/dli-mock", "-addr", addr, "-create-delay", "0s")
	require.NoError(s.t, cmd.Start())
	s.t.Cleanup(func() {
		endGroup(cmd)
		cancel()
		_ = cmd.Wait()
		_ = log.Close()
	})
	waitPort(s.t, s.live, func() string { b, _ := os.ReadFile(log.Name()); return string(b) }) //nolint:gosec // the test's own file
}

// waitPort waits, up to two minutes (a cold build of the mock), until a
// port listens.
func waitPort(t *testing.T, port int, log func() string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			_ = c.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("nothing listens on 127.0.0.1:%d after two minutes:\n%s", port, log())
}

// freePort is a loopback port nothing listens on, now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// root is the repository; workspace, its files as symlinks in a folder of
// the journeys' own, where a block runs and writes what it writes.
// Removing an entry of the repository leaves its link dangling there,
// which nothing reads.
var root, workspace string

func TestMain(m *testing.M) {
	// A journey mostly waits, on create delays and polls: four at a time,
	// unless -test.parallel says otherwise.
	flag.Parse()
	if !flagSet("test.parallel") {
		_ = flag.Set("test.parallel", "4")
	}
	code, err := withWorkspace(m.Run)
	if err != nil {
		fmt.Fprintln(os.Stderr, "journeys:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// flagSet reports whether a flag was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// withWorkspace runs the journeys in the workspace: a folder of the
// system's temporary one, named for the repository and kept between runs,
// since Go's build cache knows a package by its folder and a journey's go
// run would otherwise build and link every command anew each time.
func withWorkspace(run func() int) (int, error) {
	var err error
	if root, err = filepath.Abs(".."); err != nil {
		return 0, err
	}
	sum := sha256.Sum256([]byte(root))
	workspace = filepath.Join(os.TempDir(), "dli-go-journeys-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(workspace, 0o750); err != nil {
		return 0, err
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		switch e.Name() {
		case ".git", "bin", "reports":
			continue
		}
		link := filepath.Join(workspace, e.Name())
		if target, err := os.Readlink(link); err == nil && target == filepath.Join(root, e.Name()) {
			continue
		}
		_ = os.RemoveAll(link)
		if err := os.Symlink(filepath.Join(root, e.Name()), link); err != nil {
			return 0, err
		}
	}
	return run(), nil
}
