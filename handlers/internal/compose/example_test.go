package compose_test

import (
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/handlers/internal/env"
)

func ExampleParseSequence() {
	seq, err := compose.ParseSequence("password, captcha, security-question")
	fmt.Println(seq.Password, seq.Steps, err)
	_, err = compose.ParseSequence("password,fingerprint")
	fmt.Println(err)
	// Output:
	// true [captcha security-question] <nil>
	// unknown step "fingerprint": use captcha, security-question, email-otp, sms-otp, email-or-sms-otp, magic-link, after an optional password
}

// A function that cannot start says why, naming every variable at once.
func ExampleBuild() {
	e := env.FromMap(map[string]string{
		compose.EnvAuditTable: "audit",
		compose.EnvIPAllow:    "10.0.0.0/8,192.0.2.300",
		compose.EnvLogLevel:   "loud",
	})
	_, err := compose.Build(e, aws.Config{Region: "eu-west-1"}, io.Discard, compose.AuthEvents)
	fmt.Println(err)
	// Output:
	// configuration: COGNITRIG_LOG_LEVEL: "loud" is not a log level: use debug, info, warn or error
	// COGNITRIG_IP_ALLOW: "192.0.2.300" is not an IP address or CIDR network
}
