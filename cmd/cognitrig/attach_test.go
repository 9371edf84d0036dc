package main

import (
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/internal/awsfake"
)

func attachFakes(t *testing.T) (*awsfake.CognitoPool, *awsfake.LambdaPolicy) {
	t.Helper()
	pool := awsfake.LoadPoolSettings(t, "../../internal/attach/testdata/pool.json")
	t.Setenv("AWS_REGION", awsfake.Region)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	return awsfake.NewCognitoPoolSettings(t, pool), awsfake.NewLambdaPolicy(t)
}

const cliFn = "arn:aws:lambda:us-east-1:123456789012:function:cognitrig-customauth"

func TestAttachCommandDryRunThenApplyThenDetach(t *testing.T) {
	cog, lam := attachFakes(t)
	base := []string{"--user-pool-id", "us-east-1_Ex4mple", "--cognito-endpoint", cog.URL, "--lambda-endpoint", lam.URL}

	code, out, errOut := runCLI(t, append([]string{"attach", "--function", cliFn, "--triggers", "pre-token=V2_0,define-auth", "--dry-run"}, base...)...)
	if code != exitOK {
		t.Fatalf("dry run exit %d: %s", code, errOut)
	}
	t.Logf("dry run:\n%s", out)
	for _, want := range []string{
		"+ LambdaConfig.PreTokenGenerationConfig: " + cliFn + " (V2_0)",
		"+ LambdaConfig.DefineAuthChallenge: " + cliFn,
		"other settings written back unchanged",
		"dry run: nothing changed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry-run output lacks %q:\n%s", want, out)
		}
	}
	for _, op := range cog.Ops() {
		if op != "DescribeUserPool" {
			t.Fatalf("dry run called %s", op)
		}
	}
	if len(lam.Calls()) != 0 {
		t.Fatal("dry run changed the function's policy")
	}

	code, out, errOut = runCLI(t, append([]string{"attach", "--function", cliFn, "--triggers", "pre-token=V2_0,define-auth"}, base...)...)
	if code != exitOK || !strings.Contains(out, "done") {
		t.Fatalf("attach exit %d: %s %s", code, out, errOut)
	}
	if lc := cog.Settings()["LambdaConfig"].(map[string]any); lc["DefineAuthChallenge"] != cliFn {
		t.Fatalf("LambdaConfig after attach: %v", lc)
	}

	code, out, errOut = runCLI(t, append([]string{"detach", "--function", cliFn, "--triggers", "pre-token,define-auth"}, base...)...)
	if code != exitOK {
		t.Fatalf("detach exit %d: %s %s", code, out, errOut)
	}
	if lc := cog.Settings()["LambdaConfig"].(map[string]any); len(lc) != 1 {
		t.Fatalf("LambdaConfig after detach: %v", lc)
	}
}

func TestAttachCommandRefusals(t *testing.T) {
	cog, lam := attachFakes(t)
	base := []string{"--user-pool-id", "us-east-1_Ex4mple", "--cognito-endpoint", cog.URL, "--lambda-endpoint", lam.URL}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"attach", "--triggers", "define-auth"}, exitBadArgs, "--function is required"},
		{[]string{"attach", "--function", cliFn}, exitBadArgs, "--triggers is required"},
		{[]string{"attach", "--function", cliFn, "--triggers", "nope"}, exitBadArgs, `unknown trigger "nope"`},
		{[]string{"attach", "--function", cliFn, "--triggers", "post-confirmation"}, exitFailed, "already invokes"},
		{[]string{"detach", "--triggers", "define-auth", "--kms-key-id", "k"}, exitBadArgs, "flag provided but not defined"},
	} {
		code, _, errOut := runCLI(t, append(c.args, base...)...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
	for _, op := range cog.Ops() {
		if op == "UpdateUserPool" {
			t.Fatal("a refused attach updated the pool")
		}
	}
}
