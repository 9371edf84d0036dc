package deliver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"

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

type sesServer struct {
	mu       sync.Mutex
	requests []map[string]any
	fail     bool
}

func (s *sesServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" {
		http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, body)
	fail := s.fail
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if fail {
		w.Header().Set("X-Amzn-ErrorType", "MessageRejected")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"Email address is not verified."}`))
		return
	}
	_, _ = w.Write([]byte(`{"MessageId":"0100-test-message"}`))
}

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
	srv := &sesServer{}
	s := &deliver.SES{Client: newSES(t, srv), From: "no-reply@example.com", ConfigurationSet: "auth"}
	if err := s.Send(context.Background(), message(deliver.Email, "jdoe@example.com")); err != nil {
		t.Fatal(err)
	}
	if len(srv.requests) != 1 {
		t.Fatalf("%d requests, want 1", len(srv.requests))
	}
	req := srv.requests[0]
	b, _ := json.Marshal(req)
	for _, want := range []string{`"FromEmailAddress":"no-reply@example.com"`, `"ToAddresses":["jdoe@example.com"]`, `"ConfigurationSetName":"auth"`, `Your code is ` + code + `.`, `"Your sign-in code"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("request lacks %s: %s", want, b)
		}
	}
}

func TestSESErrorsKeepTheCodeOut(t *testing.T) {
	s := &deliver.SES{Client: newSES(t, &sesServer{fail: true}), From: "no-reply@example.com"}
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

type snsServer struct {
	mu    sync.Mutex
	forms []map[string][]string
	fail  bool
}

func (s *snsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("Action") != "Publish" {
		http.Error(w, "unexpected request", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.forms = append(s.forms, r.PostForm)
	fail := s.fail
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	if fail {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: PhoneNumber Reason: +1555 is not valid to publish to</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`))
		return
	}
	_, _ = w.Write([]byte(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>`))
}

func newSNS(t *testing.T, h http.Handler) *sns.Client {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return sns.New(sns.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	})
}

func TestSNSSendsTransactionalSMS(t *testing.T) {
	srv := &snsServer{}
	s := &deliver.SNS{Client: newSNS(t, srv), SenderID: "Example"}
	if err := s.Send(context.Background(), message(deliver.SMS, "+15555550100")); err != nil {
		t.Fatal(err)
	}
	if len(srv.forms) != 1 {
		t.Fatalf("%d requests, want 1", len(srv.forms))
	}
	form := srv.forms[0]
	if got := form["PhoneNumber"]; len(got) != 1 || got[0] != "+15555550100" {
		t.Errorf("PhoneNumber = %v", got)
	}
	if got := form["Message"]; len(got) != 1 || got[0] != "Your code is "+code+"." {
		t.Errorf("Message = %v", got)
	}
	attrs := map[string]string{}
	for i := 1; i <= 2; i++ {
		p := "MessageAttributes.entry." + string(rune('0'+i))
		attrs[first(form[p+".Name"])] = first(form[p+".Value.StringValue"])
	}
	if attrs["AWS.SNS.SMS.SMSType"] != "Transactional" || attrs["AWS.SNS.SMS.SenderID"] != "Example" {
		t.Errorf("message attributes = %v", attrs)
	}
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func TestSNSErrors(t *testing.T) {
	s := &deliver.SNS{Client: newSNS(t, &snsServer{fail: true})}
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
