package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestBaselinesStart builds the baseline as scripts/coldstart.sh does for
// a custom sender function (the five clients and the Encryption SDK
// keyring, bare_esdk) and checks that it links the SDK's Decrypt, as the
// function does, and gets as far as asking the Runtime API for an event:
// a baseline that exits on its configuration would time nothing. Without
// KEY_ARN it must refuse to start, saying so.
func TestBaselinesStart(t *testing.T) {
	if testing.Short() || runtime.GOOS != "linux" {
		t.Skip("builds and runs a linux binary")
	}
	bin := filepath.Join(t.TempDir(), "bare")
	// The flags of the handlers' bootstrap tests, so that the Encryption
	// SDK they compile comes from the build cache.
	build := exec.Command("go", "build", "-tags", "lambda.norpc,bare_select,bare_kms,bare_sesv2,bare_sns,bare_cip,bare_dynamodb,bare_esdk", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	syms, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	if !bytes.Contains(syms, []byte("awscryptographyencryptionsdksmithygenerated.(*Client).Decrypt\n")) {
		t.Error("the bare_esdk baseline does not link the Encryption SDK's Decrypt, which every custom sender function calls")
	}
	env := []string{
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		// Refused: the process asks once for an event and exits.
		"AWS_LAMBDA_RUNTIME_API=127.0.0.1:1",
	}
	run := func(env []string) string {
		var stderr bytes.Buffer
		cmd := exec.Command(bin)
		cmd.Env, cmd.Stderr = env, &stderr
		if err := cmd.Run(); err == nil {
			t.Fatal("the baseline exited 0 with the Runtime API refused")
		}
		return stderr.String()
	}
	got := run(append(env, "KEY_ARN=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"))
	if strings.Contains(got, "configuration") || !strings.Contains(got, "127.0.0.1:1") {
		t.Errorf("with KEY_ARN set, want a failed request to the Runtime API, got:\n%s", got)
	}
	if got := run(env); !strings.Contains(got, "configuration: set KEY_ARN") {
		t.Errorf("without KEY_ARN, want the configuration refusal, got:\n%s", got)
	}
}
