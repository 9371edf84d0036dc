//go:build !cognitrig_nosenders

package compose

import (
	"context"
	"errors"
	"strings"

	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/lifecycle/messages/esdk"
	"github.com/cognitrig/cognitrig/triggers"
)

// customSenders registers the custom email and SMS senders, which decrypt
// the code with the KMS key keyARN.
func customSenders(d *Deps, r *triggers.Router, catalog *messages.Catalog, keyARN string) {
	e := d.Env
	from := e.Required(EnvEmailFrom)
	if !strings.HasPrefix(keyARN, "arn:") || !strings.Contains(keyARN, ":kms:") || !strings.Contains(keyARN, ":key/") {
		d.Invalid(EnvKMSKeyARN, errors.New("is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID): Cognito encrypts the codes under the key itself, not an alias"))
		return
	}
	if from == "" {
		return
	}
	// The keyring is made here, once; it calls KMS only to decrypt.
	codec, err := esdk.NewKMS(context.Background(), d.KMS(), keyARN)
	if err != nil {
		d.Invalid(EnvKMSKeyARN, err)
		return
	}
	senders, err := messages.NewSenders(messages.SendersConfig{
		Catalog:   catalog,
		Decrypter: codec,
		Email:     &messages.SES{Client: d.SES(), From: from},
		SMS:       &messages.SNS{Client: d.SNS()},
		// Account-takeover events carry no email address.
		Users: &messages.CognitoUsers{Client: d.Cognito()},
	})
	if err != nil {
		d.Invalid(EnvKMSKeyARN, err)
		return
	}
	r.CustomEmailSender(senders.CustomEmailSender)
	r.CustomSMSSender(senders.CustomSMSSender)
}
