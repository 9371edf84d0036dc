package deliver_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/internal/awsfake"
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

// newSES returns an SES client of a server that h answers, for the cases
// awsfake does not cover.
func newSES(t *testing.T, h http.Handler) *sesv2.Client {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return sesv2.New(sesv2.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	})
}

func TestSESSendsTheText(t *testing.T) {
	srv := awsfake.NewSES(t)
	s := &deliver.SES{Client: srv.Client(), From: "no-reply@example.com", ConfigurationSet: "auth"}
	if err := s.Send(context.Background(), message(deliver.Email, "jdoe@example.com")); err != nil {
		t.Fatal(err)
	}
	sent := srv.Emails()
	if len(sent) != 1 {
		t.Fatalf("%d requests, want 1", len(sent))
	}
	want := awsfake.Email{From: "no-reply@example.com", To: "jdoe@example.com", Subject: "Your sign-in code",
		Text: "Your code is " + code + ".", ConfigurationSet: "auth"}
	if sent[0] != want {
		t.Errorf("sent %+v\nwant %+v", sent[0], want)
	}
}

func TestSESErrorsKeepTheCodeOut(t *testing.T) {
	srv := awsfake.NewSES(t)
	srv.Refuse(true)
	s := &deliver.SES{Client: srv.Client(), From: "no-reply@example.com"}
	err := s.Send(context.Background(), message(deliver.Email, "jdoe@example.com"))
	if err == nil || !strings.Contains(err.Error(), "MessageRejected") {
		t.Fatalf("err = %v, want the MessageRejected error", err)
	}
	if strings.Contains(err.Error(), code) {
		t.Fatalf("error holds the code: %v", err)
	}
	if err := s.Send(context.Background(), message(deliver.SMS, "+15555550100")); err == nil {
		t.Fatal("SES sent an SMS message")
	}
	if err := s.Send(context.Background(), message(deliver.Email, "")); err == nil {
		t.Fatal("SES sent a message without a recipient")
	}
}

func TestSESHonoursTheDeadline(t *testing.T) {
	release := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	s := &deliver.SES{Client: newSES(t, slow), From: "no-reply@example.com"}
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Send(ctx, message(deliver.Email, "jdoe@example.com"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Send returned after %v, long past the 100ms deadline", d)
	}
}

// ---- SNS ----

func TestSNSSendsTransactionalSMS(t *testing.T) {
	srv := awsfake.NewSNS(t)
	s := &deliver.SNS{Client: srv.Client(), SenderID: "Example"}
	if err := s.Send(context.Background(), message(deliver.SMS, "+15555550100")); err != nil {
		t.Fatal(err)
	}
	sent := srv.Messages()
	if len(sent) != 1 {
		t.Fatalf("%d requests, want 1", len(sent))
	}
	if m := sent[0]; m.To != "+15555550100" || m.Text != "Your code is "+code+"." {
		t.Errorf("published %+v", m)
	}
	if attrs := sent[0].Attributes; attrs["AWS.SNS.SMS.SMSType"] != "Transactional" || attrs["AWS.SNS.SMS.SenderID"] != "Example" {
		t.Errorf("message attributes = %v", attrs)
	}
}

func TestSNSErrors(t *testing.T) {
	srv := awsfake.NewSNS(t)
	srv.Refuse(true)
	s := &deliver.SNS{Client: srv.Client()}
	err := s.Send(context.Background(), message(deliver.SMS, "+1555"))
	if err == nil || !strings.Contains(err.Error(), "InvalidParameter") {
		t.Fatalf("err = %v, want InvalidParameter", err)
	}
	if strings.Contains(err.Error(), code) {
		t.Fatalf("error holds the code: %v", err)
	}
	if err := s.Send(context.Background(), message(deliver.Email, "jdoe@example.com")); err == nil {
		t.Fatal("SNS sent an email message")
	}
	if err := s.Send(context.Background(), message(deliver.SMS, "")); err == nil {
		t.Fatal("SNS sent a message without a phone number")
	}
}
