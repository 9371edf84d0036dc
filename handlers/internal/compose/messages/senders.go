//go:build !cognitrig_nosenders

package messages

import (
	"context"
	"errors"
	"strings"

	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/lifecycle/messages/esdk"
	"github.com/cognitrig/cognitrig/triggers"
)

// customSenders registers the custom email and SMS senders, which decrypt
// the code with the KMS key keyARN.
func customSenders(d *compose.Deps, r *triggers.Router, catalog *messages.Catalog, keyARN string) {
	e := d.Env
	from := e.Required(compose.EnvEmailFrom)
	if !strings.HasPrefix(keyARN, "arn:") || !strings.Contains(keyARN, ":kms:") || !strings.Contains(keyARN, ":key/") {
		d.Invalid(compose.EnvKMSKeyARN, errors.New("is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID): Cognito encrypts the codes under the key itself, not an alias"))
		return
	}
	if from == "" {
		return
	}
	// The keyring is made here, once; it calls KMS only to decrypt.
	codec, err := esdk.NewKMS(context.Background(), kmsClient(d), keyARN)
	if err != nil {
		d.Invalid(compose.EnvKMSKeyARN, err)
		return
	}
	senders, err := messages.NewSenders(messages.SendersConfig{
		Catalog:   catalog,
		Decrypter: codec,
		Email:     &messages.SES{Client: sesClient(d), From: from},
		SMS:       &messages.SNS{Client: snsClient(d)},
		// Account-takeover events carry no email address.
		Users: &messages.CognitoUsers{Client: cognito(d)},
	})
	if err != nil {
		d.Invalid(compose.EnvKMSKeyARN, err)
		return
	}
	r.CustomEmailSender(senders.CustomEmailSender)
	r.CustomSMSSender(senders.CustomSMSSender)
}
