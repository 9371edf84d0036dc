package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/internal/lambdart"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// EnvRequired makes missing pieces (node, cognito-local, dynalite) fail the
// suite instead of skipping it; `make e2e` sets it.
const EnvRequired = "COGNITRIG_E2E"

// repoRoot is the module root, two levels up from this file's package.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(wd)
}

func need(t *testing.T, ok bool, why string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv(EnvRequired) != "" {
		t.Fatalf("end-to-end suite cannot run: %s", why)
	}
	t.Skipf("end-to-end suite skipped: %s (run `make e2e`)", why)
}

var builds sync.Map // package path → *buildResult

type buildResult struct {
	once sync.Once
	path string
	err  error
}

// build compiles handlers/NAME as it ships (lambda.norpc, static), for the
// host so that it runs here, once per test binary.
func build(t *testing.T, name string) string {
	t.Helper()
	v, _ := builds.LoadOrStore(name, &buildResult{})
	b := v.(*buildResult)
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "cognitrig-e2e-"+name)
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", b.path, "./handlers/"+name)
		cmd.Dir = repoRoot(t)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("build handlers/%s: %v\n%s", name, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// stack is one running end-to-end environment.
type stack struct {
	cognito    *cip.Client
	cognitoURL string
	invokeURL  string
	poolID     string
	clientID   string
	cognitoLog *triggertest.Log
	funcLog    *triggertest.Log
	stopFuncs  func() error
}

// finalFuncLog stops the functions and returns their whole log: a process
// writes its last lines a moment after it answers, and a check that a
// secret is absent must see them too.
func (s *stack) finalFuncLog() string {
	_ = s.stopFuncs()
	return s.funcLog.String()
}

// function describes a handler to run behind the Invoke API.
type function struct {
	name    string // function name cognito-local calls
	handler string // handlers/NAME to build
	env     []string
}

// startStack starts the functions behind a local Invoke API and
// cognito-local wired to them for triggers (trigger → function name), and
// creates a user pool and an app client. Everything stops when t ends.
func startStack(t *testing.T, functions []function, triggerFunctions map[string]string) *stack {
	t.Helper()
	need(t, os.Getenv(dynamotest.EnvEndpoint) != "", dynamotest.EnvEndpoint+" is not set")
	_, err := exec.LookPath("node")
	need(t, err == nil, "node is not installed")
	root := repoRoot(t)
	cognitoLocal := filepath.Join(root, "node_modules", "cognito-local", "lib", "bin", "start.js")
	_, err = os.Stat(cognitoLocal)
	need(t, err == nil, "cognito-local is not installed (npm ci)")

	s := &stack{cognitoLog: &triggertest.Log{}, funcLog: &triggertest.Log{}}
	port := freePort(t)
	s.cognitoURL = fmt.Sprintf("http://127.0.0.1:%d", port)

	// The functions: real bootstrap binaries through the Runtime API. Their
	// AWS SDK clients reach dynalite and cognito-local by endpoint variables,
	// so the binaries carry no test hooks.
	awsEnv := []string{
		"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_REGION=us-east-1",
		"AWS_ENDPOINT_URL_DYNAMODB=" + os.Getenv(dynamotest.EnvEndpoint),
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=" + s.cognitoURL,
		"AWS_EC2_METADATA_DISABLED=true",
	}
	fns := map[string]*lambdart.Function{}
	for _, f := range functions {
		fn, err := lambdart.Start(lambdart.Config{
			Name: f.name, Binary: build(t, f.handler), Timeout: 5 * time.Second,
			Env: append(append([]string{}, awsEnv...), f.env...), Stderr: s.funcLog,
		})
		if err != nil {
			t.Fatal(err)
		}
		fns[f.name] = fn
	}
	api := lambdart.NewInvokeAPI(fns)
	s.stopFuncs = api.Close
	invoke := httptest.NewServer(api)
	s.invokeURL = invoke.URL
	t.Cleanup(func() {
		invoke.Close()
		_ = api.Close()
		if t.Failed() {
			t.Logf("function log:\n%s", tail(s.funcLog.String(), 6000))
		}
	})

	// cognito-local reads .cognito/config.json from its working directory.
	dir := t.TempDir()
	config := map[string]any{
		"LambdaClient": map[string]any{
			"endpoint": s.invokeURL, "region": "local",
			"credentials": map[string]string{"accessKeyId": "local", "secretAccessKey": "local"},
		},
		"TriggerFunctions": triggerFunctions,
		// cognito-local's default: e-mail addresses are usernames (aliases).
		"UserPoolDefaults": map[string]any{},
	}
	if err := os.MkdirAll(filepath.Join(dir, ".cognito"), 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(config)
	if err := os.WriteFile(filepath.Join(dir, ".cognito", "config.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", cognitoLocal)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port), "HOST=127.0.0.1", "NO_COLOR=1", "FORCE_COLOR=0")
	cmd.Stdout, cmd.Stderr = s.cognitoLog, s.cognitoLog
	// Its own process group, so that cleanup can kill node's children too,
	// and death with the test process if that is killed before cleanup.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Kill the whole process group: node may have children.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("cognito-local log:\n%s", tail(s.cognitoLog.String(), 6000))
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cognito-local did not start within 30 s:\n%s", s.cognitoLog.String())
		}
		time.Sleep(100 * time.Millisecond)
	}

	s.cognito = cip.New(cip.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.cognitoURL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
		HTTPClient:  &http.Client{Timeout: 30 * time.Second},
	})
	ctx := context.Background()
	pool, err := s.cognito.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName: aws.String("e2e"),
		Schema: []types.SchemaAttributeType{{
			Name: aws.String("tenantId"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true),
		}},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	s.poolID = aws.ToString(pool.UserPool.Id)
	client, err := s.cognito.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(s.poolID), ClientName: aws.String("e2e"),
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	s.clientID = aws.ToString(client.UserPoolClient.ClientId)
	return s
}

// claims decodes a JWT's payload without verifying it (cognito-local signs
// with its own key; the claims are what the triggers shaped).
func claims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
