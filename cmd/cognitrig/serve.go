package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/cognitrig/cognitrig/internal/lambdart"
)

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runServe serves Lambda's Invoke API on 127.0.0.1 for local bootstrap
// binaries, each run as one warm process through the Lambda Runtime API.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9001", "address to listen on (loopback only)")
	timeout := fs.Duration("timeout", 5*time.Second, "per-invocation timeout, as the function's Lambda timeout")
	var functions, envs listFlag
	fs.Var(&functions, "function", "NAME=PATH of a bootstrap binary (repeatable), e.g. tenancy=dist/tenancy/bootstrap")
	fs.Var(&envs, "env", "KEY=VALUE for every function's environment (repeatable)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBadArgs
	}
	if len(functions) == 0 {
		fmt.Fprintln(stderr, "cognitrig serve: name at least one --function NAME=PATH (build them with `make build`)")
		return exitBadArgs
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || (host != "127.0.0.1" && host != "localhost" && host != "::1") {
		fmt.Fprintf(stderr, "cognitrig serve: --addr %q: listen on a loopback address such as 127.0.0.1:9001\n", *addr)
		return exitBadArgs
	}
	for _, e := range envs {
		if !strings.Contains(e, "=") {
			fmt.Fprintf(stderr, "cognitrig serve: --env %q: use KEY=VALUE\n", e)
			return exitBadArgs
		}
	}
	started := map[string]*lambdart.Function{}
	defer func() {
		for _, fn := range started {
			_ = fn.Close()
		}
	}()
	for _, spec := range functions {
		name, path, ok := strings.Cut(spec, "=")
		if !ok || name == "" || path == "" {
			fmt.Fprintf(stderr, "cognitrig serve: --function %q: use NAME=PATH\n", spec)
			return exitBadArgs
		}
		fn, err := lambdart.Start(lambdart.Config{Name: name, Binary: path, Env: envs, Timeout: *timeout, Stderr: stderr})
		if err != nil {
			fmt.Fprintf(stderr, "cognitrig serve: %v\n", err)
			return exitBadArgs
		}
		started[name] = fn
	}
	api := lambdart.NewInvokeAPI(started)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "cognitrig serve: %v\n", err)
		return exitFailed
	}
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "cognitrig serve: Lambda Invoke API on http://%s for %s\n", ln.Addr(), strings.Join(names(started), ", "))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
		return exitOK
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return exitOK
		}
		fmt.Fprintf(stderr, "cognitrig serve: %v\n", err)
		return exitFailed
	}
}

func names(m map[string]*lambdart.Function) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
