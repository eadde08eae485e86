package main

import (
	"bufio"
	"errors"
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
	// The tests say which credentials the mock has; a developer's own
	// environment must not add any.
	for _, name := range []string{"HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "DLI_TOKEN", "DLI_MOCK_SK", "DLI_MOCK_TOKEN", "DLI_AK", "DLI_SK"} {
		_ = os.Unsetenv(name)
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
			// Read the child's log in the background, so that every wait
			// below is bounded by the test's own deadline.
			lines := make(chan string, 64)
			go func() {
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			deadline := time.After(15 * time.Second)
			addr := ""
			for addr == "" {
				select {
				case l, ok := <-lines:
					if !ok {
						_ = cmd.Wait()
						t.Fatal("the mock exited before reporting its address")
					}
					if _, rest, found := strings.Cut(l, "addr="); found {
						addr, _, _ = strings.Cut(rest, " ")
					}
				case <-deadline:
					_ = cmd.Process.Kill()
					t.Fatal("the mock did not report its address within 15s")
				}
			}
			resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + addr + "/v2.0/p1/datasource-connection")
			if err != nil {
				_ = cmd.Process.Kill()
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			var rest strings.Builder
			for open := true; open; {
				select {
				case l, ok := <-lines:
					if ok {
						rest.WriteString(l + "\n")
					}
					open = ok
				case <-deadline:
					_ = cmd.Process.Kill()
					t.Fatalf("no exit within 15s after %v:\n%s", sig, rest.String())
				}
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("exit after %v: %v\n%s", sig, err, rest.String())
			}
			if !strings.Contains(rest.String(), "shutting down") {
				t.Errorf("no shutdown line after %v:\n%s", sig, rest.String())
			}
		})
	}
}

// dli-mock -h prints the usage and exits 0: help asked for is not a
// mistake. A bad flag exits 2.
func TestHelpExitsZero(t *testing.T) {
	for args, want := range map[string]int{"-h": 0, "-help": 0, "-no-such-flag": 2} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=1", "DLI_MOCK_ARGS="+args)
		out, err := cmd.CombinedOutput()
		code := 0
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			code = ee.ExitCode()
		case err != nil:
			t.Fatal(err)
		}
		if code != want {
			t.Errorf("dli-mock %s exited %d, want %d:\n%s", args, code, want, out)
		}
		if !strings.Contains(string(out), "-create-delay") {
			t.Errorf("dli-mock %s printed no usage:\n%s", args, out)
		}
	}
}
