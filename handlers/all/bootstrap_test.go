package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/internal/lambdart"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

var built struct {
	once sync.Once
	path string
	err  error
	msg  []byte
}

// buildBootstrap builds this package once, as Lambda builds it
// (lambda.norpc, static, trimmed), for the host's architecture so that it
// can run here.
func buildBootstrap(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the bootstrap is a linux binary")
	}
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "cognitrig-bootstrap")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", built.path, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
		built.msg, built.err = cmd.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.msg)
	}
	return built.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.path != "" {
		os.RemoveAll(filepath.Dir(built.path))
	}
	os.Exit(code)
}

// syncBuffer is the process log, written by the process's output copier
// and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBootstrapServesEveryRecordedEvent runs the built bootstrap against a
// local Lambda Runtime API and sends it every recorded event.
func TestBootstrapServesEveryRecordedEvent(t *testing.T) {
	var log syncBuffer
	fn, err := lambdart.Start(lambdart.Config{
		Name: "cognitrig-all", Binary: buildBootstrap(t), Stderr: &log,
		Env: []string{"COGNITRIG_AUTOCONFIRM_DOMAIN=example.com", "COGNITRIG_LOG_LEVEL=debug"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Close()
	ctx := context.Background()
	for _, name := range triggertest.Names() {
		res, err := fn.Invoke(ctx, triggertest.Load(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.HasPrefix(name, "UserMigration_") {
			// The deployed example knows no legacy users: a migration is
			// refused, with the one message that does not enumerate users.
			if res.FunctionError != "Unhandled" || !strings.Contains(string(res.Payload), "Incorrect username or password.") {
				t.Errorf("%s: %+v %s", name, res, res.Payload)
			}
			continue
		}
		if res.FunctionError != "" {
			t.Errorf("%s: function error %s", name, res.Payload)
			continue
		}
		var back struct {
			TriggerSource string          `json:"triggerSource"`
			Response      json.RawMessage `json:"response"`
		}
		if err := json.Unmarshal(res.Payload, &back); err != nil || !strings.HasPrefix(name, back.TriggerSource) {
			t.Errorf("%s: response %s (%v)", name, res.Payload, err)
		}
	}
	// The v2 pre-token event gets the example's tenant scope.
	res, _ := fn.Invoke(ctx, triggertest.Load(t, "TokenGeneration_Authentication.v2"))
	if !strings.Contains(string(res.Payload), `"scopesToAdd":["tenant:acme:read"]`) {
		t.Errorf("pre-token v2 response: %s", res.Payload)
	}
	if fn.Starts() != 1 {
		t.Errorf("the process was started %d times; one warm process should serve all", fn.Starts())
	}
	if l := log.String(); !strings.Contains(l, `"_aws"`) || !strings.Contains(l, "trigger request") {
		t.Errorf("the function log lacks EMF metrics or debug events:\n%.2000s", l)
	}
	if strings.Contains(log.String(), "SECRET") {
		t.Error("a secret reached the function's log")
	}
}

func TestBootstrapReportsErrorsAsLambdaDoes(t *testing.T) {
	fn, err := lambdart.Start(lambdart.Config{Name: "cognitrig-all", Binary: buildBootstrap(t), Stderr: &syncBuffer{}, Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Close()
	payload := triggertest.From(t, "PreSignUp_SignUp").UserAttribute("custom:tenantId", "evil").JSON(t)
	res, err := fn.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ ErrorMessage, ErrorType string }
	_ = json.Unmarshal(res.Payload, &doc)
	if res.FunctionError != "Unhandled" || !strings.Contains(doc.ErrorMessage, "set by invitation only") || doc.ErrorType == "" {
		t.Errorf("result %+v, %s", res, res.Payload)
	}
	res, _ = fn.Invoke(context.Background(), []byte(`{"not":"an event"}`))
	if res.FunctionError != "Unhandled" || !strings.Contains(string(res.Payload), "no triggerSource") {
		t.Errorf("malformed event: %+v %s", res, res.Payload)
	}
}

func TestBadLogLevelFailsAtStart(t *testing.T) {
	cmd := exec.Command(buildBootstrap(t))
	cmd.Env = []string{"COGNITRIG_LOG_LEVEL=loud", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:1"}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "COGNITRIG_LOG_LEVEL") {
		t.Errorf("err %v, output %s", err, out)
	}
}

// BenchmarkColdStart measures process start to first response through the
// Runtime API, for this function and for a bare aws-lambda-go function
// doing the same pre-token work, side by side.
func BenchmarkColdStart(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("needs linux")
	}
	dir := b.TempDir()
	binaries := map[string]string{"bare": "../../internal/barebootstrap", "cognitrig": "."}
	for name, pkg := range binaries {
		out := filepath.Join(dir, name)
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("build %s: %v\n%s", name, err, msg)
		}
		binaries[name] = out
	}
	payload, err := triggertest.Raw("TokenGeneration_Authentication.v2")
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"bare", "cognitrig"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				fn, err := lambdart.Start(lambdart.Config{Name: name, Binary: binaries[name], Stderr: io.Discard})
				if err != nil {
					b.Fatal(err)
				}
				res, err := fn.Invoke(context.Background(), payload)
				if err != nil || res.FunctionError != "" {
					b.Fatalf("%v %s", err, res.Payload)
				}
				b.StopTimer()
				_ = fn.Close()
				b.StartTimer()
			}
		})
	}
}
