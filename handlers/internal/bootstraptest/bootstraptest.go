package bootstraptest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/internal/lambdart"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

var builds struct {
	mu   sync.Mutex
	dir  string
	bins map[string]*build
}

type build struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// Build builds the main package pkg ("." for the package under test) once
// per test binary and returns the path of its bootstrap. It skips t on an
// OS other than linux, where the binary cannot run.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	return BuildTags(t, pkg)
}

// BuildTags is Build with build tags besides lambda.norpc.
func BuildTags(t testing.TB, pkg string, tags ...string) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the bootstrap is a linux binary")
	}
	builds.mu.Lock()
	if builds.bins == nil {
		builds.bins = map[string]*build{}
	}
	tags = append([]string{"lambda.norpc"}, tags...)
	key := pkg + " " + strings.Join(tags, ",")
	b := builds.bins[key]
	if b == nil {
		b = &build{}
		builds.bins[key] = b
	}
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "cognitrig-bootstrap")
		if err != nil {
			builds.mu.Unlock()
			t.Fatal(err)
		}
		builds.dir = dir
	}
	out := filepath.Join(builds.dir, strings.NewReplacer("/", "_", ".", "_", " ", "_", ",", "_").Replace(key), "bootstrap")
	builds.mu.Unlock()
	b.once.Do(func() {
		b.path = out
		cmd := exec.Command("go", "build", "-tags", strings.Join(tags, ","), "-trimpath", "-o", out, pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
		b.out, b.err = cmd.CombinedOutput()
	})
	if b.err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, b.err, b.out)
	}
	return b.path
}

// NoTemplateExecution fails t if the binary bin can execute a text or
// html template. A binary that can keeps every exported method of its
// types, since the linker cannot tell which ones a template calls; with the
// AWS SDK clients that is 13 MB more to deploy and load. Functions that send
// no templated messages must not link it by accident.
func NoTemplateExecution(t testing.TB, bin string) {
	t.Helper()
	out, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm %s: %v", bin, err)
	}
	if bytes.Contains(out, []byte("text/template.(*state).evalCall")) {
		t.Error("the binary executes templates, which keeps every exported method of every type it links; " +
			"build messages without text/template or html/template (see confirm.EmailHook and messages.NewFuncs)")
	}
}

// Main runs the tests and removes the binaries built: call it from
// TestMain.
func Main(m *testing.M) {
	code := m.Run()
	builds.mu.Lock()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
	builds.mu.Unlock()
	os.Exit(code)
}

// Log is a function's log (its stdout and stderr), written by the process's
// output copier and read by the test.
type Log struct {
	mu    sync.Mutex
	b     bytes.Buffer
	close func()
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// WaitFor waits up to a second for the log to hold each of subs (the
// process writes it a moment after it answers) and returns the log.
func (l *Log) WaitFor(subs ...string) string {
	deadline := time.Now().Add(time.Second)
	for {
		s := l.String()
		missing := false
		for _, sub := range subs {
			missing = missing || !strings.Contains(s, sub)
		}
		if !missing || time.Now().After(deadline) {
			return s
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Final stops the function and returns its whole log: the process writes
// each line a moment after it answers, so a check that a secret is absent
// must wait for the end, or it may miss the last invocation's lines.
func (l *Log) Final() string {
	if l.close != nil {
		l.close()
	}
	return l.String()
}

// ExpectCleanRun fails t unless one warm process served every invocation
// of fn, and its final log (see Final) holds EMF metrics and neither
// "SECRET" nor any of secrets. It returns the log.
func ExpectCleanRun(t testing.TB, fn *lambdart.Function, log *Log, secrets ...string) string {
	t.Helper()
	if fn.Starts() != 1 {
		t.Errorf("the process was started %d times; one warm process should serve all", fn.Starts())
	}
	l := log.Final()
	leaked := strings.Contains(l, "SECRET")
	for _, s := range secrets {
		leaked = leaked || strings.Contains(l, s)
	}
	if leaked || !strings.Contains(l, `"_aws"`) {
		t.Errorf("the log holds a secret or lacks metrics:\n%.3000s", l)
	}
	return l
}

// String returns the log so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Unreachable is the endpoint of every AWS service a test does not serve:
// a closed port on 127.0.0.1, so that a call fails at once and nothing
// leaves the machine.
const Unreachable = "http://127.0.0.1:9"

// AWSEnv returns the AWS settings of a function under test: test
// credentials, every service at Unreachable except DynamoDB (the test
// server, when one is running) and the services in endpoints
// (AWS_ENDPOINT_URL_<SERVICE> suffix to URL, e.g. "SESV2").
func AWSEnv(endpoints map[string]string) []string {
	env := []string{
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_SESSION_TOKEN=",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_ENDPOINT_URL=" + Unreachable,
		// Nothing of the developer's AWS configuration reaches the function.
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
	if u := os.Getenv(dynamotest.EnvEndpoint); u != "" {
		env = append(env, "AWS_ENDPOINT_URL_DYNAMODB="+u)
	}
	for svc, u := range endpoints {
		env = append(env, "AWS_ENDPOINT_URL_"+svc+"="+u)
	}
	return env
}

// Start runs bin under a local Lambda Runtime API with env (KEY=VALUE,
// after AWSEnv's) and returns the function and its log. The function is
// closed when t ends.
func Start(t testing.TB, bin string, env ...string) (*lambdart.Function, *Log) {
	t.Helper()
	log := &Log{}
	fn, err := lambdart.Start(lambdart.Config{Name: filepath.Base(filepath.Dir(bin)), Binary: bin, Stderr: log, Env: env, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	log.close = func() { _ = fn.Close() }
	t.Cleanup(log.close)
	return fn, log
}

// StartFails runs bin with env (KEY=VALUE, and nothing of the test's
// environment but PATH) against a Runtime API that counts requests,
// and returns its output. It fails t unless the process exits with status 1
// before asking the Runtime API for anything.
func StartFails(t testing.TB, bin string, env ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "this test expects no Runtime API call", http.StatusInternalServerError)
	}), ReadHeaderTimeout: time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String()}, env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("the function did not exit with status 1 (%v); output:\n%s", err, out)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("the function called the Runtime API %d times before failing", n)
	}
	return string(out)
}

// Invoke invokes fn with payload, failing t if the invocation could not be
// delivered.
func Invoke(t testing.TB, fn *lambdart.Function, payload []byte) lambdart.Result {
	t.Helper()
	res, err := fn.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Response is the part of a trigger's answer that every check reads.
type Response struct {
	TriggerSource string          `json:"triggerSource"`
	Response      json.RawMessage `json:"response"`
}

// Answer decodes the answer to payload, failing t if the function failed
// or answered something other than payload's event with a response.
func Answer(t testing.TB, name string, payload []byte, res lambdart.Result) Response {
	t.Helper()
	var r, in Response
	if res.FunctionError != "" {
		t.Errorf("%s: function error %s", name, res.Payload)
		return r
	}
	_ = json.Unmarshal(payload, &in)
	if err := json.Unmarshal(res.Payload, &r); err != nil || r.TriggerSource == "" || r.TriggerSource != in.TriggerSource || len(r.Response) == 0 {
		t.Errorf("%s: answer %s (%v)", name, res.Payload, err)
	}
	return r
}

// Refusal returns the message of a failed invocation, failing t if it did
// not fail.
func Refusal(t testing.TB, name string, res lambdart.Result) string {
	t.Helper()
	var doc struct{ ErrorMessage, ErrorType string }
	if res.FunctionError == "" || json.Unmarshal(res.Payload, &doc) != nil || doc.ErrorType == "" {
		t.Errorf("%s: want a function error, got %+v %s", name, res.FunctionError, res.Payload)
	}
	return doc.ErrorMessage
}

// RefusedWithDefault fails t unless the invocation failed showing the
// client only triggers.DefaultClientMessage: the cause (such as "no
// handler") is logged, not shown.
func RefusedWithDefault(t testing.TB, name string, res lambdart.Result) {
	t.Helper()
	if msg := Refusal(t, name, res); !strings.Contains(msg, triggers.DefaultClientMessage) {
		t.Errorf("%s: an event of a trigger this function does not serve: %q", name, msg)
	}
}

// Unserved reports whether tr, the trigger of the event name, is not among
// the triggers a function serves; then it checks the function's answer res
// with RefusedWithDefault.
func Unserved(t testing.TB, name string, tr triggers.Trigger, res lambdart.Result, served ...triggers.Trigger) bool {
	t.Helper()
	if slices.Contains(served, tr) {
		return false
	}
	RefusedWithDefault(t, name, res)
	return true
}

// TriggerOf returns the trigger of a raw event (triggertest.TriggerOf).
func TriggerOf(t testing.TB, payload []byte) triggers.Trigger {
	t.Helper()
	return triggertest.TriggerOf(t, payload)
}

// Decode decodes a successful invocation's payload into a typed event,
// such as triggers.CreateAuthChallengeEvent.
func Decode[E any](t testing.TB, name string, res lambdart.Result) *E {
	t.Helper()
	ev := new(E)
	if res.FunctionError != "" {
		t.Errorf("%s: function error %s", name, res.Payload)
		return ev
	}
	if err := json.Unmarshal(res.Payload, ev); err != nil {
		t.Errorf("%s: %v", name, err)
	}
	return ev
}

// HoldsCode reports whether the log holds code as a number of its own, not
// as a digit run inside a longer number: slog's timestamps (nanoseconds),
// EMF timestamps and durations are long digit runs in which a six-digit
// code turns up by chance in about one run in ten.
func HoldsCode(log, code string) bool {
	for i := 0; ; {
		j := strings.Index(log[i:], code)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(code)
		if (start == 0 || !isDigit(log[start-1])) && (end == len(log) || !isDigit(log[end])) {
			return true
		}
		i = start + 1
	}
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }
