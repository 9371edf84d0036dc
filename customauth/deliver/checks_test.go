package deliver_test

import (
	"context"
	"testing"

	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/internal/awsfake"
)

// The senders now carry lifecycle/messages' checks too: a missing Client
// or From is an error (it was a nil-pointer panic or an SES call without a
// sender), and a recipient that is no address or E.164 number never reaches
// the service.
func TestSendersCheckBeforeTheCall(t *testing.T) {
	ses, sns := awsfake.NewSES(t), awsfake.NewSNS(t)
	for name, send := range map[string]func() error{
		"SES without client": func() error {
			return (&deliver.SES{From: "no-reply@example.com"}).Send(context.Background(), message(deliver.Email, "jdoe@example.com"))
		},
		"SES without from": func() error {
			return (&deliver.SES{Client: ses.Client()}).Send(context.Background(), message(deliver.Email, "jdoe@example.com"))
		},
		"SES to no address": func() error {
			return (&deliver.SES{Client: ses.Client(), From: "no-reply@example.com"}).Send(context.Background(), message(deliver.Email, "jdoe"))
		},
		"SNS without client": func() error {
			return (&deliver.SNS{}).Send(context.Background(), message(deliver.SMS, "+15555550100"))
		},
		"SNS to no E.164 number": func() error {
			return (&deliver.SNS{Client: sns.Client()}).Send(context.Background(), message(deliver.SMS, "555-0100"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			if err := send(); err == nil {
				t.Fatal("sent")
			}
		})
	}
	if len(ses.Emails()) != 0 || len(sns.Messages()) != 0 {
		t.Fatalf("the service was called: SES %d, SNS %d", len(ses.Emails()), len(sns.Messages()))
	}
}
