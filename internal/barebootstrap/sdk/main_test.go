package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// ops are the operation each bare_SERVICE file calls with bare_calls.
var ops = map[string]string{
	"bare_dynamodb":       "service/dynamodb.(*Client).GetItem",
	"bare_sesv2":          "service/sesv2.(*Client).SendEmail",
	"bare_sns":            "service/sns.(*Client).Publish",
	"bare_kms":            "service/kms.(*Client).Decrypt",
	"bare_cip":            "service/cognitoidentityprovider.(*Client).AdminGetUser",
	"bare_secretsmanager": "service/secretsmanager.(*Client).GetSecretValue",
	"bare_esdk":           "awscryptographyencryptionsdksmithygenerated.(*Client).Decrypt",
}

// anyOp matches an operation of an AWS SDK service client or of the
// Encryption SDK's client.
var anyOp = regexp.MustCompile(`(service/[a-z0-9]+|awscryptographyencryptionsdksmithygenerated)\.\(\*Client\)\.[A-Z]\w*\n`)

// TestBaselinesStart builds the three binaries of every function of
// scripts/coldstart.sh with the script itself (--build), so that what is
// checked is what a run times, and checks what BENCHMARKS.md ("Two
// baselines") says of them:
//   - B and C link the AWS services (and the Encryption SDK) the function
//     links, no more and no fewer (go list with the tags the script
//     builds with);
//   - they make at start what the script says the function makes
//     (BARE_REPORT against --print-make; compose's TestColdStartMakeLists
//     holds that list to what the function makes);
//   - B links no client operation at all, and C (bare_calls) one of each
//     client, so that the two columns differ by that alone;
//   - each gets as far as asking the Runtime API for an event (a baseline
//     that exits on its configuration would time nothing).
func TestBaselinesStart(t *testing.T) {
	if testing.Short() || runtime.GOOS != "linux" {
		t.Skip("builds and runs linux binaries")
	}
	for _, fn := range strings.Fields(script(t, "--list")) {
		t.Run(fn, func(t *testing.T) {
			lines := strings.Split(script(t, "--print-tags", fn), "\n")
			if len(lines) != 3 {
				t.Fatalf("--print-tags %s: %q, want the tags of A, B and C", fn, lines)
			}
			aTags, bTags := lines[0], lines[1]
			pkg := "./handlers/" + strings.TrimSuffix(fn, "-nosenders")
			if got, want := links(t, bTags, "."), links(t, aTags, "../../../"+pkg); !slices.Equal(got, want) {
				t.Errorf("the baseline links %v; %s links %v", got, pkg, want)
			}
			dir := t.TempDir()
			script(t, "--build", dir, fn)
			env := append(strings.Split(script(t, "--print-env", fn), "\n"), "BARE_REPORT=1")
			wantMade := sorted(script(t, "--print-make", fn))
			for _, b := range []string{"B", "C"} {
				bin := filepath.Join(dir, b)
				got := run(t, bin, env)
				if !strings.Contains(got, "/runtime/invocation/next") {
					t.Errorf("%s: want a request to the Runtime API, got:\n%s", b, got)
				}
				if made := madeLine.FindStringSubmatch(got); made == nil || sorted(made[1]) != wantMade {
					t.Errorf("%s makes %q at start; coldstart.sh --print-make says %q", b, made, wantMade)
				}
				syms, err := exec.Command("go", "tool", "nm", bin).Output()
				if err != nil {
					t.Fatalf("go tool nm: %v", err)
				}
				if b == "B" {
					if op := anyOp.Find(syms); op != nil {
						t.Errorf("B links the operation %s", bytes.TrimSpace(op))
					}
					continue
				}
				for _, tag := range strings.Split(bTags, ",") {
					if op, ok := ops[tag]; ok && !bytes.Contains(syms, []byte(op+"\n")) {
						t.Errorf("C does not link %s", op)
					}
				}
			}
		})
	}
}

// madeLine is what a baseline run with BARE_REPORT prints.
var madeLine = regexp.MustCompile(`bare made: ([a-z0-9 ]*)\n`)

// TestBaselineRefusals: a baseline that cannot make what it is asked to
// stops before it asks for an event, saying why, rather than be timed
// doing something else; so does the script on a bad argument.
func TestBaselineRefusals(t *testing.T) {
	if testing.Short() || runtime.GOOS != "linux" {
		t.Skip("builds and runs a linux binary")
	}
	bin := build(t, "lambda.norpc,bare_select,bare_kms,bare_esdk")
	base := []string{"AWS_REGION=us-east-1", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:1", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true"}
	keyARN := "KEY_ARN=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	for _, c := range []struct {
		env  []string
		want string
	}{
		{nil, "configuration: set KEY_ARN"},
		{[]string{keyARN, "BARE_MAKE=kms dynamodb"}, `BARE_MAKE names "dynamodb", which this build does not link`},
		{[]string{keyARN, "BARE_MAKE=esdk"}, "BARE_MAKE lists esdk without kms"},
	} {
		got := run(t, bin, append(slices.Clone(base), c.env...))
		if !strings.Contains(got, c.want) || strings.Contains(got, "/runtime/invocation/next") {
			t.Errorf("%v: want %q before any request, got:\n%s", c.env, c.want, got)
		}
	}

	for _, c := range []struct {
		env  []string
		args []string
		want string
	}{
		{[]string{"BARE=kms,esdk"}, []string{"--print-tags", "messages"}, "unknown service kms,esdk"},
		{[]string{"BARE_MAKE=dynamo"}, []string{"--print-make", "tenancy"}, "unknown service dynamo"},
		{nil, []string{"messages", "abc"}, "ROUNDS must be a number"},
		{nil, []string{"messages", "1"}, "ROUNDS must be a number, 2 or more"},
		{nil, []string{"--print-tags", "nosuch"}, "unknown function nosuch"},
	} {
		cmd := exec.Command("../../../scripts/coldstart.sh", c.args...)
		cmd.Env = append(scriptEnv(), c.env...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("coldstart.sh %v with %v: %v, want a refusal with %q:\n%s", c.args, c.env, err, c.want, out)
		}
	}
}

// links returns the AWS SDK services the package pkg links with tags
// (the default credential chain's, which every program that loads the
// configuration links, aside), and "esdk" if it links the Encryption SDK.
func links(t *testing.T, tags, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-tags", tags, pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps -tags %s %s: %v", tags, pkg, err)
	}
	var services []string
	for _, p := range strings.Fields(string(out)) {
		if s, ok := strings.CutPrefix(p, "github.com/aws/aws-sdk-go-v2/service/"); ok && !strings.Contains(s, "/") &&
			!slices.Contains([]string{"signin", "sso", "ssooidc", "sts"}, s) {
			services = append(services, s)
		}
		if strings.HasPrefix(p, "github.com/aws/aws-encryption-sdk/") && !slices.Contains(services, "esdk") {
			services = append(services, "esdk")
		}
	}
	slices.Sort(services)
	return services
}

// script runs scripts/coldstart.sh with args and returns its output.
func script(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("../../../scripts/coldstart.sh", args...)
	cmd.Env = scriptEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("coldstart.sh %v: %v", args, err)
	}
	return strings.TrimRight(string(out), "\n")
}

// build builds the baseline with tags, with the flags of the handlers'
// bootstrap tests, so that what they compile (the Encryption SDK above
// all) comes from the build cache.
func build(t *testing.T, tags string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bare")
	cmd := exec.Command("go", "build", "-tags", tags, "-trimpath", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", tags, err, out)
	}
	return bin
}

// run runs bin with env and returns its output; it must fail, since the
// Runtime API is refused.
func run(t *testing.T, bin string, env []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("the baseline exited 0 with the Runtime API refused")
	}
	return string(out)
}

// scriptEnv is the test's environment without the script's overrides, so
// that the defaults are what is checked.
func scriptEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return k == "BARE" || k == "BARE_MAKE" || k == "TAGS_A"
	})
}

// sorted returns the words of s, sorted, joined by spaces.
func sorted(s string) string {
	words := strings.Fields(s)
	slices.Sort(words)
	return strings.Join(words, " ")
}
