package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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

// TestBaselinesStart builds both baselines of every function as
// scripts/coldstart.sh does (its --print-tags gives the tags) and checks
// that each gets as far as asking the Runtime API for an event (a baseline
// that exits on its configuration would time nothing), and that the build
// with bare_calls links one operation of each of its clients and the
// plain one none: the line between the two is what BENCHMARKS.md's two
// columns compare.
func TestBaselinesStart(t *testing.T) {
	if testing.Short() || runtime.GOOS != "linux" {
		t.Skip("builds and runs linux binaries")
	}
	env := []string{
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		// Refused: the process asks once for an event and exits.
		"AWS_LAMBDA_RUNTIME_API=127.0.0.1:1",
		"KEY_ARN=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
	}
	for _, fn := range []string{"customauth", "tenancy", "migration", "authevents", "messages", "messages-nosenders", "all", "all-nosenders"} {
		t.Run(fn, func(t *testing.T) {
			out, err := exec.Command("../../../scripts/coldstart.sh", "--print-tags", fn).Output()
			if err != nil {
				t.Fatalf("coldstart.sh --print-tags %s: %v", fn, err)
			}
			tags := strings.Fields(string(out))
			for _, calls := range []bool{false, true} {
				tags := tags
				if calls {
					tags = append(tags, "bare_calls")
				}
				bin := build(t, tags)
				if got := run(t, bin, env); !strings.Contains(got, "/runtime/invocation/next") {
					t.Errorf("%v: want a request to the Runtime API, got:\n%s", tags, got)
				}
				syms, err := exec.Command("go", "tool", "nm", bin).Output()
				if err != nil {
					t.Fatalf("go tool nm: %v", err)
				}
				for _, tag := range tags {
					if op, ok := ops[tag]; ok && bytes.Contains(syms, []byte(op+"\n")) != calls {
						t.Errorf("%v: links %s: %t, want %t", tags, op, !calls, calls)
					}
				}
			}
		})
	}
}

// TestESDKNeedsKeyARN: without KEY_ARN the bare_esdk baseline refuses to
// start, saying so, rather than time a keyring it could not make.
func TestESDKNeedsKeyARN(t *testing.T) {
	if testing.Short() || runtime.GOOS != "linux" {
		t.Skip("builds and runs a linux binary")
	}
	bin := build(t, []string{"lambda.norpc", "bare_select", "bare_kms", "bare_esdk"})
	got := run(t, bin, []string{"AWS_REGION=us-east-1", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:1", "AWS_CONFIG_FILE=/dev/null"})
	if !strings.Contains(got, "configuration: set KEY_ARN") {
		t.Errorf("want the configuration refusal, got:\n%s", got)
	}
}

// build builds the baseline with tags, with the flags of the handlers'
// bootstrap tests, so that what they compile (the Encryption SDK above
// all) comes from the build cache.
func build(t *testing.T, tags []string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bare")
	cmd := exec.Command("go", "build", "-tags", strings.Join(tags, ","), "-trimpath", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %v: %v\n%s", tags, err, out)
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
