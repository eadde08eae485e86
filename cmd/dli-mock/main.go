// Command dli-mock serves the stateful DLI mock (package mockserver) on a
// local port, for trying the client, demos and tests of other programs.
//
//	go run ./cmd/dli-mock -addr 127.0.0.1:8080 -ak AK -sk SK -create-delay 5s
//	go run ./cmd/dli-mock -fixtures connections.json -faults faults.json
//
// Its control surface, under /_mock/ (reset, state, fixtures, faults),
// is described in package mockserver (ControlPrefix).
// It logs one line per request (method, path, status, duration; never a
// header or a credential) and shuts down gracefully on SIGINT or SIGTERM.
// The key pair and the token may also come from the environment, by the
// names the client, dli-contract and the official SDK read
// (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK; DLI_TOKEN), which keeps them out
// of the process list and lets one environment serve both sides.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/dli-contract/dli-go/auth"
	"github.com/dli-contract/dli-go/credenv"
	"github.com/dli-contract/dli-go/mockserver"
	"github.com/dli-contract/dli-go/version"
)

// gcPercent replaces Go's default GOGC of 100 unless GOGC is set: the
// mock's live heap is small and nearly all it allocates is per-request
// garbage, so collecting less often costs little memory and keeps GC work
// from stealing a core under load, which is what dominated p99 latency.
const gcPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h: the usage text was asked for, and printed
		}
		fmt.Fprintln(os.Stderr, "dli-mock:", err)
		os.Exit(2)
	}
}

// run serves until ctx is done. ready, when not nil, receives the address
// listened on.
func run(ctx context.Context, args []string, logOut io.Writer, ready chan<- string) error {
	fs := flag.NewFlagSet("dli-mock", flag.ContinueOnError)
	fs.SetOutput(logOut)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	ak := fs.String("ak", "", "access key whose signatures are accepted, with -sk (or set $"+auth.EnvAK+"); none: anonymous")
	// Secrets are read from the environment after parsing, never made
	// flag defaults: flag prints defaults in the usage text.
	sk := fs.String("sk", "", "secret key of -ak (or set $"+auth.EnvSK+")")
	token := fs.String("token", "", "X-Auth-Token value accepted (or set $"+credenv.EnvToken+")")
	delay := fs.Duration("create-delay", 3*time.Second, "how long a new connection stays CREATING")
	fixtures := fs.String("fixtures", "", "load the connections of this JSON `FILE` at start (see mockserver.Fixtures)")
	faultsFile := fs.String("faults", "", "arm the faults of this JSON `FILE` at start: an array of mockserver.Fault")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *showVersion {
		_, err := fmt.Fprintln(logOut, "dli-mock", version.String())
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	getenv := credenv.Environ(os.Getenv, logOut, "dli-mock")
	for _, f := range []struct {
		v   *string
		env string
	}{{ak, auth.EnvAK}, {sk, auth.EnvSK}, {token, credenv.EnvToken}} {
		if *f.v == "" {
			*f.v = getenv(f.env)
		}
	}
	if *ak != "" && *sk == "" {
		return errors.New("-ak needs -sk (or " + auth.EnvSK + ")")
	}
	if *sk != "" && *ak == "" {
		return errors.New("-sk needs -ak (or " + auth.EnvAK + ")")
	}
	cfg := mockserver.Config{AK: *ak, SK: *sk, Token: *token, CreateDelay: *delay}
	if *fixtures != "" {
		raw, err := os.ReadFile(*fixtures)
		if err != nil {
			return fmt.Errorf("-fixtures: %w", err)
		}
		f, err := mockserver.ParseFixtures(raw)
		if err != nil {
			return fmt.Errorf("-fixtures %s: %w", *fixtures, err)
		}
		cfg.Fixtures = &f
	}
	if *faultsFile != "" {
		raw, err := os.ReadFile(*faultsFile)
		if err != nil {
			return fmt.Errorf("-faults: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg.Faults); err != nil {
			return fmt.Errorf("-faults %s: a JSON array of faults: %w", *faultsFile, err)
		}
	}
	m, err := mockserver.New(cfg)
	if err != nil {
		if *fixtures != "" || *faultsFile != "" {
			return fmt.Errorf("%w (nothing was started)", err)
		}
		return err
	}
	logger := slog.New(slog.NewTextHandler(logOut, nil))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           logRequests(logger, m),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	checks := "anonymous"
	switch {
	case *ak != "" && *token != "":
		checks = "AK/SK or token"
	case *ak != "":
		checks = "AK/SK"
	case *token != "":
		checks = "token"
	}
	logger.Info("dli-mock listening", "addr", ln.Addr().String(), "auth", checks, "create_delay", delay.String(),
		"control", mockserver.ControlPrefix, "faults", len(cfg.Faults))
	page := []any{"url", "http://" + ln.Addr().String() + mockserver.ControlPrefix}
	if checks != "anonymous" {
		page = append(page, "sign_in", "the AK as user and the SK as password, or any user and the token")
	}
	logger.Info("dli-mock page", page...)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("dli-mock shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// logRequests logs a line per request; a request a fault answered, delayed
// or closed names the fault.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			attrs := []any{"method", r.Method, "path", r.URL.Path, "status", sw.status,
				"duration", time.Since(start).Round(time.Microsecond).String()}
			if fault := w.Header().Get(mockserver.HeaderFault); fault != "" {
				attrs = append(attrs, "fault", fault)
			}
			if v := recover(); v != nil {
				// The close fault: no answer, the connection is closed.
				attrs[5] = "closed"
				logger.Info("request", attrs...)
				panic(v)
			}
			logger.Info("request", attrs...)
		}()
		next.ServeHTTP(sw, r)
	})
}
