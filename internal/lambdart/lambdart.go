// Package lambdart runs a Lambda function's `bootstrap` binary as a local
// process and invokes it through the Lambda Runtime API, the HTTP protocol
// that lambda.Start speaks when AWS_LAMBDA_RUNTIME_API is set. The binary
// that ships is the binary that is tested.
//
// One Function is one warm process serving one invocation at a time, as in
// Lambda. If the process dies it is started again for the next invocation;
// an invocation that outlives its timeout kills the process, as Lambda does.
package lambdart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Result is the outcome of one invocation, as Lambda's Invoke API reports it.
type Result struct {
	// Payload is the function's response, or its error document
	// ({"errorMessage":…,"errorType":…}) when FunctionError is set.
	Payload []byte
	// FunctionError is "Unhandled" when the function returned an error,
	// panicked, timed out or its process died; empty on success.
	FunctionError string
}

// Config describes a function.
type Config struct {
	Name    string        // function name, for AWS_LAMBDA_FUNCTION_NAME and the ARN
	Binary  string        // path of the bootstrap binary
	Env     []string      // extra environment, KEY=VALUE
	Timeout time.Duration // per invocation; default 5 s
	Stderr  io.Writer     // the process's stdout and stderr (its log); default os.Stderr
}

// Function is a running function.
type Function struct {
	cfg      Config
	listener net.Listener
	server   *http.Server
	next     chan *invocation

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the current process exits
	pending map[string]*invocation
	closed  bool

	seq    atomic.Int64
	starts atomic.Int64
}

type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	done     chan Result
	once     sync.Once
}

func (inv *invocation) finish(r Result) {
	inv.once.Do(func() { inv.done <- r })
}

// Start serves the Runtime API on 127.0.0.1 at a free port and starts the
// binary against it.
func Start(cfg Config) (*Function, error) {
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	if cfg.Name == "" {
		cfg.Name = "function"
	}
	if _, err := os.Stat(cfg.Binary); err != nil {
		return nil, fmt.Errorf("lambdart: function %s: %w; build it first (make build)", cfg.Name, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lambdart: listen: %w", err)
	}
	f := &Function{cfg: cfg, listener: ln, next: make(chan *invocation), pending: map[string]*invocation{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", f.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", f.handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", f.handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", f.handleInitError)
	f.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.server.Serve(ln) }()
	if err := f.startProcess(); err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// Starts reports how many times the process has been started.
func (f *Function) Starts() int { return int(f.starts.Load()) }

// Addr is the Runtime API address (host:port).
func (f *Function) Addr() string { return f.listener.Addr().String() }

func (f *Function) startProcess() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return errors.New("lambdart: function closed")
	}
	if f.cmd != nil {
		select {
		case <-f.exited:
		default:
			return nil // still running
		}
	}
	cmd := exec.Command(f.cfg.Binary)
	cmd.Env = append(append(os.Environ()[:0:0], baseEnv()...),
		"AWS_LAMBDA_RUNTIME_API="+f.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME="+f.cfg.Name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
	)
	cmd.Env = append(cmd.Env, f.cfg.Env...)
	cmd.Stdout = f.cfg.Stderr
	cmd.Stderr = f.cfg.Stderr
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("lambdart: start %s: %w", f.cfg.Binary, err)
	}
	f.starts.Add(1)
	exited := make(chan struct{})
	f.cmd, f.exited = cmd, exited
	go func() {
		_ = cmd.Wait()
		close(exited)
		// Whatever the process was working on is lost, as in Lambda.
		f.mu.Lock()
		lost := f.pending
		f.pending = map[string]*invocation{}
		f.mu.Unlock()
		for _, inv := range lost {
			inv.finish(errorResult("Runtime.ExitError", "the function's process exited before it answered"))
		}
	}()
	return nil
}

// baseEnv keeps only what a process needs from the parent: no credentials
// or other variables of the developer's shell leak into the function.
func baseEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "GOCOVERDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// Invoke runs one invocation and waits for its result. A returned error
// means the invocation could not be delivered (closed function, ctx done);
// a function that failed is a Result with FunctionError set.
func (f *Function) Invoke(ctx context.Context, payload []byte) (Result, error) {
	if err := f.startProcess(); err != nil {
		return Result{}, err
	}
	inv := &invocation{
		id:       fmt.Sprintf("00000000-0000-4000-8000-%012d", f.seq.Add(1)),
		payload:  payload,
		deadline: time.Now().Add(f.cfg.Timeout),
		done:     make(chan Result, 1),
	}
	timer := time.NewTimer(f.cfg.Timeout)
	defer timer.Stop()
	// Deliver to the process; if it dies before it asks for the invocation
	// (a panic makes aws-lambda-go exit after reporting), start another.
	for delivered := false; !delivered; {
		f.mu.Lock()
		exited := f.exited
		f.mu.Unlock()
		select {
		case f.next <- inv:
			delivered = true
		case <-exited:
			if err := f.startProcess(); err != nil {
				return Result{}, err
			}
		case <-timer.C:
			return errorResult("Sandbox.Timedout", fmt.Sprintf("Task timed out after %.2f seconds (never picked up)", f.cfg.Timeout.Seconds())), nil
		case <-ctx.Done():
			return Result{}, ctx.Err()
		}
	}
	select {
	case r := <-inv.done:
		return r, nil
	case <-timer.C:
		f.kill()
		return errorResult("Sandbox.Timedout", fmt.Sprintf("Task timed out after %.2f seconds", f.cfg.Timeout.Seconds())), nil
	case <-ctx.Done():
		f.kill()
		return Result{}, ctx.Err()
	}
}

func (f *Function) kill() {
	f.mu.Lock()
	cmd, exited := f.cmd, f.exited
	f.mu.Unlock()
	if cmd != nil && cmd.Process != nil {
		_ = cmd.Process.Kill()
		<-exited
	}
}

// Close stops the process and the Runtime API server.
func (f *Function) Close() error {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	f.kill()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return f.server.Shutdown(ctx)
}

func errorResult(errType, msg string) Result {
	b, _ := json.Marshal(map[string]string{"errorMessage": msg, "errorType": errType})
	return Result{Payload: b, FunctionError: "Unhandled"}
}

func (f *Function) handleNext(w http.ResponseWriter, r *http.Request) {
	var inv *invocation
	select {
	case inv = <-f.next:
	case <-r.Context().Done():
		return
	}
	f.mu.Lock()
	f.pending[inv.id] = inv
	f.mu.Unlock()
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:"+f.cfg.Name)
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(inv.payload)
}

func (f *Function) take(id string) *invocation {
	f.mu.Lock()
	defer f.mu.Unlock()
	inv := f.pending[id]
	delete(f.pending, id)
	return inv
}

func (f *Function) handleResponse(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 6<<20))
	inv := f.take(r.PathValue("id"))
	if inv == nil || err != nil {
		http.Error(w, `{"errorMessage":"unknown request id"}`, http.StatusBadRequest)
		return
	}
	inv.finish(Result{Payload: body})
	w.WriteHeader(http.StatusAccepted)
}

func (f *Function) handleError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	inv := f.take(r.PathValue("id"))
	if inv == nil {
		http.Error(w, `{"errorMessage":"unknown request id"}`, http.StatusBadRequest)
		return
	}
	// Lambda returns errorMessage and errorType; the stack trace stays in
	// the function's log.
	var doc struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	_ = json.Unmarshal(body, &doc)
	if doc.ErrorType == "" {
		doc.ErrorType = strings.TrimSpace(r.Header.Get("Lambda-Runtime-Function-Error-Type"))
	}
	out, _ := json.Marshal(doc)
	inv.finish(Result{Payload: out, FunctionError: "Unhandled"})
	w.WriteHeader(http.StatusAccepted)
}

func (f *Function) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	fmt.Fprintf(f.cfg.Stderr, "lambdart: %s init error: %s\n", f.cfg.Name, body)
	w.WriteHeader(http.StatusAccepted)
}
