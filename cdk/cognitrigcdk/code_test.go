package cognitrigcdk_test

import (
	"context"
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
	"github.com/cognitrig/cognitrig/cdk/cognitrigcdk"
)

// writeModule makes a Go module at dir with the given files.
func writeModule(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFindSource(t *testing.T) {
	root := t.TempDir()
	writeModule(t, root, map[string]string{
		"go.mod":               "module example.com/main\n",
		"handlers/all/main.go": "package main\n\nfunc main() {}\n",
		"cdk/go.mod":           "module example.com/main/cdk\n",
		"cdk/app/main.go":      "package main\n",
	})
	got, err := cognitrigcdk.FindSource(filepath.Join(root, "cdk", "app"))
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := filepath.Abs(root); got != want {
		t.Errorf("FindSource = %q, want %q (past the cdk module, which has no handlers)", got, want)
	}

	lonely := t.TempDir()
	if _, err := cognitrigcdk.FindSource(lonely); err == nil || !strings.Contains(err.Error(), "set Props.Source") {
		t.Errorf("FindSource without a module: %v, want an error that says what to set", err)
	}
}

func TestDefaultCodeNeedsEveryEntryPoint(t *testing.T) {
	root := t.TempDir()
	writeModule(t, root, map[string]string{
		"go.mod":               "module example.com/main\n",
		"handlers/all/main.go": "package main\n\nfunc main() {}\n",
	})
	stack := newStack()
	_, err := cognitrigcdk.New(stack, "Cognitrig", cognitrigcdk.Props{Shape: cognitrigcdk.FunctionPerConcern, Source: root})
	if err == nil {
		t.Fatal("New accepted a per-concern deployment without the entry points")
	}
	for _, h := range []string{"customauth", "tenancy", "messages", "authevents"} {
		if !strings.Contains(err.Error(), "handlers/"+h) {
			t.Errorf("error %q does not name handlers/%s", err, h)
		}
	}
	if strings.Contains(err.Error(), "handlers/migration") {
		t.Errorf("error %q asks for the migration entry point, which is off", err)
	}
	if n := len(*stack.Node().Children()); n != 0 {
		t.Errorf("the stack has %d children after a refusal", n)
	}
}

func TestBuildHandlerReportsCompilerErrors(t *testing.T) {
	root := t.TempDir()
	writeModule(t, root, map[string]string{
		"go.mod":                  "module example.com/broken\n\ngo 1.26\n",
		"handlers/broken/main.go": "package main\n\nfunc main() { undefinedThing() }\n",
	})
	err := cognitrigcdk.BuildHandler(context.Background(), root, "broken", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "undefinedThing") || !strings.Contains(err.Error(), "./handlers/broken") {
		t.Errorf("BuildHandler = %v, want the compiler's message", err)
	}
	err = cognitrigcdk.BuildHandler(context.Background(), root, "missing", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "handlers/missing") {
		t.Errorf("BuildHandler of a missing entry point = %v", err)
	}
}

// TestGoBuildThroughSynth builds the real handlers/all through CDK's local
// bundling, as the app does, and checks the asset is a linux/arm64
// executable named bootstrap.
func TestGoBuildThroughSynth(t *testing.T) {
	if testing.Short() {
		t.Skip("builds handlers/all")
	}
	wd, _ := os.Getwd()
	source, err := cognitrigcdk.FindSource(wd)
	if err != nil {
		t.Skipf("not inside the cognitrig repository: %v", err)
	}
	out := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(out)})
	stack := awscdk.NewStack(app, jsii.String("Build"), nil)
	if _, err := cognitrigcdk.New(stack, "Cognitrig", cognitrigcdk.Props{Source: source}); err != nil {
		t.Fatal(err)
	}
	app.Synth(nil)
	bins, _ := filepath.Glob(filepath.Join(out, "asset.*", "bootstrap"))
	if len(bins) != 1 {
		t.Fatalf("assets with a bootstrap: %v, want one", bins)
	}
	f, err := elf.Open(bins[0])
	if err != nil {
		t.Fatalf("bootstrap is not an ELF executable: %v", err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 || f.Type != elf.ET_EXEC {
		t.Errorf("bootstrap is %v %v, want an arm64 executable", f.Machine, f.Type)
	}
	if st, _ := os.Stat(bins[0]); st.Mode()&0o111 == 0 {
		t.Errorf("bootstrap mode %v is not executable", st.Mode())
	}
	// Without custom senders, the Encryption SDK is left out.
	info, err := buildinfo.ReadFile(bins[0])
	if err != nil {
		t.Fatal(err)
	}
	if tags := buildTags(info); !strings.Contains(tags, cognitrigcdk.NoSendersTag) || !strings.Contains(tags, "lambda.norpc") {
		t.Errorf("built with -tags %q, want lambda.norpc and %s", tags, cognitrigcdk.NoSendersTag)
	}
	for _, dep := range info.Deps {
		if strings.Contains(dep.Path, "aws-encryption-sdk") {
			t.Errorf("the binary links %s without custom senders", dep.Path)
		}
	}
}

func buildTags(info *buildinfo.BuildInfo) string {
	for _, s := range info.Settings {
		if s.Key == "-tags" {
			return s.Value
		}
	}
	return ""
}

// TestBuildTagsFollowCustomSenders: the default build leaves the senders
// out exactly when the deployment has none (checked on a small module, so
// that no second real build is needed).
func TestBuildTagsFollowCustomSenders(t *testing.T) {
	root := t.TempDir()
	writeModule(t, root, map[string]string{
		"go.mod":               "module example.com/tags\n\ngo 1.26\n",
		"handlers/all/main.go": "package main\n\nfunc main() {}\n",
	})
	for _, senders := range []bool{false, true} {
		out := t.TempDir()
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(out)})
		stack := awscdk.NewStack(app, jsii.String("Tags"), nil)
		p := cognitrigcdk.Props{Source: root, EmailFrom: "no-reply@example.com"}
		if senders {
			p.CustomSenders = &cognitrigcdk.CustomSendersProps{}
		}
		if _, err := cognitrigcdk.New(stack, "Cognitrig", p); err != nil {
			t.Fatal(err)
		}
		app.Synth(nil)
		bins, _ := filepath.Glob(filepath.Join(out, "asset.*", "bootstrap"))
		if len(bins) != 1 {
			t.Fatalf("assets with a bootstrap: %v, want one", bins)
		}
		info, err := buildinfo.ReadFile(bins[0])
		if err != nil {
			t.Fatal(err)
		}
		if tags := buildTags(info); strings.Contains(tags, cognitrigcdk.NoSendersTag) == senders || !strings.Contains(tags, "lambda.norpc") {
			t.Errorf("custom senders %v: built with -tags %q", senders, tags)
		}
	}
}

// TestBuildFailureIsAnError: a handler that does not compile makes New
// fail with the compiler's message, rather than panic or fall back to
// Docker.
func TestBuildFailureIsAnError(t *testing.T) {
	// A bundling callback that fails leaves the CDK's Node.js process
	// (shared by every test of this package) deeper in its call stack, and
	// later synths with cdk-nag then overflow it ("Maximum call stack size
	// exceeded"): run this test in a process of its own.
	if os.Getenv("COGNITRIG_CDK_ISOLATED") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBuildFailureIsAnError$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "COGNITRIG_CDK_ISOLATED=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestBuildFailureIsAnError") {
			t.Fatalf("in its own process: %v\n%s", err, out)
		}
		return
	}
	root := t.TempDir()
	writeModule(t, root, map[string]string{
		"go.mod":               "module example.com/broken\n\ngo 1.26\n",
		"handlers/all/main.go": "package main\n\nfunc main() { notDeclared() }\n",
	})
	c, err := cognitrigcdk.New(newStack(), "Cognitrig", cognitrigcdk.Props{Source: root})
	if err == nil || !strings.Contains(err.Error(), "notDeclared") || c != nil {
		t.Errorf("New = %v, %v; want no construct and the compiler's message", c, err)
	}
}

// TestCycleChecksCatchRolePolicyCycle shows the cycle checks can fail: a
// trigger whose role's default policy names its own pool is the cycle
// that the construct's separate policies avoid. Both the assertions
// library (in every synth) and findCycle see it.
func TestCycleChecksCatchRolePolicyCycle(t *testing.T) {
	stack := newStack()
	pool := awscognito.NewUserPool(stack, jsii.String("Pool"), nil)
	fn := awslambda.NewFunction(stack, jsii.String("Fn"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_PROVIDED_AL2023(), Handler: jsii.String("bootstrap"),
		Code: dummyCode(t)("all"),
	})
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("cognito-idp:AdminUpdateUserAttributes"), Resources: jsii.Strings(*pool.UserPoolArn()),
	}))
	pool.AddTrigger(awscognito.UserPoolOperation_PRE_SIGN_UP(), fn, "")

	msg := func() (msg string) {
		defer func() { msg = fmt.Sprint(recover()) }()
		assertions.Template_FromStack(stack, nil)
		return "no error"
	}()
	if !strings.Contains(msg, "dependency cycle") {
		t.Errorf("Template_FromStack: %.200s; want a dependency cycle", msg)
	}
	tmpl := assertions.Template_FromStack(stack, &assertions.TemplateParsingOptions{SkipCyclicalDependenciesCheck: jsii.Bool(true)})
	if findCycle(resources(t, tmpl)) == nil {
		t.Error("findCycle found no cycle in pool -> function -> default policy -> pool")
	}
}

// NewApp writes to the directory given, else to $CDK_OUTDIR, else to
// cdk.out in the source module; outside a module with handlers it fails.
func TestNewAppOutdir(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	source, err := cognitrigcdk.FindSource(wd)
	if err != nil {
		t.Fatal(err)
	}
	given, fromEnv := t.TempDir(), t.TempDir()
	for _, c := range []struct{ out, env, want string }{
		{given, fromEnv, given},
		{"", fromEnv, fromEnv},
		{"", "", filepath.Join(source, "cdk.out")},
	} {
		t.Setenv("CDK_OUTDIR", c.env)
		app, src, err := cognitrigcdk.NewApp(wd, c.out)
		if err != nil {
			t.Fatal(err)
		}
		if got := *app.Outdir(); got != c.want || src != source {
			t.Errorf("NewApp(%q) with CDK_OUTDIR=%q: outdir %q, source %q; want %q, %q", c.out, c.env, got, src, c.want, source)
		}
	}
	if _, _, err := cognitrigcdk.NewApp(t.TempDir(), ""); err == nil {
		t.Error("NewApp outside a module with handlers: no error")
	}
}
