package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeEvent(t *testing.T, payload []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(p, payload, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReplayRecorded(t *testing.T) {
	code, out, errOut := runCLI(t, "replay", "--recorded", "--json")
	if code != exitOK {
		t.Fatalf("exit %d; stderr: %s", code, errOut)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	n := 0
	for dec.More() {
		var res replayResult
		if err := dec.Decode(&res); err != nil {
			t.Fatal(err)
		}
		if res.Error != "" || res.Response == nil || res.TriggerSource == "" {
			t.Errorf("%s: %+v", res.Event, res)
		}
		n++
	}
	if n != len(triggertest.Names()) {
		t.Errorf("replayed %d events, want %d", n, len(triggertest.Names()))
	}
	if strings.Contains(out, "SECRET") || strings.Contains(errOut, "SECRET") {
		t.Error("replay printed a secret without --reveal-secrets")
	}
	if strings.Contains(out, `\u003c`) || !strings.Contains(out, "<p>") {
		t.Error("--json escapes HTML in message bodies")
	}
}

// One line per event, event name -> outcome, then a summary whose counts
// are computed.
func TestReplayLines(t *testing.T) {
	code, out, errOut := runCLI(t, "replay", "--recorded")
	if code != exitOK {
		t.Fatalf("exit %d; stderr: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	names := triggertest.Names()
	if len(lines) != len(names)+1 {
		t.Fatalf("%d lines for %d events:\n%s", len(lines), len(names), out)
	}
	for i, name := range names {
		if f := strings.Fields(lines[i]); len(f) < 3 || f[0] != name || f[1] != "→" {
			t.Errorf("line %d: %q, want %s → outcome", i, lines[i], name)
		}
	}
	if want := fmt.Sprintf("%d events: %d handled, 0 failed", len(names), len(names)); lines[len(names)] != want {
		t.Errorf("summary %q, want %q", lines[len(names)], want)
	}
	for _, want := range []string{
		"PreSignUp_SignUp                                  → autoConfirmUser=true, autoVerifyEmail=true",
		"DefineAuthChallenge_Authentication.user-not-found → failAuthentication=true",
		`VerifyAuthChallengeResponse_Authentication        → {"answerCorrect":false}`,
		"idToken.+tenant_id=acme",
		`emailMessage="<p>Your reset code is <b>{####}</b>.`,
		"private.answer=[REDACTED], challengeMetadata=DEMO_CODE",
	} {
		// Columns widen with the longest event name: compare with runs of
		// spaces collapsed.
		if !strings.Contains(collapse(out), collapse(want)) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "123456") {
		t.Error("the private answer is printed without --reveal-secrets")
	}
}

// --verbose shows request and response, indented and readable.
func TestReplayVerbose(t *testing.T) {
	msg := writeEvent(t, triggertest.Load(t, "CustomMessage_ForgotPassword"))
	code, out, errOut := runCLI(t, "replay", "--verbose", msg)
	if code != exitOK {
		t.Fatalf("exit %d; stderr: %s", code, errOut)
	}
	for _, want := range []string{
		"event → ", "    request:\n      {\n", `"codeParameter": "[REDACTED]"`,
		"    response:\n", `"emailMessage": "<p>Your reset code is <b>{####}</b>.</p>"`, "1 event: 1 handled, 0 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, `\u003c`) {
		t.Errorf("HTML escaped:\n%s", out)
	}
	if code, _, _ := runCLI(t, "replay", "--verbose", "--json", msg); code != exitBadArgs {
		t.Errorf("--verbose --json: exit %d", code)
	}
}

func TestReplayFile(t *testing.T) {
	ok := writeEvent(t, triggertest.Load(t, "TokenGeneration_Authentication.v2"))
	code, out, _ := runCLI(t, "replay", ok)
	if code != exitOK || !strings.Contains(out, "event → idToken.+tenant_id=acme") || !strings.Contains(out, "scopesToAdd=[tenant:acme:read]") {
		t.Fatalf("exit %d, out %s", code, out)
	}

	refused := writeEvent(t, triggertest.From(t, "PreSignUp_SignUp").UserAttribute("custom:tenantId", "evil").JSON(t))
	code, out, _ = runCLI(t, "replay", refused)
	if code != exitFailed || !strings.Contains(out, `event → refused: "The tenant of a new account is set by invitation only."`) ||
		!strings.Contains(out, "1 event: 1 handled (1 refused), 0 failed") {
		t.Errorf("refused sign-up: exit %d, out %s", code, out)
	}

	notEvent := writeEvent(t, []byte(`{"hello":"world"}`))
	code, _, errOut := runCLI(t, "replay", notEvent)
	if code != exitBadArgs || !strings.Contains(errOut, "no triggerSource") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("not an event: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "replay", filepath.Join(t.TempDir(), "missing.json"))
	if code != exitBadArgs || !strings.Contains(errOut, "missing.json") {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ = runCLI(t, "replay"); code != exitBadArgs {
		t.Errorf("no args: exit %d", code)
	}
}

func TestInspect(t *testing.T) {
	v3 := writeEvent(t, triggertest.Load(t, "TokenGeneration_ClientCredentials.v3"))
	code, out, _ := runCLI(t, "inspect", "--json", v3)
	var res struct {
		TriggerSource string
		Version       string
		Trigger       string
		OK            bool
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %s", out)
	}
	if code != exitOK || res.TriggerSource != "TokenGeneration_ClientCredentials" || res.Version != "3" || !res.OK {
		t.Errorf("exit %d, %+v", code, res)
	}

	odd := writeEvent(t, triggertest.From(t, "PreSignUp_SignUp").Set("request.surprise", 1).JSON(t))
	code, out, _ = runCLI(t, "inspect", odd)
	if code != exitFailed || !strings.Contains(out, "request.surprise") {
		t.Errorf("unknown field: exit %d, out %s", code, out)
	}

	// Versions above 3 are read as version 2/3 (issue 11); a version that
	// is not a whole number is still refused.
	badVersion := writeEvent(t, triggertest.From(t, "TokenGeneration_Authentication.v2").Set("version", "2.5").JSON(t))
	code, out, errOut := runCLI(t, "inspect", badVersion)
	if code != exitBadArgs || !strings.Contains(out, `version "2.5"`) || errOut == "" {
		t.Errorf("bad version: exit %d, out %s, stderr %s", code, out, errOut)
	}
}

func TestUnknownCommand(t *testing.T) {
	if code, _, errOut := runCLI(t, "teleport"); code != exitBadArgs || !strings.Contains(errOut, "teleport") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
	if code, _, _ := runCLI(t); code != exitBadArgs {
		t.Errorf("no command: exit %d", code)
	}
}

// collapse replaces every run of spaces by one.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
