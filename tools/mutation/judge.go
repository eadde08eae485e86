package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// judgeFailed is a judge that ran and failed: the mutant is killed.
type judgeFailed struct{ output string }

func (e *judgeFailed) Error() string { return "failed: " + firstLine(e.output) }

// command runs name in dir, bounded by timeout. A non-zero exit, or a
// judge that runs out of time (a mutant that hangs), is *judgeFailed;
// anything else that keeps it from running is another error.
func command(ctx context.Context, dir string, timeout time.Duration, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...) //nolint:gosec // the go tool and the judges this command runs
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), nil
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return out.String(), &judgeFailed{output: fmt.Sprintf("timed out after %s\n%s", timeout, out.String())}
	case errors.As(err, &exit):
		return out.String(), &judgeFailed{output: out.String()}
	}
	return out.String(), err
}

// The gate's settings against a mutant: a mock that checks signatures,
// and quick polls so that a run takes seconds.
const (
	gateAK      = "AKMUTATION0000000000"
	gateSK      = "SKmutationSecretKey000000000000000000000"
	gateProject = "0123456789abcdef0123456789abcdef"
	gateToken   = "mutation-token"
)

// gateArgs are the gate's flags against a mutant: a mutating run with a
// fixed seed, given none of the document's inputs (so that it sends their
// mock values, and the classic life cycle runs too), quick polls and short
// waits (the mock settles in 50 ms).
func gateArgs(addr string, timeout time.Duration) []string {
	return []string{
		"-endpoint", "http://" + addr, "-project", gateProject, "-ak", gateAK, "-mutate", "-mock",
		"-seed", "1", "-poll", "20ms", "-settle", "2s", "-request-timeout", "5s", "-timeout", strconv.Itoa(int(timeout.Seconds())) + "s",
		// A judge needs only the verdict: a failing sequence need not be
		// shrunk far.
		"-max-shrinks", "20",
	}
}

// knownFlags keeps of args the flags (with their values) that the gate
// binary knows, so that an older gate, built as a baseline, runs with the
// settings it has.
func knownFlags(ctx context.Context, bin string, args []string) []string {
	usage, _ := command(ctx, ".", time.Minute, nil, bin, "-h")
	return keepFlags(usage, args)
}

// keepFlags keeps of args the flags that usage (a flag package's -h)
// lists, each with its value.
func keepFlags(usage string, args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		name := strings.TrimPrefix(args[i], "-")
		takesValue := i+1 < len(args) && !strings.HasPrefix(args[i+1], "-")
		if strings.Contains(usage, "  -"+name+" ") || strings.Contains(usage, "  -"+name+"\n") {
			out = append(out, args[i])
			if takesValue {
				out = append(out, args[i+1])
			}
		}
		if takesValue {
			i++
		}
	}
	return out
}

// gate serves the mutant's dli-mock on loopback ports and runs the gate
// binary, built from the unmutated repository, against it, in each of the
// configurations a user starts it in: with AK/SK only (a mutating run),
// and with a token only, without a create delay (a read-only run): a
// mock that takes either credential hides a mutant that mixes them up.
func gate(ctx context.Context, ws string, g gateJudge, timeout time.Duration) error {
	mockBin := filepath.Join(ws, "bin", "dli-mock")
	if out, err := command(ctx, ws, timeout, nil, "go", "build", "-o", mockBin, "./cmd/dli-mock"); err != nil {
		return fmt.Errorf("build the mock: %w: %s", err, firstLine(out))
	}
	runs := []struct {
		mockArgs, mockEnv, gateEnv []string
		gateArgs                   func(addr string) []string
	}{
		// The gate's secret key under its name and its old one: a BASELINE
		// gate may be older than the rename (the new name wins).
		{[]string{"-ak", gateAK, "-create-delay", "50ms"}, []string{"HUAWEICLOUD_SDK_SK=" + gateSK},
			[]string{"HUAWEICLOUD_SDK_SK=" + gateSK, "DLI_SK=" + gateSK},
			func(addr string) []string { return gateArgs(addr, timeout) }},
		// No key pair at all: the mock reads one from the environment.
		{[]string{"-create-delay", "0"}, []string{"DLI_TOKEN=" + gateToken, "HUAWEICLOUD_SDK_AK=", "HUAWEICLOUD_SDK_SK="},
			[]string{"DLI_TOKEN=" + gateToken},
			func(addr string) []string { return readOnlyArgs(addr, timeout) }},
	}
	for _, run := range runs {
		err := withMock(ctx, mockBin, run.mockArgs, run.mockEnv, timeout, func(addr string) error {
			_, err := command(ctx, ws, timeout, run.gateEnv, g.bin, knownFlags(ctx, g.bin, append(run.gateArgs(addr), g.extra...))...)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func readOnlyArgs(addr string, timeout time.Duration) []string {
	return []string{"-endpoint", "http://" + addr, "-project", gateProject, "-mock", "-seed", "1", "-request-timeout", "5s",
		"-timeout", strconv.Itoa(int(timeout.Seconds())) + "s"}
}

// withMock starts the mock binary with args on a free loopback port, runs
// f against it and stops it.
func withMock(ctx context.Context, mockBin string, args, env []string, timeout time.Duration, f func(addr string) error) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	mctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	mock := exec.CommandContext(mctx, mockBin, append([]string{"-addr", addr}, args...)...) //nolint:gosec // the mock binary this command just built
	mock.Env = append(os.Environ(), env...)
	mock.Stdout, mock.Stderr = io.Discard, io.Discard
	mock.Cancel = func() error { return mock.Process.Signal(syscall.SIGTERM) }
	mock.WaitDelay = 5 * time.Second
	if err := mock.Start(); err != nil {
		return fmt.Errorf("start the mock: %w", err)
	}
	defer func() {
		cancel()
		_ = mock.Wait()
	}()
	if err := waitListening(mctx, addr); err != nil {
		return &judgeFailed{output: fmt.Sprintf("the mutant mock %v does not listen: %v", args, err)}
	}
	return f(addr)
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

func waitListening(ctx context.Context, addr string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// skipped are the folders a workspace does without: history, build
// outputs and Node packages.
var skipped = []string{".git", "bin", "reports", "node_modules"}

// copyTree copies the repository at src to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if slices.Contains(skipped, d.Name()) && rel != "." {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755) //nolint:gosec // a scratch copy of the repository
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path) //nolint:gosec // a file of the repository being copied
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, info.Mode().Perm()) //nolint:gosec // within the scratch copy
	})
}

// refuseJudgeCode fails when a file to mutate belongs to a package the
// gate imports: mutating it would change the judge, not the server.
func refuseJudgeCode(ctx context.Context, root string, files []string) error {
	out, err := command(ctx, root, time.Minute, nil, "go", "list", "-deps", "-f", "{{.Dir}}", "./gate")
	if err != nil {
		return fmt.Errorf("go list the gate's packages: %w: %s", err, out)
	}
	judgeDirs := strings.Fields(out)
	for _, f := range files {
		dir := filepath.Dir(filepath.Join(root, filepath.FromSlash(f)))
		if slices.Contains(judgeDirs, dir) {
			return fmt.Errorf("%s is in a package the gate imports (%s); with the gate as a judge, mutate only the server under test",
				f, strings.TrimPrefix(dir, root+string(filepath.Separator)))
		}
	}
	return nil
}

// buildAt builds cmd/dli-contract as of a git revision of the repository
// at root, in dir, to bin.
func buildAt(ctx context.Context, root, rev, dir, bin string, timeout time.Duration) error {
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // a scratch folder
		return err
	}
	archive := filepath.Join(dir, "src.tar")
	if out, err := command(ctx, root, timeout, nil, "git", "archive", "-o", archive, rev); err != nil {
		return fmt.Errorf("git archive %s: %w: %s", rev, err, firstLine(out))
	}
	if out, err := command(ctx, dir, timeout, nil, "tar", "-xf", archive); err != nil {
		return fmt.Errorf("unpack: %w: %s", err, firstLine(out))
	}
	if out, err := command(ctx, dir, timeout, nil, "go", "build", "-o", bin, "./cmd/dli-contract"); err != nil {
		return fmt.Errorf("go build: %w: %s", err, firstLine(out))
	}
	return nil
}
