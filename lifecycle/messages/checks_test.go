package messages_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/lifecycle/messages"
)

// The senders now carry customauth/deliver's checks too: a recipient that
// is no address or E.164 number never reaches the service, and the
// service's error is wrapped with the API call it came from.
func TestSendersCheckTheRecipient(t *testing.T) {
	ses, sns := awsfake.NewSES(t), awsfake.NewSNS(t)
	if err := (&messages.SES{Client: ses.Client(), From: "no-reply@example.com"}).SendEmail(context.Background(), messages.Email{Subject: "s", HTML: theCode}); err == nil {
		t.Error("SES sent an email without a recipient")
	}
	if err := (&messages.SNS{Client: sns.Client()}).SendSMS(context.Background(), messages.SMS{To: "5555550100", Text: theCode}); err == nil {
		t.Error("SNS sent to a number without a country code")
	}
	if len(ses.Emails()) != 0 || len(sns.Messages()) != 0 {
		t.Fatalf("the service was called: SES %d, SNS %d", len(ses.Emails()), len(sns.Messages()))
	}
	sns.Refuse(true)
	err := (&messages.SNS{Client: sns.Client()}).SendSMS(context.Background(), messages.SMS{To: "+15555550100", Text: theCode})
	if err == nil || !strings.Contains(err.Error(), "SNS Publish") || strings.Contains(err.Error(), theCode) {
		t.Fatalf("err = %v, want the Publish error, wrapped, without the code", err)
	}
}
