package main

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// When the test binary is started with this variable set, it runs main
// instead of the tests, so the real signal handling can be exercised.
const childEnv = "DLI_MOCK_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Args = append([]string{"dli-mock"}, strings.Fields(os.Getenv("DLI_MOCK_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestStopsGracefullyOnSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"=1", "DLI_MOCK_ARGS=-addr 127.0.0.1:0")
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(stderr)
			addr := ""
			for addr == "" && lines.Scan() {
				if _, rest, ok := strings.Cut(lines.Text(), "addr="); ok {
					addr, _, _ = strings.Cut(rest, " ")
				}
			}
			if addr == "" {
				_ = cmd.Process.Kill()
				t.Fatal("the mock did not report its address")
			}
			resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + addr + "/v2.0/p1/datasource-connection")
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			var rest strings.Builder
			for lines.Scan() {
				rest.WriteString(lines.Text() + "\n")
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit after %v: %v\n%s", sig, err, rest.String())
				}
			case <-time.After(15 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("no exit after %v", sig)
			}
			if !strings.Contains(rest.String(), "shutting down") {
				t.Errorf("no shutdown line after %v:\n%s", sig, rest.String())
			}
		})
	}
}
