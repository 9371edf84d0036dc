package lambdart

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func buildTestFunction(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("needs linux")
	}
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", out, "./testdata/fn")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, msg)
	}
	return out
}

func TestFunctionLifecycle(t *testing.T) {
	fn, err := Start(Config{Name: "fn", Binary: buildTestFunction(t), Timeout: 2 * time.Second, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Close()
	ctx := context.Background()
	invoke := func(action string) Result {
		t.Helper()
		r, err := fn.Invoke(ctx, []byte(`{"action":"`+action+`"}`))
		if err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		return r
	}

	if r := invoke("echo"); r.FunctionError != "" || string(r.Payload) != `{"action":"echo"}` {
		t.Errorf("echo: %+v %s", r, r.Payload)
	}
	if r := invoke("fail"); r.FunctionError != "Unhandled" || !strings.Contains(string(r.Payload), `"errorMessage":"failed on purpose"`) {
		t.Errorf("fail: %+v %s", r, r.Payload)
	}
	if r := invoke("panic"); r.FunctionError != "Unhandled" || !strings.Contains(string(r.Payload), "boom") {
		t.Errorf("panic: %+v %s", r, r.Payload)
	}
	if r := invoke("exit"); r.FunctionError != "Unhandled" || !strings.Contains(string(r.Payload), "Runtime.ExitError") {
		t.Errorf("exit: %+v %s", r, r.Payload)
	}
	// The process is started again for the next invocation.
	if r := invoke("echo"); r.FunctionError != "" {
		t.Errorf("after exit: %+v %s", r, r.Payload)
	}
	if fn.Starts() != 3 { // first, after the panic, after the exit
		t.Errorf("starts = %d, want 3", fn.Starts())
	}
	start := time.Now()
	if r := invoke("sleep"); r.FunctionError != "Unhandled" || !strings.Contains(string(r.Payload), "timed out") {
		t.Errorf("sleep: %+v %s", r, r.Payload)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("a timed-out invocation took %v; the timeout is 2 s", elapsed)
	}
	if r := invoke("echo"); r.FunctionError != "" || fn.Starts() != 4 {
		t.Errorf("after timeout: %+v, starts %d", r, fn.Starts())
	}
}

func TestStartMissingBinary(t *testing.T) {
	_, err := Start(Config{Name: "x", Binary: filepath.Join(t.TempDir(), "nope")})
	if err == nil || !strings.Contains(err.Error(), "make build") {
		t.Errorf("err = %v", err)
	}
}
