//go:build !cognitrig_nosenders

package messages

import (
	"context"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/delivery/ses"
	"github.com/cognitrig/cognitrig/delivery/sns"
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/lifecycle/messages/cognitousers"
	"github.com/cognitrig/cognitrig/lifecycle/messages/esdk"
	"github.com/cognitrig/cognitrig/triggers"
)

// customSenders registers the custom email and SMS senders, which decrypt
// the code with the KMS key c.KMSKeyARN, unless loading c failed (err).
func customSenders(d *compose.Deps, r *triggers.Router, catalog *messages.Catalog, c config.Messages, err error) {
	if !d.Fail(err) {
		return
	}
	// The keyring is made here, once; it calls KMS only to decrypt.
	codec, err := esdk.NewKMS(context.Background(), compose.Client(d, kms.NewFromConfig), c.KMSKeyARN)
	if err != nil {
		d.Invalid(config.EnvKMSKeyARN, err)
		return
	}
	senders, err := messages.NewSenders(messages.SendersConfig{
		Catalog:   catalog,
		Decrypter: codec,
		Email:     &ses.Sender{Client: compose.Client(d, sesv2.NewFromConfig), From: c.EmailFrom},
		SMS:       &sns.Sender{Client: compose.Client(d, awssns.NewFromConfig)},
		// Account-takeover events carry no email address.
		Users: &cognitousers.Directory{Client: compose.Client(d, cip.NewFromConfig)},
	})
	if err != nil {
		d.Invalid(config.EnvKMSKeyARN, err)
		return
	}
	r.CustomEmailSender(senders.CustomEmailSender)
	r.CustomSMSSender(senders.CustomSMSSender)
}
