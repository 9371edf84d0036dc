package main

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

func TestDemo(t *testing.T) {
	code, out, errOut := runCLI(t, "demo")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")

	// The summary is the last line, and its counts add up.
	m := regexp.MustCompile(`^(\d+) events: (\d+) handled \((\d+) refused(?:, (\d+) with the expected error)?\), 0 failed \((\d+) recorded, (\d+) in the flows\)$`).
		FindStringSubmatch(lines[len(lines)-1])
	if m == nil {
		t.Fatalf("last line %q is not the summary", lines[len(lines)-1])
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	if n(1) != n(2) || n(5) != len(triggertest.Names()) || n(5)+n(6) != n(1) || n(6) < 25 {
		t.Errorf("summary does not add up: %q", m[0])
	}

	// Every part is there, says what Cognito did and what the trigger
	// answered, and fits a screen.
	parts := strings.Split(out, "\n\n")
	if len(parts) != 6 {
		t.Fatalf("%d parts, want 5 and the summary:\n%s", len(parts), out)
	}
	for i, p := range parts[1:5] {
		if n := strings.Count(p, "\n") + 1; n > 40 {
			t.Errorf("part %d has %d lines; keep it under a screen", i+2, n)
		}
		if !strings.HasSuffix(p, ", 0 failed") {
			t.Errorf("part %d does not end with its summary: %q", i+2, p[max(0, len(p)-60):])
		}
	}
	for _, want := range []string{
		// customauth
		"DefineAuthChallenge, session [SRP_A✓ PASSWORD_VERIFIER✓]           → CUSTOM_CHALLENGE",
		"→ CAPTCHA_CHALLENGE {provider:turnstile",
		`local sender: e-mail to j***@example.com: "Your sign-in code is [REDACTED]`,
		"VerifyAuthChallengeResponse: the user mistypes the code            → wrong",
		"EMAIL_OTP✗ EMAIL_OTP✓] → issue tokens",
		"=> tokens issued: true",
		"DefineAuthChallenge, session [SRP_A✓ PASSWORD_VERIFIER✗]           → fail authentication",
		"=> tokens issued: false; e-mails sent: 0",
		// tenancy
		"SignUp jane with the invitation token: PreSignUp_SignUp            → autoConfirmUser=true, autoVerifyEmail=true",
		`refused: "This invitation has already been used."`,
		"AdminUpdateUserAttributes jane: custom:tenantId=acme",
		"AdminAddUserToGroup jane: tenant-acme-member",
		"idToken.+tenant_id=acme",
		"accessToken.scopesToAdd=[tenant:acme:read tenant:acme:write]",
		// migration
		"finalUserStatus=CONFIRMED",
		`refused: "Incorrect username or password."`,
		"legacy calls: 1; breaker: closed → open",
		"legacy calls: 0; breaker: open",
		"breaker: half-open → closed",
		// messages
		`emailMessage="<p>Bonjour Jane Doe,`,
		"<b>{username}</b>",
		"no template: every field empty",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo lacks %q", want)
		}
	}
	for _, secret := range []string{demoSolvedCaptcha, legacyPassword, "demo-otp-key", "demo-client-secret", "SECRET", `\u003c`} {
		if strings.Contains(out, secret) || strings.Contains(errOut, secret) {
			t.Errorf("demo output holds %q", secret)
		}
	}
}

// --verbose adds each invocation's request and response, readable and
// with secrets masked.
func TestDemoVerbose(t *testing.T) {
	code, out, errOut := runCLI(t, "demo", "--verbose")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"       request:\n", "       response:\n", `"password": "[REDACTED]"`, `"challengeAnswer": "[REDACTED]"`, `"emailMessage": "<p>Hello Jane Doe`} {
		if !strings.Contains(out, want) {
			t.Errorf("verbose demo lacks %q", want)
		}
	}
	for _, secret := range []string{demoSolvedCaptcha, legacyPassword, "SECRET", `\u003c`} {
		if strings.Contains(out, secret) || strings.Contains(errOut, secret) {
			t.Errorf("verbose demo holds %q", secret)
		}
	}
}

// An outcome other than the expected one is a failure, marked where it
// happens.
func TestDemoCountsUnexpectedOutcomes(t *testing.T) {
	var out bytes.Buffer
	d := &demo{w: &out}
	d.count(nil, answers)
	d.count(triggers.Refuse("no"), refuses)
	d.count(errors.New("down"), errs)
	d.count(nil, refuses)
	d.count(errors.New("boom"), answers)
	want := tally{events: 5, handled: 3, failed: 2, refused: 1, errored: 1}
	if d.t != want {
		t.Errorf("tally %+v, want %+v", d.t, want)
	}
	if got := strings.Count(out.String(), "UNEXPECTED"); got != 2 {
		t.Errorf("%d UNEXPECTED marks:\n%s", got, out.String())
	}
	if s := d.t.String(); s != "5 events: 3 handled (1 refused, 1 with the expected error), 2 failed" {
		t.Errorf("summary %q", s)
	}
}

func TestSequenceDiagram(t *testing.T) {
	code, out, errOut := runCLI(t, "sequence", "--diagram", "password,captcha,email-otp")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"stateDiagram-v2\n", `state "SRP_A" as s0`, `state "CAPTCHA_CHALLENGE (up to 3 attempts)" as s2`,
		`state "EMAIL_OTP (up to 3 attempts)" as s3`, "s3 --> tokens: pass\n", "s1 --> failed: wrong password\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("diagram lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, "sequence", "--diagram", "email-or-sms-otp", "--max-attempts", "1")
	if code != exitOK || !strings.Contains(out, `state "EMAIL_OTP or SMS_OTP (1 attempt)" as s0`) || strings.Contains(out, "s0 --> s0") {
		t.Errorf("alternatives, one attempt: exit %d\n%s", code, out)
	}
	for _, bad := range [][]string{
		{"sequence"},
		{"sequence", "--diagram", "password,retina-scan"},
		{"sequence", "--diagram", "captcha,password"},
		{"sequence", "--diagram", "password"},
		{"sequence", "--diagram", "captcha,captcha"},
		{"sequence", "--diagram", "email-otp,sms-otp"},
		{"sequence", "--diagram", "captcha", "--max-attempts", "0"},
	} {
		if code, _, errOut := runCLI(t, bad...); code != exitBadArgs || !strings.HasPrefix(errOut, "cognitrig sequence: ") {
			t.Errorf("%v: exit %d, stderr %q", bad, code, errOut)
		}
	}
}
