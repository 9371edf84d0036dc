package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// TestInspectShowsBothSeverities: a response with a finding Cognito
// ignores and one it rejects are both shown, each marked.
func TestInspectShowsBothSeverities(t *testing.T) {
	ignored := writeEvent(t, triggertest.From(t, "PreSignUp_AdminCreateUser").Set("response.autoConfirmUser", true).JSON(t))
	rejected := writeEvent(t, triggertest.From(t, "PreSignUp_SignUp").Set("response.autoVerifyPhone", true).JSON(t))
	code, out, _ := runCLI(t, "inspect", ignored, rejected)
	if code != exitFailed || !strings.Contains(out, "ignored by Cognito, rule presignup.admin-create-user-flags") ||
		!strings.Contains(out, "rejected by Cognito, rule presignup.autoverify-phone-without-phone") {
		t.Errorf("exit %d, out %s", code, out)
	}
	code, out, _ = runCLI(t, "inspect", "--json", ignored)
	var res struct {
		Findings []struct{ Rule, Severity string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitFailed ||
		len(res.Findings) != 1 || res.Findings[0].Severity != "ignored" {
		t.Errorf("exit %d, out %s", code, out)
	}
}
