package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestDemo(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"Define session=[] -> SRP_A",
		"Create CAPTCHA_CHALLENGE public={challenge:CAPTCHA_CHALLENGE",
		"Verify SECURITY_QUESTION answer=[REDACTED] -> wrong",
		"-> issue tokens",
		"=> tokens issued: true",
		`reason="wrong password"`,
		"=> tokens issued: false",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	for _, secret := range []string{solvedToken, "Rex", "rex", "Max", "$argon2id$"} {
		if strings.Contains(got, secret) {
			t.Errorf("output holds the secret %q", secret)
		}
	}
}
