// The tests of packages ses and sns are here, beside delivery's own: the
// two senders share delivery's checks and these helpers.
package delivery_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/cognitrig/cognitrig/delivery"
	"github.com/cognitrig/cognitrig/delivery/ses"
	"github.com/cognitrig/cognitrig/delivery/sns"
	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/triggers"
)

const code = "SECRET-839201"

func message(ch delivery.Channel, to string) delivery.Message {
	return delivery.Message{Channel: ch, To: to, Subject: "Your code", Body: "Code: " + delivery.Placeholder, Secret: triggers.Secret(code)}
}

// noSecret fails the test when err is nil or quotes the code or the
// recipient.
func noSecret(t *testing.T, err error, to string) {
	t.Helper()
	if err == nil {
		t.Fatal("err = nil, want an error")
	}
	if strings.Contains(err.Error(), code) || (len(to) > 1 && strings.Contains(err.Error(), to)) {
		t.Fatalf("error quotes the code or the recipient: %v", err)
	}
}

// One SES serves both shapes: Message as plain text, Email as HTML.
func TestSESBothShapes(t *testing.T) {
	srv := awsfake.NewSES(t)
	s := &ses.Sender{Client: srv.Client(), From: "Example <no-reply@example.com>", ConfigurationSet: "auth"}
	var _ delivery.Sender = s
	var _ delivery.EmailSender = s
	if err := s.Send(context.Background(), message(delivery.ChannelEmail, "jdoe@example.com")); err != nil {
		t.Fatal(err)
	}
	if err := s.SendEmail(context.Background(), delivery.Email{To: "jdoe@example.com", Subject: "Hi", HTML: "<p>" + code + "</p>"}); err != nil {
		t.Fatal(err)
	}
	got := srv.Emails()
	want := []awsfake.Email{
		{From: "Example <no-reply@example.com>", To: "jdoe@example.com", Subject: "Your code", Text: "Code: " + code, ConfigurationSet: "auth"},
		{From: "Example <no-reply@example.com>", To: "jdoe@example.com", Subject: "Hi", HTML: "<p>" + code + "</p>", ConfigurationSet: "auth"},
	}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("sent %+v\nwant %+v", got, want)
	}
}

// Every check applies to both shapes, before any call to SES.
func TestSESChecks(t *testing.T) {
	srv := awsfake.NewSES(t)
	good := &ses.Sender{Client: srv.Client(), From: "no-reply@example.com"}
	for name, c := range map[string]struct {
		s  *ses.Sender
		to string
	}{
		"no client":       {&ses.Sender{From: "no-reply@example.com"}, "jdoe@example.com"},
		"no from":         {&ses.Sender{Client: srv.Client()}, "jdoe@example.com"},
		"no recipient":    {good, ""},
		"no at":           {good, "jdoe.example.com"},
		"no domain":       {good, "jdoe@"},
		"no local part":   {good, "@example.com"},
		"header smuggled": {good, "jdoe@example.com\r\nBcc: x@example.net"},
		"space":           {good, "j doe@example.com"},
	} {
		noSecret(t, c.s.Send(context.Background(), message(delivery.ChannelEmail, c.to)), c.to)
		noSecret(t, c.s.SendEmail(context.Background(), delivery.Email{To: c.to, Subject: "s", HTML: code}), c.to)
		if n := len(srv.Emails()); n != 0 {
			t.Fatalf("%s: SES was called %d times", name, n)
		}
	}
	noSecret(t, good.Send(context.Background(), message(delivery.ChannelSMS, "+15555550100")), "")

	srv.Refuse(true)
	err := good.SendEmail(context.Background(), delivery.Email{To: "jdoe@example.com", Subject: "s", HTML: code})
	noSecret(t, err, "")
	if !strings.Contains(err.Error(), "MessageRejected") || !strings.Contains(err.Error(), "SendEmail") {
		t.Fatalf("err = %v, want the wrapped SendEmail error", err)
	}
}

// Send returns when ctx ends, though SES has not answered: a trigger has 5
// seconds in all.
func TestSESHonoursTheDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	defer close(release)
	client := sesv2.New(sesv2.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1})
	s := &ses.Sender{Client: client, From: "no-reply@example.com"}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Send(ctx, message(delivery.ChannelEmail, "jdoe@example.com"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Send returned after %v, long past the 100ms deadline", d)
	}
}

// One SNS serves both shapes, with every message attribute.
func TestSNSBothShapes(t *testing.T) {
	srv := awsfake.NewSNS(t)
	n := &sns.Sender{Client: srv.Client(), SenderID: "Example", OriginationNumber: "+15555550199"}
	var _ delivery.Sender = n
	var _ delivery.SMSSender = n
	if err := n.Send(context.Background(), message(delivery.ChannelSMS, "+15555550100")); err != nil {
		t.Fatal(err)
	}
	if err := n.SendSMS(context.Background(), delivery.SMS{To: "+445555550100", Text: "Code " + code}); err != nil {
		t.Fatal(err)
	}
	sent := srv.Messages()
	if len(sent) != 2 || sent[0].To != "+15555550100" || sent[0].Text != "Code: "+code || sent[1].To != "+445555550100" || sent[1].Text != "Code "+code {
		t.Fatalf("published %+v", sent)
	}
	for _, m := range sent {
		if a := m.Attributes; a["AWS.SNS.SMS.SMSType"] != "Transactional" || a["AWS.SNS.SMS.SenderID"] != "Example" || a["AWS.MM.SMS.OriginationNumber"] != "+15555550199" {
			t.Errorf("message attributes = %v", a)
		}
	}
}

func TestSNSChecks(t *testing.T) {
	srv := awsfake.NewSNS(t)
	good := &sns.Sender{Client: srv.Client()}
	for name, c := range map[string]struct {
		n  *sns.Sender
		to string
	}{
		"no client":    {&sns.Sender{}, "+15555550100"},
		"no number":    {good, ""},
		"no plus":      {good, "15555550100"},
		"plus only":    {good, "+"},
		"formatted":    {good, "+1 (555) 555-0100"},
		"email":        {good, "jdoe@example.com"},
		"letter in it": {good, "+1555555O100"},
	} {
		noSecret(t, c.n.Send(context.Background(), message(delivery.ChannelSMS, c.to)), c.to)
		noSecret(t, c.n.SendSMS(context.Background(), delivery.SMS{To: c.to, Text: code}), c.to)
		if k := len(srv.Messages()); k != 0 {
			t.Fatalf("%s: SNS was called %d times", name, k)
		}
	}
	noSecret(t, good.Send(context.Background(), message(delivery.ChannelEmail, "jdoe@example.com")), "")

	srv.Refuse(true)
	err := good.SendSMS(context.Background(), delivery.SMS{To: "+10000000000", Text: code})
	noSecret(t, err, "")
	if !strings.Contains(err.Error(), "InvalidParameter") || !strings.Contains(err.Error(), "Publish") {
		t.Fatalf("err = %v, want the wrapped Publish error", err)
	}
}

// Email and SMS print and log without body or recipient; Log masks the
// secret.
func TestNothingPrintsTheCode(t *testing.T) {
	e := delivery.Email{To: "a@example.com", Subject: code + " is your code", HTML: code}
	m := delivery.SMS{To: "+15555550100", Text: code}
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	logger.Info("x", "email", e, "sms", m)
	if err := (delivery.Log{Logger: logger}).Send(context.Background(), message(delivery.ChannelEmail, "a@example.com")); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(e), fmt.Sprintf("%#v", e), fmt.Sprint(m), fmt.Sprintf("%+v", m), logs.String()} {
		if strings.Contains(s, code) || strings.Contains(s, "a@example.com") || strings.Contains(s, "+15555550100") {
			t.Fatalf("content printed: %s", s)
		}
	}
}

// TestLinksNoAWSService (issue 15): package delivery links no AWS service
// client, so a function that imports it for the shapes or a sender of its
// own pays for neither SES nor SNS; those are in delivery/ses and
// delivery/sns.
func TestLinksNoAWSService(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/cognitrig/cognitrig/delivery").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/aws/aws-sdk-go-v2/service/") {
			t.Errorf("delivery links %s", p)
		}
	}
}
