package config

import "strings"

// Messages are the settings of the message triggers: CustomMessage, and,
// when KMSKeyARN is set, the custom email and SMS senders.
type Messages struct {
	// KMSKeyARN is COGNITRIG_KMS_KEY_ARN, the KMS key (its ARN, not an
	// alias) under which Cognito encrypts the codes of the custom senders;
	// "" is no senders.
	KMSKeyARN string
	// EmailFrom is COGNITRIG_EMAIL_FROM, the SES sender of the custom
	// email sender; required with KMSKeyARN.
	EmailFrom string
}

// LoadMessages reads the settings of the message triggers.
func LoadMessages(lookup func(string) (string, bool)) (Messages, error) {
	e := newReader(lookup)
	m := Messages{KMSKeyARN: e.String(EnvKMSKeyARN, "")}
	if m.KMSKeyARN != "" {
		m.EmailFrom = e.Required(EnvEmailFrom)
		// Cognito encrypts under the key itself ("Custom sender Lambda
		// triggers": the KMS key ARN of the pool's LambdaConfig).
		if !strings.HasPrefix(m.KMSKeyARN, "arn:") || !strings.Contains(m.KMSKeyARN, ":kms:") || !strings.Contains(m.KMSKeyARN, ":key/") {
			e.fail(EnvKMSKeyARN, "is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID): Cognito encrypts the codes under the key itself, not an alias")
		}
	}
	return m, e.err()
}
