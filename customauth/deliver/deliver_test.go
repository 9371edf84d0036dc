package deliver_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/triggers"
)

const code = "SECRET-839201"

func message(ch deliver.Channel, to string) deliver.Message {
	return deliver.Message{
		Channel: ch,
		To:      to,
		Subject: "Your sign-in code",
		Body:    "Your code is " + deliver.Placeholder + ".",
		Secret:  triggers.Secret(code),
	}
}

func TestMessageTextAndMasked(t *testing.T) {
	m := message(deliver.Email, "jdoe@example.com")
	if got := m.Text(); got != "Your code is "+code+"." {
		t.Errorf("Text() = %q", got)
	}
	if got := m.Masked(); got != "Your code is [REDACTED]." {
		t.Errorf("Masked() = %q", got)
	}
}

func TestCheckBody(t *testing.T) {
	if err := deliver.CheckBody("code: " + deliver.Placeholder); err != nil {
		t.Errorf("one placeholder: %v", err)
	}
	for _, body := range []string{"", "no placeholder", deliver.Placeholder + deliver.Placeholder} {
		if err := deliver.CheckBody(body); err == nil {
			t.Errorf("CheckBody(%q) = nil, want an error", body)
		}
	}
}

func TestMaskAddress(t *testing.T) {
	for in, want := range map[string]string{
		"jdoe@example.com": "j***@example.com",
		"élan@example.com": "é***@example.com",
		"@example.com":     "***@example.com",
		"+15555550100":     "+1******0100",
		"12345":            "*****",
		"":                 "",
	} {
		if got := deliver.MaskAddress(in); got != want {
			t.Errorf("MaskAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLogMasksTheSecret(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	if err := (deliver.Log{Logger: logger}).Send(context.Background(), message(deliver.Email, "jdoe@example.com")); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, code) || strings.Contains(out, "jdoe@") {
		t.Fatalf("log holds the code or the address: %s", out)
	}
	if !strings.Contains(out, "Your code is [REDACTED].") || !strings.Contains(out, "j***@example.com") {
		t.Fatalf("log lacks the masked message: %s", out)
	}

	buf.Reset()
	if err := (deliver.Log{Logger: logger, Reveal: true}).Send(context.Background(), message(deliver.SMS, "+15555550100")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), code) {
		t.Fatalf("Reveal: log lacks the code: %s", buf.String())
	}
}

// ---- SES v2 ----
